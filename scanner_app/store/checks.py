"""The check log proper: one durable, chained, private record per decision, written with its
outbox row in one transaction. Only this class writes; it lives on one thread."""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric import x25519

from scanner_app.core.chain import GENESIS, ChainReport, row_hash, verify_chain
from scanner_app.core.checkpoint import CheckResult
from scanner_app.core.record import IDENTITY_FLAGS, EventKind, Flag, Saved, Station, conform
from scanner_app.local.atomic import write_atomic
from scanner_app.store import privacy
from scanner_app.store.db import StoreCorrupt, environment_error, open_store_db
from scanner_app.store.journal import AnchorFile, Anchors, append_event, behind, compare

log = logging.getLogger(__name__)
SEQ_BLOCK = 1000  # sequence numbers reserved on disk ahead of use (survives a lost database)


class Pseudonyms(Protocol):
    """Keyed pseudonyms of certificate identifiers (`local/day_keys.py`)."""

    def pseudonym(self, certificate_id: str | None, moment: datetime) -> str | None: ...

    def candidates(self, certificate_id: str | None, moment: datetime) -> list[str]: ...


@dataclass(frozen=True)
class StoreConfig:
    device_id: str
    pseudonyms: Pseudonyms
    identity_logging: bool = False
    seal_key: x25519.X25519PublicKey | None = None
    retention_days: float = 21
    duplicate_window_minutes: float = 30
    duplicate_max_per_checkpoint: int = 3
    duplicate_min_travel_minutes: float = 20


class CheckStore:
    def __init__(self, db: sqlite_utils.Database, config: StoreConfig, data_dir: Path) -> None:
        self.db = db
        self.configure(config)
        self.session = uuid.uuid4().hex[:12]
        self._seq_file = data_dir / "device" / "seq-reserved.json"
        self._seq_file.parent.mkdir(parents=True, exist_ok=True)
        self.anchor_file = AnchorFile(data_dir)
        self._check_anchor_file()

    def _check_anchor_file(self) -> None:
        """The log's ends against its anchor file, each time the log is opened. The first
        time (a new log, or one from an earlier version) the file is started. Otherwise
        every disagreement is kept as a chained event before the file is written again:
        a file lost (`anchor_lost`), ends that differ from it (`anchor_mismatch`: records
        deleted or rewritten), or records past it (`anchor_behind`: a power cut)."""
        try:
            kept = self.anchor_file.read()
        except (OSError, ValueError, KeyError, TypeError):
            kept = None
        anchored = self._meta("anchored") is not None
        found = Anchors.of(self.db.conn)
        notes: list[tuple[EventKind, str]] = []
        if kept is None:
            notes.append((EventKind.ANCHOR_LOST if anchored else EventKind.ANCHORED, ""))
        else:
            notes += [(EventKind.ANCHOR_MISMATCH, problem) for problem in compare(kept, found)]
            if not notes:
                notes += [(EventKind.ANCHOR_BEHIND, gap) for gap in behind(kept, found)]
        if not notes:
            return
        with self.db.atomic():
            for kind, detail in notes:
                append_event(self.db.conn, kind, detail, datetime.now().astimezone())
            self._set_meta("anchored", "1")
        self._anchor()
        for kind, detail in notes:
            if kind is not EventKind.ANCHORED:
                log.error("check log anchor: %s %s", kind.value, detail)

    def _anchor(self) -> None:
        """After every commit: the tables' ends, durably, outside the database."""
        self.anchor_file.write(Anchors.of(self.db.conn))

    def configure(self, config: StoreConfig) -> None:
        """New settings apply to the next record."""
        if config.identity_logging and config.seal_key is None:
            raise ValueError("identity logging needs the hub's sealing key: enroll with a hub first")
        self.config = config

    @classmethod
    def open(cls, data_dir: Path, config: StoreConfig) -> CheckStore:
        """Open the log; a damaged one is moved aside (never deleted), a fresh one started,
        and the recovery recorded as an event in it."""
        try:
            return cls(open_store_db(data_dir), config, data_dir)
        except StoreCorrupt as damaged:
            store = cls(open_store_db(data_dir), config, data_dir)
            store.event(EventKind.STORE_RECOVERED, str(damaged))
            raise StoreRecovered(store, damaged) from damaged

    # -- writing -----------------------------------------------------------------------

    def record(
        self,
        result: CheckResult,
        text: str,
        station: Station,
        *,
        wall_time: datetime,
        monotonic: float,
        redecided: bool = False,
    ) -> Saved:
        """`redecided`: the same showing of a card as an earlier record, decided again once
        its CCCD was read (two-code binding): not one more showing for the shared-code count."""
        try:
            return self._record(result, text, station, wall_time, monotonic, redecided)
        except sqlite3.Error as exc:
            problem = environment_error(exc)
            if problem is not None:
                raise problem from exc
            raise

    def _record(
        self,
        result: CheckResult,
        text: str,
        station: Station,
        wall_time: datetime,
        monotonic: float,
        redecided: bool = False,
    ) -> Saved:
        verdict = result.verdict
        cert_hash = self.config.pseudonyms.pseudonym(verdict.certificate_id, wall_time)
        same_card = self.config.pseudonyms.candidates(verdict.certificate_id, wall_time)
        with self.db.atomic():
            head = self.head()
            seq = self._next_seq(head)
            duplicates = self._duplicate_flags(same_card, station.checkpoint_id, wall_time, redecided)
            flags = [*result.warnings, *duplicates, *([Flag.REDECIDED] if redecided else [])]
            if result.binding is not None and result.binding.outcome.value in IDENTITY_FLAGS:
                flags.append(IDENTITY_FLAGS[result.binding.outcome.value])  # no name, no number
            record: dict[str, Any] = {
                "seq": seq,
                "id": str(uuid.uuid4()),
                "wall_time": wall_time.astimezone(UTC).isoformat(),
                "monotonic": round(monotonic, 6),
                "session": self.session,
                "device_id": self.config.device_id,
                "checkpoint_id": station.checkpoint_id,
                "checkpoint_type": result.checkpoint,
                "level": result.level,
                "operator": station.operator,
                "format": verdict.format.value,
                "issuer": verdict.issuer or verdict.signer_country,
                "kid": base64.b64encode(verdict.kid).decode() if verdict.kid else None,
                "certificate_type": verdict.certificate_type,
                "valid": int(result.valid),
                "colour": result.colour.value if result.colour else None,
                "decision": result.decision.value,
                "reason": result.reason.value,
                "profile_id": result.profile_id,
                "profile_version": result.profile_version,
                "policy_id": result.policy_id,
                "policy_version": result.policy_version,
                "cert_hash": cert_hash,
                "flags": ",".join(flags),
                "sealed": self._sealed(result, text),
                "prev_hash": head[1] if head else GENESIS,
            }
            record = self._conformed(record, result.valid)
            record["row_hash"] = row_hash(record)
            self.db.table("checks").insert(record)
            self.db.table("outbox").insert({"seq": seq, "queued_at": wall_time.astimezone(UTC).isoformat()})
            self._set_meta("head", json.dumps([seq, record["row_hash"]]))
        self._anchor()
        return Saved(seq, record["id"], tuple(Flag(f) for f in record["flags"].split(",") if f))

    @staticmethod
    def _conformed(record: dict[str, Any], valid: bool) -> dict[str, Any]:
        """Made to fit the record contract before it is hashed: whatever a code carried
        (an issuer of any length, control characters, lone surrogates) cannot make the
        record unstorable at the hub. What an invalid card claims is marked unverified."""
        if not valid and any(record.get(k) for k in ("issuer", "kid", "certificate_type")):
            record["flags"] = ",".join(f for f in (record["flags"], Flag.UNVERIFIED.value) if f)
        fixed, changed = conform(record)
        if changed:
            log.info("record %s: %s cut or cleaned to the record contract", record["seq"], ", ".join(changed))
        return fixed

    def _sealed(self, result: CheckResult, text: str) -> str | None:
        if not self.config.identity_logging or self.config.seal_key is None:
            return None
        identity = {**privacy.identity_of(result.verdict), "text": text}
        return privacy.seal(self.config.seal_key, identity)

    def _next_seq(self, head: tuple[int, str] | None) -> int:
        reserved = self._reserved()
        # a fresh log after a lost one never reuses numbers the hub may already hold
        seq = head[0] + 1 if head else reserved + 1
        if seq > reserved:
            write_atomic(self._seq_file, json.dumps({"reserved": seq + SEQ_BLOCK}).encode())
        return seq

    def _reserved(self) -> int:
        if not self._seq_file.exists():
            return 0
        return int(json.loads(self._seq_file.read_text())["reserved"])

    def _duplicate_flags(
        self, same_card: list[str], checkpoint_id: str, wall_time: datetime, redecided: bool = False
    ) -> list[Flag]:
        """`same_card`: the pseudonyms this card has in recent records (across midnight, two).
        Records that decide an earlier showing again (`redecided`) are not showings; a
        re-decision counts as the showing it re-decides."""
        if not same_card:
            return []
        marks = ",".join("?" * len(same_card))
        flags = []
        window_start = _utc(wall_time - timedelta(minutes=self.config.duplicate_window_minutes))
        here = self.db.execute(
            f"select count(*) from checks where cert_hash in ({marks}) "
            "and checkpoint_id = ? and wall_time >= ? "
            "and ',' || coalesce(flags, '') || ',' not like '%,redecided,%'",
            [*same_card, checkpoint_id, window_start],
        ).fetchone()[0]
        if here + (0 if redecided else 1) > self.config.duplicate_max_per_checkpoint:
            flags.append(Flag.SHARED_CODE)
        travel_start = _utc(wall_time - timedelta(minutes=self.config.duplicate_min_travel_minutes))
        elsewhere = self.db.execute(
            f"select count(*) from checks where cert_hash in ({marks}) "
            "and checkpoint_id != ? and wall_time >= ?",
            [*same_card, checkpoint_id, travel_start],
        ).fetchone()[0]
        if elsewhere:
            flags.append(Flag.IMPOSSIBLE_TRAVEL)
        return flags

    def event(self, kind: EventKind | str, detail: str = "", wall_time: datetime | None = None) -> None:
        """A chained audit event. `detail` never holds personal data (codes and counts)."""
        moment = wall_time or datetime.now().astimezone()
        with self.db.atomic():
            append_event(self.db.conn, EventKind(kind), detail, moment)
        self._anchor()

    # -- meta ----------------------------------------------------------------------------

    def _set_meta(self, key: str, value: str) -> None:
        self.db.table("meta").upsert({"key": key, "value": value}, pk="key")

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("select value from meta where key = ?", [key]).fetchone()
        return row[0] if row else None

    def remembered(self, key: str) -> Any:
        """A JSON value the log keeps for others (the production mark), or None."""
        value = self._meta(f"remember:{key}")
        return json.loads(value) if value is not None else None

    def remember(self, key: str, value: Any) -> None:
        with self.db.atomic():
            self._set_meta(f"remember:{key}", json.dumps(value))

    def head(self) -> tuple[int, str] | None:
        value = self._meta("head")
        if value is None:
            return None
        seq, digest = json.loads(value)
        return int(seq), str(digest)

    def anchor(self) -> tuple[int | None, str]:
        value = self._meta("anchor")
        if value is None:
            return None, GENESIS
        seq, prev = json.loads(value)
        return int(seq), str(prev)

    # -- reading -------------------------------------------------------------------------

    def rows(self, where: str = "1", params: list[Any] | None = None) -> Iterator[dict[str, Any]]:
        yield from self.db.query(f"select * from checks where {where} order by seq", params or [])

    def verify(self) -> ChainReport:
        return verify_log(self.db.conn)

    def has_history(self) -> bool:
        """Any check, or any event besides the log's own start."""
        checks = self.db.execute("select exists(select 1 from checks)").fetchone()[0]
        events = self.db.execute("select exists(select 1 from events where kind != 'anchored')").fetchone()[0]
        return bool(checks or events)

    def decisions_since(self, start: datetime) -> dict[str, int]:
        """How many checks of each decision since `start` (the window's counters)."""
        rows = self.db.execute(  # wall times are stored in UTC: compare in UTC
            "select decision, count(*) from checks where wall_time >= ? group by decision",
            [start.astimezone(UTC).isoformat()],
        ).fetchall()
        return {str(decision): int(count) for decision, count in rows}

    def queued_count(self) -> int:
        return int(self.db.execute("select count(*) from outbox where acked_at is null").fetchone()[0])

    def pending(self, limit: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select c.* from outbox o join checks c on c.seq = o.seq "
                "where o.acked_at is null order by o.seq limit ?",
                [limit],
            )
        )

    def rewind(self, after_seq: int) -> int:
        """Queue again every sent record above `after_seq` (the hub's signed high-water
        mark, when it holds less than it acknowledged); returns how many."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update outbox set acked_at = null where seq > ? and acked_at is not null", [after_seq]
            )
            count = int(cursor.rowcount)
            if count:
                append_event(
                    self.db.conn, EventKind.REWIND, f"after {after_seq}: {count}", datetime.now().astimezone()
                )
        if count:
            self._anchor()
        return count

    def ack(self, seqs: list[int], when: datetime) -> None:
        """The hub confirmed holding these records (a chained event says which)."""
        if not seqs:
            return
        with self.db.atomic():
            for seq in seqs:
                self.db.execute(
                    "update outbox set acked_at = ? where seq = ? and acked_at is null",
                    [when.isoformat(), seq],
                )
            append_event(self.db.conn, EventKind.ACK, f"{min(seqs)}..{max(seqs)}: {len(seqs)}", when)
        self._anchor()

    def purge(self, now: datetime, *, keep_unsent: bool = True, confirmed_seq: int | None = None) -> int:
        """Delete records older than the retention period. While the device is enrolled,
        records the hub has not confirmed holding (unsent, or above the newest signed
        receipt's high-water mark `confirmed_seq`) are kept: a hub restored from a backup
        asks for them again. The chain stays verifiable: its anchor moves to the oldest
        kept record."""
        cutoff = (now - timedelta(days=self.config.retention_days)).astimezone(UTC).isoformat()
        unsent = ""
        if keep_unsent:
            unsent = (
                f"and seq <= {int(confirmed_seq or 0)} "
                "and seq not in (select seq from outbox where acked_at is null)"
            )
        with self.db.atomic():
            doomed = [
                r[0]
                for r in self.db.execute(
                    f"select seq from checks where wall_time < ? {unsent} order by seq", [cutoff]
                )
            ]
            if not doomed:
                return 0
            # only a contiguous prefix can go: the chain must stay unbroken after the anchor
            prefix = [s for i, s in enumerate(doomed) if s == doomed[0] + i]
            last = prefix[-1]
            following = self.db.execute(
                "select seq, prev_hash from checks where seq > ? order by seq limit 1", [last]
            ).fetchone()
            self.db.execute("delete from outbox where seq <= ?", [last])
            self.db.execute("delete from checks where seq <= ?", [last])
            if following:
                self._set_meta("anchor", json.dumps([following[0], following[1]]))
            else:
                head = self.head()
                assert head is not None
                self._set_meta("anchor", json.dumps([head[0] + 1, head[1]]))
            append_event(self.db.conn, EventKind.PURGE, f"{prefix[0]}..{last}", now)
        self._anchor()
        return len(prefix)

    def close(self) -> None:
        self.db.conn.close()


def _meta(connection: sqlite3.Connection, key: str) -> Any:
    row = connection.execute("select value from meta where key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None


def verify_log(connection: sqlite3.Connection) -> ChainReport:
    """Walk a log's hash chain from its anchor (the oldest kept record) to its head; works on
    the live log and on an export's snapshot alike."""
    anchor = _meta(connection, "anchor")
    anchor_seq, anchor_prev = (int(anchor[0]), str(anchor[1])) if anchor else (None, GENESIS)
    if anchor_seq is None:
        anchor_seq = connection.execute("select min(seq) from checks").fetchone()[0]
    head = _meta(connection, "head")
    cursor = connection.execute("select * from checks order by seq")
    names = [column[0] for column in cursor.description]
    rows = (dict(zip(names, values, strict=True)) for values in cursor)
    return verify_chain(
        rows,
        anchor_seq=anchor_seq,
        anchor_prev=anchor_prev,
        head=(int(head[0]), str(head[1])) if head else None,
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class StoreRecovered(Exception):
    """The log was damaged, moved aside and replaced by a fresh one (which is `store`)."""

    def __init__(self, store: CheckStore, damaged: StoreCorrupt) -> None:
        super().__init__(str(damaged))
        self.store = store
        self.damaged = damaged
