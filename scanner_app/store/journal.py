"""What makes the check log's history checkable beyond its own tables.

- Audit events (PIN attempts, settings changes, bundle installs and refusals, exports,
  acknowledgements, purges, clock warnings) form a hash chain of their own, like the checks.
- The anchor file `<data dir>/device/log-anchor.json` holds, for both chains, the oldest kept
  entry and the newest one, rewritten durably after every commit. It lives outside the
  database, so someone who deletes records at either end and fixes the log's own metadata
  still disagrees with it; `audit verify` says which it checked against (this file, and the
  hub's newest signed receipt, which the laptop cannot forge at all).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scanner_app.core.chain import GENESIS, ChainReport, event_hash, verify_chain
from scanner_app.core.record import EventKind

ANCHOR_FILE = "log-anchor.json"
Link = tuple[int, str]  # (seq, hash)


def append_event(connection: sqlite3.Connection, kind: EventKind, detail: str, moment: datetime) -> Link:
    """Chain one event; call inside the caller's transaction. Returns the new event head."""
    row = connection.execute("select value from meta where key = 'event_head'").fetchone()
    head = _link(json.loads(row[0])) if row else None
    seq = head[0] + 1 if head else 1
    event = {
        "seq": seq,
        "wall_time": moment.isoformat(),
        "kind": kind.value,
        "detail": detail,
        "prev_hash": head[1] if head else GENESIS,
    }
    digest = event_hash(event)
    connection.execute(
        "insert into events (id, wall_time, kind, detail, prev_hash, row_hash) values (?, ?, ?, ?, ?, ?)",
        [seq, event["wall_time"], event["kind"], detail, event["prev_hash"], digest],
    )
    connection.execute(
        "insert into meta (key, value) values ('event_head', ?) "
        "on conflict(key) do update set value = excluded.value",
        [json.dumps([seq, digest])],
    )
    return seq, digest


def verify_events(connection: sqlite3.Connection) -> ChainReport:
    anchor = _meta(connection, "event_anchor")
    head = _meta(connection, "event_head")
    anchor_seq = int(anchor[0]) if anchor else connection.execute("select min(id) from events").fetchone()[0]
    rows = (
        {"seq": r[0], "wall_time": r[1], "kind": r[2], "detail": r[3], "prev_hash": r[4], "row_hash": r[5]}
        for r in connection.execute(
            "select id, wall_time, kind, detail, prev_hash, row_hash from events order by id"
        )
    )
    return verify_chain(
        rows,
        anchor_seq=anchor_seq,
        anchor_prev=str(anchor[1]) if anchor else GENESIS,
        head=(int(head[0]), str(head[1])) if head else None,
        hasher=event_hash,
        noun="event",
    )


def _meta(connection: sqlite3.Connection, key: str) -> Any:
    row = connection.execute("select value from meta where key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None


# -- the anchor file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchors:
    """Both chains' ends: where each starts (seq, the hash it follows) and its head."""

    checks_start: Link | None
    checks_head: Link | None
    events_start: Link | None
    events_head: Link | None

    @classmethod
    def of(cls, connection: sqlite3.Connection) -> Anchors:
        """The ends as the tables hold them (not as the log's metadata says)."""
        return cls(
            _end(connection, "select seq, prev_hash from checks order by seq limit 1"),
            _end(connection, "select seq, row_hash from checks order by seq desc limit 1"),
            _end(connection, "select id, prev_hash from events order by id limit 1"),
            _end(connection, "select id, row_hash from events order by id desc limit 1"),
        )

    def to_json(self) -> dict[str, Any]:
        return {name: list(value) if value else None for name, value in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: Any) -> Anchors:
        return cls(
            *(
                _link(data.get(name))
                for name in ("checks_start", "checks_head", "events_start", "events_head")
            )
        )


def _link(value: Any) -> Link | None:
    return (int(value[0]), str(value[1])) if value else None


def _end(connection: sqlite3.Connection, query: str) -> Link | None:
    row = connection.execute(query).fetchone()
    return (int(row[0]), str(row[1])) if row else None


class AnchorFile:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "device" / ANCHOR_FILE

    def write(self, anchors: Anchors) -> None:
        """Replaced atomically but not fsynced: after a power cut it may lag the log by the
        last records, which the next opening of the log notes as a chained event."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(self.path.name + ".new")
        staged.write_text(json.dumps(anchors.to_json()), encoding="utf-8")
        os.replace(staged, self.path)

    def read(self) -> Anchors | None:
        """None when there is none; ValueError when it is unreadable."""
        if not self.path.exists():
            return None
        return Anchors.from_json(json.loads(self.path.read_text(encoding="utf-8")))


def behind(kept: Anchors, found: Anchors) -> list[str]:
    """Chains that simply went on past the anchor file (a power cut between the log's commit
    and the file's replacement): the ranges, as text; empty when the file is not behind."""
    ranges = []
    for noun, head, k_head in (
        ("records", found.checks_head, kept.checks_head),
        ("events", found.events_head, kept.events_head),
    ):
        if head is not None and (k_head is None or head[0] > k_head[0]):
            ranges.append(f"{noun} {(k_head[0] + 1) if k_head else 1}..{head[0]}")
    return ranges


def compare(kept: Anchors, found: Anchors) -> list[str]:
    """What the log's ends (`found`) get wrong against the anchor file (`kept`)."""
    problems = []
    for noun, start, head, k_start, k_head in (
        ("record", found.checks_start, found.checks_head, kept.checks_start, kept.checks_head),
        ("event", found.events_start, found.events_head, kept.events_start, kept.events_head),
    ):
        if k_head is not None and (head is None or head[0] < k_head[0]):
            problems.append(
                f"{noun}s missing at the end: the anchor file says the newest is {noun} {k_head[0]}"
            )
        elif k_head is not None and head is not None and head[0] > k_head[0]:
            problems.append(f"{noun}s after {noun} {k_head[0]} are not in the anchor file (inserted?)")
        elif k_head is not None and head != k_head:
            problems.append(f"{noun} {k_head[0]} differs from the anchor file")
        if k_start is not None and start is not None and start != k_start:
            problems.append(
                f"{noun}s missing at the start: the anchor file says the log starts at {noun} {k_start[0]}"
            )
    return problems
