"""Damaged trust fails closed (issue 15): once a production bundle was installed, a truncated
bundle, a changed ratchet, a deleted trust folder, or a ratchet that forgot production was
seen never brings the published DEMO keys back. A DEMO-signed card never gets `allow`;
every decision is manual with `trust_damaged`, in `verify`, `gate --json` and the app;
`bundle import` repairs it. Corrupt state files give a message, never a traceback."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner_app.app import App
from scanner_app.core.bundle import Anchor
from scanner_app.devkit.cards import DEMO_PEOPLE, issue, vaccination
from scanner_app.devkit.keys import demo_signer, make_csca, make_signer, new_ec_key
from scanner_app.local import bundle_store
from tests.cli_helpers import cli
from tests.test_bundle import make_bundle

NOW = datetime.now(UTC).replace(microsecond=0)
PRODUCTION_KEY = new_ec_key()
PRODUCTION_SIGNER = make_signer(make_csca("VN"), name="PRODUCTION DSC")


@pytest.fixture(autouse=True)
def production_anchor(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This build's pinned anchors plus a test province's production anchor."""
    pinned = bundle_store.app_anchors()
    monkeypatch.setattr(
        bundle_store, "app_anchors", lambda: [Anchor("test-province", PRODUCTION_KEY.public_key()), *pinned]
    )
    yield


def card(signer) -> str:  # type: ignore[no-untyped-def]
    dcc = vaccination(DEMO_PEOPLE[0], 2, 2, (NOW - timedelta(days=30)).date())
    return issue(dcc, signer, NOW - timedelta(hours=2))


def production_bundle(sequence: int = 1) -> bytes:
    return make_bundle(PRODUCTION_KEY, sequence, [PRODUCTION_SIGNER], issued_at=NOW - timedelta(hours=1))


@pytest.fixture
def installed(data_dir: Path, tmp_path: Path) -> Path:
    bundle = tmp_path / "province.cose"
    bundle.write_bytes(production_bundle())
    run = cli("--data-dir", str(data_dir), "bundle", "import", str(bundle))
    assert run.code == 0, run.out + run.err
    assert _decide(data_dir, card(PRODUCTION_SIGNER)) == ("allow", "ok")
    assert _decide(data_dir, card(demo_signer())) == ("deny", "kid_unknown")  # production trusts no demo key
    return bundle


def _decide(data_dir: Path, text: str) -> tuple[str, str]:
    app = App(data_dir)
    result = app.checker().check(text, app.clock.now(), app.trust.floor)
    return result.decision.value, result.reason.value


def _truncate(data_dir: Path) -> None:
    path = data_dir / "trust" / "bundle.cose"
    path.write_bytes(path.read_bytes()[:100])


def _ratchet_digest(data_dir: Path) -> None:
    path = data_dir / "trust" / "ratchet.json"
    ratchet = json.loads(path.read_text())
    ratchet["digest"] = "00" * 32
    path.write_text(json.dumps(ratchet))


def _delete_trust(data_dir: Path) -> None:
    shutil.rmtree(data_dir / "trust")


def _forget_production(data_dir: Path) -> None:
    """production_seen removed from the trust folder, and the bundle with it."""
    path = data_dir / "trust" / "ratchet.json"
    ratchet = json.loads(path.read_text())
    ratchet["production_seen"] = False
    path.write_text(json.dumps(ratchet))
    (data_dir / "trust" / "bundle.cose").unlink()


def _corrupt_ratchet(data_dir: Path) -> None:
    (data_dir / "trust" / "ratchet.json").write_text("{not json")


def _corrupt_time(data_dir: Path) -> None:
    (data_dir / "trust" / "time.json").write_text('{"floor": "yesterday"}')


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated bundle": _truncate,
    "ratchet digest changed": _ratchet_digest,
    "trust folder deleted": _delete_trust,
    "production_seen removed": _forget_production,
    "ratchet.json corrupt": _corrupt_ratchet,
    "time.json corrupt": _corrupt_time,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_trust_never_falls_back_to_the_demo_keys(
    damage: str, installed: Path, data_dir: Path
) -> None:
    DAMAGE[damage](data_dir)
    for text in (card(demo_signer()), card(PRODUCTION_SIGNER)):
        assert _decide(data_dir, text) == ("manual", "trust_damaged")
    verify = cli("--data-dir", str(data_dir), "verify", "--json", card(demo_signer()))
    assert verify.code == 0 and (verify.json()["decision"], verify.json()["reason"]) == (
        "manual",
        "trust_damaged",
    )
    gate = cli(
        "--data-dir", str(data_dir), "gate", "--source", "-", "--json", stdin=card(demo_signer()) + "\n"
    )
    assert gate.code == 0 and "Traceback" not in gate.err
    [line] = gate.json_lines()
    assert (line["decision"], line["reason"], line["colour"]) == ("manual", "trust_damaged", None)
    assert "trust data damaged" in gate.err.lower() or "dữ liệu tin cậy bị hỏng" in gate.err.lower()
    # the USB stick repairs it
    run = cli("--data-dir", str(data_dir), "bundle", "import", str(installed))
    assert run.code == 0, run.out + run.err
    assert _decide(data_dir, card(PRODUCTION_SIGNER)) == ("allow", "ok")
    assert _decide(data_dir, card(demo_signer())) == ("deny", "kid_unknown")


def test_the_check_log_remembers_production_when_the_device_folder_forgets(
    installed: Path, data_dir: Path
) -> None:
    App(data_dir).open_store(purge=False).close()  # the log learns the mark
    shutil.rmtree(data_dir / "trust")
    (data_dir / "device" / "production.json").unlink()
    app = App(data_dir)
    app.open_store(purge=False).close()  # opening the log restores the mark
    assert app.trust.damaged is not None
    result = app.checker().check(card(demo_signer()), app.clock.now(), app.trust.floor)
    assert (result.decision.value, result.reason.value) == ("manual", "trust_damaged")


def test_a_device_that_never_had_production_trust_runs_on_the_labelled_demo(data_dir: Path) -> None:
    (data_dir / "trust").mkdir(parents=True, exist_ok=True)
    (data_dir / "trust" / "ratchet.json").write_text("{not json")  # nothing to protect yet
    app = App(data_dir)
    assert app.trust.damaged is None and not app.trust.installed and app.trust.loaded.bundle.demo
    assert _decide(data_dir, card(demo_signer())) == ("allow", "ok")


def test_a_demo_bundle_cannot_repair_damaged_production_trust(
    installed: Path, data_dir: Path, tmp_path: Path
) -> None:
    _delete_trust(data_dir)
    demo = tmp_path / "demo.cose"
    demo.write_bytes((Path(__file__).parent.parent / "assets" / "demo-bundle.cose").read_bytes())
    run = cli("--data-dir", str(data_dir), "bundle", "import", str(demo))
    assert run.code == 1 and "production" in run.out.lower()
    assert _decide(data_dir, card(demo_signer())) == ("manual", "trust_damaged")


def test_a_sync_repairs_damaged_trust(installed: Path, data_dir: Path) -> None:
    from tests.hub_helpers import HubServer
    from tests.test_hub_sync import enroll, relay

    keys = data_dir.parent / "hubkeys"
    keys.mkdir()
    with HubServer(f"sqlite:///{data_dir.parent / 'hub.db'}", keys) as hub:
        hub.hub.publish(production_bundle(), bundle_store.app_anchors())
        enroll(hub, data_dir)
        store = App(data_dir).open_store(purge=False)
        sync = relay(data_dir, store, timeout=30)
        sync.cycle()  # the same bundle: nothing to do
        sync.client.close()
        _truncate(data_dir)
        assert _decide(data_dir, card(PRODUCTION_SIGNER)) == ("manual", "trust_damaged")
        sync = relay(data_dir, store, timeout=30)
        sync.cycle()
        sync.client.close()
        store.close()
    assert _decide(data_dir, card(PRODUCTION_SIGNER)) == ("allow", "ok")
