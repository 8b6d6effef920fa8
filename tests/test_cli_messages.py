"""The command line as a first-time user meets it: `export --date today` with a file name it
picks in the current folder, messages in the chosen language, typed errors (exit status 2,
no traceback) for inputs it cannot read, `verify-export` that says MISSING rather than
TAMPERED for an absent file, enrollment failures and a hub without trust data in words."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from scanner_app.services.export_day import DayError, default_name, parse_day
from tests.cli_helpers import cli, cli_process
from tests.hub_helpers import HubServer, free_port


@pytest.fixture
def logged(data_dir: Path) -> Path:
    """A data folder whose log holds three of today's checks (through `gate`'s real path)."""
    from scanner_app.app import App
    from scanner_app.devkit.catalog import demo_cards

    app = App(data_dir)
    store = app.open_store()
    service = app.scan_service(store)
    try:
        for card in demo_cards(datetime.now(UTC))[:3]:
            assert service.handle(card.text, app.clock.monotonic(), force=True) is not None
    finally:
        store.close()
    return data_dir


def test_days_are_today_yesterday_or_iso() -> None:
    today = date(2021, 10, 20)
    assert parse_day("today", today) == today and parse_day("hôm nay", today) == today
    assert parse_day("Yesterday", today) == date(2021, 10, 19)
    assert parse_day("2021-09-30", today) == date(2021, 9, 30)
    with pytest.raises(DayError):
        parse_day("20/10/2021", today)
    assert default_name("KH/CR 07", today, "pdf") == "checks-KH-CR-07-2021-10-20.pdf"


def test_export_today_writes_a_named_file_in_the_current_folder(
    logged: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    run = cli("--data-dir", str(logged), "export", "--date", "today")
    assert run.code == 0, run.err
    expected = work / default_name("CP-DEMO", date.today(), "csv")
    assert expected.exists() and Path(f"{expected}.manifest.json").exists()
    assert f"Exported 3 check(s) of {date.today()} to {expected}" in run.out
    vietnamese = cli("--data-dir", str(logged), "export", "--format", "pdf", lang="vi")
    assert vietnamese.code == 0 and "Đã xuất 3 lượt kiểm tra" in vietnamese.out
    empty = cli("--data-dir", str(logged), "export", "--date", "yesterday", "--out", str(tmp_path / "y.csv"))
    assert empty.code == 0 and "Exported 0 check(s) of" in empty.out


def test_a_day_that_is_not_a_day_and_a_missing_log_are_usage_errors(logged: Path, tmp_path: Path) -> None:
    run = cli("--data-dir", str(logged), "export", "--date", "20/10/2021", lang="vi")
    assert run.code == 2 and "không phải là một ngày" in run.err and "Traceback" not in run.err
    nothing = cli("--data-dir", str(tmp_path / "empty"), "export")
    assert nothing.code == 2 and "there is no check log" in nothing.err


@pytest.fixture
def exported(logged: Path, tmp_path: Path) -> Path:
    out = tmp_path / "day.csv"
    assert cli("--data-dir", str(logged), "export", "--out", str(out)).code == 0
    return out


def test_verify_export_reads_every_wrong_input_as_a_usage_error(exported: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    cases = {
        exported: "is an export, not its manifest",  # the CSV itself: its manifest is beside it
        pdf: "is not an export manifest",
        tmp_path / "nowhere.manifest.json": "cannot read",
        tmp_path: "cannot read",  # a folder
    }
    for path, words in cases.items():
        run = cli("verify-export", str(path))
        assert run.code == 2, (path, run.out, run.err)
        assert words in run.err and "Traceback" not in run.err and "TAMPERED" not in run.out + run.err
    another_json = tmp_path / "settings.json"
    another_json.write_text(json.dumps({"file": 3}))
    assert cli("verify-export", str(another_json)).code == 2


def test_verify_export_says_missing_for_an_absent_export_and_tampered_for_a_changed_one(
    exported: Path,
) -> None:
    manifest = Path(f"{exported}.manifest.json")
    ok = cli("verify-export", str(manifest), lang="vi")
    assert ok.code == 0 and ok.out.startswith("ĐÚNG: day.csv khớp với bản kê")
    exported.write_text(
        exported.read_text(encoding="utf-8-sig").replace("allow", "deny"), encoding="utf-8-sig"
    )
    changed = cli("verify-export", str(manifest))
    assert changed.code == 1 and changed.out.startswith("TAMPERED: day.csv was changed after export")
    exported.unlink()
    missing = cli("verify-export", str(manifest))
    assert missing.code == 2 and missing.out.startswith("MISSING: day.csv is not beside its manifest")


def test_verify_export_as_a_process_prints_no_traceback(exported: Path) -> None:
    run = cli_process("--lang", "en", "verify-export", str(exported))
    assert run.code == 2 and "is an export, not its manifest" in run.err and "Traceback" not in run.err


def test_audit_speaks_the_chosen_language(logged: Path) -> None:
    intact = cli("--data-dir", str(logged), "audit", "verify", lang="vi").out.splitlines()
    assert intact[0] == "chuỗi băm nguyên vẹn: đã kiểm tra 3 bản ghi"
    assert intact[1].startswith("chuỗi sự kiện nguyên vẹn") and intact[-1] == "nhật ký nguyên vẹn"
    assert intact[-2].startswith("đã đối chiếu với: ")
    import sqlite3

    db = sqlite3.connect(logged / "checks.db")
    db.execute("update checks set decision = 'deny' where seq = 2")
    db.commit()
    db.close()
    broken = cli("--data-dir", str(logged), "audit", "verify", lang="vi")
    lines = broken.out.splitlines()
    assert broken.code == 1 and lines[0] == "chuỗi băm BỊ PHÁ VỠ tại bản ghi số 2: nội dung đã bị sửa"
    assert lines[-1] == "NHẬT KÝ KHÔNG NGUYÊN VẸN"


def test_enrollment_failures_are_said_in_words(data_dir: Path) -> None:
    hub = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    run = cli(
        "--data-dir", str(data_dir), "enroll", "--hub", hub, "--code", "ABCDEFGHJK-" + "A" * 20, lang="vi"
    )
    assert run.code == 1
    assert f"Đăng ký không thành công: máy chủ {hub} không trả lời" in run.err
    assert "Traceback" not in run.err and run.err.splitlines()[0].startswith("scanner-app enroll:")
    not_enrolled = cli("--data-dir", str(data_dir), "sync", "--once")
    assert not_enrolled.code == 2 and "not enrolled" in not_enrolled.err


def test_sync_says_when_the_hub_has_no_trust_data_yet(data_dir: Path, tmp_path: Path) -> None:
    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    with HubServer(f"sqlite:///{hub_dir / 'hub.db'}", hub_dir) as hub:
        code = hub.hub.new_enrollment("KH-TEST-01", "road")
        enrolled = cli("--data-dir", str(data_dir), "enroll", "--hub", hub.url, "--code", str(code))
        assert enrolled.code == 0 and "Enrolled as" in enrolled.out and "KH-TEST-01" in enrolled.out
        run = cli("--data-dir", str(data_dir), "sync", "--once", lang="vi")
    assert run.code == 0, run.err
    assert "đã gửi 0 lượt kiểm tra" in run.out
    assert "Máy chủ chưa có dữ liệu tin cậy" in run.out


def test_the_human_verdict_names_the_rule_and_no_holder_of_a_failed_card(data_dir: Path) -> None:
    from scanner_app.devkit.catalog import demo_cards

    cards = {c.name: c.text for c in demo_cards(datetime.now(UTC) - timedelta(minutes=1))}
    red = cli("--data-dir", str(data_dir), "verify", cards["red-1of2-recent"], lang="vi")
    assert "ĐƯỢC PHÉP" in red.out and "Quy định: Cấp độ 1 — chốt giao thông: cho phép mọi màu thẻ" in red.out
    forged = cli("--data-dir", str(data_dir), "verify", cards["tampered"])
    assert "NOT ALLOWED" in forged.out and "Holder" not in forged.out and "Colour" not in forged.out


@pytest.mark.parametrize(
    "command", [("verify", "x"), ("export",), ("audit", "verify"), ("gate", "--source", "-")]
)
def test_an_unusable_data_folder_is_a_typed_error_in_the_chosen_language(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    english = cli("--data-dir", str(a_file), *command)
    assert english.code == 2 and "Traceback" not in english.err
    assert f"the data folder {a_file} cannot be used: it is a file, not a folder" in english.err
    missing_parent = cli("--data-dir", str(a_file / "sub"), *command, lang="vi")
    assert missing_parent.code == 2
    assert f"không dùng được thư mục dữ liệu {a_file / 'sub'}" in missing_parent.err


def test_gate_lines_speak_the_chosen_language(data_dir: Path) -> None:
    typed = "not a card\n"
    english = cli("--data-dir", str(data_dir), "gate", "--source", "-", stdin=typed)
    assert english.code == 0 and english.out.startswith("#1 NOT ALLOWED · — · Not a code this scanner knows.")
    vietnamese = cli("--data-dir", str(data_dir), "gate", "--source", "-", stdin=typed, lang="vi")
    assert vietnamese.code == 0 and vietnamese.out.startswith("#2 KHÔNG ĐƯỢC PHÉP · — · Mã không được hỗ trợ")
