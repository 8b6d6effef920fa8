"""Real samples from 16 countries' issuing systems (Viet Nam's PS256 vaccine passport among
them), verified through Germany's published DSC list and its pinned signing key."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scanner_app.core.context import VerifyContext
from scanner_app.core.model import CodeFormat
from scanner_app.core.trust import (
    TrustError,
    TrustStore,
    load_certificates,
    load_public_key,
    load_trust_source,
    signer_from_certificate,
)
from scanner_app.core.verify import verify
from tests.conftest import SHARED, shared_params, shared_path

CASE_DIR = SHARED / "realdcc" / "cases"
CASES = sorted(p.name for p in CASE_DIR.iterdir()) if CASE_DIR.exists() else []
OWN_SIGNER_ONLY = {"GB-VAC_ENG", "SE-VAC_20221124"}  # their keys have since left the list
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


@pytest.fixture(scope="module")
def demo_list() -> TrustStore:
    trust = shared_path("realdcc", "trust")
    key = load_public_key((trust / "covpass-demo-dsc-list-signing-key.pem").read_bytes())
    return TrustStore(load_trust_source((trust / "covpass-demo-dsc-list.json").read_bytes(), key))


def _case(name: str) -> tuple[str, datetime, dict]:
    folder = shared_path("realdcc", "cases", name)
    meta = json.loads((folder / "case.json").read_text())
    text = (folder / "payload.txt").read_text().strip()
    middle = datetime.fromtimestamp((meta["iat"] + meta["exp"]) // 2, tz=UTC)
    return text, middle, meta


def _trust_for(name: str, demo_list: TrustStore) -> TrustStore:
    if name in OWN_SIGNER_ONLY:
        pem = shared_path("realdcc", "cases", name, "signer.pem").read_bytes()
        return TrustStore(signer_from_certificate(c) for c in load_certificates(pem))
    return demo_list


def test_all_sixteen_present() -> None:
    shared_path("realdcc", "cases")
    assert len(CASES) == 16 and "VN-VAC_VN" in CASES


@pytest.mark.parametrize("name", shared_params(CASES, "realdcc", "cases"))
def test_sample_verifies(name: str, demo_list: TrustStore) -> None:
    text, now, meta = _case(name)
    verdict = verify(text, VerifyContext(_trust_for(name, demo_list), now))
    assert verdict.valid, f"{verdict.reason}: {verdict.steps[-1].detail}"
    assert verdict.format is CodeFormat.HC1
    assert verdict.alg == meta["alg"]
    assert verdict.issuer == meta["issuer_claim_iss"]


def test_viet_nam_is_ps256(demo_list: TrustStore) -> None:
    text, now, _ = _case("VN-VAC_VN")
    verdict = verify(text, VerifyContext(demo_list, now))
    assert (verdict.valid, verdict.alg, verdict.issuer) == (True, "PS256", "VN")


def _one_changed(text: str, position: int) -> str:
    old = text[position]
    new = BASE45[(BASE45.index(old) + 1) % len(BASE45)]
    return text[:position] + new + text[position + 1 :]


@pytest.mark.parametrize("name", shared_params(CASES, "realdcc", "cases"))
def test_every_single_character_change_is_rejected(name: str, demo_list: TrustStore) -> None:
    """Every position of the Base45 body, changed once: never valid."""
    text, now, _ = _case(name)
    context = VerifyContext(_trust_for(name, demo_list), now)
    accepted = [p for p in range(4, len(text)) if verify(_one_changed(text, p), context).valid]
    assert accepted == []


def test_changed_byte_in_the_list_refuses_it_as_a_trust_source() -> None:
    trust = shared_path("realdcc", "trust")
    key = load_public_key((trust / "covpass-demo-dsc-list-signing-key.pem").read_bytes())
    data = bytearray((trust / "covpass-demo-dsc-list.json").read_bytes())
    position = data.index(b"rawData") + 20
    data[position] = ord("A") if data[position] != ord("A") else ord("B")
    with pytest.raises(TrustError, match="does not verify"):
        load_trust_source(bytes(data), key)


def test_list_without_its_key_is_refused() -> None:
    data = shared_path("realdcc", "trust", "covpass-demo-dsc-list.json").read_bytes()
    with pytest.raises(TrustError, match="trust-list-key"):
        load_trust_source(data, None)


def test_production_list_holds_viet_nams_production_signer() -> None:
    trust = shared_path("realdcc", "trust")
    key = load_public_key((trust / "covpass-dsc-list-signing-key.pem").read_bytes())
    signers = load_trust_source((trust / "covpass-dsc-list.json").read_bytes(), key)
    production = signer_from_certificate(
        load_certificates((trust / "VN-production-ZtJVElOdWm0.pem").read_bytes())[0]
    )
    assert production.fingerprint in {s.fingerprint for s in signers}
    assert production.usages is None  # only non-critical TLS/e-mail usages: signs every type
