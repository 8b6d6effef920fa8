"""The `scanner-app verify` contract: arguments, JSON fields, exit codes, start-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner_app.devkit.cards import DEMO_PEOPLE, issue, lab_test, tamper, vaccination
from scanner_app.devkit.render import write_qr_png
from tests.cli_helpers import cli, cli_process

AT = "2021-10-20T10:00:00+07:00"
NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
JSON_FIELDS = {
    "format",
    "valid",
    "reason",
    "kid",
    "alg",
    "issuer",
    "certificate_type",
    "issued_at",
    "expires_at",
    "holder",
    "colour",
    "decision",
    "profile",
    "policy_version",
}


@pytest.fixture
def trust_pem(tmp_path: Path, signer) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "signer.pem"
    path.write_bytes(signer.certificate_pem())
    return path


@pytest.fixture
def card(signer) -> str:  # type: ignore[no-untyped-def]
    return issue(
        vaccination(DEMO_PEOPLE[0], 2, 2, (NOW - timedelta(days=30)).date()),
        signer,
        NOW - timedelta(days=1),
    )


def test_json_has_the_contract_fields(card: str, trust_pem: Path, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), "verify", "--trust", str(trust_pem), "--at", AT, "--json", card)
    assert run.code == 0, run.err
    out = run.json()
    assert set(out) >= JSON_FIELDS
    assert (out["format"], out["valid"], out["reason"], out["alg"]) == ("hc1", True, "ok", "ES256")
    assert out["certificate_type"] == "v" and out["issuer"] == "VN"
    assert out["holder"] == {
        "family": "Nguyễn",
        "given": "Văn An",
        "family_std": "NGUYEN",
        "given_std": "VAN<AN",
        "dob": "1985-03-12",
    }
    assert out["issued_at"].endswith("Z") and out["expires_at"].endswith("Z")
    assert (out["colour"], out["decision"], out["profile"]) == ("green", "allow", "VN-KH-2021-10")


def test_at_accepts_z_and_offsets(card: str, trust_pem: Path, data_dir: Path) -> None:
    for moment in (
        "2021-10-20T03:00:00Z",
        "2021-10-20T10:00:00+07:00",
        "2021-10-20T03:00:00+00:00",
    ):
        run = cli(
            "--data-dir",
            str(data_dir),
            "verify",
            "--trust",
            str(trust_pem),
            "--at",
            moment,
            "--json",
            card,
        )
        assert run.json()["valid"] is True


def test_invalid_verdicts_still_exit_zero(card: str, trust_pem: Path, data_dir: Path) -> None:
    run = cli(
        "--data-dir",
        str(data_dir),
        "verify",
        "--trust",
        str(trust_pem),
        "--at",
        AT,
        "--json",
        tamper(card),
    )
    assert run.code == 0
    assert (run.json()["valid"], run.json()["reason"], run.json()["decision"]) == (
        False,
        "signature_invalid",
        "deny",
    )


def test_formats_are_recognised(data_dir: Path) -> None:
    cases = {
        "079085001234|123456789|Nguyễn Văn An|12031985|Nam|Nha Trang|01072021": (
            "vn-cccd",
            "identity_only",
            "manual",
        ),
        "079085001234|Nguyễn Văn An|12/03/1985|CCCD|QID123|": (
            "vn-personal-qr",
            "identity_only",
            "manual",
        ),
        "shc:/5676290952432060346029243740446031222959532654603460292540772804": (
            "shc",
            "jws_invalid",  # the start of a real card: verified now, and refused as truncated
            "deny",
        ),
        "https://example.com/hello": ("unknown", "unsupported_format", "deny"),
    }
    for text, (fmt, reason, decision) in cases.items():
        out = cli("--data-dir", str(data_dir), "verify", "--at", AT, "--json", text).json()
        assert (out["format"], out["reason"], out["decision"], out["valid"]) == (
            fmt,
            reason,
            decision,
            False,
        )
        assert out["colour"] == ("red" if fmt == "shc" else None)  # a refused signed card is red


def test_cccd_name_keeps_its_diacritics(data_dir: Path) -> None:
    text = "079085001234||Đặng Quốc Huy|30091969|Nam|Khánh Hòa|01072021"
    out = cli("--data-dir", str(data_dir), "verify", "--at", AT, "--json", text).json()
    assert out["holder"]["family"] == "Đặng" and out["holder"]["given_std"] == "QUOC<HUY"
    assert out["holder"]["dob"] == "1969-09-30"


def test_stdin_with_a_trailing_newline(card: str, trust_pem: Path, data_dir: Path) -> None:
    run = cli(
        "--data-dir",
        str(data_dir),
        "verify",
        "--trust",
        str(trust_pem),
        "--at",
        AT,
        "--json",
        "-",
        stdin=card + "\n",
    )
    assert run.json()["valid"] is True


def test_image_is_decoded_first(card: str, trust_pem: Path, tmp_path: Path, data_dir: Path) -> None:
    png = write_qr_png(card, tmp_path / "card.png")
    run = cli(
        "--data-dir",
        str(data_dir),
        "verify",
        "--trust",
        str(trust_pem),
        "--at",
        AT,
        "--json",
        "--image",
        str(png),
    )
    assert run.code == 0, run.err
    assert run.json()["valid"] is True


@pytest.mark.parametrize(
    "args, message",
    [
        (["verify", "--at", AT], "give the QR text"),
        (["verify", "--at", "yesterday", "x"], "not an ISO-8601 time"),
        (["verify", "--at", "2021-10-20T10:00:00", "x"], "no time zone"),
        (["verify", "--trust", "/nonexistent/file.pem", "x"], "cannot read"),
        (["verify", "--image", "/nonexistent/card.png"], "cannot read"),
        (["verify", "--bundle", "/nonexistent/bundle", "x"], "cannot read"),
        (["verify", "--level", "7", "x"], "invalid choice"),
    ],
)
def test_usage_errors_exit_two(args: list[str], message: str, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), *args)
    assert run.code == 2
    assert message in run.err


def test_a_garbage_trust_file_is_a_usage_error(tmp_path: Path, data_dir: Path) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    run = cli("--data-dir", str(data_dir), "verify", "--trust", str(bogus), "x")
    assert run.code == 2 and "refused as a trust source" in run.err


def test_human_output_in_both_languages(card: str, trust_pem: Path, data_dir: Path) -> None:
    base = ("--data-dir", str(data_dir))
    vi = cli(*base, "--lang", "vi", "verify", "--trust", str(trust_pem), "--at", AT, card)
    en = cli(*base, "--lang", "en", "verify", "--trust", str(trust_pem), "--at", AT, card)
    assert "ĐƯỢC PHÉP" in vi.out and "Xanh" in vi.out
    assert "ALLOWED" in en.out and "Green" in en.out


def test_negative_pcr_is_yellow_and_a_market_at_level_3_admits_it(
    signer, trust_pem: Path, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    card = issue(lab_test(DEMO_PEOPLE[3], NOW - timedelta(hours=20)), signer, NOW - timedelta(hours=19))
    base = (
        "--data-dir",
        str(data_dir),
        "verify",
        "--trust",
        str(trust_pem),
        "--at",
        AT,
        "--json",
        "--level",
        "3",
    )
    assert cli(*base, "--checkpoint", "market", card).json()["decision"] == "allow"
    assert cli(*base, "--checkpoint", "event", card).json()["decision"] == "deny"


def test_cold_start_imports_neither_qt_nor_opencv(card: str, trust_pem: Path, data_dir: Path) -> None:
    script = (
        "import sys; from scanner_app.cli import main; "
        f"code = main(['--data-dir', {str(data_dir)!r}, 'verify', '--trust', {str(trust_pem)!r}, '--at', {AT!r}, '--json', {card!r}]); "
        "heavy = [m for m in ('PySide6', 'cv2', 'numpy', 'zxingcpp') if m in sys.modules]; "
        "print('HEAVY', heavy, file=sys.stderr); sys.exit(code)"
    )
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr


def test_as_a_real_process_with_stdin(card: str, trust_pem: Path, data_dir: Path) -> None:
    run = cli_process(
        "--data-dir",
        str(data_dir),
        "verify",
        "--trust",
        str(trust_pem),
        "--at",
        AT,
        "--json",
        "-",
        stdin=card,
    )
    assert run.code == 0 and '"valid": true' in run.out
