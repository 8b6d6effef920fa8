"""Pseudonyms a stolen laptop cannot reverse (issue 15 item 4).

The brute-force drill: a day's CCCD checks are logged with that day's key; once the day is
over the key is erased, and every secret left on the laptop is tried against the small
identifier space — nothing is recovered. While the key is still held (today) the same drill
recovers the numbers, which shows the drill can fail. Shared-code checks still work across
devices (the same day key) and across midnight (yesterday's key is kept for the window)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from scanner_app.app import App
from scanner_app.core.pseudonym import DEFAULT_ZONE, day_key, pseudonym
from scanner_app.core.record import Station
from scanner_app.core.revocation import normalise_certificate_id
from scanner_app.local.day_keys import DayKeys
from scanner_app.store.checks import CheckStore
from tests.hub_helpers import HubServer
from tests.store_helpers import config
from tests.test_hub_sync import enroll, hub, hub_url

__all__ = ["hub", "hub_url"]
CANDIDATES = range(79_085_000_000, 79_085_000_000 + 20_000)  # one ward's CCCD numbers, say
HOLDERS = [79_085_000_000 + n for n in (17, 4_242, 9_999, 15_001)]


def _cccd(number: int) -> str:
    return f"{number:012d}|123456789|Nguyễn Văn An|12031985|Nam|Nha Trang|01072021"


def _laptop_secrets(data_dir: Path) -> list[bytes]:
    """Every key-sized secret on the laptop: hex strings in its files, private keys' bytes."""
    secrets: set[bytes] = set()
    for path in data_dir.rglob("*"):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        secrets |= {bytes.fromhex(h.decode()) for h in re.findall(rb"\b[0-9a-f]{64}\b", raw)}
        if raw.startswith(b"-----BEGIN PRIVATE KEY"):
            key = serialization.load_pem_private_key(raw, password=None)
            secrets.add(
                key.private_bytes(
                    serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
                )
            )  # type: ignore[union-attr]
        for text in re.findall(rb'"([A-Za-z0-9+/]{43}=)"', raw):
            secrets.add(base64.b64decode(text))
    return sorted(secrets)


def _brute_force(hashes: set[str], secrets: list[bytes]) -> set[int]:
    found = set()
    for secret in secrets:
        for number in CANDIDATES:
            message = normalise_certificate_id(f"{number:012d}").encode()
            if hmac.new(secret, message, hashlib.sha256).hexdigest() in hashes:
                found.add(number)
    return found


def test_a_past_days_pseudonyms_cannot_be_reversed_with_what_the_laptop_keeps(
    hub: HubServer, data_dir: Path
) -> None:
    enroll(hub, data_dir)
    app = App(data_dir)
    assert not app.day_keys.local  # the hub's keys for today and the next days
    store = app.open_store(purge=False)
    checker, now = app.checker(), app.clock.now()
    for number in HOLDERS:
        text = _cccd(number)
        store.record(checker.check(text, now), text, app.station(), wall_time=now, monotonic=0.0)
    hashes = {r["cert_hash"] for r in store.rows()}
    store.close()
    assert len(hashes) == len(HOLDERS)
    # today, the day key is on the laptop: the small identifier space gives the numbers away
    assert _brute_force(hashes, _laptop_secrets(data_dir)) == set(HOLDERS)
    # the day is over (and the shared-code window after it): the key is erased
    tomorrow = datetime.combine(
        now.astimezone(DEFAULT_ZONE).date() + timedelta(days=1), datetime.min.time(), DEFAULT_ZONE
    )
    assert App(data_dir).day_keys.erase_past(tomorrow + timedelta(minutes=31)) == 1
    remaining = _laptop_secrets(data_dir)
    assert len(remaining) >= 8  # the next days' keys, the device's keys, the local secret...
    assert _brute_force(hashes, remaining) == set()


def test_two_scanners_give_one_card_the_same_pseudonym_the_same_day(hub: HubServer, tmp_path: Path) -> None:
    folders = [tmp_path / "north", tmp_path / "south"]
    pseudonyms = []
    for folder in folders:
        folder.mkdir()
        enroll(hub, folder)
        app = App(folder)
        pseudonyms.append(app.day_keys.pseudonym("URN:UVCI:01:VN:ABC#1", app.clock.now()))
    assert pseudonyms[0] == pseudonyms[1] is not None


def test_the_shared_code_check_works_across_midnight(data_dir: Path, checker, signer) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.devkit.cards import DEMO_PEOPLE
    from tests.store_helpers import card

    master = b"m" * 32
    eve = datetime(2021, 10, 20, 23, 55, tzinfo=DEFAULT_ZONE)
    keys = DayKeys(data_dir, b"local" * 6)
    keys.zone, keys.keys = (
        DEFAULT_ZONE,
        {d: day_key(master, d) for d in (date(2021, 10, 20), date(2021, 10, 21))},
    )
    store = CheckStore.open(data_dir, config(pseudonyms=keys, duplicate_max_per_checkpoint=1))
    text = card(signer, DEMO_PEOPLE[0], ci="URN:UVCI:01:VN:PASSED-AROUND#1")
    first = store.record(
        checker.check(text, eve.astimezone(UTC)), text, Station("CP-1"), wall_time=eve, monotonic=0
    )
    after = eve + timedelta(minutes=10)  # 00:05, the next day: another key
    second = store.record(
        checker.check(text, after.astimezone(UTC)), text, Station("CP-1"), wall_time=after, monotonic=1
    )
    hashes = [r["cert_hash"] for r in store.rows()]
    store.close()
    assert hashes[0] != hashes[1]  # each day its own key
    assert hashes[0] == pseudonym(day_key(master, date(2021, 10, 20)), "URN:UVCI:01:VN:PASSED-AROUND#1")
    assert "shared_code" not in first.flags and "shared_code" in second.flags


def test_a_device_that_never_enrolled_uses_its_own_secret(data_dir: Path) -> None:
    app = App(data_dir)
    assert app.day_keys.local
    secret = json.loads((data_dir / "device" / "device.json").read_text())["hmac_secret"]
    assert app.day_keys.pseudonym("X#1", app.clock.now()) == pseudonym(bytes.fromhex(secret), "X#1")


@pytest.fixture
def checker(signer, tmp_path: Path):  # type: ignore[no-untyped-def]
    from tests.store_helpers import checker_for

    return checker_for(signer, tmp_path / "trust")


def test_the_master_secret_never_leaves_the_hub(hub: HubServer, data_dir: Path, tmp_path: Path) -> None:
    """Enrollment answers carry day keys sealed to the enrolling device, never the master
    secret; an enrollment with a junk key (no proof of possession) gets nothing."""
    import httpx

    from scanner_app.core.wire import enrollment_body, new_nonce
    from tests.cli_helpers import cli

    master = hub.hub.keys.hmac_secret.hex()
    body = enrollment_body(
        hub.hub.new_enrollment("KH-9", "road"), "dev-junk", "junk" * 20, b"\x01" * 32, new_nonce()
    )
    answer = httpx.post(f"{hub.url}/v1/enroll", json={**body, "signature": "AA=="})
    assert answer.status_code in (401, 422) and master not in answer.text
    enroll(hub, data_dir)
    assert master not in "".join(p.read_text(errors="ignore") for p in data_dir.rglob("*") if p.is_file())
    # the USB path for a site without network
    out = tmp_path / "keys.json"
    url = hub.hub.engine.url.render_as_string(hide_password=False)
    from scanner_hub.cli import main as hub_main

    device_id = App(data_dir).device.device_id
    assert (
        hub_main(
            [
                "--data-dir",
                str(data_dir.parent / "hubkeys"),
                "day-keys",
                "--db",
                url,
                "--device",
                device_id,
                "--days",
                "30",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert master not in out.read_text()
    run = cli("--data-dir", str(data_dir), "day-keys", "import", str(out))
    assert run.code == 0 and "installed 22 new day key(s)" in run.out, (
        run.out + run.err
    )  # 8 came at enrollment
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    enroll(hub, stranger)
    assert cli("--data-dir", str(stranger), "day-keys", "import", str(out)).code == 2  # not its keys
