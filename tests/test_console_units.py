"""The console's parts without a browser: the catalogue, the command line (users, wards,
report), the lockout schedule, and a scanner's self-report at its worst."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scanner_hub.console import auth
from scanner_hub.console.i18n import CATALOGUE
from scanner_hub.db import device_status, devices
from scanner_hub.keys import load_hub_keys
from scanner_hub.service import Hub
from scanner_hub.status import record_status

TEMPLATES = Path(__file__).parent.parent / "scanner_hub" / "console" / "templates"


def test_every_word_the_pages_use_is_in_both_languages() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_]+)["']""", template.read_text(encoding="utf-8")))
    used |= {
        "allow",
        "deny",
        "manual",
        "green",
        "yellow",
        "red",
        "type_road",
        "type_market",
        "type_office",
        "type_event",
    }
    missing = sorted(k for k in used - {"type_"} if k not in CATALOGUE)  # "type_" ~ k: listed above
    assert not missing
    assert all((vi and en and vi != en) or k in {"ok"} for k, (vi, en) in CATALOGUE.items())


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    keys = tmp_path / "keys"
    keys.mkdir()
    return Hub.open(f"sqlite:///{tmp_path / 'hub.db'}", load_hub_keys(keys))


def test_logins_slow_down_after_five_failures_then_recover(hub: Hub) -> None:
    now = datetime(2021, 10, 12, 8, tzinfo=UTC)
    auth.add_user(hub.engine, "city", "city", None, "a-good-password", now)
    for _ in range(5):
        assert auth.login(hub.engine, "city", "wrong-password", "10.0.0.9", now) is None
    with pytest.raises(auth.LoginLocked) as locked:
        auth.login(hub.engine, "city", "a-good-password", "10.0.0.9", now)
    assert 0 < locked.value.wait_seconds <= 31
    # from another address too: the name is locked, not only the address
    with pytest.raises(auth.LoginLocked):
        auth.login(hub.engine, "city", "a-good-password", "10.0.0.10", now + timedelta(seconds=10))
    later = now + timedelta(seconds=31)
    assert auth.login(hub.engine, "city", "wrong-password", "10.0.0.9", later) is None  # a sixth failure
    with pytest.raises(auth.LoginLocked) as longer:
        auth.login(hub.engine, "city", "a-good-password", "10.0.0.9", later)
    assert longer.value.wait_seconds > 31  # the wait doubles
    result = auth.login(hub.engine, "city", "a-good-password", "10.0.0.9", later + timedelta(minutes=2))
    assert result is not None
    token, session = result
    assert auth.session(hub.engine, token, later + timedelta(minutes=3)) == session
    assert auth.session(hub.engine, token, later + timedelta(hours=13)) is None  # expired
    assert auth.session(hub.engine, token + "x", later) is None
    hub.close()


def test_an_unknown_user_and_bad_inputs_are_refused(hub: Hub) -> None:
    now = datetime.now(UTC)
    assert auth.login(hub.engine, "nobody", "whatever-password", "10.0.0.1", now) is None
    for name, role, ward, password in (
        ("x", "city", None, "long-enough-pw"),
        ("ward1", "ward", None, "long-enough-pw"),
        ("ward1", "ward", "atlantis", "long-enough-pw"),
        ("city1", "city", "cam-loc", "long-enough-pw"),
        ("city1", "city", None, "short"),
        ("city1", "mayor", None, "long-enough-pw"),
    ):
        with pytest.raises(auth.UserError):
            auth.add_user(hub.engine, name, role, ward, password, now)
    user = auth.add_user(hub.engine, "w1", "ward", "cam-loc", "long-enough-pw", now)
    stored = auth.list_users(hub.engine)[0]
    assert (stored["name"], stored["ward_id"]) == ("w1", "cam-loc") and user.ward_id == "cam-loc"
    with hub.engine.connect() as connection:
        hashed = connection.execute(select(auth.console_users.c.password_hash)).scalar()
    assert hashed.startswith("$argon2id$") and "long-enough-pw" not in hashed
    hub.close()


def test_a_hostile_self_report_stores_nothing_wrong(hub: Hub) -> None:
    now = datetime.now(UTC)
    with hub.engine.begin() as connection:
        connection.execute(
            devices.insert().values(
                device_id="dev-1",
                public_key="k",
                checkpoint_id="KH-1",
                checkpoint_type="road",
                enrolled_at=now,
            )
        )
        record_status(
            connection,
            "dev-1",
            None,
            {
                "queued": 2**70,
                "bundle_sequence": "7",
                "device_time": "9999-99-99",
                "app_version": "\x00=cmd|" * 20,
            },
            now,
        )
        row = connection.execute(select(device_status)).mappings().one()
    assert row["queued"] is None and row["bundle_sequence"] is None and row["clock_offset_seconds"] is None
    assert "\x00" not in row["app_version"] and len(row["app_version"]) <= 32
    hub.close()


def test_the_report_command_and_wards(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scanner_hub.cli import main

    base = ["--data-dir", str(tmp_path)]
    assert main([*base, "wards", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 15
    wards = tmp_path / "wards.json"
    wards.write_text(
        '{"wards": [{"id": "p1", "name": "Phường 1"}, {"id": "p2", "name": "Phường 2"}]}', encoding="utf-8"
    )
    assert main([*base, "wards", "load", str(wards)]) == 0
    assert main([*base, "enroll", "--checkpoint", "KH-1", "--ward", "cam-loc"]) == 2  # no longer a ward
    assert main([*base, "enroll", "--checkpoint", "KH-1", "--ward", "p2"]) == 0
    out = tmp_path / "r.pdf"
    assert (
        main([*base, "report", "--week", "2021-W41", "--ward", "p2", "--format", "pdf", "--out", str(out)])
        == 0
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert main([*base, "report", "--week", "2021-W99", "--format", "pdf", "--out", str(out)]) == 2
    assert (
        main(
            [
                *base,
                "report",
                "--week",
                "2021-W41",
                "--ward",
                "nowhere",
                "--format",
                "xlsx",
                "--out",
                str(out),
            ]
        )
        == 2
    )


def test_over_plain_http_the_login_page_says_the_console_needs_https(tmp_path: Path) -> None:
    import httpx

    from tests.hub_helpers import HubServer

    keys = tmp_path / "keys2"
    keys.mkdir()
    with HubServer(f"sqlite:///{tmp_path / 'plain.db'}", keys) as server:
        page = httpx.get(f"{server.url}/console/login")
        assert "--tls-cert" in page.text
        cookie = page.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
        assert page.headers["content-security-policy"].startswith("default-src 'none'")
        redirect = httpx.get(f"{server.url}/console/today", follow_redirects=False)
        assert redirect.status_code == 303 and redirect.headers["location"] == "/console/login"
