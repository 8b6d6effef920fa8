"""Ingesting a device's signed batch: verify, continue its hash chain, store each record
once, forever.

Per device, batches are serialised (a row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite).
A record at or below the device's head is a replay: the same content answers "already
stored"; different content under a used key is refused and logged as a conflict. A record
must continue the chain from the head; a gap is refused with the seq the hub expects next.
A record whose `prev_hash` is the genesis value declares a restarted local log (after the
device's log was damaged): accepted, and the gap is logged loudly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from scanner_app.core.chain import GENESIS, row_hash
from scanner_app.core.wire import WIRE_FIELDS, batch_signature_ok
from scanner_hub.db import check_keys, checks, conflicts, devices, events, is_postgres

log = logging.getLogger(__name__)


class IngestRefused(Exception):
    def __init__(self, status: int, problem: str, detail: str = "", expected_seq: int | None = None) -> None:
        super().__init__(detail or problem)
        self.status = status
        self.problem = problem
        self.detail = detail
        self.expected_seq = expected_seq


@dataclass
class IngestResult:
    stored: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    head_seq: int | None = None
    head_hash: str | None = None
    refused: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "already": self.already,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "refused": self.refused,
        }


def _insert(connection: Connection, table: Any) -> Any:
    return (pg_insert if is_postgres(connection) else sqlite_insert)(table)


def batch_days(batch: Mapping[str, Any]) -> set[date]:
    records = batch.get("records")
    if not isinstance(records, list):
        return set()
    days = set()
    for record in records:
        try:
            days.add(_day(record))
        except (KeyError, TypeError, ValueError):
            continue  # a malformed record is refused by ingest_batch itself
    return days


def _day(record: Mapping[str, Any]) -> date:
    return datetime.fromisoformat(record["wall_time"]).astimezone(UTC).date()


def ingest_batch(connection: Connection, batch: Mapping[str, Any], now: datetime) -> IngestResult:
    """Call inside a transaction; commits nothing itself."""
    device_id = str(batch.get("device_id", ""))
    records = batch.get("records")
    if not isinstance(records, list) or not records:
        raise IngestRefused(422, "empty_batch", "a batch needs records")
    query = select(devices).where(devices.c.device_id == device_id)
    if is_postgres(connection):
        query = query.with_for_update()
    device = connection.execute(query).mappings().first()
    if device is None:
        raise IngestRefused(404, "unknown_device", f"device {device_id!r} is not enrolled")
    if not batch_signature_ok(batch, device["public_key"]):
        raise IngestRefused(401, "bad_signature", "the batch is not signed by this device's key")
    result = IngestResult(head_seq=device["head_seq"], head_hash=device["head_hash"])
    known = _known_hashes(connection, device_id, records)
    new: list[dict[str, Any]] = []
    for record in sorted(records, key=lambda r: int(r["seq"])):
        if not _take(connection, device_id, record, known, result, new, now):
            break
    _store(connection, device_id, new, now)
    if new:
        connection.execute(
            update(devices)
            .where(devices.c.device_id == device_id)
            .values(head_seq=result.head_seq, head_hash=result.head_hash)
        )
    return result


def _known_hashes(
    connection: Connection, device_id: str, records: Sequence[Mapping[str, Any]]
) -> dict[int, str]:
    seqs = [int(r["seq"]) for r in records]
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
    device_id: str,
    record: Mapping[str, Any],
    known: dict[int, str],
    result: IngestResult,
    new: list[dict[str, Any]],
    now: datetime,
) -> bool:
    seq = int(record["seq"])
    offered = record.get("row_hash")
    if record.get("device_id") != device_id or offered != row_hash(record):
        result.refused = _conflict(
            connection, device_id, seq, "record content does not match its hash", None, offered, now
        )
        return False
    if seq in known:
        if known[seq] == offered:
            result.already.append(seq)
            return True
        result.refused = _conflict(
            connection,
            device_id,
            seq,
            "a different record under a used key",
            known[seq],
            offered,
            now,
        )
        return False
    head = result.head_seq
    if head is not None and seq <= head:
        result.refused = _conflict(
            connection, device_id, seq, "below the chain head but unknown", None, offered, now
        )
        return False
    first = head is None  # the first record the hub sees anchors the device's chain
    follows = first or (seq == head + 1 and record["prev_hash"] == result.head_hash)
    restart = not first and record["prev_hash"] == GENESIS and seq > head
    if not follows and not restart:
        expected = head + 1 if head is not None else seq
        result.refused = {"problem": "gap", "seq": seq, "expected_seq": expected}
        return False
    if restart and head is not None:
        _event(
            connection,
            device_id,
            "chain_restart",
            f"device restarted its log at seq {seq}; records {head + 1}..{seq - 1} never arrive",
            now,
        )
    new.append({f: record.get(f) for f in WIRE_FIELDS})
    known[seq] = offered
    result.stored.append(seq)
    result.head_seq, result.head_hash = seq, offered
    return True


def _store(connection: Connection, device_id: str, records: list[dict[str, Any]], now: datetime) -> None:
    if not records:
        return
    keys = [
        {"device_id": device_id, "seq": r["seq"], "row_hash": r["row_hash"], "day": _day(r)} for r in records
    ]
    connection.execute(_insert(connection, check_keys).on_conflict_do_nothing(), keys)
    rows = [{**r, "day": _day(r), "received_at": now} for r in records]
    connection.execute(_insert(connection, checks).on_conflict_do_nothing(), rows)


def _conflict(
    connection: Connection,
    device_id: str,
    seq: int,
    problem: str,
    stored: str | None,
    offered: str | None,
    now: datetime,
) -> dict[str, Any]:
    log.error("REFUSED record %s/%s: %s", device_id, seq, problem)
    connection.execute(
        insert(conflicts).values(
            device_id=device_id,
            seq=seq,
            seen_at=now,
            problem=problem,
            stored_hash=stored,
            offered_hash=offered,
        )
    )
    return {"problem": "conflict", "seq": seq, "detail": problem}


def _event(connection: Connection, device_id: str, kind: str, detail: str, now: datetime) -> None:
    log.warning("%s %s: %s", device_id, kind, detail)
    connection.execute(insert(events).values(at=now, device_id=device_id, kind=kind, detail=detail))
