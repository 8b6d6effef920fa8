"""EU DCC conformance vectors (dgc-testdata): every case with its own signer and clock.

A case is expected valid unless one of the flags a scanner must match is false. Where our
result differs, the case is listed in EXCEPTIONS with the upstream defect it stems from, and
the test pins our exact reason (and, for clock defects, that the card is valid at a clock
inside its own validity). Zero wrong accepts: no exception turns an expected-invalid case
valid.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scanner_app.core.context import VerifyContext
from scanner_app.core.model import Reason
from scanner_app.core.trust import TrustStore, load_certificates, signer_from_certificate
from scanner_app.core.verify import verify
from tests.conftest import SHARED, shared_params, shared_path

FLAG_REASONS = {
    "EXPECTEDUNPREFIX": {Reason.UNSUPPORTED_FORMAT},
    "EXPECTEDB45DECODE": {Reason.BASE45_INVALID},
    "EXPECTEDCOMPRESSION": {Reason.ZLIB_INVALID, Reason.ZLIB_TOO_LARGE},
    # structural failures: which layer a malformed structure trips first depends on the damage
    "EXPECTEDDECODE": {
        Reason.CBOR_INVALID,
        Reason.COSE_INVALID,
        Reason.CWT_INVALID,
        Reason.HCERT_INVALID,
    },
    "EXPECTEDVERIFY": {
        Reason.SIGNATURE_INVALID,
        Reason.KID_UNKNOWN,
        Reason.KID_MISSING,
        Reason.ALG_UNSUPPORTED,
        Reason.CWT_INVALID,
        Reason.COSE_INVALID,
        Reason.CBOR_INVALID,
    },
    "EXPECTEDEXPIRATIONCHECK": {Reason.EXPIRED, Reason.NOT_YET_VALID},
    "EXPECTEDKEYUSAGE": {Reason.KEY_USAGE_MISMATCH},
}

CLOCK_BEFORE_IAT = (
    "upstream's VALIDATIONCLOCK precedes the card's own iat and the case does not request "
    "EXPECTEDEXPIRATIONCHECK, so its clock was never meant to satisfy iat <= now"
)
EXCEPTIONS: dict[str, tuple[Reason, str]] = {
    **{
        case: (Reason.NOT_YET_VALID, CLOCK_BEFORE_IAT)
        for case in (
            "ES-1101",
            "ES-1102",
            "ES-1103",
            "ES-2101",
            "ES-2102",
            "ES-2103",
            "FR-recovery_ok",
            "FR-test_pcr_ok",
            "FR-vaccin_ok",
            "LU-INCERT_R_DCC_Recovery",
            "SG-4",
        )
    },
    "BG-4": (
        Reason.SIGNER_CERT_NOT_VALID,
        "iat 2021-02-16 precedes the DSC's notBefore 2021-05-11 (backdated issuance); the "
        "case does not request EXPECTEDEXPIRATIONCHECK, and upstream's own expiration test "
        "asserts dsc_not_valid_before <= iat whenever it runs",
    ),
    **{
        case: (
            Reason.SIGNATURE_INVALID,
            "upstream known issue dgc-testdata#228: labelled ES256 but signed with a P-384 "
            "key; ES256 means P-256, so the signature cannot verify",
        )
        for case in ("ES-401", "ES-402", "ES-403")
    },
    "LI-4": (
        Reason.KEY_USAGE_MISMATCH,
        "the DSC's extended key usage allows vaccination only and the DCC is a test; the "
        "case does not request EXPECTEDKEYUSAGE",
    ),
    "common-DGC1": (
        Reason.HCERT_INVALID,
        "EXPECTEDSCHEMAVALIDATION is false: the DCC has no v/t/r entry at all, so it "
        "carries no health statement to classify",
    ),
    "common-DGC2": (
        Reason.HCERT_INVALID,
        "EXPECTEDSCHEMAVALIDATION is false: several certificate types in one DCC, "
        "which upstream's own key-usage test rejects ('contains multiple certificates')",
    ),
}


def _cases() -> list[dict[str, Any]]:
    manifest = SHARED / "dgc" / "cases" / "manifest.jsonl"
    if not manifest.exists():
        return []
    return [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]


CASES = _cases()


def _clock(case: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(case["validation_clock_utc"].replace("Z", "+00:00"))


def _trust(case: dict[str, Any]) -> TrustStore:
    pem = shared_path("dgc", "cases", case["signer_cert_pem"]).read_bytes()
    return TrustStore(signer_from_certificate(c) for c in load_certificates(pem))


def _expected_failures(case: dict[str, Any]) -> list[str]:
    return [flag for flag in FLAG_REASONS if case["expected"].get(flag) is False]


@pytest.fixture
def corpus() -> dict[str, dict[str, Any]]:
    """The cases by id; skips (fails on CI) without ../shared/testdata."""
    shared_path("dgc", "cases", "manifest.jsonl")
    return {c["id"]: c for c in CASES}


def test_corpus_is_present(corpus: dict[str, dict[str, Any]]) -> None:
    assert len(corpus) == 229


@pytest.mark.parametrize("case", shared_params(CASES, "dgc", "cases", ids=[c["id"] for c in CASES]))
def test_case(case: dict[str, Any]) -> None:
    trust = _trust(case)
    verdict = verify(case["prefix"], VerifyContext(trust, _clock(case)))
    failing_flags = _expected_failures(case)
    if case["id"] in EXCEPTIONS:
        reason, why = EXCEPTIONS[case["id"]]
        assert not failing_flags, "an exception may never turn an expected-invalid case valid"
        assert verdict.reason == reason, why
        if reason is Reason.NOT_YET_VALID:
            inside = verdict.issued_at + timedelta(seconds=1)
            assert verify(case["prefix"], VerifyContext(trust, inside)).valid, why
        return
    if failing_flags:
        assert not verdict.valid
        allowed = set().union(*(FLAG_REASONS[f] for f in failing_flags))
        assert verdict.reason in allowed, f"{verdict.reason} for {failing_flags}"
    else:
        assert verdict.valid, f"{verdict.reason}: {verdict.steps[-1].detail}"


def test_exceptions_are_all_real_cases(corpus: dict[str, dict[str, Any]]) -> None:
    assert set(EXCEPTIONS) <= set(corpus)


def test_protected_kid_wins_over_unprotected(corpus: dict[str, dict[str, Any]]) -> None:
    """common-CO21/22: protected kid right + unprotected wrong passes; the reverse fails."""
    for case_id, valid in (("common-CO21", True), ("common-CO22", False)):
        case = corpus[case_id]
        assert verify(case["prefix"], VerifyContext(_trust(case), _clock(case))).valid is valid


def test_no_clock_is_read_inside_verify(corpus: dict[str, dict[str, Any]]) -> None:
    """Only the injected time counts: a card long expired by the real clock is valid at its
    validation clock (a verify() that read the system clock would say expired), and expired
    at an injected time after it."""
    case = corpus["AT-1"]
    assert verify(case["prefix"], VerifyContext(_trust(case), _clock(case))).valid
    assert datetime.now(UTC) > datetime(
        2023, 1, 1, tzinfo=UTC
    )  # the card is long past `exp` by the real clock
    far_future = datetime(2099, 1, 1, tzinfo=UTC)
    assert verify(case["prefix"], VerifyContext(_trust(case), far_future)).reason == Reason.EXPIRED
