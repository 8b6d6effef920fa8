"""The console's parts without a browser: the catalogue, the command line (users, wards,
report), the lockout schedule, and a scanner's self-report at its worst."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from scanner_hub.console import auth
from scanner_hub.console.i18n import CATALOGUE
from scanner_hub.db import audit, device_status, devices
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


# -- the console's routes through the app's test client (security review, December) ---------

PASSWORD = "long-enough-pw"


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[Hub, Any]]:
    """A real hub over TLS with a city user, a Cam Nghĩa ward user, a checkpoint enrolled from
    the command line without a ward (CLI-01) and one in Ba Ngòi (KH-BN-01), each with a device."""
    from tests.hub_helpers import HubServer

    keys = tmp_path / "server-keys"
    keys.mkdir()
    with HubServer(f"sqlite:///{tmp_path / 'console.db'}", keys, tls=True) as server:
        hub = server.hub
        now = hub.now()
        auth.add_user(hub.engine, "city", "city", None, PASSWORD, now)
        auth.add_user(hub.engine, "nghia", "ward", "cam-nghia", PASSWORD, now)
        hub.new_enrollment("KH-BN-01", "road", ward="ba-ngoi")
        with hub.engine.begin() as connection:
            for device, checkpoint in (("dev-unassigned", "CLI-01"), ("dev-bn", "KH-BN-01")):
                connection.execute(
                    devices.insert().values(
                        device_id=device,
                        public_key="k",
                        checkpoint_id=checkpoint,
                        checkpoint_type="road",
                        enrolled_at=now,
                    )
                )
        server.console_clients = []  # log_in's clients, closed here
        yield hub, server
        for client in server.console_clients:
            client.close()


def log_in(server: Any, name: str) -> tuple[Any, str]:
    import ssl

    import httpx

    assert server.tls_paths is not None
    trust = ssl.create_default_context(cafile=str(server.tls_paths[0]))
    client = httpx.Client(base_url=server.url, verify=trust, timeout=60)
    server.console_clients.append(client)
    page = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post("/console/login", data={"name": name, "password": PASSWORD, "csrf": token[1]})
    assert answer.status_code == 303, answer.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/devices").text)
    assert csrf is not None
    return client, csrf[1]


def audit_rows(hub: Hub) -> list[tuple[Any, ...]]:
    with hub.engine.connect() as connection:
        query = select(audit.c.user_name, audit.c.action, audit.c.target, audit.c.outcome)
        return [tuple(r) for r in connection.execute(query.order_by(audit.c.id))]


def test_a_week_download_with_a_ward_path_writes_nothing_and_is_refused(
    console: tuple[Hub, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    _, server = console
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))  # where the console's folders go
    victim = tmp_path / "victim" / "minutes.pdf"
    victim.parent.mkdir()
    victim.write_bytes(b"important")
    client, _ = log_in(server, "city")
    traversal = "../" * 12 + str(victim.parent).lstrip("/") + "/minutes"
    for ward in (traversal, "../../x", "a/b", "<b>x", "nonexistent", "=1+2", "x" * 40):
        for kind in ("xlsx", "pdf"):
            answer = client.get(f"/console/week/2026-W48.{kind}", params={"ward": ward})
            assert answer.status_code == 400, (ward, kind, answer.status_code)
        assert client.get("/console/week", params={"ward": ward}).status_code == 400
    assert victim.read_bytes() == b"important"
    assert not list((tmp_path / "victim").iterdir())[1:]  # no directory made beside it
    # a listed ward still downloads, under a fixed name, and leaves no folder behind
    for kind, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        answer = client.get(f"/console/week/2026-W48.{kind}", params={"ward": "ba-ngoi"})
        assert answer.status_code == 200 and answer.content.startswith(magic)
        disposition = answer.headers["content-disposition"]
        assert disposition == f'attachment; filename="bao-cao-tuan-2026-W48-ba-ngoi.{kind}"'
    assert list(private_tmp.iterdir()) == []


def test_a_ward_name_that_looks_like_markup_is_printed_as_text(console: tuple[Hub, Any]) -> None:
    import subprocess

    from scanner_hub.console import queries
    from tests.issuer_helpers import need_tool

    need_tool("pdftotext", "poppler-utils")

    hub, server = console
    hostile = "<b>Phường & <i>Lạ</a>"
    with hub.engine.begin() as connection:
        queries.load_wards(connection, [{"id": "la", "name": hostile}], replace=False)
    client, _ = log_in(server, "city")
    for params in ({"ward": "la"}, {}):
        answer = client.get("/console/week/2026-W48.pdf", params=params)
        assert answer.status_code == 200, answer.text[:300]
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=answer.content, capture_output=True, check=True
        ).stdout.decode()
        assert "Phường &" in text and "Lạ</a>" in text


def test_a_ward_user_cannot_take_a_checkpoint_without_a_ward(console: tuple[Hub, Any]) -> None:
    from scanner_hub.db import checkpoints

    hub, server = console
    client, csrf = log_in(server, "nghia")
    assert "dev-unassigned" not in client.get("/console/devices").text
    for checkpoint in ("CLI-01", "KH-BN-01"):
        answer = client.post(
            "/console/devices/codes",
            data={"csrf": csrf, "checkpoint_id": checkpoint, "checkpoint_type": "road", "ward": "cam-nghia"},
        )
        assert answer.status_code == 403, checkpoint
    assert "dev-unassigned" not in client.get("/console/devices").text
    revoke = client.post(
        "/console/devices/dev-unassigned/revoke", data={"csrf": csrf}, follow_redirects=False
    )
    assert revoke.status_code == 403
    with hub.engine.connect() as connection:
        owners = dict(connection.execute(select(checkpoints.c.checkpoint_id, checkpoints.c.ward_id)).all())
        revoked = connection.execute(
            select(devices.c.revoked_at).where(devices.c.device_id == "dev-unassigned")
        )
        assert revoked.scalar() is None
    assert owners == {"KH-BN-01": "ba-ngoi"}
    # a new checkpoint, and then one already in its ward, are the ward's to make codes for
    for _ in range(2):
        answer = client.post(
            "/console/devices/codes",
            data={"csrf": csrf, "checkpoint_id": "KH-CN-09", "checkpoint_type": "road", "ward": ""},
        )
        assert answer.status_code == 200
    # the city may move a checkpoint, and the audit says it was moved
    city, city_csrf = log_in(server, "city")
    answer = city.post(
        "/console/devices/codes",
        data={"csrf": city_csrf, "checkpoint_id": "CLI-01", "checkpoint_type": "road", "ward": "cam-nghia"},
    )
    assert answer.status_code == 200
    moves = [r for r in audit_rows(hub) if r[1] == "reassign_ward"]
    assert moves == [
        ("city", "reassign_ward", '{"checkpoint": "CLI-01", "from": null, "to": "cam-nghia"}', "ok")
    ]
    assert [r[3] for r in audit_rows(hub) if r[0] == "nghia" and r[1] == "enroll_code"] == [
        "refused",
        "refused",
        "ok",
        "ok",
    ]


def test_every_refusal_is_audited(console: tuple[Hub, Any]) -> None:
    hub, server = console
    client, _ = log_in(server, "nghia")
    before = len(audit_rows(hub))
    assert client.get("/console/week", params={"ward": "ba-ngoi"}).status_code == 403
    assert client.get("/console/week/2026-W48.xlsx", params={"ward": "ba-ngoi"}).status_code == 403
    assert client.get("/console/week/2026-W48.pdf", params={"ward": "a/b"}).status_code == 400
    assert client.get("/console/week/nonsense.pdf").status_code == 400
    assert client.get("/console/flags", params={"day": "yesterday"}).status_code == 400
    refusals = [r for r in audit_rows(hub)[before:] if r[1] == "refused"]
    assert [(r[0], r[3]) for r in refusals] == [("nghia", "forbidden")] * 2 + [("nghia", "bad_request")] * 3
    assert '"ward=a%2Fb"' in refusals[2][2] and '"status": 400' in refusals[2][2]


def _guess_all_at_once(hub: Hub, count: int) -> list[object]:
    from concurrent.futures import ThreadPoolExecutor

    now = hub.now()
    start = threading.Barrier(count)

    def guess(index: int) -> object:
        start.wait()
        try:
            return auth.login(hub.engine, "city", f"guess-{index}", "10.0.0.9", now)
        except auth.LoginLocked:
            return "locked"
        except auth.LoginBusy:
            return "busy"

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(guess, range(count)))


def test_simultaneous_wrong_passwords_are_counted_before_they_are_checked(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner_hub.db import login_failures

    auth.add_user(hub.engine, "city", "city", None, "a-good-password", hub.now())
    # as many checks at once as guesses: the count alone must stop the sixth
    monkeypatch.setattr(auth, "_CHECKS", threading.BoundedSemaphore(40))
    outcomes = _guess_all_at_once(hub, 40)
    checked = sum(o is None for o in outcomes)
    assert 1 <= checked <= auth.FREE_FAILURES, outcomes
    assert outcomes.count("locked") == 40 - checked
    with hub.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(login_failures)).scalar() == checked
    hub.close()


def test_more_logins_at_once_than_the_hub_checks_are_refused_not_queued(hub: Hub) -> None:
    now = hub.now()
    auth.add_user(hub.engine, "city", "city", None, "a-good-password", now)
    held = [auth._CHECKS.acquire(blocking=False) for _ in range(auth.CONCURRENT_CHECKS)]
    try:
        assert all(held)
        with pytest.raises(auth.LoginBusy):
            auth.login(hub.engine, "city", "a-good-password", "10.0.0.9", now)
    finally:
        for _ in held:
            auth._CHECKS.release()
    assert auth.login(hub.engine, "city", "a-good-password", "10.0.0.9", now) is not None
    outcomes = _guess_all_at_once(hub, 40)  # the real limit: at most five checked, the rest refused
    assert sum(o is None for o in outcomes) <= auth.FREE_FAILURES
    assert {o for o in outcomes if o is not None} <= {"locked", "busy"}
    hub.close()


def test_a_burst_of_logins_over_https_gets_429s_after_five_checks(console: tuple[Hub, Any]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    hub, server = console
    client, _ = log_in(server, "nghia")
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/login").text)
    assert token is not None
    start = threading.Barrier(40)

    def guess(index: int) -> int:
        start.wait()
        data = {"name": "city", "password": f"guess-{index}", "csrf": token[1]}
        return int(client.post("/console/login", data=data).status_code)

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert statuses.count(401) <= auth.FREE_FAILURES and set(statuses) <= {401, 429}, statuses
    outcomes = [r[3] for r in audit_rows(hub) if r[0] == "city" and r[1] == "login"]
    assert outcomes.count("refused") == statuses.count(401) and len(outcomes) == 40
