"""The promises the README makes, checked where a user meets them (issue 21), not only in the
core: the trusted-time floor through `verify` (no `--at`) and `gate`; all 16 cells of the
example decision policy through `verify`; `scanner-app --self-test` as a process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner_app.cli.selftest_cmd import CHECKS
from scanner_app.core.clock import TimeFloor
from scanner_app.devkit.cards import DEMO_PEOPLE, issue, lab_test, vaccination
from scanner_app.devkit.keys import demo_signer
from scanner_app.local.bundle_store import BundleStore
from tests.cli_helpers import cli, cli_process

NOW = datetime.now(UTC).replace(microsecond=0)


def _green() -> str:
    return issue(
        vaccination(DEMO_PEOPLE[0], 2, 2, (NOW - timedelta(days=40)).date()),
        demo_signer(),
        NOW - timedelta(hours=1),
    )


def _floor(data_dir: Path, moment: datetime) -> None:
    BundleStore(data_dir).write_floor(TimeFloor(moment, "hub"))


def test_verify_without_at_obeys_the_trusted_time_floor(data_dir: Path) -> None:
    card = _green()
    assert cli("--data-dir", str(data_dir), "verify", "--json", card).json()["reason"] == "ok"
    _floor(data_dir, NOW + timedelta(days=1))  # someone set this laptop's clock back a day
    verdict = cli("--data-dir", str(data_dir), "verify", "--json", card).json()
    assert (verdict["decision"], verdict["reason"]) == ("manual", "clock_behind_trusted_time")
    at = cli("--data-dir", str(data_dir), "verify", "--json", "--at", NOW.isoformat(), card).json()
    assert at["reason"] == "ok"  # --at evaluates as of an explicit moment: no floor


def test_gate_obeys_the_trusted_time_floor(data_dir: Path) -> None:
    _floor(data_dir, NOW + timedelta(days=1))
    run = cli("--data-dir", str(data_dir), "gate", "--source", "-", "--json", stdin=_green() + "\n")
    [line] = run.json_lines()
    assert (line["decision"], line["reason"]) == ("manual", "clock_behind_trusted_time")


# the example policy, cell by cell: which colours each checkpoint type admits at each level
POLICY = {
    1: {"road": "gyr", "market": "gyr", "office": "gyr", "event": "gy"},
    2: {"road": "gy", "market": "gy", "office": "gy", "event": "g"},
    3: {"road": "gy", "market": "gy", "office": "g", "event": "g"},
    4: {"road": "g", "market": "g", "office": "g", "event": ""},
}
CELLS = [(level, kind) for level in POLICY for kind in POLICY[level]]


@pytest.fixture(scope="module")
def coloured() -> dict[str, str]:
    """A card of each colour under the Khánh Hòa profile."""
    person = DEMO_PEOPLE[1]
    return {
        "g": _green(),
        "y": issue(
            vaccination(person, 1, 2, (NOW - timedelta(days=30)).date()),
            demo_signer(),
            NOW - timedelta(hours=1),
        ),
        "r": issue(
            lab_test(person, NOW - timedelta(hours=3), pcr=False), demo_signer(), NOW - timedelta(hours=2)
        ),
    }


@pytest.mark.parametrize(("level", "kind"), CELLS, ids=[f"level{level}-{kind}" for level, kind in CELLS])
def test_every_cell_of_the_example_policy(
    level: int, kind: str, coloured: dict[str, str], data_dir: Path
) -> None:
    assert len(CELLS) == 16
    for colour, card in coloured.items():
        verdict = cli(
            "--data-dir", str(data_dir), "verify", "--json", "--checkpoint", kind, "--level", str(level), card
        ).json()
        assert verdict["colour"] == {"g": "green", "y": "yellow", "r": "red"}[colour], verdict
        expected = "allow" if colour in POLICY[level][kind] else "deny"
        assert verdict["decision"] == expected, (level, kind, colour, verdict["reason"])


def test_the_self_test_passes_as_a_process() -> None:
    run = cli_process("--self-test", timeout=300)
    assert run.code == 0, run.out + run.err
    assert run.out.count("  ok    ") == len(CHECKS) == 6 and run.out.rstrip().endswith("self-test passed")
    assert "  ok    module reader: " in run.out
