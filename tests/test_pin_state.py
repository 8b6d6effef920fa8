"""PIN state that holds (issue 15 item 5): the lockout counts down on the monotonic clock (a
clock moved forward does not shorten it; a restart or a reboot does not lift it; the second
lockout is twice as long); a missing, edited or corrupt `security.json` on a device that
has records is "PIN state lost" — the default PIN is refused — until a recovery code (the
device's own, kept also in the check log; or the hub's) sets a new PIN."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scanner_app.app import App
from scanner_app.local.pin_store import DEFAULT_PIN, PinResult, PinStore
from tests.conftest import FakeClock


def _lock(pins: PinStore) -> None:
    for _ in range(5):
        pins.check("0000")


def test_the_lockout_ignores_the_wall_clock_and_survives_restarts(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    pins = PinStore(data_dir, clock.monotonic, boot=lambda: "boot-1")
    pins.set_pin("2468")
    _lock(pins)
    assert pins.check("2468") is PinResult.LOCKED
    monkeypatch.setattr(time, "time", lambda: 10**10)  # the wall clock an hour... a century ahead
    real_now = datetime.now
    monkeypatch.setattr(
        "datetime.datetime",
        type(
            "Shifted",
            (datetime,),
            {"now": classmethod(lambda cls, tz=None: real_now(tz) + timedelta(hours=1))},
        ),
    )
    clock.advance(30)
    restarted = PinStore(data_dir, clock.monotonic, boot=lambda: "boot-1")
    assert restarted.check("2468") is PinResult.LOCKED
    assert 25 < restarted.lockout()[1] <= 30
    after_reboot = FakeClock(mono=5.0)  # the monotonic clock starts again
    rebooted = PinStore(data_dir, after_reboot.monotonic, boot=lambda: "boot-2")
    assert rebooted.check("2468") is PinResult.LOCKED and rebooted.lockout()[1] > 25
    after_reboot.advance(31)
    assert rebooted.lockout()[1] == 0.0 and rebooted.check("2468") is PinResult.OK


def test_the_second_lockout_lasts_twice_as_long(data_dir: Path) -> None:
    clock = FakeClock()
    pins = PinStore(data_dir, clock.monotonic, boot=lambda: "b")
    pins.set_pin("2468")
    _lock(pins)
    assert pins.lockout()[1] == pytest.approx(60)
    clock.advance(61)
    _lock(pins)
    assert pins.lockout()[1] == pytest.approx(120)
    clock.advance(119)
    assert pins.check("2468") is PinResult.LOCKED
    clock.advance(2)
    assert pins.check("2468") is PinResult.OK


@pytest.fixture
def used(data_dir: Path) -> tuple[App, str]:
    """A scanner in use: a check log with records, a PIN set, its recovery code noted."""
    app = App(data_dir)
    pins = app.pins()
    first = pins.new_recovery_code
    assert first is not None and pins.is_default
    pins.set_pin("2468")  # leaving the default PIN: a fresh code, the one shown to the officer
    code = pins.new_recovery_code
    assert code is not None and code != first and not pins.is_default
    store = app.open_store(purge=False)  # the log keeps a copy of the code's hash
    store.event("settings_changed", "{}")
    store.close()
    return app, code


@pytest.mark.parametrize("damage", ["deleted", "lockout edited", "corrupt"])
def test_a_lost_pin_state_never_means_the_default_pin(
    used: tuple[App, str], data_dir: Path, damage: str
) -> None:
    app, code = used
    path = data_dir / "security.json"
    if damage == "deleted":
        path.unlink()
    elif damage == "lockout edited":
        data = json.loads(path.read_text())
        data["failures"], data["default"] = 4, True  # edited by hand
        path.write_text(json.dumps(data))
    else:
        path.write_text("{ not json")
    pins = app.pins()
    assert pins.lost
    assert pins.check(DEFAULT_PIN) is PinResult.STATE_LOST
    assert pins.check("2468") is PinResult.STATE_LOST
    assert not pins.recover("0000-0000-0000", "1357")
    assert pins.recover(code, "1357")  # the copy in the check log unlocks it
    assert pins.check("1357") is PinResult.OK
    assert pins.new_recovery_code not in (None, code)  # a new one, shown once


def test_a_new_installation_starts_with_the_default_pin(data_dir: Path) -> None:
    pins = App(data_dir).pins()
    assert not pins.lost and pins.check(DEFAULT_PIN) is PinResult.OK and pins.is_default


def test_the_hubs_recovery_code_unlocks_an_enrolled_scanner(data_dir: Path, tmp_path: Path) -> None:
    from tests.hub_helpers import HubServer
    from tests.test_hub_sync import enroll

    keys = tmp_path / "hubkeys"
    keys.mkdir()
    with HubServer(f"sqlite:///{tmp_path / 'hub.db'}", keys) as hub:
        enroll(hub, data_dir)
        app = App(data_dir)
        app.pins().set_pin("2468")
        store = app.open_store(purge=False)
        store.event("settings_changed", "{}")
        store.close()
        hub_code = hub.hub.recovery_code(app.device.device_id)
    (data_dir / "security.json").unlink()
    store = app.open_store(purge=False)
    store.db.execute("delete from meta where key = 'remember:pin_recovery'")  # the log's copy gone too
    store.db.conn.commit()
    store.close()
    pins = App(data_dir).pins()
    assert pins.check(DEFAULT_PIN) is PinResult.STATE_LOST
    assert pins.recover(hub_code, "1357") and pins.check("1357") is PinResult.OK
