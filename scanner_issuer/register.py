"""The issuance register (`DIR/register.sqlite`): every card ever signed, its content key,
and whether and why it was revoked. It is what makes re-running an issue idempotent, what
reissuing revokes, and where export-trust reads the revocations from.

A whole `issue` run is one transaction (BEGIN IMMEDIATE: a second issuer process on the same
folder waits, then fails clearly), committed only after the outputs were staged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scanner_issuer.errors import IssuerError

SCHEMA = """
CREATE TABLE IF NOT EXISTS cards (
    uvci TEXT PRIMARY KEY,
    cccd TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('v', 't', 'r')),
    content TEXT NOT NULL,
    kid TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    colour_at_issue TEXT NOT NULL,
    hc1 TEXT NOT NULL,
    batch TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    revoked_at TEXT,
    revoke_reason TEXT,
    replaced_by TEXT
);
CREATE INDEX IF NOT EXISTS cards_person ON cards (cccd, type, status);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    out TEXT NOT NULL,
    cards INTEGER NOT NULL,
    rejects INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class CardRow:
    uvci: str
    cccd: str
    type: str
    content: str
    kid: str
    issued_at: str
    expires_at: str
    valid_until: str
    colour_at_issue: str
    hc1: str
    batch: str
    status: str = "active"
    revoked_at: str | None = None
    revoke_reason: str | None = None
    replaced_by: str | None = None


class Register:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=5.0)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise IssuerError(f"{self.path} is busy (another scanner-issuer command?): {exc}") from exc
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- reading ----------------------------------------------------------------------

    def active(self, cccd: str, kind: str) -> CardRow | None:
        row = self.db.execute(
            "SELECT * FROM cards WHERE cccd = ? AND type = ? AND status = 'active' ORDER BY issued_at DESC",
            (cccd, kind),
        ).fetchone()
        return CardRow(**row) if row else None

    def active_for_person(self, cccd: str) -> list[CardRow]:
        rows = self.db.execute("SELECT * FROM cards WHERE cccd = ? AND status = 'active'", (cccd,))
        return [CardRow(**r) for r in rows]

    def card(self, uvci: str) -> CardRow | None:
        row = self.db.execute("SELECT * FROM cards WHERE uvci = ?", (uvci,)).fetchone()
        return CardRow(**row) if row else None

    def revoked_uvcis(self) -> list[str]:
        return [
            r[0] for r in self.db.execute("SELECT uvci FROM cards WHERE status = 'revoked' ORDER BY uvci")
        ]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM cards GROUP BY status")
        return {status: count for status, count in rows}

    # -- writing (inside a transaction) -------------------------------------------------

    def add(self, card: CardRow) -> None:
        fields = card.__dataclass_fields__
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        self.db.execute(f"INSERT INTO cards ({names}) VALUES ({marks})", [getattr(card, f) for f in fields])

    def revoke(self, uvci: str, *, reason: str, at: str, replaced_by: str | None = None) -> bool:
        cursor = self.db.execute(
            "UPDATE cards SET status = 'revoked', revoked_at = ?, revoke_reason = ?, replaced_by = ? "
            "WHERE uvci = ? AND status = 'active'",
            (at, reason, replaced_by, uvci),
        )
        return cursor.rowcount == 1

    def add_batch(self, batch: str, *, at: str, out: str, cards: int, rejects: int) -> None:
        self.db.execute(
            "INSERT INTO batches (id, at, out, cards, rejects) VALUES (?, ?, ?, ?, ?)",
            (batch, at, out, cards, rejects),
        )
