"""Two-code binding through the real `gate --source -` (a USB scanner typing lines): a CCCD
line and an HC1 line, in either order, give `"identity": "matched"` for the same person,
`"mismatch"` (deny) for another, `"absent"` without a CCCD; the record keeps only the flag."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner_app.devkit.cards import Person, issue, vaccination
from scanner_app.devkit.keys import demo_signer
from tests.cli_helpers import cli

NOW = datetime.now(UTC)


def hc1(family: str, given: str, dob: str) -> str:
    """A signed demo card (green: two doses of two, 40 days ago) for this person."""
    person = Person(family, given, dob)
    return issue(
        vaccination(person, 2, 2, NOW.date() - timedelta(days=40)), demo_signer(), NOW - timedelta(days=1)
    )


def cccd(name: str, born: str) -> str:
    """A chip ID card's QR: `12 digits|9 digits|NAME|DDMMYYYY|sex|address|DDMMYYYY`."""
    return f"079085012345|123456789|{name}|{born}|Nam|12 Lê Lợi, Nha Trang|01012021"


def gate(data_dir: Path, *lines: str, checkpoint: str = "road", level: int = 1) -> list[dict]:
    typed = "".join(f"{line}\n" for line in lines)
    run = cli(
        "--data-dir", str(data_dir), "gate", "--source", "-", "--json",
        "--checkpoint", checkpoint, "--level", str(level), stdin=typed,
    )  # fmt: skip
    assert run.code == 0, run.err
    return run.json_lines()


SAME_PERSON = [  # (CCCD name, CCCD birth date, card family, card given, card birth date)
    ("NGUYỄN VĂN AN", "12031985", "Nguyễn", "Văn An", "1985-03-12"),  # diacritics on both
    ("NGUYEN VAN AN", "12031985", "Nguyễn", "Văn An", "1985-03-12"),  # CCCD without diacritics
    ("NGUYỄN VĂN AN", "12031985", "NGUYEN", "VAN AN", "1985-03-12"),  # card without diacritics
    ("NGUYỄN VĂN AN", "12031985", "An", "Nguyen Van", "1985-03-12"),  # names in the other order
    ("TRẦN THỊ MINH BÌNH", "01071990", "Trần", "Bình", "1990-07-01"),  # the card omits the middle names
    ("LÊ HOÀNG CƯỜNG", "23111978", "Lê Hoàng", "Cường", "1978-11"),  # middle name in fn; partial date
]


@pytest.mark.parametrize(("name", "born", "family", "given", "dob"), SAME_PERSON)
@pytest.mark.parametrize("order", ["cccd-first", "card-first"])
def test_the_same_person_is_matched_in_either_order(
    data_dir: Path, name: str, born: str, family: str, given: str, dob: str, order: str
) -> None:
    lines = [cccd(name, born), hc1(family, given, dob)]
    if order == "card-first":
        lines.reverse()
    out = gate(data_dir, *lines)
    assert len(out) == 2
    card_check = out[-1]  # card first: the CCCD line re-decides the card and prints it
    assert card_check["format"] == "hc1"
    assert card_check["identity"] == "matched"
    assert card_check["decision"] == "allow"
    assert "identity_matched" in card_check["flags"]
    if order == "card-first":
        assert out[0]["identity"] == "absent"
    else:
        assert out[0]["format"] == "vn-cccd" and "identity" not in out[0]


ANOTHER_PERSON = [
    ("TRẦN THỊ BÌNH", "12031985"),  # another name, the same birth date
    ("NGUYỄN VĂN AN", "13031985"),  # the same name, another birth date
    ("NGUYỄN VĂN ANH", "12031985"),  # one letter more
]


@pytest.mark.parametrize(("name", "born"), ANOTHER_PERSON)
@pytest.mark.parametrize("order", ["cccd-first", "card-first"])
def test_another_person_is_a_mismatch_and_denied(data_dir: Path, name: str, born: str, order: str) -> None:
    lines = [cccd(name, born), hc1("Nguyễn", "Văn An", "1985-03-12")]
    if order == "card-first":
        lines.reverse()
    card_check = gate(data_dir, *lines)[-1]
    assert card_check["format"] == "hc1"
    assert card_check["identity"] == "mismatch"
    assert card_check["decision"] == "deny"
    assert card_check["reason"] == "identity_mismatch"


def test_without_a_cccd_the_identity_is_absent(data_dir: Path) -> None:
    out = gate(data_dir, hc1("Nguyễn", "Văn An", "1985-03-12"))
    assert out[0]["identity"] == "absent"
    assert out[0]["decision"] == "allow"  # a road checkpoint at level 1 does not require it


def test_a_cccd_outside_the_window_is_not_used(data_dir: Path) -> None:
    """The window is on the monotonic clock: a window of a millionth of a second has passed
    between two lines, so the card stays `absent`."""
    (data_dir / "settings.json").write_text(json.dumps({"binding_window_seconds": 0.000001}))
    out = gate(data_dir, cccd("NGUYỄN VĂN AN", "12031985"), hc1("Nguyễn", "Văn An", "1985-03-12"))
    assert out[-1]["identity"] == "absent"


def test_where_binding_is_required_a_card_alone_needs_the_cccd(data_dir: Path) -> None:
    """The example policy requires binding for events at levels 3 and 4: the card alone is
    `manual` ("Cần quét CCCD"); then the CCCD makes it `allow`."""
    card = hc1("Nguyễn", "Văn An", "1985-03-12")
    first, second = gate(data_dir, card, cccd("NGUYỄN VĂN AN", "12031985"), checkpoint="event", level=3)
    assert (first["decision"], first["reason"], first["identity"]) == (
        "manual",
        "identity_required",
        "absent",
    )
    assert (second["decision"], second["identity"]) == ("allow", "matched")
    road = gate(data_dir, card, checkpoint="event", level=2)[0]
    assert road["decision"] == "allow"  # level 2: not required


def test_the_record_keeps_the_flag_and_no_name(data_dir: Path) -> None:
    gate(data_dir, cccd("NGUYỄN VĂN AN", "12031985"), hc1("Nguyễn", "Văn An", "1985-03-12"))
    audit = cli("--data-dir", str(data_dir), "audit", "verify")
    assert audit.code == 0, audit.out + audit.err
    (database,) = data_dir.rglob("checks.db")
    with sqlite3.connect(database) as db:
        rows = db.execute("select flags from checks order by seq").fetchall()
        dump = "\n".join(db.iterdump())
    assert [r[0] for r in rows] == ["", "identity_matched"]
    for private in ("NGUYỄN", "NGUYEN", "079085012345", "1985-03-12", "Văn An"):
        assert private not in dump


def test_the_identity_flag_is_chained(data_dir: Path) -> None:
    """Turning a mismatch into a match in the log breaks its chain (records written before
    binding existed carry no identity flag and verify as they did: the chained fields are
    unchanged)."""
    gate(data_dir, hc1("Nguyễn", "Văn An", "1985-03-12"), cccd("TRẦN THỊ BÌNH", "12031985"))
    assert cli("--data-dir", str(data_dir), "audit", "verify").code == 0
    (database,) = data_dir.rglob("checks.db")
    with sqlite3.connect(database) as db:
        flags = [r[0] for r in db.execute("select flags from checks order by seq")]
        assert flags == ["", "redecided,identity_mismatch"]
        db.execute("update checks set flags = 'identity_matched' where seq = (select max(seq) from checks)")
    audit = cli("--data-dir", str(data_dir), "audit", "verify")
    assert audit.code != 0


def test_an_old_log_still_verifies_and_takes_bound_checks(data_dir: Path) -> None:
    """Records written as before binding existed (the store given checks with no binding, the
    only kind there was) verify, take bound checks after them and verify again: the chained
    fields did not change."""
    from scanner_app.app import App

    app = App(data_dir)
    store = app.open_store()
    checker = app.checker()
    for text in (hc1("Lê", "Hoàng Cường", "1978-11-23"), cccd("NGUYỄN VĂN AN", "12031985")):
        result = checker.check(text, NOW)
        assert result.binding is None
        store.record(result, text, app.station(), wall_time=NOW, monotonic=0.0)
    store.close()
    before = cli("--data-dir", str(data_dir), "audit", "verify")
    assert before.code == 0, before.out + before.err
    out = gate(data_dir, cccd("NGUYỄN VĂN AN", "12031985"), hc1("Nguyễn", "Văn An", "1985-03-12"))
    assert out[-1]["identity"] == "matched"
    after = cli("--data-dir", str(data_dir), "audit", "verify")
    assert after.code == 0, after.out + after.err
    with sqlite3.connect(data_dir / "checks.db") as db:
        flags = [r[0] for r in db.execute("select flags from checks order by seq")]
    assert flags == ["", "", "", "identity_matched"]


def test_a_redecided_check_is_not_one_more_showing(data_dir: Path) -> None:
    """Each showing of a card followed by its CCCD gives two records (the card, then the card
    re-decided, flagged `redecided`); the shared-code count (more than 3 showings in 30 min at
    one checkpoint) counts showings, not records: the 3rd showing is not flagged, the 4th is."""
    from scanner_app.app import App
    from scanner_app.core.record import Flag
    from tests.conftest import FakeClock

    clock = FakeClock(current=NOW)
    app = App(data_dir, clock=clock)
    store = app.open_store()
    service = app.scan_service(store)
    card = hc1("Nguyễn", "Văn An", "1985-03-12")
    shared: list[bool] = []
    try:
        for showing in range(4):
            clock.advance(60)
            first = service.handle(card, clock.monotonic())
            clock.advance(3)
            again = service.handle(
                cccd("NGUYỄN VĂN AN", "12031985").replace("5012345", f"50{showing:05d}"), clock.monotonic()
            )
            assert first is not None and again is not None and again.redecided
            assert Flag.REDECIDED in again.flags and Flag.IDENTITY_MATCHED in again.flags
            assert (Flag.SHARED_CODE in first.flags) == (Flag.SHARED_CODE in again.flags)
            shared.append(Flag.SHARED_CODE in first.flags)
    finally:
        store.close()
    assert shared == [False, False, False, True]


def test_a_second_cccd_never_turns_a_mismatch_into_an_allow(data_dir: Path) -> None:
    """A borrowed card: the bearer's own CCCD gives a mismatch (deny); a QR typed up afterwards
    from the card's name and birth date (CCCD QRs are not signed) re-decides nothing. Either
    order; the card scanned again starts over (and a forged CCCD then matches: only the
    physical card's photo tells, which the README says)."""
    card = hc1("Nguyễn", "Văn An", "1985-03-12")
    forged, bearer = cccd("NGUYEN VAN AN", "12031985"), cccd("TRẦN VĂN BÌNH", "01011990")
    for lines in ([card, bearer, forged], [bearer, card, forged]):
        rows = gate(data_dir, *lines, checkpoint="event", level=3)
        decided = [(r["decision"], r.get("identity")) for r in rows if r["format"] == "hc1"]
        assert decided[-1] == ("deny", "mismatch") and ("allow", "matched") not in decided, lines
        assert rows[-1]["format"] == "vn-cccd" and rows[-1]["decision"] == "manual"
