"""Ingesting a device's signed batch: check who sent it, continue its hash chain, store each
record once, forever; never refuse a whole batch for one record it dislikes.

`authenticate` runs before anything is written or created (no DDL, no partition, no row for
an unknown, revoked or unsigned sender). Then, per device, batches are serialised (a row
lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) and each record, in `seq` order, is:

- stored, when it conforms to the record contract and continues the chain (or restarts it
  from genesis after the device's log was damaged, or follows a range the device declared
  `lost`); stored *flagged* when its checkpoint, type or level contradicts the enrollment or
  its time lies beyond the hub's clock (or outside the partition window);
- "already", when the same record is held;
- quarantined with its reason (the raw record kept, the device told so), when it breaks the
  contract, its content does not match its hash, or another record holds its key;
- refused as a gap (with the seq the hub expects) when earlier records are missing: the
  device resends from there. Records before the gap are kept.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from scanner_app.core.chain import GENESIS, row_hash
from scanner_app.core.policy import LEVELS
from scanner_app.core.pseudonym import DEFAULT_ZONE
from scanner_app.core.record import HEX64, WIRE_FIELDS, clean_text, parse_time, violations
from scanner_app.core.wire import request_signature_ok, without_signature
from scanner_hub import rollups
from scanner_hub.db import (
    OUTSIDE_WINDOW_DAY,
    check_keys,
    checks,
    conflicts,
    devices,
    events,
    is_postgres,
    quarantine,
)

log = logging.getLogger(__name__)


class IngestRefused(Exception):
    def __init__(self, status: int, problem: str, detail: str = "", expected_seq: int | None = None) -> None:
        super().__init__(detail or problem)
        self.status = status
        self.problem = problem
        self.detail = detail
        self.expected_seq = expected_seq


@dataclass(frozen=True)
class IngestRules:
    """What the hub tolerates: how far ahead of its clock a record may be, and which days get
    a partition of their own (the rest are stored flagged)."""

    future_tolerance: timedelta = timedelta(minutes=15)
    window_days: int = 30
    zone: tzinfo = DEFAULT_ZONE  # the local day and hour of the console's rollups
    travel_minutes: float = 20  # the same card at two checkpoints closer in time: flagged

    def day_window(self, now: datetime) -> tuple[date, date]:
        today = now.astimezone(UTC).date()
        return today - timedelta(days=self.window_days), today + timedelta(days=1)


@dataclass
class IngestResult:
    stored: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    head_seq: int | None = None
    head_hash: str | None = None
    refused: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "already": self.already,
            "quarantined": self.quarantined,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "refused": self.refused,
        }


def _insert(connection: Connection, table: Any) -> Any:
    return (pg_insert if is_postgres(connection) else sqlite_insert)(table)


def authenticate(connection: Connection, request: Mapping[str, Any]) -> Mapping[str, Any]:
    """The enrolled, unrevoked device whose key signed `request` (a batch, a head request);
    IngestRefused otherwise. Reads only."""
    device_id = request.get("device_id")
    device = connection.execute(select(devices).where(devices.c.device_id == device_id)).mappings().first()
    if device is None:
        raise IngestRefused(404, "unknown_device", f"device {device_id!r} is not enrolled")
    if not request_signature_ok(without_signature(request), request.get("signature"), device["public_key"]):
        raise IngestRefused(401, "bad_signature", "the request is not signed by this device's key")
    if device["revoked_at"] is not None:
        raise IngestRefused(
            403, "device_revoked", f"this device was revoked: {device['revoked_reason'] or ''}"
        )
    return device


def record_day(record: Mapping[str, Any], window: tuple[date, date]) -> date:
    moment = parse_time(str(record.get("wall_time")))
    if moment is None:
        return OUTSIDE_WINDOW_DAY
    day = moment.astimezone(UTC).date()
    return day if window[0] <= day <= window[1] else OUTSIDE_WINDOW_DAY


def partition_days(batch: Mapping[str, Any], window: tuple[date, date]) -> set[date]:
    records = batch.get("records")
    return (
        {record_day(r, window) for r in records if isinstance(r, Mapping)}
        if isinstance(records, list)
        else set()
    )


def ingest_batch(
    connection: Connection, batch: Mapping[str, Any], now: datetime, rules: IngestRules = IngestRules()
) -> IngestResult:
    """Call inside a transaction, after `authenticate`; commits nothing itself."""
    device_id = str(batch["device_id"])
    query = select(devices).where(devices.c.device_id == device_id)
    if is_postgres(connection):
        query = query.with_for_update()
    device = connection.execute(query).mappings().one()
    result = IngestResult(head_seq=device["head_seq"], head_hash=device["head_hash"])
    ordered, unordered = _split(batch.get("records") or [])
    for record, problem in unordered:
        _quarantine(connection, device_id, record, problem, now, result)
    known = _known_hashes(connection, device_id, [int(r["seq"]) for r in ordered])
    batch_state = _Batch(device, _lost(batch.get("lost")), rules.day_window(now), now, rules)
    new: list[dict[str, Any]] = []
    for record in ordered:
        if not _take(connection, record, known, result, new, batch_state):
            break
    checkpoint = str(device["checkpoint_id"])
    rollups.flag_travel(connection, new, checkpoint, rules.zone, rules.travel_minutes)
    _store(connection, new, now)
    rollups.add(connection, new, checkpoint, rules.zone)
    connection.execute(
        update(devices)
        .where(devices.c.device_id == device_id)
        .values(head_seq=result.head_seq, head_hash=result.head_hash, last_seen_at=now)
    )
    return result


@dataclass
class _Batch:
    device: Mapping[str, Any]
    lost: tuple[int, int] | None
    window: tuple[date, date]
    now: datetime
    rules: IngestRules


def _lost(value: object) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value):
        return value[0], value[1]
    return None


def _split(records: Sequence[Any]) -> tuple[list[Mapping[str, Any]], list[tuple[Any, str]]]:
    """Records that can take a place in the chain (a valid seq), sorted; the rest, with why."""
    ordered, unordered = [], []
    for record in records:
        seq = record.get("seq") if isinstance(record, Mapping) else None
        if type(seq) is int and 1 <= seq <= 2**62:
            ordered.append(record)
        else:
            unordered.append((record, "no valid seq"))
    return sorted(ordered, key=lambda r: int(r["seq"])), unordered


def _known_hashes(connection: Connection, device_id: str, seqs: list[int]) -> dict[int, str]:
    if not seqs:
        return {}
    rows = connection.execute(
        select(check_keys.c.seq, check_keys.c.row_hash).where(
            check_keys.c.device_id == device_id,
            check_keys.c.seq >= min(seqs),
            check_keys.c.seq <= max(seqs),
        )
    )
    return {int(seq): digest for seq, digest in rows}


def _take(
    connection: Connection,
    record: Mapping[str, Any],
    known: dict[int, str],
    result: IngestResult,
    new: list[dict[str, Any]],
    batch: _Batch,
) -> bool:
    device_id = str(batch.device["device_id"])
    seq = int(record["seq"])
    problems = violations(record)
    if record.get("device_id") != device_id:
        problems.append("device_id: not the sender's")
    offered = record.get("row_hash")
    if seq in known:
        if not problems and known[seq] == offered:
            result.already.append(seq)
        else:
            _conflict(
                connection,
                device_id,
                seq,
                "a different record under a used key",
                known[seq],
                offered,
                batch.now,
            )
            _quarantine(
                connection, device_id, record, "a different record under a used key", batch.now, result
            )
        return True
    head = result.head_seq
    if head is not None and seq <= head:
        _quarantine(connection, device_id, record, "below the chain head but unknown", batch.now, result)
        return True
    if not _links(record, result, batch, connection):
        result.refused = {"problem": "gap", "seq": seq, "expected_seq": (head or 0) + 1}
        return False
    if not problems and row_hash(record) != offered:
        problems.append("content does not match its hash")
    if problems:
        _quarantine(connection, device_id, record, "; ".join(problems), batch.now, result)
        if _hex64(offered) is None:
            return True  # a malformed hash cannot carry the chain on
    else:
        day = record_day(record, batch.window)
        flags = _hub_flags(record, batch, day)
        new.append(
            {**{f: record.get(f) for f in WIRE_FIELDS}, "day": day, "hub_flags": ",".join(flags) or None}
        )
        known[seq] = str(offered)
        result.stored.append(seq)
    result.head_seq, result.head_hash = seq, str(offered)
    return True


def _links(record: Mapping[str, Any], result: IngestResult, batch: _Batch, connection: Connection) -> bool:
    """Does `record` continue the device's chain here? (first record, next in line, a restart
    from genesis, or the first after a range the device declared lost)"""
    head, seq, prev = result.head_seq, int(record["seq"]), record.get("prev_hash")
    device_id = str(batch.device["device_id"])
    if head is None or (seq == head + 1 and prev == result.head_hash):
        return True
    if prev == GENESIS and seq > head:
        _event(
            connection,
            device_id,
            "chain_restart",
            f"log restarted at seq {seq}; {head + 1}..{seq - 1} never arrive",
            batch.now,
        )
        return True
    if batch.lost is not None and batch.lost == (head + 1, seq - 1):
        _event(
            connection,
            device_id,
            "records_lost",
            f"the device no longer holds {head + 1}..{seq - 1}",
            batch.now,
        )
        batch.lost = None  # one declared range, once
        return True
    return False


def _hub_flags(record: Mapping[str, Any], batch: _Batch, day: date) -> list[str]:
    device = batch.device
    flags = []
    if record.get("checkpoint_id") != device["checkpoint_id"]:
        flags.append("checkpoint_mismatch")
    if record.get("checkpoint_type") != device["checkpoint_type"]:
        flags.append("type_mismatch")
    if record.get("level") not in LEVELS:
        flags.append("level_invalid")
    moment = parse_time(str(record.get("wall_time")))
    if moment is not None and moment > batch.now + batch.rules.future_tolerance:
        flags.append("future_time")
    if day == OUTSIDE_WINDOW_DAY:
        flags.append("outside_window")
    return flags


def _store(connection: Connection, records: list[dict[str, Any]], now: datetime) -> None:
    if not records:
        return
    keys = [
        {"device_id": r["device_id"], "seq": r["seq"], "row_hash": r["row_hash"], "day": r["day"]}
        for r in records
    ]
    connection.execute(_insert(connection, check_keys).on_conflict_do_nothing(), keys)
    rows = [{**r, "received_at": now} for r in records]
    connection.execute(_insert(connection, checks).on_conflict_do_nothing(), rows)


def _quarantine(
    connection: Connection, device_id: str, record: Any, problem: str, now: datetime, result: IngestResult
) -> None:
    seq = record.get("seq") if isinstance(record, Mapping) else None
    seq = seq if type(seq) is int and abs(seq) < 2**63 else None
    log.warning("quarantined record %s/%s: %s", device_id, seq, problem)
    connection.execute(
        insert(quarantine).values(
            device_id=device_id,
            seq=seq,
            received_at=now,
            problem=clean_text(problem, 2000),
            record=json.dumps(record, ensure_ascii=True, default=str)[:100_000],
        )
    )
    result.quarantined.append({"seq": seq, "problem": clean_text(problem, 500)})


def _conflict(
    connection: Connection,
    device_id: str,
    seq: int,
    problem: str,
    stored: str | None,
    offered: object,
    now: datetime,
) -> None:
    log.error("CONFLICT record %s/%s: %s", device_id, seq, problem)
    connection.execute(
        insert(conflicts).values(
            device_id=device_id,
            seq=seq,
            seen_at=now,
            problem=problem,
            stored_hash=stored,
            offered_hash=_hex64(offered),
        )
    )


def _hex64(value: object) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(HEX64, value) else None


def _event(connection: Connection, device_id: str, kind: str, detail: str, now: datetime) -> None:
    log.warning("%s %s: %s", device_id, kind, detail)
    connection.execute(insert(events).values(at=now, device_id=device_id, kind=kind, detail=detail))
