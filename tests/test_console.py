"""The district console in a real browser: Playwright driving Debian's Chromium (launched by
its executable path; nothing downloaded), against a real hub over TLS, with checks synced by
real scanners enrolled in two wards. One browser per module."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from scanner_app.core.pseudonym import DEFAULT_ZONE
from scanner_app.devkit.catalog import demo_cards
from scanner_hub.cli import main as hub_main
from scanner_hub.console import auth
from scanner_hub.db import checks
from scanner_hub.rollups import is_shared
from tests.cli_helpers import cli
from tests.hub_helpers import HubServer, postgres_database
from tests.test_hub_sync import NOW, ShiftedClock, queue_checks, relay

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI", "").lower() != "true",
        reason="no Chromium (apt-get install chromium)",
    ),
]
CITY_PW, WARD_PW = "city-password-1", "ward-password-1"


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


CARDS = [c.text for c in demo_cards(NOW)]  # the same cards shown at every checkpoint


def queue_cards(data_dir: Path, count: int) -> Any:
    """`count` real decisions of the shared CARDS: a card seen here and at another
    checkpoint within seconds."""
    return queue_checks(data_dir, count, CARDS)


def scanner(
    hub: HubServer, folder: Path, checkpoint: str, ward: str, count: int, shift: timedelta | None = None
) -> str:
    """A real scanner enrolled at `checkpoint` (in `ward`), `count` checks synced to the hub
    (its clock `shift`ed, if given)."""
    from scanner_app.local.device import load_device

    folder.mkdir()
    code = hub.hub.new_enrollment(checkpoint, "road", ward=ward)
    run = cli("--data-dir", str(folder), "enroll", "--hub", hub.url, "--code", str(code))
    assert run.code == 0, run.err
    if count == 0:
        return load_device(folder).device_id
    store = queue_cards(folder, count)
    sync = relay(folder, store)
    if shift is not None:
        sync.clock = ShiftedClock(shift)
    status = sync.cycle()
    assert status.queued == 0
    sync.client.close()
    store.close()
    return load_device(folder).device_id


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def district(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("district")
    keys = root / "hubkeys"
    keys.mkdir()
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{root / 'hub.db'}"
            if request.param == "sqlite"
            else stack.enter_context(postgres_database())
        )
        yield from _district(url, root, keys)


def _district(url: str, root: Path, keys: Path) -> Iterator[dict[str, Any]]:
    with HubServer(url, keys, tls=True) as hub:
        now = hub.hub.now()
        auth.add_user(hub.hub.engine, "city", "city", None, CITY_PW, now)
        auth.add_user(hub.hub.engine, "nghia", "ward", "cam-nghia", WARD_PW, now)
        devices = {
            "KH-CN-01": scanner(hub, root / "s1", "KH-CN-01", "cam-nghia", 23),
            "KH-BN-01": scanner(hub, root / "s2", "KH-BN-01", "ba-ngoi", 17),
        }
        yield {"hub": hub, "root": root, "devices": devices, "keys": keys}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        ignore_https_errors=True, accept_downloads=True, viewport={"width": 1366, "height": 768}
    )
    yield context.new_page()
    context.close()


def log_in(page: Any, base: str, name: str, password: str) -> Any:
    page.goto(f"{base}/console/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def sheet_rows(path: Path, title: str) -> list[list[Any]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [list(r) for r in workbook[title].iter_rows(values_only=True)]
    finally:
        workbook.close()


def hub_rows(hub: HubServer, ward_devices: list[str] | None = None) -> list[dict[str, Any]]:
    with hub.hub.engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(select(checks)).mappings()]
    return [r for r in rows if ward_devices is None or r["device_id"] in ward_devices]


def test_log_in_and_see_today_with_synced_checks(district: dict[str, Any], page: Any) -> None:
    hub = district["hub"]
    log_in(page, hub.url, "city", CITY_PW)
    assert page.url.endswith("/console/today")
    cookie = next(c for c in page.context.cookies() if c["name"] == "__Host-console-session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    rows = hub_rows(hub)
    assert len(rows) == 40
    assert page.inner_text("#total-checks") == str(len(rows))
    wards = page.inner_text("#wards")
    assert "Phường Cam Nghĩa" in wards and "Phường Ba Ngòi" in wards
    table = page.inner_text("#checkpoints")
    for checkpoint, device in district["devices"].items():
        assert checkpoint in table and device in table
    assert "Bình thường" in table  # just synced: not silent, right clock
    # the self-report reached the hub: queued 0, its version, a clock offset measured
    assert re.search(r"\b0\.1\.0\b", table)
    page.click("text=English")
    assert "Today's checks by ward" in page.inner_text("h1")


def test_weekly_xlsx_and_pdf_totals_equal_the_hub_rows(
    district: dict[str, Any], page: Any, tmp_path: Path
) -> None:
    hub = district["hub"]
    rows = hub_rows(hub)
    today = datetime.now(UTC).astimezone(DEFAULT_ZONE).date()
    in_week = [
        r
        for r in rows
        if _week(datetime.fromisoformat(r["wall_time"]).astimezone(DEFAULT_ZONE).date()) == _week(today)
    ]
    log_in(page, hub.url, "city", CITY_PW)
    page.goto(f"{hub.url}/console/week")
    shown = page.inner_text("#week tfoot").split()
    assert shown[1] == str(len(in_week))  # "Tổng", then the checks
    assert page.locator("#matrix tfoot td").all_inner_texts()[7] == str(len(in_week))  # after 7 days
    with page.expect_download() as xlsx_download:
        page.click("#xlsx")
    xlsx = tmp_path / "week.xlsx"
    xlsx_download.value.save_as(xlsx)
    values = sheet_rows(xlsx, _week(today))
    header, grand = values[0], values[-1]
    assert grand[0] == "Cả thành phố"
    assert grand[2] == len(in_week)
    for key, label in (("allow", "Cho qua"), ("deny", "Từ chối"), ("manual", "Kiểm tra thủ công")):
        assert grand[header.index(label)] == sum(1 for r in in_week if r["decision"] == key)
    for key, label in (("green", "Xanh"), ("yellow", "Vàng"), ("red", "Đỏ")):
        assert grand[header.index(label)] == sum(1 for r in in_week if r["colour"] == key)
    assert grand[header.index("Nghi dùng chung mã")] == sum(1 for r in in_week if is_shared(r))
    with page.expect_download() as pdf_download:
        page.click("#pdf")
    pdf = tmp_path / "week.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        day_total = next(line for line in text.splitlines() if line.strip().startswith("Tổng "))
        assert day_total.split()[1] == str(len(in_week))
        ward_total = next(line for line in text.splitlines() if line.strip().startswith("Cả thành phố "))
        assert ward_total.split()[3] == str(len(in_week))
        assert "Người lập báo cáo" in text
    # the scheduled report says the same
    out = tmp_path / "cli.xlsx"
    code = hub_main(
        [
            "--data-dir",
            str(district["keys"]),
            "report",
            "--db",
            str(hub.hub.engine.url),
            "--week",
            _week(today),
            "--format",
            "xlsx",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    cli_values = sheet_rows(out, _week(today))
    assert cli_values == values


def test_a_ward_user_sees_its_ward_only_and_gets_403_elsewhere(district: dict[str, Any], page: Any) -> None:
    hub = district["hub"]
    log_in(page, hub.url, "nghia", WARD_PW)
    table = page.inner_text("#checkpoints")
    assert "KH-CN-01" in table and "KH-BN-01" not in table
    assert page.inner_text("#total-checks") == "23"
    ok = page.goto(f"{hub.url}/console/checkpoints/KH-CN-01")
    assert ok is not None and ok.status == 200
    answer = page.goto(f"{hub.url}/console/checkpoints/KH-BN-01")  # another ward's, by editing the URL
    assert answer is not None and answer.status == 403
    assert "KH-BN-01" not in page.inner_text("main")
    answer = page.goto(f"{hub.url}/console/week?ward=ba-ngoi")
    assert answer is not None and answer.status == 403
    answer = page.goto(f"{hub.url}/console/week/{_week(date.today())}.xlsx?ward=ba-ngoi")
    assert answer is not None and answer.status == 403
    page.goto(f"{hub.url}/console/devices")
    assert district["devices"]["KH-BN-01"] not in page.inner_text("#devices")


def test_a_form_without_its_csrf_token_is_refused(district: dict[str, Any], page: Any) -> None:
    hub = district["hub"]
    victim = district["devices"]["KH-BN-01"]
    log_in(page, hub.url, "city", CITY_PW)
    page.goto(f"{hub.url}/console/devices")
    form = f"form[action='/console/devices/{victim}/revoke']"
    page.eval_on_selector(f"{form} input[name=csrf]", "e => e.remove()")
    with page.expect_navigation():
        page.click(f"{form} button")
    assert "Biểu mẫu đã hết hạn" in page.content()
    page.goto(f"{hub.url}/console/devices")
    page.eval_on_selector(f"{form} input[name=csrf]", "e => e.value = 'forged-token'")
    with page.expect_response(lambda r: "/revoke" in r.url) as answer:
        page.click(f"{form} button")
    assert answer.value.status == 403
    assert next(d for d in hub.hub.device_list() if d["device_id"] == victim)["revoked_at"] is None


def test_six_wrong_passwords_slow_the_login(tmp_path: Path, browser: Any) -> None:
    keys = tmp_path / "hubkeys"
    keys.mkdir()
    with HubServer(f"sqlite:///{tmp_path / 'hub.db'}", keys, tls=True) as hub:
        clock = [datetime.now(UTC)]
        hub.hub.now = lambda: clock[0]  # type: ignore[method-assign]
        auth.add_user(hub.hub.engine, "city", "city", None, CITY_PW, clock[0])
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        statuses = []
        for _ in range(6):
            page.goto(f"{hub.url}/console/login")
            page.fill("input[name=name]", "city")
            page.fill("input[name=password]", "wrong-password")
            with page.expect_response(
                lambda r: r.url.endswith("/console/login") and r.request.method == "POST"
            ) as answer:
                page.click("button[type=submit]")
            statuses.append(answer.value.status)
        assert statuses == [401] * 5 + [429]
        assert "Vui lòng thử lại sau" in page.content()
        page.fill("input[name=name]", "city")
        page.fill("input[name=password]", CITY_PW)  # the right password waits too
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("button[type=submit]")
        assert answer.value.status == 429
        clock[0] += timedelta(minutes=1)
        log_in(page, hub.url, "city", CITY_PW)
        assert page.url.endswith("/console/today")
        context.close()


def test_a_code_made_in_the_page_enrolls_a_real_scanner_in_that_ward(
    district: dict[str, Any], page: Any
) -> None:
    hub = district["hub"]
    log_in(page, hub.url, "nghia", WARD_PW)
    page.goto(f"{hub.url}/console/devices")
    page.fill("input[name=checkpoint_id]", "KH-CN-09")
    with page.expect_navigation():
        page.click("form.grid button")
    assert page.locator("#made-code").count() == 1, page.inner_text("main")
    code = page.inner_text("#made-code").strip()
    assert page.locator(".qr svg").count() == 1  # the enrollment link as a QR code
    folder = district["root"] / f"s-page-{code[:4]}"
    folder.mkdir()
    run = cli("--data-dir", str(folder), "enroll", "--hub", hub.url, "--code", code)
    assert run.code == 0, run.err
    page.goto(f"{hub.url}/console/today")
    assert "KH-CN-09" in page.inner_text("#checkpoints")  # in the ward's own list, never silent-less
    # a ward team cannot take another ward's checkpoint by naming it
    page.goto(f"{hub.url}/console/devices")
    page.fill("input[name=checkpoint_id]", "KH-BN-01")
    with page.expect_response(lambda r: r.url.endswith("/console/devices/codes")) as answer:
        page.click("form.grid button")
    assert answer.value.status == 403


def test_a_ward_revokes_its_own_devices_only_and_everything_is_audited(
    district: dict[str, Any], page: Any
) -> None:
    from scanner_hub.db import audit

    hub = district["hub"]
    own, other = district["devices"]["KH-CN-01"], district["devices"]["KH-BN-01"]
    log_in(page, hub.url, "nghia", WARD_PW)
    page.goto(f"{hub.url}/console/devices")
    form = f"form[action='/console/devices/{own}/revoke']"
    # the same form, pointed at another ward's device (a valid CSRF token): refused in SQL
    handle = page.query_selector(form)
    assert handle is not None
    handle.evaluate(f"f => f.action = '/console/devices/{other}/revoke'")
    with page.expect_navigation(), page.expect_response(lambda r: "/revoke" in r.url) as answer:
        handle.eval_on_selector("button", "b => b.click()")
    assert answer.value.status == 403
    page.goto(f"{hub.url}/console/devices")
    page.fill(f"{form} input[name=reason]", "lost at the market")
    with page.expect_navigation():
        page.click(f"{form} button")
    states = {d["device_id"]: d for d in hub.hub.device_list()}
    assert states[own]["revoked_reason"] == "lost at the market"
    assert states[other]["revoked_at"] is None
    answer = page.request.post(
        f"{hub.url}/console/trust/publish",
        multipart={"csrf": "x", "bundle": {"name": "b.cose", "mimeType": "application/cose", "buffer": b"x"}},
    )
    assert answer.status == 403
    assert page.request.get(f"{hub.url}/console/week/{_week(date.today())}.xlsx").status == 200
    assert page.request.get(f"{hub.url}/console/checkpoints/KH-BN-01").status == 403
    with hub.hub.engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(select(audit)).mappings()]
    done = {(r["user_name"], r["action"], r["outcome"]) for r in rows}
    assert {
        ("nghia", "login", "ok"),
        ("nghia", "view", "ok"),
        ("nghia", "revoke", "ok"),
        ("nghia", "revoke", "refused"),
    } <= done
    assert ("nghia", "download", "ok") in done
    assert ("nghia", "publish", "refused") in done or ("nghia", "csrf", "refused") in done
    assert ("nghia", "view", "refused") in done  # the other ward's checkpoint, by URL


def test_the_same_card_at_two_wards_checkpoints_is_flagged(district: dict[str, Any], page: Any) -> None:
    from scanner_hub.db import travel_flags

    hub = district["hub"]
    with hub.hub.engine.connect() as connection:
        pairs = [dict(r) for r in connection.execute(select(travel_flags)).mappings()]
    assert pairs and all({p["checkpoint_a"], p["checkpoint_b"]} == {"KH-CN-01", "KH-BN-01"} for p in pairs)
    flagged = [r for r in hub_rows(hub) if "impossible_travel" in (r["hub_flags"] or "")]
    assert len(flagged) == len(pairs)  # the later sighting of each pair carries the hub's flag
    log_in(page, hub.url, "nghia", WARD_PW)
    page.goto(f"{hub.url}/console/flags")
    assert page.locator("table.flags tbody tr").count() == len(pairs)  # pairs touching its ward
    auth.add_user(
        hub.hub.engine, f"loc-{len(pairs)}-{os.getpid()}", "ward", "cam-loc", WARD_PW, hub.hub.now()
    )
    log_in(page, hub.url, f"loc-{len(pairs)}-{os.getpid()}", WARD_PW)
    page.goto(f"{hub.url}/console/flags")
    assert page.locator("table.flags tbody tr").count() == 0  # a third ward sees none of them


def _signed_bundle(folder: Path, sequence: int) -> Path:
    """A demo bundle as the key holder makes it (the publish command's content, signed)."""
    from scanner_app.core.bundle import sign_bundle
    from scanner_app.devkit.keys import demo_anchor_key
    from scanner_app.services.bundle_content import content_from_args
    from scanner_hub.cli import build_parser

    assets = Path(__file__).parent.parent / "assets"
    args = build_parser().parse_args(
        [
            "publish",
            "--demo",
            "--sequence",
            str(sequence),
            "--signer",
            str(assets / "devkit" / "demo-dsc.pem"),
            "--profile-file",
            str(assets / "rules" / "VN-KH-2021-10.json"),
            "--policy-file",
            str(assets / "policies" / "VN-EXAMPLE-POLICY.json"),
        ]
    )
    out = folder / f"bundle-{sequence}.cose"
    out.write_bytes(sign_bundle(content_from_args(args), demo_anchor_key()))
    return out


def test_the_city_publishes_a_signed_bundle_and_a_tampered_one_is_refused(
    district: dict[str, Any], page: Any
) -> None:
    hub = district["hub"]
    sequence = hub.hub.next_sequence()
    good = _signed_bundle(district["root"], sequence)
    bad = district["root"] / "tampered.cose"
    data = bytearray(_signed_bundle(district["root"], sequence + 1).read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    log_in(page, hub.url, "city", CITY_PW)
    page.goto(f"{hub.url}/console/trust")
    page.set_input_files("input[name=bundle]", str(bad))
    with page.expect_navigation():
        page.click("form[action='/console/trust/publish'] button")
    assert page.locator(".problem").count() == 1
    assert hub.hub.next_sequence() == sequence  # nothing published
    page.set_input_files("input[name=bundle]", str(good))
    with page.expect_navigation():
        page.click("form[action='/console/trust/publish'] button")
    assert f"#{sequence}" in page.inner_text("main")
    latest = hub.hub.latest_bundle()
    assert latest is not None and latest[2] == sequence and latest[0] == good.read_bytes()
