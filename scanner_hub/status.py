"""What the console knows besides checks: the ward each checkpoint belongs to, and what each
scanner reported of itself (queued records, the trust bundle it runs, its clock, its version)
with its last signed head request. The report is the device's word, shown as such; the clock
offset is the hub's own measure (the device's time minus the hub's, network delay included)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from scanner_app.core.record import clean_text, parse_time
from scanner_hub.db import checkpoints, device_status, devices, is_postgres, wards


def _insert(connection: Connection, table: Any) -> Any:
    return (pg_insert if is_postgres(connection) else sqlite_insert)(table)


def assign_ward(
    connection: Connection, checkpoint_id: str, ward: str, checkpoint_type: str | None, now: datetime
) -> None:
    known = connection.execute(select(wards.c.ward_id).where(wards.c.ward_id == ward)).first()
    if known is None:
        raise ValueError(f"unknown ward {ward!r} (see `scanner-hub wards list`)")
    statement = _insert(connection, checkpoints).values(
        checkpoint_id=checkpoint_id, ward_id=ward, checkpoint_type=checkpoint_type, created_at=now
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["checkpoint_id"], set_={"ward_id": ward, "checkpoint_type": checkpoint_type}
        )
    )


def _shown_text(value: str, max_length: int) -> str:
    """Text a device reports for people to read in the console: the record contract's cleaning,
    and no format characters either (bidirectional overrides, zero-width marks), which could
    make a cell read as something else."""
    return clean_text("".join(c for c in value if unicodedata.category(c) != "Cf"), max_length)


def _small_int(value: object) -> int | None:
    return value if type(value) is int and 0 <= value < 2**31 else None


def record_status(
    connection: Connection, device_id: str, head_seq: int | None, status: Mapping[str, Any], now: datetime
) -> None:
    """Keep a device's self-report; anything malformed in it is dropped, never stored.
    `head_seq`: what the hub held of the device then (the queue shrinks as records arrive)."""
    device_time = parse_time(str(status.get("device_time")))
    offset = (device_time - now).total_seconds() if device_time is not None else None
    if offset is not None and not math.isfinite(offset):
        offset = None
    version = status.get("app_version")
    row = {
        "reported_at": now,
        "queued": _small_int(status.get("queued")),
        "head_at_report": head_seq,
        "bundle_sequence": _small_int(status.get("bundle_sequence")),
        "clock_offset_seconds": offset,
        "app_version": _shown_text(version, 32) if isinstance(version, str) else None,
    }
    statement = _insert(connection, device_status).values(device_id=device_id, **row)
    connection.execute(statement.on_conflict_do_update(index_elements=["device_id"], set_=row))
    connection.execute(update(devices).where(devices.c.device_id == device_id).values(last_seen_at=now))
