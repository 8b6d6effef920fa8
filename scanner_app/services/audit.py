"""`audit verify`: is the check log whole? Read-only (a damaged log is reported, never moved
aside here). It walks both hash chains (checks and audit events) from their anchors to their
heads, then checks the log's ends against what its own tables do not control: the anchor
file beside it (`device/log-anchor.json`) and the hub's newest signed receipt, which names the
highest record the hub holds and that record's hash. Deleting or rewriting records at either
end, in the middle, reordering, inserting or truncating the file is reported, with the first
bad record named and what it was checked against."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from scanner_app.core.chain import ChainReport
from scanner_app.local.device import Receipt
from scanner_app.store.checks import verify_log
from scanner_app.store.db import DB_NAME
from scanner_app.store.journal import AnchorFile, Anchors, compare, verify_events


@dataclass(frozen=True)
class AuditReport:
    checks: ChainReport | None = None
    events: ChainReport | None = None
    problems: list[str] = field(default_factory=list)
    checked_against: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a sign of tampering

    @property
    def ok(self) -> bool:
        chains = [c for c in (self.checks, self.events) if c is not None]
        return bool(chains) and all(c.ok for c in chains) and not self.problems

    def describe(self) -> str:
        lines = [c.describe() for c in (self.checks, self.events) if c is not None]
        lines += [f"PROBLEM: {p}" for p in self.problems]
        lines += [f"note: {n}" for n in self.notes]
        if self.checked_against:
            lines.append("checked against: " + "; ".join(self.checked_against))
        lines.append("log intact" if self.ok else "LOG NOT INTACT")
        return "\n".join(lines)


def audit_folder(data_dir: Path, receipt: Receipt | None) -> AuditReport:
    path = data_dir / DB_NAME
    if not path.exists():
        return AuditReport(problems=[f"no check log in {data_dir}"])
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            integrity = connection.execute("PRAGMA quick_check").fetchone()[0]
            if integrity != "ok":
                return AuditReport(problems=[f"the log file is damaged (truncated or corrupt): {integrity}"])
            return _audit(connection, data_dir, receipt)
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return AuditReport(problems=[f"the log file is damaged (truncated or corrupt): {exc}"])


def _audit(connection: sqlite3.Connection, data_dir: Path, receipt: Receipt | None) -> AuditReport:
    checks, events = verify_log(connection), verify_events(connection)
    found = Anchors.of(connection)
    problems: list[str] = []
    against = ["the log's own head and anchor records"]
    anchor_file = AnchorFile(data_dir)
    try:
        kept = anchor_file.read()
    except (OSError, ValueError, KeyError, TypeError):
        kept = None
        problems.append(f"the anchor file {anchor_file.path.name} is unreadable")
    if kept is None and not problems:
        problems.append(f"the anchor file {anchor_file.path.name} is missing")
    elif kept is not None:
        against.append(f"the anchor file {anchor_file.path}")
        problems += compare(kept, found)
    problems += _noted(connection, "anchor_lost", "the anchor file was lost and started again")
    problems += _noted(connection, "anchor_mismatch", "the log disagreed with its anchor file")
    notes = _noted(connection, "anchor_behind", "not yet anchored when the program stopped (a power cut?)")
    if receipt is not None and receipt.head_seq is not None:
        against.append(f"the hub's signed receipt of {receipt.hub_time} (records up to {receipt.head_seq})")
        problems += _receipt_problems(connection, receipt, found)
    return AuditReport(checks, events, problems, against, notes)


def _noted(connection: sqlite3.Connection, kind: str, what: str) -> list[str]:
    rows = connection.execute("select id, wall_time, detail from events where kind = ? order by id", [kind])
    return [f"{what} at {when}{': ' + detail if detail else ''} (event {seq})" for seq, when, detail in rows]


def _receipt_problems(connection: sqlite3.Connection, receipt: Receipt, found: Anchors) -> list[str]:
    assert receipt.head_seq is not None
    if found.checks_head is None or found.checks_head[0] < receipt.head_seq:
        return [f"the log ends before record {receipt.head_seq}, which the hub holds"]
    row = connection.execute("select row_hash from checks where seq = ?", [receipt.head_seq]).fetchone()
    if row is not None and row[0] != receipt.head_hash:
        return [f"record {receipt.head_seq} DOES NOT MATCH the hub's signed receipt"]
    return []
