"""SMART Health Cards signed here with fresh keys: every layer refused with its own typed
reason (the SHC half of the robustness catalogue: DEFLATE bomb, huge and odd digit strings,
pairs above 77, alg none, non-canonical base64url, key material in the header, ...), no text
escaping as an exception, and the FHIR -> vaccination-facts mapping the profiles read."""

from __future__ import annotations

import json
import time
import zlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner_app.core.context import VerifyContext
from scanner_app.core.cvx import PRODUCTS
from scanner_app.core.model import CodeFormat, Reason, Step
from scanner_app.core.revocation import Blocklist, certificate_hash
from scanner_app.core.rules import Colour, classify, profile_from_json
from scanner_app.core.shc_chunks import ChunkCollector
from scanner_app.core.shc_codec import (
    MAX_TEXT,
    b64url_decode,
    b64url_encode,
    deflate_raw,
    join_chunks,
    numeric_decode,
    numeric_encode,
)
from scanner_app.core.trust import TrustStore
from scanner_app.core.verify import verify
from scanner_app.devkit.cards import DEMO_PEOPLE, vaccination
from scanner_app.system.resources import asset
from tests.conftest import FakeClock
from tests.shc_helpers import (
    ISS,
    IssuerKey,
    card,
    chunks,
    claims,
    immunization,
    minified,
    new_issuer,
    patient,
    qr_text,
    raw_signature,
    sign_jws,
)

NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
ISSUED = NOW - timedelta(days=1)
PERSON = patient("Nguyễn", ["Văn", "An"], "1985-03-12")
TWO_DOSES = [PERSON, immunization("208", "2021-07-01"), immunization("208", "2021-08-01")]
PROFILE = profile_from_json(json.loads(asset("rules", "VN-KH-2021-10.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def key() -> IssuerKey:
    return new_issuer()


def _context(key: IssuerKey, now: datetime = NOW, **options: Any) -> VerifyContext:
    return VerifyContext(TrustStore(), now, shc_issuers=key.issuers(), **options)


def _good(key: IssuerKey, **options: Any) -> str:
    return card(key, claims(TWO_DOSES, ISSUED, **options))


def _header(key: IssuerKey, **changes: Any) -> dict[str, Any]:
    header = {"zip": "DEF", "alg": "ES256", "kid": key.kid, **changes}
    return {k: v for k, v in header.items() if v is not None}


def test_a_good_card_verifies_and_names_its_holder(key: IssuerKey) -> None:
    verdict = verify(_good(key), _context(key))
    assert (verdict.valid, verdict.format, verdict.certificate_type) == (True, CodeFormat.SHC, "v")
    assert verdict.holder is not None
    assert (verdict.holder.family, verdict.holder.given, verdict.holder.dob) == (
        "Nguyễn",
        "Văn An",
        "1985-03-12",
    )
    assert (verdict.holder.family_std, verdict.holder.given_std) == ("NGUYEN", "VAN<AN")
    assert verdict.payload is not None
    assert verdict.payload["v"][0] | {"is": "", "ci": ""} == {
        "tg": "840539006",
        "vp": "1119349007",
        "mp": "EU/1/20/1528",
        "ma": "ORG-100030215",
        "dn": 2,
        "sd": 2,
        "dt": "2021-08-01",
        "is": "",
        "ci": "",
    }


def _bomb(key: IssuerKey) -> str:
    # 5 MB of spaces deflate to ~5 KB: a text that still fits the numeric limit
    return qr_text(sign_jws(key, deflate_raw(b" " * 5_000_000), compressed=True))


def _jws_parts(key: IssuerKey) -> list[str]:
    return sign_jws(key, minified(claims(TWO_DOSES, ISSUED))).split(".")


def _non_canonical_signature(key: IssuerKey) -> str:
    header, payload, signature = _jws_parts(key)
    last = signature[-1]
    # 64 bytes = 86 characters: the last one carries 2 bits and 4 unused ones
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sibling = alphabet[alphabet.index(last) ^ 1]
    return qr_text(f"{header}.{payload}.{signature[:-1]}{sibling}")


def _signed_header(key: IssuerKey, header_json: bytes) -> str:
    payload = b64url_encode(deflate_raw(minified(claims(TWO_DOSES, ISSUED))))
    head = b64url_encode(header_json)
    signature = raw_signature(key.private_key, f"{head}.{payload}".encode())
    return qr_text(f"{head}.{payload}.{b64url_encode(signature)}")


def _signed_body(key: IssuerKey, body: bytes) -> str:
    return qr_text(sign_jws(key, body))


def _claims_with(**changes: Any) -> dict[str, Any]:
    payload = claims(TWO_DOSES, ISSUED)
    for name, value in changes.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    return payload


CATALOGUE = {
    "deflate bomb": (_bomb, Reason.DEFLATE_TOO_LARGE),
    "not deflated": (lambda k: qr_text(sign_jws(k, b'{"iss":1}', compressed=True)), Reason.DEFLATE_INVALID),
    "zlib instead of raw deflate": (
        lambda k: qr_text(sign_jws(k, zlib.compress(minified(claims(TWO_DOSES, ISSUED))), compressed=True)),
        Reason.DEFLATE_INVALID,
    ),
    "truncated deflate": (
        lambda k: qr_text(
            sign_jws(k, deflate_raw(minified(claims(TWO_DOSES, ISSUED)))[:-6], compressed=True)
        ),
        Reason.DEFLATE_INVALID,
    ),
    "trailing bytes after deflate": (
        lambda k: qr_text(
            sign_jws(k, deflate_raw(minified(claims(TWO_DOSES, ISSUED))) + b"junk", compressed=True)
        ),
        Reason.DEFLATE_INVALID,
    ),
    "10 million digits": (lambda k: "shc:/" + "5" * 10_000_000, Reason.TOO_LONG),
    "just over the limit": (lambda k: "shc:/" + "56" * (MAX_TEXT // 2), Reason.TOO_LONG),
    "odd number of digits": (lambda k: "shc:/567", Reason.SHC_NUMERIC_INVALID),
    "digit pair 78": (lambda k: "shc:/5678", Reason.SHC_NUMERIC_INVALID),
    "digit pair 99": (lambda k: "shc:/99", Reason.SHC_NUMERIC_INVALID),
    "a letter among the digits": (lambda k: "shc:/56a7", Reason.SHC_NUMERIC_INVALID),
    "arabic-indic digits": (lambda k: "shc:/56\u0663\u0664", Reason.SHC_NUMERIC_INVALID),
    "nothing after the prefix": (lambda k: "shc:/", Reason.SHC_NUMERIC_INVALID),
    "part 4 of 3": (lambda k: "shc:/4/3/5676", Reason.SHC_NUMERIC_INVALID),
    "part 0 of 3": (lambda k: "shc:/0/3/5676", Reason.SHC_NUMERIC_INVALID),
    "part 1 of 11": (lambda k: "shc:/1/11/5676", Reason.SHC_NUMERIC_INVALID),
    "part 2 of 3": (lambda k: "shc:/2/3/5676", Reason.SHC_CHUNK_INCOMPLETE),
    "trailing newline": (lambda k: _good(k) + "\n", Reason.WHITESPACE),
    "space inside": (lambda k: _good(k)[:40] + " " + _good(k)[40:], Reason.WHITESPACE),
    "two parts": (lambda k: qr_text("eyJhbGciOiJFUzI1NiJ9.e30"), Reason.JWS_INVALID),
    "four parts": (lambda k: qr_text(".".join([*_jws_parts(k), "AA"])), Reason.JWS_INVALID),
    "empty signature (alg none style)": (
        lambda k: qr_text(".".join([*_jws_parts(k)[:2], ""])),
        Reason.JWS_INVALID,
    ),
    "base64 padding": (
        lambda k: qr_text(".".join([_jws_parts(k)[0] + "=", *_jws_parts(k)[1:]])),
        Reason.JWS_INVALID,
    ),
    "non-canonical base64url": (_non_canonical_signature, Reason.JWS_INVALID),
    "header not JSON": (lambda k: _signed_header(k, b"{zip:DEF}"), Reason.JWS_INVALID),
    "header a JSON list": (lambda k: _signed_header(k, b'["ES256"]'), Reason.JWS_INVALID),
    "duplicate header keys": (
        lambda k: _signed_header(k, b'{"zip":"DEF","alg":"none","alg":"ES256","kid":"%s"}' % k.kid.encode()),
        Reason.JWS_INVALID,
    ),
    "alg none": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header=_header(k, alg="none")),
        Reason.ALG_UNSUPPORTED,
    ),
    "alg HS256": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header=_header(k, alg="HS256")),
        Reason.ALG_UNSUPPORTED,
    ),
    "alg ES384": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header=_header(k, alg="ES384")),
        Reason.ALG_UNSUPPORTED,
    ),
    "alg missing": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header={"zip": "DEF", "kid": k.kid}),
        Reason.ALG_UNSUPPORTED,
    ),
    "crit header": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header=_header(k, crit=["b64"], b64=False)),
        Reason.JWS_INVALID,
    ),
    "zip missing": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header={"alg": "ES256", "kid": k.kid}),
        Reason.JWS_INVALID,
    ),
    "zip GZIP": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header=_header(k, zip="GZIP")),
        Reason.JWS_INVALID,
    ),
    "kid missing": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header=_header(k, kid=None)),
        Reason.KID_MISSING,
    ),
    "kid a number": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header=_header(k, kid=7)),
        Reason.KID_MISSING,
    ),
    "payload not JSON": (lambda k: _signed_body(k, b"not json"), Reason.SHC_PAYLOAD_INVALID),
    "payload not UTF-8": (lambda k: _signed_body(k, b'{"iss":"\xff"}'), Reason.SHC_PAYLOAD_INVALID),
    "payload a list": (lambda k: _signed_body(k, b"[1,2]"), Reason.SHC_PAYLOAD_INVALID),
    "payload with NaN": (
        lambda k: _signed_body(k, minified(claims(TWO_DOSES, ISSUED))[:-1] + b',"x":NaN}'),
        Reason.SHC_PAYLOAD_INVALID,
    ),
    "payload nested 100k deep": (
        lambda k: _signed_body(k, b"[" * 30_000 + b"]" * 30_000),
        Reason.SHC_PAYLOAD_INVALID,
    ),
    "duplicate payload keys": (
        lambda k: _signed_body(
            k, minified(claims(TWO_DOSES, ISSUED))[:-1] + b',"iss":"https://evil.example"}'
        ),
        Reason.SHC_PAYLOAD_INVALID,
    ),
    "a 5000-digit nbf": (
        lambda k: _signed_body(k, b'{"iss":"%s","nbf":%s}' % (ISS.encode(), b"9" * 5000)),
        Reason.SHC_PAYLOAD_INVALID,
    ),
    "nbf 1e400": (
        lambda k: _signed_body(k, b'{"iss":"%s","nbf":1e400,"vc":{}}' % ISS.encode()),
        Reason.SHC_PAYLOAD_INVALID,
    ),
    "nbf missing": (lambda k: card(k, _claims_with(nbf=None)), Reason.SHC_PAYLOAD_INVALID),
    "nbf a string": (lambda k: card(k, _claims_with(nbf="2021-10-19")), Reason.SHC_PAYLOAD_INVALID),
    "nbf true": (lambda k: card(k, _claims_with(nbf=True)), Reason.SHC_PAYLOAD_INVALID),
    "exp a string": (lambda k: card(k, _claims_with(exp="never")), Reason.SHC_PAYLOAD_INVALID),
    "iss missing": (lambda k: card(k, _claims_with(iss=None)), Reason.SHC_PAYLOAD_INVALID),
    "not a health card": (
        lambda k: card(k, _claims_with(vc={"type": ["VerifiableCredential"]})),
        Reason.SHC_PAYLOAD_INVALID,
    ),
    "rid too long": (lambda k: card(k, claims(TWO_DOSES, ISSUED, rid="A" * 25)), Reason.SHC_PAYLOAD_INVALID),
    "issuer not trusted": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED, iss="https://other.example")),
        Reason.SHC_ISSUER_UNKNOWN,
    ),
    "kid not in the issuer's set": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), header=_header(k, kid=new_issuer().kid)),
        Reason.KID_UNKNOWN,
    ),
    "signed by another key": (
        lambda k: card(k, claims(TWO_DOSES, ISSUED), signer=new_issuer().private_key),
        Reason.SIGNATURE_INVALID,
    ),
    "attacker's jwk in the header": (
        lambda k: card(
            k,
            claims(TWO_DOSES, ISSUED),
            header=_header(k, jwk=new_issuer().jwk),
            signer=new_issuer().private_key,
        ),
        Reason.SIGNATURE_INVALID,
    ),
    "fhirBundle not a Bundle": (
        lambda k: card(
            k, _claims_with(vc={"type": ["https://smarthealth.cards#health-card"], "credentialSubject": {}})
        ),
        Reason.FHIR_INVALID,
    ),
    "two Patients": (lambda k: card(k, claims([PERSON, PERSON], ISSUED)), Reason.FHIR_INVALID),
    "an entry without a resource": (
        lambda k: card(k, _fhir_entries([{"fullUrl": "resource:0"}])),
        Reason.FHIR_INVALID,
    ),
    "prefix only upper-case": (lambda k: "SHC:/5676", Reason.UNSUPPORTED_FORMAT),
}


def _fhir_entries(entries: list[Any]) -> dict[str, Any]:
    payload = claims(TWO_DOSES, ISSUED)
    payload["vc"]["credentialSubject"]["fhirBundle"]["entry"] = entries
    return payload


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_catalogue_gives_a_typed_reason_fast(name: str, key: IssuerKey) -> None:
    make, reason = CATALOGUE[name]
    text = make(key)
    started = time.perf_counter()
    verdict = verify(text, _context(key))
    elapsed = time.perf_counter() - started
    assert (verdict.valid, verdict.reason) == (False, reason), verdict.steps[-1:]
    assert elapsed < 0.5  # typed reasons come back fast (the bomb stops at 64 KiB)


def test_a_failed_step_is_recorded_with_its_reason(key: IssuerKey) -> None:
    verdict = verify(_bomb(key), _context(key))
    assert verdict.failed_step is Step.DEFLATE
    assert [s.step for s in verdict.steps] == [Step.DETECT, Step.TEXT, Step.NUMERIC, Step.JWS, Step.DEFLATE]


def test_time_window_with_skew(key: IssuerKey) -> None:
    text = _good(key, exp=NOW + timedelta(days=1))
    assert verify(text, _context(key, ISSUED - timedelta(minutes=4))).valid
    assert verify(text, _context(key, ISSUED - timedelta(minutes=6))).reason is Reason.NOT_YET_VALID
    assert verify(text, _context(key, NOW + timedelta(days=1, minutes=4))).valid
    assert verify(text, _context(key, NOW + timedelta(days=1, minutes=6))).reason is Reason.EXPIRED
    assert verify(_good(key), _context(key, NOW + timedelta(days=3650))).valid  # exp is optional


def test_blocked_issuer_key_is_refused(key: IssuerKey) -> None:
    blocklist = Blocklist(blocked_keys=frozenset({b64url_decode(key.kid)}))
    verdict = verify(_good(key), _context(key, blocklist=blocklist))
    assert (verdict.reason, verdict.failed_step) == (Reason.KEY_BLOCKED, Step.SIGNATURE)


def test_bundle_blocklist_revokes_by_certificate_id(key: IssuerKey) -> None:
    text = _good(key, rid="Xy_-9aB")
    certificate_id = verify(text, _context(key)).certificate_id
    assert certificate_id == f"shc:{ISS}#rid:{b'Xy_-9aB'.hex()}"
    blocklist = Blocklist(revoked=frozenset({certificate_hash(certificate_id)}))
    assert verify(text, _context(key, blocklist=blocklist)).reason is Reason.REVOKED
    case_sibling = _good(key, rid="xY_-9Ab")  # base64url is case-sensitive: another card
    assert verify(case_sibling, _context(key, blocklist=blocklist)).valid


def test_issuer_crl_with_and_without_a_timestamp(key: IssuerKey) -> None:
    crl = {"kid": key.kid, "method": "rid", "ctr": 3, "rids": ["plain", f"stamped.{int(NOW.timestamp())}"]}
    context = VerifyContext(TrustStore(), NOW, shc_issuers=key.issuers([crl]))
    assert verify(_good(key, rid="plain"), context).reason is Reason.REVOKED
    assert verify(_good(key, rid="stamped"), context).reason is Reason.REVOKED  # issued before
    after = card(key, claims(TWO_DOSES, NOW + timedelta(seconds=1), rid="stamped"))
    assert verify(
        after, VerifyContext(TrustStore(), NOW + timedelta(hours=1), shc_issuers=key.issuers([crl]))
    ).valid
    assert verify(_good(key, rid="other"), context).valid
    assert verify(_good(key), context).valid  # no rid: the CRL cannot name it


def test_a_name_no_output_can_print_is_dropped_not_crashed_on(key: IssuerKey) -> None:
    # JSON may escape a lone surrogate ("\ud800"); Python decodes it into a str no stream can write
    body = json.dumps(claims([patient("\ud800", ["An"], "1985-03-12")], ISSUED)).encode("ascii")
    assert b"\\ud800" in body
    verdict = verify(_signed_body(key, body), _context(key))
    assert verdict.valid and verdict.holder is not None
    assert (verdict.holder.family, verdict.holder.given) == (None, "An")
    json.dumps(verdict.to_json(), ensure_ascii=False).encode("utf-8")


def test_multi_part_card_joins_and_the_collector_forgets_old_parts(key: IssuerKey) -> None:
    jws = sign_jws(key, minified(claims(TWO_DOSES, ISSUED)))
    parts = chunks(jws, 3)
    assert verify(join_chunks(reversed(parts)), _context(key)).valid
    clock = FakeClock()
    collector = ChunkCollector(clock, window_seconds=20)
    assert collector.add(parts[0]) is None and collector.add(parts[1]) is None
    assert collector.pending() == (2, 3)
    clock.advance(21)
    assert collector.add(parts[2]) is None  # the first two are gone
    assert collector.add(parts[0]) is None
    clock.advance(5)
    joined = collector.add(parts[1])
    assert joined is not None and verify(joined, _context(key)).valid
    assert collector.pending() is None
    assert collector.add(_good(key)) is None  # a whole card is not a part


def test_parts_of_two_cards_never_verify(key: IssuerKey) -> None:
    first = chunks(sign_jws(key, minified(claims(TWO_DOSES, ISSUED))), 2)
    second = chunks(sign_jws(key, minified(claims([PERSON, immunization("212", "2021-05-01")], ISSUED))), 2)
    mixed = join_chunks([first[0], second[1]])
    assert not verify(mixed, _context(key)).valid


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_shc_text_gives_a_verdict(tail: str) -> None:
    verdict = verify("shc:/" + tail, VerifyContext(TrustStore(), NOW))
    assert verdict.format is CodeFormat.SHC
    assert verdict.reason is not Reason.INTERNAL_ERROR and not verdict.valid


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", max_size=3000))
def test_any_digits_give_a_verdict(digits: str) -> None:
    verdict = verify("shc:/" + digits, VerifyContext(TrustStore(), NOW))
    assert verdict.reason is not Reason.INTERNAL_ERROR and not verdict.valid


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=[chr(c) for c in range(45, 123)], max_size=500))
def test_numeric_encoding_round_trips(text: str) -> None:
    assert numeric_decode(numeric_encode(text)) == text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600), st.booleans())
def test_any_signed_bytes_give_a_verdict(key: IssuerKey, body: bytes, deflate: bool) -> None:
    text = qr_text(sign_jws(key, deflate_raw(body) if deflate else body, compressed=True))
    verdict = verify(text, _context(key))
    assert verdict.reason is not Reason.INTERNAL_ERROR and not verdict.valid


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(JSON, JSON)
def test_any_signed_json_in_the_claims_gives_a_verdict(key: IssuerKey, vc: Any, fhir: Any) -> None:
    payload = claims(TWO_DOSES, ISSUED)
    for value, where in ((vc, ("vc", "rid")), (fhir, ("vc", "credentialSubject", "fhirBundle"))):
        target = payload
        for step in where[:-1]:
            target = target[step]
        target[where[-1]] = value
    verdict = verify(card(key, payload), _context(key))
    assert verdict.reason is not Reason.INTERNAL_ERROR


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_signed_cards_are_never_accepted(key: IssuerKey, data: st.DataObject) -> None:
    """Flip, insert or delete a character anywhere in a signed JWS: never valid."""
    jws = list(sign_jws(key, minified(claims(TWO_DOSES, ISSUED))))
    position = data.draw(st.integers(0, len(jws) - 1))
    action = data.draw(st.sampled_from(["replace", "insert", "delete"]))
    alphabet = [chr(c) for c in range(45, 123)]
    if action == "replace":
        jws[position] = data.draw(st.sampled_from([c for c in alphabet if c != jws[position]]))
    elif action == "insert":
        jws.insert(position, data.draw(st.sampled_from(alphabet)))
    else:
        del jws[position]
    verdict = verify(qr_text("".join(jws)), _context(key))
    assert verdict.reason is not Reason.INTERNAL_ERROR and not verdict.valid


# -- FHIR to the facts the profiles read --------------------------------------------------


def _payload(key: IssuerKey, resources: list[dict[str, Any]]) -> dict[str, Any]:
    verdict = verify(card(key, claims(resources, ISSUED)), _context(key))
    assert verdict.valid, verdict.steps[-1]
    assert verdict.payload is not None
    return verdict.payload


def _dose_facts(payload: dict[str, Any]) -> tuple[int, int, str] | None:
    if "v" not in payload:
        return None
    entry = payload["v"][0]
    return entry["dn"], entry["sd"], entry["dt"]


@pytest.mark.parametrize(
    ("immunizations", "facts"),
    [
        ([immunization("212", "2021-05-01")], (1, 1, "2021-05-01")),  # Janssen: one dose completes
        ([immunization("210", "2021-05-01"), immunization("208", "2021-06-01")], (2, 2, "2021-06-01")),
        (
            [immunization("208", "2021-08-01T09:30:00+07:00"), immunization("208", "2021-07-01")],
            (2, 2, "2021-08-01"),
        ),
        ([immunization("212", "2021-05-01"), immunization("208", "2021-09-01")], (2, 1, "2021-09-01")),
        (
            [immunization("208", "2021-07-01"), immunization("208", "2021-08-01", status="entered-in-error")],
            (1, 2, "2021-07-01"),
        ),
        (
            [immunization("208", "2021-07-01"), immunization("208", "2021-08-01", status="not-done")],
            (1, 2, "2021-07-01"),
        ),
        (
            [immunization("208", "2021-07-01"), immunization("208", "2021-08-01", isSubpotent=True)],
            (1, 2, "2021-07-01"),
        ),
        (
            [immunization("213", "2021-07-01"), immunization("208", "2021-08-01")],
            (1, 2, "2021-08-01"),
        ),  # unspecified
        ([immunization("140", "2021-07-01")], None),  # influenza: not a COVID-19 dose
        ([immunization("208", "2021-07")], None),  # no day: cannot be dated
        ([], None),
    ],
)
def test_immunizations_become_dose_facts(
    key: IssuerKey, immunizations: list[dict[str, Any]], facts: Any
) -> None:
    assert _dose_facts(_payload(key, [PERSON, *immunizations])) == facts


def test_uncounted_doses_are_named_in_the_step(key: IssuerKey) -> None:
    text = card(
        key, claims([PERSON, immunization("213", "2021-07-01"), immunization("208", "2021-08-01")], ISSUED)
    )
    detail = verify(text, _context(key)).steps[-3].detail
    assert "208@2021-08-01" in detail and "CVX 213 not a known COVID-19 product" in detail


CVX_CODES = sorted(PRODUCTS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(CVX_CODES), st.dates(date(2021, 6, 1), date(2022, 6, 30))), max_size=4
    ),
    st.integers(0, 400),
)
def test_an_shc_is_coloured_as_the_dcc_with_the_same_facts(
    key: IssuerKey, doses: list[Any], days: int
) -> None:
    resources = [PERSON, *(immunization(code, when.isoformat()) for code, when in doses)]
    shc_payload = _payload(key, resources)
    moment = datetime(2021, 10, 1, 3, tzinfo=UTC) + timedelta(days=days)
    if doses:
        ordered = sorted(doses, key=lambda d: d[1])
        first, last = PRODUCTS[ordered[0][0]], PRODUCTS[ordered[-1][0]]
        dcc = vaccination(DEMO_PEOPLE[0], len(doses), first.series, ordered[-1][1], product=last.mp)
    else:
        dcc = {"ver": "1.3.0", "nam": DEMO_PEOPLE[0].nam(), "dob": DEMO_PEOPLE[0].dob}
    assert classify(PROFILE, shc_payload, moment).colour == classify(PROFILE, dcc, moment).colour


def test_the_khanh_hoa_boundaries_hold_for_an_shc(key: IssuerKey) -> None:
    """14 days inclusive from a date-only dose at 00:00 UTC (the profile is in force from
    1 October 2021)."""
    doses = [PERSON, immunization("208", "2021-09-20"), immunization("208", "2021-10-10")]
    payload = _payload(key, doses)
    at = lambda day: classify(PROFILE, payload, datetime(2021, 10, day, tzinfo=UTC)).colour  # noqa: E731
    assert (at(23), at(24)) == (Colour.YELLOW, Colour.GREEN)
    single = _payload(key, [PERSON, immunization("208", "2021-10-10")])
    at = lambda day: classify(PROFILE, single, datetime(2021, 10, day, tzinfo=UTC)).colour  # noqa: E731
    assert (at(23), at(24)) == (Colour.RED, Colour.YELLOW)
    assert at(9) is Colour.RED  # a dose in the future
