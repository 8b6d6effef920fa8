"""The hash chain over check records: each row carries the previous row's hash and its own,
SHA-256 over the previous hash and the row's canonical JSON. Changing, deleting, inserting
or reordering rows breaks the chain at the first bad row; the head (last seq and hash) is
kept in `meta` too, so a truncated tail shows.

This detects tampering by anyone who does not rewrite the whole chain consistently; the hub's
copy (batches signed with the device key) is what a full rewrite cannot fake.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scanner_app.core.record import CHAINED_FIELDS, NUMERIC_FIELDS

GENESIS = "0" * 64
EVENT_FIELDS = ("seq", "wall_time", "kind", "detail", "prev_hash")


def canonical(record: Mapping[str, Any]) -> bytes:
    """The row as hashed: the same bytes whether built in memory or read back from SQLite
    (which returns 1.0 for a REAL column written as 1)."""
    body = {name: record.get(name) for name in CHAINED_FIELDS}
    for name, kind in NUMERIC_FIELDS.items():
        value = body.get(name)
        if value is not None:
            body[name] = kind(value)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(record: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(bytes.fromhex(record["prev_hash"]))
    digest.update(canonical(record))
    return digest.hexdigest()


def event_hash(event: Mapping[str, Any]) -> str:
    """The chain over audit events (PIN attempts, settings, bundles, exports, acks, purges)."""
    body = {name: event.get(name) for name in EVENT_FIELDS}
    body["seq"] = int(event["seq"])
    digest = hashlib.sha256()
    digest.update(bytes.fromhex(event["prev_hash"]))
    digest.update(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    noun: str = "record"

    def describe(self) -> str:
        if self.ok:
            return f"chain ok: {self.checked} {self.noun}s verified"
        return f"chain BROKEN at {self.noun} {self.first_bad_seq}: {self.problem}"


def verify_chain(
    rows: Iterable[Mapping[str, Any]],
    *,
    anchor_seq: int | None,
    anchor_prev: str,
    head: tuple[int, str] | None,
    hasher: Callable[[Mapping[str, Any]], str] = row_hash,
    noun: str = "record",
) -> ChainReport:
    """Walk rows in seq order from the anchor (the oldest kept row after purges)."""
    expected_prev, expected_seq, count = anchor_prev, anchor_seq, 0
    # the anchor names the row before the oldest kept one: when retention purged every row,
    # that row is still the head, and the chain is intact
    last: tuple[int, str] | None = (anchor_seq - 1, anchor_prev) if anchor_seq is not None else None
    for row in rows:
        seq = int(row["seq"])
        if expected_seq is not None and seq != expected_seq:
            kind = f"missing {noun}(s) before it" if seq > expected_seq else "out of order"
            return ChainReport(False, count, seq if seq > expected_seq else expected_seq, kind, noun)
        if row["prev_hash"] != expected_prev:
            return ChainReport(False, count, seq, f"does not follow the previous {noun}", noun)
        if hasher(row) != row["row_hash"]:
            return ChainReport(False, count, seq, "content changed", noun)
        expected_prev, expected_seq, count = row["row_hash"], seq + 1, count + 1
        last = (seq, row["row_hash"])
    if head is not None and last != head:
        bad = (last[0] + 1) if last else head[0]
        return ChainReport(False, count, bad, f"{noun}s missing at the end (head is {noun} {head[0]})", noun)
    return ChainReport(True, count, noun=noun)
