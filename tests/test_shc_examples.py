"""The SMART Health Cards spec examples (../shared/testdata/shc, smart-on-fhir/health-cards
gh-pages): each verifies offline with its issuer's published key set, every single-character
change of each is refused, the multi-part example joins in any order, the issuer's CRL
revokes what it lists, and the colour under the Khánh Hòa profile is what the same facts
give as a DCC."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner_app.core.bundle import Anchor, build_content, open_bundle, sign_bundle
from scanner_app.core.checkpoint import Checker, CheckpointSettings, TrustMaterial
from scanner_app.core.context import VerifyContext
from scanner_app.core.encoding import DecodeError
from scanner_app.core.model import CodeFormat, Reason, Step
from scanner_app.core.policy import policy_from_json
from scanner_app.core.rules import Colour, classify, profile_from_json
from scanner_app.core.shc_chunks import ChunkCollector
from scanner_app.core.shc_codec import (
    b64url_decode,
    inflate_raw,
    join_chunks,
    numeric_decode,
    parse_compact_jws,
    parse_text,
)
from scanner_app.core.shc_keys import ShcIssuers, import_jwks
from scanner_app.core.trust import TrustStore
from scanner_app.core.verify import verify
from scanner_app.devkit.cards import issue
from scanner_app.devkit.keys import make_csca, make_signer, new_ec_key
from scanner_app.system.resources import asset
from tests.conftest import SHARED, FakeClock, shared_path

pytestmark = pytest.mark.shared

EXAMPLES_DIR = SHARED / "shc" / "examples"
ISS = "https://spec.smarthealth.cards/examples/issuer"
NAMES = (
    sorted(p.name.removesuffix("-d-jws.txt") for p in EXAMPLES_DIR.glob("*-d-jws.txt"))
    if EXAMPLES_DIR.exists()
    else []
)
CVX_SERIES = {"207": 2, "208": 2, "212": 1, "229": 2}  # the test's own reading of the products
DIGITS = "0123456789"
PREFIX_ALTERNATIVES = "SHCabcdefghijklmnopqrstuvwxyz:/0"


@dataclass(frozen=True)
class Example:
    name: str
    texts: tuple[str, ...]  # the QR texts, in part order
    jws: str
    payload: dict[str, Any]
    fhir: dict[str, Any]

    @property
    def whole(self) -> str:
        return self.texts[0] if len(self.texts) == 1 else join_chunks(self.texts)

    @property
    def nbf(self) -> datetime:
        return datetime.fromtimestamp(self.payload["nbf"], UTC)

    @property
    def now(self) -> datetime:
        return self.nbf + timedelta(days=1)

    @property
    def header(self) -> dict[str, Any]:
        return parse_compact_jws(self.jws).header


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def _example(name: str) -> Example:
    folder = shared_path("shc", "examples")
    parts = sorted(
        folder.glob(f"{name}-f-qr-code-numeric-value-*.txt"), key=lambda p: int(p.stem.split("-")[-1])
    )
    return Example(
        name=name,
        texts=tuple(_read(p) for p in parts),
        jws=_read(folder / f"{name}-d-jws.txt"),
        payload=json.loads(_read(folder / f"{name}-c-jws-payload-minified.json")),
        fhir=json.loads(_read(folder / f"{name}-a-fhirBundle.json")),
    )


def _issuer_folder() -> Path:
    return shared_path("shc", "examples", "issuer", ".well-known")


def _jwks() -> dict[str, Any]:
    return json.loads((_issuer_folder() / "jwks.json").read_text())


def _crls() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((_issuer_folder() / "crl").glob("*.json"))]


@pytest.fixture(scope="module")
def key_set() -> ShcIssuers:
    imported = import_jwks(_jwks(), ISS)
    assert imported.skipped == ()
    return imported.issuers


@pytest.fixture(scope="module")
def with_crls() -> ShcIssuers:
    return import_jwks(_jwks(), ISS, crls=_crls()).issuers


def _context(issuers: ShcIssuers, now: datetime) -> VerifyContext:
    return VerifyContext(TrustStore(), now, shc_issuers=issuers)


def test_the_four_examples_are_there() -> None:
    shared_path("shc", "examples")
    assert len(NAMES) == 4
    assert any(len(_example(name).texts) > 1 for name in NAMES)  # the deprecated multi-part form


@pytest.mark.parametrize("name", NAMES)
def test_layers_match_the_published_intermediates(name: str) -> None:
    example = _example(name)
    jws = numeric_decode(parse_text(example.whole).digits)
    assert jws == example.jws
    payload = inflate_raw(parse_compact_jws(jws).payload)
    assert json.loads(payload) == example.payload


@pytest.mark.parametrize("name", NAMES)
def test_each_example_verifies_with_its_issuer_key_set(name: str, key_set: ShcIssuers) -> None:
    example = _example(name)
    verdict = verify(example.whole, _context(key_set, example.now))
    assert verdict.valid, f"{verdict.reason}: {verdict.steps[-1]}"
    assert (verdict.format, verdict.alg, verdict.issuer) == (CodeFormat.SHC, "ES256", ISS)
    assert verdict.kid == b64url_decode(example.header["kid"])
    assert verdict.issued_at == example.nbf
    assert [s.step for s in verdict.steps] == [
        Step.DETECT,
        Step.TEXT,
        Step.NUMERIC,
        Step.JWS,
        Step.DEFLATE,
        Step.CLAIMS,
        Step.KEY_LOOKUP,
        Step.SIGNATURE,
        Step.FHIR,
        Step.TIME,
        Step.REVOCATION,
    ]
    assert all(s.ok for s in verdict.steps)


@pytest.mark.parametrize("name", NAMES)
def test_the_holder_comes_from_the_patient(name: str, key_set: ShcIssuers) -> None:
    example = _example(name)
    verdict = verify(example.whole, _context(key_set, example.now))
    patients = [e["resource"] for e in example.fhir["entry"] if e["resource"]["resourceType"] == "Patient"]
    if not patients:
        assert verdict.holder is None
        return
    name_entry = patients[0]["name"][0]
    assert verdict.holder is not None
    assert verdict.holder.family == name_entry["family"]
    assert verdict.holder.given == " ".join(name_entry["given"])
    assert verdict.holder.dob == patients[0]["birthDate"]
    assert verdict.holder.family_std == name_entry["family"].upper()


def _revoked_rids() -> set[str]:
    return {rid.split(".")[0] for crl in _crls() for rid in crl["rids"]}


@pytest.mark.parametrize("name", NAMES)
def test_the_issuers_crl_revokes_what_it_lists(name: str, with_crls: ShcIssuers) -> None:
    example = _example(name)
    verdict = verify(example.whole, _context(with_crls, example.now))
    listed = example.payload["vc"].get("rid") in _revoked_rids()
    assert (verdict.valid, verdict.reason) == ((False, Reason.REVOKED) if listed else (True, Reason.OK))


def test_one_example_is_revoked() -> None:
    shared_path("shc", "examples")
    assert sum(_example(n).payload["vc"].get("rid") in _revoked_rids() for n in NAMES) == 1


@pytest.mark.parametrize("name", NAMES)
def test_a_kid_outside_the_issuers_set_is_unknown(name: str) -> None:
    example = _example(name)
    others = [k for k in _jwks()["keys"] if k["kid"] != example.header["kid"]]
    verdict = verify(example.whole, _context(import_jwks({"keys": others}, ISS).issuers, example.now))
    assert (verdict.valid, verdict.reason, verdict.failed_step) == (
        False,
        Reason.KID_UNKNOWN,
        Step.KEY_LOOKUP,
    )


@pytest.mark.parametrize("name", NAMES)
def test_an_issuer_not_in_the_trust_data_is_unknown(name: str) -> None:
    example = _example(name)
    other = import_jwks(_jwks(), "https://another.example/issuer").issuers
    verdict = verify(example.whole, _context(other, example.now))
    assert (verdict.valid, verdict.reason) == (False, Reason.SHC_ISSUER_UNKNOWN)


@pytest.mark.parametrize("name", NAMES)
def test_times_are_checked_with_the_skew(name: str, key_set: ShcIssuers) -> None:
    example = _example(name)
    early = verify(example.whole, _context(key_set, example.nbf - timedelta(minutes=6)))
    assert early.reason is Reason.NOT_YET_VALID
    assert verify(example.whole, _context(key_set, example.nbf - timedelta(minutes=4))).valid
    if "exp" in example.payload:
        exp = datetime.fromtimestamp(example.payload["exp"], UTC)
        assert verify(example.whole, _context(key_set, exp + timedelta(minutes=4))).valid
        assert verify(example.whole, _context(key_set, exp + timedelta(minutes=6))).reason is Reason.EXPIRED


def _multi_part() -> list[str]:
    return [n for n in NAMES if len(_example(n).texts) > 1]


@pytest.mark.parametrize("name", _multi_part() if EXAMPLES_DIR.exists() else [])
def test_one_part_alone_is_reported_as_incomplete(name: str, key_set: ShcIssuers) -> None:
    example = _example(name)
    for index, text in enumerate(example.texts, 1):
        verdict = verify(text, _context(key_set, example.now))
        assert (verdict.valid, verdict.reason) == (False, Reason.SHC_CHUNK_INCOMPLETE)
        assert f"part {index} of {len(example.texts)}" in verdict.steps[-1].detail


@pytest.mark.parametrize("name", _multi_part() if EXAMPLES_DIR.exists() else [])
def test_parts_join_in_any_order(name: str, key_set: ShcIssuers) -> None:
    example = _example(name)
    for order in itertools.permutations(example.texts):
        assert verify(join_chunks(order), _context(key_set, example.now)).valid
        collector = ChunkCollector(FakeClock())
        results = [collector.add(text) for text in order]
        assert results[:-1] == [None] * (len(order) - 1)
        assert results[-1] == example.whole


def _mutations(text: str) -> list[str]:
    """Every text that differs from `text` in exactly one character (digits by digits, the
    prefix by anything plausible)."""
    out = []
    for position, char in enumerate(text):
        choices = DIGITS if char.isdigit() and position >= 5 else PREFIX_ALTERNATIVES
        out += [text[:position] + other + text[position + 1 :] for other in choices if other != char]
    return out


def _parts() -> list[tuple[str, int]]:
    return [(n, i) for n in NAMES for i in range(len(_example(n).texts))] if EXAMPLES_DIR.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize(("name", "part"), _parts())
def test_every_single_character_change_is_refused(name: str, part: int, key_set: ShcIssuers) -> None:
    example = _example(name)
    context = _context(key_set, example.now)
    accepted, checked = [], 0
    for changed in _mutations(example.texts[part]):
        texts = [*example.texts[:part], changed, *example.texts[part + 1 :]]
        try:
            text = texts[0] if len(texts) == 1 else join_chunks(texts)
        except DecodeError:  # the changed part is no longer a part of this card
            continue
        checked += 1
        verdict = verify(text, context)
        assert verdict.reason is not Reason.INTERNAL_ERROR
        if verdict.valid:
            accepted.append(changed)
    assert accepted == []
    assert checked > 8 * len(example.texts[part])


# -- the same facts as a DCC --------------------------------------------------------------


def _dcc_facts(fhir: dict[str, Any]) -> dict[str, Any]:
    """The test's own reading of the card: completed CVX immunizations in date order."""
    doses = sorted(
        (r["occurrenceDateTime"][:10], r["vaccineCode"]["coding"][0]["code"])
        for r in (e["resource"] for e in fhir["entry"])
        if r["resourceType"] == "Immunization" and r["status"] == "completed"
    )
    payload: dict[str, Any] = {"ver": "1.3.0", "nam": {"fnt": "X"}, "dob": ""}
    if doses:
        payload["v"] = [
            {
                "tg": "840539006",
                "dn": len(doses),
                "sd": CVX_SERIES[doses[0][1]],
                "dt": doses[-1][0],
                "mp": "EU/1/20/1507" if doses[-1][1] in ("207", "229") else "EU/1/20/1528",
            }
        ]
    return payload


def _clocks(fhir: dict[str, Any], nbf: datetime) -> list[datetime]:
    dates = [
        date.fromisoformat(e["resource"]["occurrenceDateTime"][:10])
        for e in fhir["entry"]
        if e["resource"]["resourceType"] == "Immunization"
    ]
    moments = [nbf + timedelta(days=1)]
    for day in dates:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        moments += [start + timedelta(days=d) for d in (-1, 0, 13, 14, 15)]
    return moments


@pytest.fixture(scope="module")
def profile():  # type: ignore[no-untyped-def]
    return profile_from_json(json.loads(asset("rules", "VN-KH-2021-10.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", NAMES)
def test_colour_is_what_the_same_facts_give_as_a_dcc(name: str, key_set: ShcIssuers, profile) -> None:  # type: ignore[no-untyped-def]
    example = _example(name)
    verdict = verify(example.whole, _context(key_set, example.now))
    colours = []
    for moment in _clocks(example.fhir, example.nbf):
        as_shc = classify(profile, verdict.payload, moment).colour
        assert as_shc == classify(profile, _dcc_facts(example.fhir), moment).colour, moment
        colours.append(as_shc)
    if "v" in _dcc_facts(example.fhir):
        assert len(set(colours)) >= 2  # the clocks cross the profile's boundaries
    else:
        assert set(colours) == {Colour.RED}


@pytest.fixture(scope="module")
def dsc():  # type: ignore[no-untyped-def]
    return make_signer(make_csca("VN"), name="TEST DSC for SHC equivalence")


def _material(key_set: ShcIssuers, dsc, issued_at: datetime) -> TrustMaterial:  # type: ignore[no-untyped-def]
    """A real signed bundle carrying the example issuer's key set and a DCC signer."""
    anchor = new_ec_key()
    content = build_content(
        issuer="TEST",
        sequence=1,
        issued_at=issued_at,
        not_after=issued_at + timedelta(days=14),
        signers=[dsc.der],
        profiles=[json.loads(asset("rules", "VN-KH-2021-10.json").read_text(encoding="utf-8"))],
        policies=[json.loads(asset("policies", "VN-EXAMPLE-POLICY.json").read_text(encoding="utf-8"))],
        shc_issuers=key_set,
    )
    bundle = open_bundle(sign_bundle(content, anchor), [Anchor("test", anchor.public_key())])
    assert bundle.shc_issuers.to_json() == key_set.to_json()
    return TrustMaterial.from_bundle(bundle)


@pytest.mark.parametrize("name", NAMES)
def test_through_the_checker_an_shc_and_its_dcc_get_the_same_decision(name: str, key_set, dsc) -> None:  # type: ignore[no-untyped-def]
    example = _example(name)
    facts = _dcc_facts(example.fhir)
    material = _material(key_set, dsc, example.now - timedelta(hours=1))
    policy = policy_from_json(json.loads(asset("policies", "VN-EXAMPLE-POLICY.json").read_text()))
    for level in (1, 2, 3):
        checker = Checker(material, CheckpointSettings(checkpoint="office", level=level))
        shc = checker.check(example.whole, example.now)
        assert shc.valid and shc.verdict.format is CodeFormat.SHC
        if "v" not in facts:  # a DCC must hold v, t or r: no DCC carries "no facts"
            assert (shc.colour, shc.decision) == (
                Colour.RED,
                policy.decide_colour(Colour.RED, "office", level),
            )
            continue
        person = {**facts, "nam": {"fn": "Anyperson", "fnt": "ANYPERSON"}, "dob": "1951-01-20"}
        dcc_card = issue(person, dsc, example.nbf)
        dcc = checker.check(dcc_card, example.now)
        assert dcc.valid
        assert (shc.colour, shc.decision) == (dcc.colour, dcc.decision)
