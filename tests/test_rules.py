"""Thẻ Covid colours: the Khánh Hòa profile against its test file, directly and through the
real pipeline (dev-kit-signed cards verified by the CLI at each test's clock), and the rule
test command on the real EU rules."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scanner_app.core.rules import Colour, classify, classify_context, profile_from_json
from scanner_app.devkit.cards import cwt_payload, hc1_text, sign_cose
from scanner_app.system.resources import asset
from tests.cli_helpers import cli
from tests.conftest import SHARED, shared_params, shared_path

KH_FILE = SHARED / "certlogic" / "khanhhoa-2021-10-tests.json"
KH_TESTS = json.loads(KH_FILE.read_text())["tests"] if KH_FILE.exists() else []


@pytest.fixture(scope="module")
def kh_profile():  # type: ignore[no-untyped-def]
    return profile_from_json(json.loads(asset("rules", "VN-KH-2021-10.json").read_text()))


def test_profile_metadata(kh_profile) -> None:  # type: ignore[no-untyped-def]
    assert kh_profile.id == "VN-KH-2021-10"
    assert kh_profile.version and kh_profile.valid_from is not None
    assert set(kh_profile.title) == {"vi", "en"} and set(kh_profile.description) == {"vi", "en"}


@pytest.mark.parametrize(
    "test",
    shared_params(KH_TESTS, "certlogic", "khanhhoa-2021-10-tests.json", ids=[t["id"] for t in KH_TESTS]),
)
def test_khanh_hoa_profile(test, kh_profile) -> None:  # type: ignore[no-untyped-def]
    outcome = classify_context(kh_profile, {"payload": test["payload"], "external": test["external"]})
    assert outcome.colour.value == test["expected"], test["name"]


PIPELINE = [t for t in KH_TESTS if "validationClock" in t["external"]]


@pytest.mark.parametrize(
    "test",
    shared_params(PIPELINE, "certlogic", "khanhhoa-2021-10-tests.json", ids=[t["id"] for t in PIPELINE]),
)
def test_khanh_hoa_through_the_pipeline(test, signer, tmp_path: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Sign the payload with the dev kit, verify with the CLI at the test's clock.
    (KH030 has no clock at all, which the pipeline cannot produce: it always has one.)"""
    clock = datetime.fromisoformat(test["external"]["validationClock"])
    payload = cwt_payload(test["payload"], clock - timedelta(hours=1), clock + timedelta(days=30))
    text = hc1_text(sign_cose(payload, signer))
    pem = tmp_path / "dsc.pem"
    pem.write_bytes(signer.certificate_pem())
    run = cli(
        "--data-dir",
        str(data_dir),
        "verify",
        "--trust",
        str(pem),
        "--profile",
        "VN-KH-2021-10",
        "--at",
        test["external"]["validationClock"],
        "--json",
        text,
    )
    out = run.json()
    assert out["colour"] == test["expected"], test["name"]
    if not out["valid"]:  # a DCC without any v/t/r entry is refused before the rules: red
        assert (out["reason"], test["expected"]) == ("hcert_invalid", "red")


def test_an_evaluation_error_gives_red(kh_profile) -> None:  # type: ignore[no-untyped-def]
    payload = {"v": [{"dn": "two", "sd": 2, "dt": "2021-09-01"}]}
    outcome = classify(kh_profile, payload, datetime.fromisoformat("2021-10-20T10:00:00+07:00"))
    assert outcome.colour is Colour.RED and outcome.error


def test_other_provinces_are_data(kh_profile) -> None:  # type: ignore[no-untyped-def]
    """Ho Chi Minh City's example: one dose + 14 days is green there, yellow in Khánh Hòa."""
    hcm = profile_from_json(json.loads(asset("rules", "VN-HCM-2021-10.json").read_text()))
    payload = {"v": [{"dn": 1, "sd": 2, "dt": "2021-09-01"}]}
    now = datetime.fromisoformat("2021-10-20T10:00:00+07:00")
    assert classify(hcm, payload, now).colour is Colour.GREEN
    assert classify(kh_profile, payload, now).colour is Colour.YELLOW


def test_rules_test_command_on_the_eu_rules(data_dir: Path) -> None:
    rules = shared_path("certlogic", "rules")
    run = cli("--data-dir", str(data_dir), "rules", "test", str(rules))
    assert run.code == 0, run.out[-2000:]
    assert run.out.strip().splitlines()[-1] == "637 passed, 0 failed"


def test_rules_test_command_on_the_profile_tests(data_dir: Path) -> None:
    run = cli(
        "--data-dir",
        str(data_dir),
        "rules",
        "test",
        str(shared_path("certlogic", "khanhhoa-2021-10-tests.json")),
    )
    assert run.code == 0, run.out
    assert run.out.strip().splitlines()[-1] == "16 passed, 0 failed"


def test_rules_test_reports_failures(tmp_path: Path, data_dir: Path) -> None:
    tests = {
        "tests": [
            {
                "id": "X1",
                "name": "wrong on purpose",
                "payload": {},
                "external": {"validationClock": "2021-10-20T10:00:00Z"},
                "expected": "green",
            }
        ]
    }
    path = tmp_path / "tests.json"
    path.write_text(json.dumps(tests))
    run = cli("--data-dir", str(data_dir), "rules", "test", str(path))
    assert run.code == 1
    assert "FAIL VN-KH-2021-10 X1" in run.out and run.out.strip().endswith("0 passed, 1 failed")
