"""Exports that are safe to open (issue 15 item 3): values from a card or a device that a
spreadsheet would evaluate (`=1+1`, `+cmd|' /C calc'!A0`, `@SUM(1)`, `-2+3`, tab, CR) are
written as text with a leading apostrophe in CSV, and never as formula cells in XLSX — in
the scanner's export and the hub's."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scanner_app.core.record import Station
from scanner_app.devkit.cards import DEMO_PEOPLE, issue, vaccination
from scanner_app.devkit.keys import make_csca, make_signer
from scanner_app.store.checks import CheckStore
from tests.cli_helpers import cli
from tests.store_helpers import NOW, config

HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']
STRANGER = make_signer(make_csca("ZZ"), name="UNTRUSTED")


def _cards() -> list[str]:
    dcc = vaccination(DEMO_PEOPLE[0], 2, 2, (NOW - timedelta(days=30)).date())
    return [issue(dcc, STRANGER, NOW - timedelta(hours=1), issuer=value) for value in HOSTILE]


def _fill(data_dir: Path, checker) -> None:  # type: ignore[no-untyped-def]
    store = CheckStore.open(data_dir, config())
    for number, (text, value) in enumerate(zip(_cards(), HOSTILE, strict=True)):
        moment = NOW + timedelta(minutes=number)
        station = Station(checkpoint_id=value, operator=value)
        store.record(checker.check(text, moment), text, station, wall_time=moment, monotonic=float(number))
    store.close()


def _formula_cells(path: Path) -> list[str]:
    workbook = load_workbook(path)
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _hostile_fields(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return [
        field
        for row in rows[1:]
        for field in row
        if field.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r")
    ]


def test_the_scanners_exports_never_carry_a_formula(data_dir: Path, tmp_path: Path, checker) -> None:  # type: ignore[no-untyped-def]
    _fill(data_dir, checker)
    for kind in ("csv", "xlsx"):
        out = tmp_path / f"day.{kind}"
        run = cli(
            "--data-dir",
            str(data_dir),
            "export",
            "--date",
            NOW.astimezone().date().isoformat(),
            "--format",
            kind,
            "--out",
            str(out),
        )
        assert run.code == 0, run.err
    fields = _hostile_fields(tmp_path / "day.csv")
    # issuer, checkpoint and operator of each record; a leading tab or CR never reaches the
    # log (control characters are cleaned out at the source), the other five do
    assert len(fields) == 5 * 3
    assert all(f.startswith("'") for f in fields), fields
    assert _formula_cells(tmp_path / "day.xlsx") == []
    values = {c.value for row in load_workbook(tmp_path / "day.xlsx")["Checks"].iter_rows() for c in row}
    assert "'=1+1" in values and "'@SUM(1)" in values


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_hubs_exports_never_carry_a_formula(kind: str, tmp_path: Path) -> None:
    from scanner_hub.export import HUB_COLUMNS, write

    rows = [dict.fromkeys(HUB_COLUMNS, value) | {"seq": 1, "valid": 0, "level": 1} for value in HOSTILE]
    out = tmp_path / f"district.{kind}"
    write(rows, out, kind)
    if kind == "csv":
        fields = _hostile_fields(out)
        assert fields and all(f.startswith("'") for f in fields)
    else:
        assert _formula_cells(out) == []


@pytest.fixture
def checker(signer, tmp_path: Path):  # type: ignore[no-untyped-def]
    from tests.store_helpers import checker_for

    return checker_for(signer, tmp_path / "trust")
