"""A province-sized export: 10,000+ vaccination rows with about 1 % bad rows, issued through a
real SoftHSM2 token with pictures and sheets. It must finish, list exactly the bad rows with
their reasons in rejects.csv, and issue a card to everyone else. (Speed is measured by
benchmarks/issuer.py, not asserted here.)"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.issuer_helpers import make_token, read_cards, read_rejects, run_issuer, synthetic

AT = datetime(2021, 10, 15, 9, 0, tzinfo=timezone(timedelta(hours=7)))


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_ten_thousand_rows_with_one_percent_bad(tmp_path: Path) -> None:
    token = make_token(tmp_path)
    state = tmp_path / "state"
    init = run_issuer(
        "init", "--dir", str(state), *token.init_args(), "--at", "2021-09-01T00:00:00+07:00", env=token.env()
    )
    assert init.code == 0, init.err
    exports = synthetic(5800, AT, seed=11, bad_fraction=0.01)
    assert len(exports.vaccinations) >= 10_000
    assert 60 <= len(exports.bad) <= 150  # about 1 %
    sources = exports.write(tmp_path)
    out = tmp_path / "out"
    options = [f"--{kind}={path}" for kind, path in sources.items()]
    run = run_issuer(
        "issue", "--dir", str(state), *options, "--at", AT.isoformat(), "--out", str(out), env=token.env()
    )
    assert run.code == 0, run.err

    listed = {("vaccinations", int(r["line"])): r["reason"] for r in read_rejects(out)}
    assert listed == exports.bad

    good_people = {
        row[0]
        for number, row in enumerate(exports.vaccinations, start=2)
        if ("vaccinations", number) not in exports.bad
    }
    cards = read_cards(out)
    assert {c["cccd"] for c in cards if c["type"] == "v"} == good_people
    assert len({c["uvci"] for c in cards}) == len(cards)
    assert all((out / c["png"]).stat().st_size > 0 for c in cards)
    assert (out / "cards.pdf").stat().st_size > 0
    assert json.loads(json.dumps(cards[0]))["hc1"].startswith("HC1:")
