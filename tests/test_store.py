"""The check log: durability under kill -9, the hash chain against every kind of tampering,
privacy, retention, duplicate flags, sealed identities, damaged files, full and read-only
media, and migrations from every historical schema."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import x25519

from scanner_app.core.record import EventKind, Station, StoreProblem
from scanner_app.devkit.cards import DEMO_PEOPLE, Person
from scanner_app.store import privacy
from scanner_app.store.checks import CheckStore, StoreRecovered
from scanner_app.store.db import DB_NAME, StoreUnavailable
from tests.cli_helpers import cli
from tests.store_helpers import NOW, STATION, card, checker_for, config, fill


@pytest.fixture
def checker(signer, tmp_path):  # type: ignore[no-untyped-def]
    return checker_for(signer, tmp_path / "trust")


@pytest.fixture
def texts(signer) -> list[str]:  # type: ignore[no-untyped-def]
    return [card(signer, DEMO_PEOPLE[i % 5]) for i in range(12)]


def test_pragmas_on_every_connection(data_dir: Path) -> None:
    store = CheckStore.open(data_dir, config())
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()


def test_record_and_outbox_in_one_transaction(data_dir: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    store = CheckStore.open(data_dir, config())
    fill(store, checker, texts[:3])
    assert [r["seq"] for r in store.rows()] == [1, 2, 3]
    assert store.queued_count() == 3
    assert store.verify().ok
    store.close()


# -- durability ---------------------------------------------------------------------------


def _writer(data_dir: Path, texts: list[str], checker, ack_fd: int) -> None:  # type: ignore[no-untyped-def]
    store = CheckStore.open(data_dir, config())
    number = 0
    while True:
        text = texts[number % len(texts)]
        moment = NOW + timedelta(seconds=number)
        saved = store.record(
            checker.check(text, moment), text, STATION, wall_time=moment, monotonic=float(number)
        )
        os.write(ack_fd, f"{saved.seq}\n".encode())  # acknowledged only after COMMIT
        number += 1


def test_kill_minus_nine_during_continuous_checks_100_runs(data_dir: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    """Reliability row 6: the writer is killed with SIGKILL at random moments, 100 times:
    no acknowledged check is lost and the database passes integrity_check every time."""
    rng = random.Random(1234)
    acknowledged: set[int] = set()
    for _ in range(100):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the writer: a forked child that never returns
            os.close(read_fd)
            try:
                _writer(data_dir, texts, checker, write_fd)
            finally:
                os._exit(1)
        os.close(write_fd)
        received = b""
        deadline_bytes = rng.randint(1, 40)  # kill after a random number of acks...
        with os.fdopen(read_fd, "rb", buffering=0) as pipe:
            while received.count(b"\n") < deadline_bytes:
                chunk = pipe.read(64)
                if not chunk:
                    break
                received += chunk
            os.kill(pid, signal.SIGKILL)  # ...wherever the writer is in its next transaction
            os.waitpid(pid, 0)
            received += pipe.read()
        acknowledged.update(int(line) for line in received.split() if line)
        db = sqlite3.connect(data_dir / DB_NAME)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("select seq from checks")}
        db.close()
        assert acknowledged <= stored, f"lost: {sorted(acknowledged - stored)[:5]}"
    store = CheckStore.open(data_dir, config())
    assert store.verify().ok
    assert len(acknowledged) > 100
    store.close()


# -- the hash chain -----------------------------------------------------------------------


@pytest.fixture
def filled(data_dir: Path, checker, texts) -> Path:  # type: ignore[no-untyped-def]
    store = CheckStore.open(data_dir, config())
    fill(store, checker, texts[:10])
    for attempt in ("wrong", "wrong", "ok"):
        store.event(EventKind.PIN_ATTEMPT, f'{{"purpose": "supervisor", "result": "{attempt}"}}')
    store.close()
    return data_dir


def _tamper(data_dir: Path, *statements: str) -> None:
    db = sqlite3.connect(data_dir / DB_NAME)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def _audit(data_dir: Path) -> tuple[int, str]:
    run = cli("--data-dir", str(data_dir), "audit", "verify")
    return run.code, run.out


def test_untouched_chain_verifies(filled: Path) -> None:
    code, out = _audit(filled)
    assert code == 0 and out.startswith("chain ok: 10 records verified\n")


_FIX_HEAD = (
    "update meta set value = (select json_array(seq, row_hash) from checks order by seq desc limit 1) "
    "where key = 'head'"
)
_COLUMNS = (
    "seq, id, wall_time, monotonic, session, device_id, checkpoint_id, checkpoint_type, level, operator, "
    "format, issuer, kid, certificate_type, valid, colour, decision, reason, profile_id, profile_version, "
    "policy_id, policy_version, cert_hash, flags, sealed, prev_hash, row_hash"
)
TAMPERING = {  # name: (SQL, what the report must name)
    "content changed": (["update checks set decision = 'deny' where seq = 4"], "record 4: content changed"),
    "one byte more": (["update checks set flags = ' ' || flags where seq = 7"], "record 7: content changed"),
    "time changed": (
        ["update checks set wall_time = '2021-10-20T02:00:00+00:00' where seq = 5"],
        "record 5: content changed",
    ),
    "middle deleted": (
        ["delete from outbox where seq = 5", "delete from checks where seq = 5"],
        "record 6: missing record(s) before it",
    ),
    "newest deleted, meta fixed": (
        ["delete from outbox where seq >= 9", "delete from checks where seq >= 9", _FIX_HEAD],
        "records missing at the end: the anchor file says the newest is record 10",
    ),
    "oldest deleted, anchor moved": (
        [
            "delete from outbox where seq <= 2",
            "delete from checks where seq <= 2",
            "insert or replace into meta (key, value) select 'anchor', json_array(seq, prev_hash) "
            "from checks where seq = 3",
        ],
        "records missing at the start: the anchor file says the log starts at record 1",
    ),
    "reordered": (
        [
            "update checks set seq = -1 where seq = 3",
            "update checks set seq = 3 where seq = 4",
            "update checks set seq = 4 where seq = -1",
        ],
        "record 3: does not follow the previous record",
    ),
    "inserted": (
        [
            "insert into checks select seq + 1, id || 'x', wall_time, monotonic, session, device_id, "
            "checkpoint_id, checkpoint_type, level, operator, format, issuer, kid, certificate_type, valid, "
            "colour, decision, reason, profile_id, profile_version, policy_id, policy_version, cert_hash, "
            "flags, sealed, row_hash, row_hash from checks where seq = 10",
            _FIX_HEAD,
        ],
        "records after record 10 are not in the anchor file",
    ),
    "event deleted": (["delete from events where id = 2"], "event 3: missing event(s) before it"),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_every_kind_of_tampering_is_found(filled: Path, name: str) -> None:
    statements, named = TAMPERING[name]
    _tamper(filled, *statements)
    code, out = _audit(filled)
    assert code == 1 and "LOG NOT INTACT" in out
    assert named in out, out
    assert "checked against: the log's own head and anchor records; the anchor file" in out


def test_a_truncated_log_file_is_found(filled: Path) -> None:
    db = sqlite3.connect(filled / DB_NAME)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    path = filled / DB_NAME
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    code, out = _audit(filled)
    assert code == 1 and "the log file is damaged" in out and "LOG NOT INTACT" in out
    assert path.exists()  # reported, not moved aside


def test_a_lost_anchor_file_is_reported(filled: Path) -> None:
    (filled / "device" / "log-anchor.json").unlink()
    code, out = _audit(filled)
    assert code == 1 and "the anchor file log-anchor.json is missing" in out
    store = CheckStore.open(filled, config())  # opening the log notes the loss, chained
    store.close()
    code, out = _audit(filled)
    assert code == 1 and "the anchor file was lost and started again" in out


def test_a_flipped_byte_in_the_file_is_found(filled: Path) -> None:
    """Flip one byte of a record directly in the database file (not through SQL)."""
    db = sqlite3.connect(filled / DB_NAME)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = db.execute("select id from checks where seq = 6").fetchone()[0]
    db.close()
    raw = bytearray((filled / DB_NAME).read_bytes())
    position = raw.find(target.encode()) + 3
    raw[position] = ord("0") if raw[position] != ord("0") else ord("1")
    (filled / DB_NAME).write_bytes(bytes(raw))
    code, out = _audit(filled)
    assert code == 1 and "BROKEN at record 6" in out


# -- retention ----------------------------------------------------------------------------


def test_retention_purges_old_records_and_keeps_the_chain_verifiable(data_dir: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    store = CheckStore.open(data_dir, config(retention_days=21))
    fill(store, checker, texts[:6], start=NOW - timedelta(days=30), step_seconds=3600)
    fill(store, checker, texts[6:10], start=NOW)
    assert store.purge(NOW, keep_unsent=False) == 6
    assert [r["seq"] for r in store.rows()] == [7, 8, 9, 10]
    assert store.verify().ok
    assert store.purge(NOW, keep_unsent=False) == 0
    store.close()


def test_a_log_whose_every_record_was_purged_still_verifies(data_dir: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    """A checkpoint idle for longer than the retention period: every record goes, the log's
    head still names the last one; that is an intact log, not records missing at the end."""
    store = CheckStore.open(data_dir, config(retention_days=21))
    fill(store, checker, texts[:3], start=NOW - timedelta(days=30))
    assert store.purge(NOW, keep_unsent=False) == 3
    assert list(store.rows()) == []
    assert store.verify().ok, store.verify().describe()
    fill(store, checker, texts[3:5], start=NOW)
    assert [r["seq"] for r in store.rows()] == [4, 5] and store.verify().ok
    store.close()
    assert cli("--data-dir", str(data_dir), "audit", "verify").code == 0


def test_retention_keeps_records_the_hub_has_not_received(data_dir: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    store = CheckStore.open(data_dir, config(retention_days=21))
    fill(store, checker, texts[:4], start=NOW - timedelta(days=30))
    store.ack([1, 2], NOW)
    assert store.purge(NOW, keep_unsent=True) == 0  # sent, but no signed receipt confirms the hub holds them
    assert store.purge(NOW, keep_unsent=True, confirmed_seq=1) == 1
    assert store.purge(NOW, keep_unsent=True, confirmed_seq=4) == 1  # 3 and 4 were never sent
    assert [r["seq"] for r in store.rows()] == [3, 4] and store.verify().ok
    store.close()


# -- duplicates ---------------------------------------------------------------------------


def test_the_same_card_too_often_is_flagged(data_dir: Path, checker, signer) -> None:  # type: ignore[no-untyped-def]
    store = CheckStore.open(data_dir, config(duplicate_max_per_checkpoint=3))
    shared = card(signer, DEMO_PEOPLE[0], ci="URN:UVCI:01:VN:POSTEDONLINE#1")
    flags = []
    for number in range(5):
        moment = NOW + timedelta(minutes=2 * number)
        flags.append(
            store.record(checker.check(shared, moment), shared, STATION, wall_time=moment, monotonic=0).flags
        )
    assert [("shared_code" in f) for f in flags] == [False, False, False, True, True]
    store.close()


def test_two_checkpoints_too_close_in_time_are_flagged(data_dir: Path, checker, signer) -> None:  # type: ignore[no-untyped-def]
    text = card(signer, DEMO_PEOPLE[1], ci="URN:UVCI:01:VN:TRAVELLER#2")
    first = CheckStore.open(data_dir, config())
    first.record(checker.check(text, NOW), text, Station("CP-NORTH"), wall_time=NOW, monotonic=0)
    first.close()
    second = CheckStore.open(data_dir, config())
    later = NOW + timedelta(minutes=5)
    saved = second.record(checker.check(text, later), text, Station("CP-SOUTH"), wall_time=later, monotonic=1)
    assert "impossible_travel" in saved.flags
    second.close()


# -- privacy ------------------------------------------------------------------------------


DISTINCTIVE = [
    Person("Quờxyzaba", f"Thịzuvwert {i}", f"19{50 + i % 40:02d}-0{1 + i % 9}-2{i % 9}") for i in range(50)
]


def _readable(path: Path) -> bytes:
    """What a person opening the file would read: the raw bytes, and for a compressed format
    its text as its reader shows it (XLSX cells through openpyxl, PDF pages through pdftotext,
    which decodes subset fonts)."""
    raw = path.read_bytes()
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        cells = (str(c.value) for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row)
        return raw + "\n".join(cells).encode()
    if path.suffix == ".pdf":
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        ).stdout
        return raw + text
    return raw


def _everything_under(folder: Path) -> bytes:
    return b"".join(_readable(p) for p in folder.rglob("*") if p.is_file())


def test_control_the_privacy_search_sees_a_name_in_each_export_format(tmp_path: Path) -> None:
    """Plant a Vietnamese name in an XLSX (through openpyxl) and a PDF (a Noto Sans paragraph,
    as the day report writes): the search that the privacy test relies on must find it."""
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from scanner_app.services import report_pdf, sheets

    name = "Quờxyzaba Thịzuvwert"
    sheets.write_xlsx(tmp_path / "planted.xlsx", [("Checks", ["name"], [[name]])])
    report_pdf._fonts()
    style = report_pdf.ParagraphStyle("body", fontName="NotoSans", fontSize=9)
    SimpleDocTemplate(str(tmp_path / "planted.pdf")).build([Paragraph(name, style)])
    for kind in ("xlsx", "pdf"):
        raw = (tmp_path / f"planted.{kind}").read_bytes()
        assert name.encode() not in raw  # compressed: a search of the bytes alone is blind
        assert name.encode() in _readable(tmp_path / f"planted.{kind}"), kind


@pytest.mark.parametrize("identity_logging", [False, True])
def test_no_identity_anywhere_after_1000_checks(
    identity_logging: bool, data_dir: Path, checker, signer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    hub_key = x25519.X25519PrivateKey.generate()
    store = CheckStore.open(
        data_dir,
        config(
            identity_logging=identity_logging,
            seal_key=hub_key.public_key() if identity_logging else None,
        ),
    )
    texts = [card(signer, DISTINCTIVE[i % 50]) for i in range(1000)]
    fill(store, checker, texts, step_seconds=20)
    store.close()
    exports = tmp_path / "exports"
    for kind in ("csv", "xlsx", "pdf"):
        run = cli(
            "--data-dir",
            str(data_dir),
            "export",
            "--date",
            NOW.date().isoformat(),
            "--format",
            kind,
            "--out",
            str(exports / f"day.{kind}"),
        )
        assert run.code == 0, run.err
    haystack = _everything_under(data_dir) + _everything_under(exports)
    stems = ["Quờxyzaba", "Thịzuvwert", "QUOXYZABA", "THIZUVWERT", "Quoxyzaba", "Thizuvwert"]
    needles = stems + sorted({p.dob for p in DISTINCTIVE}) + [t[10:40] for t in texts[:50]]
    found = [n for n in needles if n.encode() in haystack or n.encode("utf-16-le") in haystack]
    assert found == []
    store = CheckStore.open(
        data_dir,
        config(
            identity_logging=identity_logging,
            seal_key=hub_key.public_key() if identity_logging else None,
        ),
    )
    sealed = [r["sealed"] for r in store.rows()]
    store.close()
    if identity_logging:  # present only sealed, readable only with the hub's private key
        opened = privacy.unseal(hub_key, sealed[0])
        assert opened["family"] == "Quờxyzaba" and opened["text"] == texts[0]
    else:
        assert set(sealed) == {None}


def test_identity_logging_needs_the_hub_key(data_dir: Path) -> None:
    with pytest.raises(ValueError, match="sealing key"):
        CheckStore.open(data_dir, config(identity_logging=True))


# -- damaged files, full and read-only media ------------------------------------------------


def test_a_damaged_log_is_moved_aside_never_deleted(filled: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(filled / DB_NAME)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    raw = bytearray((filled / DB_NAME).read_bytes())
    raw[4096:8192] = b"\xff" * 4096  # wreck a page
    (filled / DB_NAME).write_bytes(bytes(raw))
    with pytest.raises(StoreRecovered) as recovered:
        CheckStore.open(filled, config())
    assert recovered.value.damaged.moved_to.exists()
    fresh = recovered.value.store
    saved = fresh.record(checker.check(texts[0], NOW), texts[0], STATION, wall_time=NOW, monotonic=0)
    assert saved.seq > 10  # numbers the lost log used are never reused
    events = list(fresh.db.query("select kind from events"))
    # the fresh log notes that it does not match the anchor file of the one moved aside
    assert [e["kind"] for e in events] == ["anchor_mismatch", "anchor_mismatch", "store_recovered"]
    fresh.close()


def test_a_full_disk_is_an_environment_error_and_loses_nothing(filled: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    store = CheckStore.open(filled, config())
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full" (SQLITE_FULL)
    saved = []
    with pytest.raises(StoreUnavailable) as error:
        for number in range(200):
            saved.append(
                store.record(
                    checker.check(texts[0], NOW), "x" * 4000, STATION, wall_time=NOW, monotonic=number
                ).seq
            )
    assert error.value.problem is StoreProblem.DISK_FULL
    store.close()
    reopened = CheckStore.open(filled, config())
    kept = [r["seq"] for r in reopened.rows()]
    assert reopened.verify().ok and kept == [*range(1, 11), *saved]  # every acknowledged check, no other
    reopened.close()


def test_a_read_only_medium_is_an_environment_error(filled: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    store = CheckStore.open(filled, config())
    store.db.execute("PRAGMA query_only = 1")  # what a write-protected stick does to writes
    with pytest.raises(StoreUnavailable) as error:
        store.record(checker.check(texts[0], NOW), texts[0], STATION, wall_time=NOW, monotonic=0)
    assert error.value.problem is StoreProblem.READ_ONLY
    store.close()


def test_scan_service_reports_unsaved_checks(filled: Path, checker, texts, clock) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.services.scan import ScanService

    store = CheckStore.open(filled, config())
    store.db.execute("PRAGMA query_only = 1")
    clock.current = NOW
    outcome = ScanService(checker, clock, STATION, recorder=store).handle(texts[0], clock.monotonic())
    assert outcome is not None and not outcome.saved and outcome.store_problem is StoreProblem.READ_ONLY
    store.close()


# -- migrations ---------------------------------------------------------------------------


def test_every_historical_schema_upgrades_with_a_backup_first(data_dir: Path, checker, texts) -> None:  # type: ignore[no-untyped-def]
    for historical in sorted((Path(__file__).parent / "data").glob("store-*.db")):
        shutil.copy(historical, data_dir / DB_NAME)
        store = CheckStore.open(data_dir, config())
        assert "events" in store.db.table_names()
        assert [r["seq"] for r in store.rows()] == [1]
        assert store.verify().ok
        saved = store.record(checker.check(texts[0], NOW), texts[0], STATION, wall_time=NOW, monotonic=0)
        assert saved.seq == 2 and store.verify().ok
        store.close()
        assert list(data_dir.glob("checks.before-m002_events-*.db")), "no backup before migrating"
        (data_dir / DB_NAME).unlink()
        for leftover in data_dir.glob("checks.*"):
            leftover.unlink()
        (data_dir / "device" / "seq-reserved.json").unlink()


def test_export_manifest_shows_tampering(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "day.csv"
    assert (
        cli(
            "--data-dir",
            str(filled),
            "export",
            "--date",
            NOW.date().isoformat(),
            "--format",
            "csv",
            "--out",
            str(out),
        ).code
        == 0
    )
    manifest = Path(str(out) + ".manifest.json")
    assert cli("verify-export", str(manifest)).code == 0
    out.write_text(out.read_text().replace("deny", "allow"))
    run = cli("verify-export", str(manifest))
    assert run.code == 1 and "changed after export" in run.out
    data = json.loads(manifest.read_text())
    data["rows"] = 1
    manifest.write_text(json.dumps(data))
    assert "signature does not match" in cli("verify-export", str(manifest)).out
