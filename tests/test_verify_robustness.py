"""Bad input never escapes as an exception: the reliability catalogue (zlib bomb, CBOR depth
100k, declared lengths of 2^63, trailing bytes, wrong alg, kid collisions, DER signatures)
and hypothesis properties over the text -> verdict path."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import base45
import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner_app.core.context import VerifyContext
from scanner_app.core.cose import sign1
from scanner_app.core.model import CodeFormat, Reason
from scanner_app.core.trust import TrustStore
from scanner_app.core.verify import verify
from scanner_app.devkit.cards import DEMO_PEOPLE, cwt_payload, hc1_text, issue, vaccination
from scanner_app.devkit.keys import make_signer

NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
ISSUED = NOW - timedelta(days=1)


def _context(*signers) -> VerifyContext:  # type: ignore[no-untyped-def]
    return VerifyContext(TrustStore(s.trusted() for s in signers), NOW)


def _hc1_from_cose(cose: bytes) -> str:
    return hc1_text(cose)


def _hc1_from_raw(raw: bytes) -> str:
    return "HC1:" + base45.b45encode(raw).decode()


def _payload() -> bytes:
    dcc = vaccination(DEMO_PEOPLE[0], 2, 2, (NOW - timedelta(days=30)).date())
    return cwt_payload(dcc, ISSUED, ISSUED + timedelta(days=365))


def test_a_good_card_is_valid(signer) -> None:  # type: ignore[no-untyped-def]
    assert verify(
        _hc1_from_cose(sign1(_payload(), signer.private_key, kid=signer.kid)), _context(signer)
    ).valid


CATALOGUE = {
    # 2 MB of zeros deflate to a text that still fits in a QR code
    "zlib bomb": (
        lambda s: _hc1_from_raw(zlib.compress(b"\0" * 2_000_000, 9)),
        Reason.ZLIB_TOO_LARGE,
    ),
    "cbor depth 100k": (
        lambda s: _hc1_from_cose(b"\x81" * 100_000 + b"\x00"),
        Reason.ZLIB_TOO_LARGE,
    ),
    "cbor depth 60k": (lambda s: _hc1_from_cose(b"\x81" * 60_000 + b"\x00"), Reason.CBOR_INVALID),
    "bstr length 2^63": (
        lambda s: _hc1_from_cose(b"\x5b" + (2**63).to_bytes(8, "big")),
        Reason.CBOR_INVALID,
    ),
    "array length 2^63": (
        lambda s: _hc1_from_cose(b"\x9b" + (2**63).to_bytes(8, "big")),
        Reason.CBOR_INVALID,
    ),
    "map length 2^63": (
        lambda s: _hc1_from_cose(b"\xbb" + (2**63).to_bytes(8, "big")),
        Reason.CBOR_INVALID,
    ),
    "payload map length 2^63": (
        lambda s: _hc1_from_cose(sign1(b"\xbb" + (2**63 - 1).to_bytes(8, "big"), s.private_key, kid=s.kid)),
        Reason.CWT_INVALID,
    ),
    "trailing bytes after COSE": (
        lambda s: _hc1_from_cose(sign1(_payload(), s.private_key, kid=s.kid) + b"\x00"),
        Reason.CBOR_INVALID,
    ),
    "trailing bytes after zlib stream": (
        lambda s: _hc1_from_raw(zlib.compress(sign1(_payload(), s.private_key, kid=s.kid)) + b"junk"),
        Reason.ZLIB_INVALID,
    ),
    "truncated zlib stream": (
        lambda s: _hc1_from_raw(zlib.compress(sign1(_payload(), s.private_key, kid=s.kid))[:-9]),
        Reason.ZLIB_INVALID,
    ),
    "not compressed": (
        lambda s: _hc1_from_raw(sign1(_payload(), s.private_key, kid=s.kid)),
        Reason.ZLIB_INVALID,
    ),
    "trailing bytes in payload": (
        lambda s: _hc1_from_cose(sign1(_payload() + b"\x01", s.private_key, kid=s.kid)),
        Reason.CWT_INVALID,
    ),
    "indefinite-length payload": (
        lambda s: _hc1_from_cose(sign1(b"\xbf\x01\x62VN\xff", s.private_key, kid=s.kid)),
        Reason.CWT_INVALID,
    ),
    "duplicate map keys": (
        lambda s: _hc1_from_cose(sign1(b"\xa2\x01\x62VN\x01\x62DE", s.private_key, kid=s.kid)),
        Reason.CWT_INVALID,
    ),
    "unknown outer tag": (
        lambda s: _hc1_from_cose(cbor2.dumps(cbor2.CBORTag(99, [b"", {}, b"", b""]))),
        Reason.COSE_INVALID,
    ),
    "three-element array": (
        lambda s: _hc1_from_cose(cbor2.dumps([b"", {}, b""])),
        Reason.COSE_INVALID,
    ),
    "base45 value above 0xFFFF": (lambda s: "HC1:GGW", Reason.BASE45_INVALID),
    "base45 length mod 3 == 1": (lambda s: "HC1:AAAA", Reason.BASE45_INVALID),
    "base45 bad character": (lambda s: "HC1:ab", Reason.BASE45_INVALID),
    "trailing newline": (
        lambda s: issue(vaccination(DEMO_PEOPLE[1], 2, 2, NOW.date()), s, ISSUED) + "\n",
        Reason.WHITESPACE,
    ),
    "too long": (lambda s: "HC1:" + "0" * 5000, Reason.TOO_LONG),
    "lower-case prefix": (lambda s: "hc1:NCF", Reason.UNSUPPORTED_FORMAT),
    "prefix missing": (lambda s: "NCFOXN%TS3DH3ZSUZK", Reason.UNSUPPORTED_FORMAT),
    "empty": (lambda s: "", Reason.EMPTY),
}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_catalogue_gives_a_typed_reason(name: str, signer) -> None:  # type: ignore[no-untyped-def]
    make, reason = CATALOGUE[name]
    verdict = verify(make(signer), _context(signer))
    assert (verdict.valid, verdict.reason) == (False, reason)


def _cose_with(protected: dict, unprotected: dict, signature: bytes, payload: bytes) -> bytes:
    protected_bytes = cbor2.dumps(protected)
    return cbor2.dumps(cbor2.CBORTag(18, [protected_bytes, unprotected, payload, signature]))


def test_wrong_alg_is_refused(signer) -> None:  # type: ignore[no-untyped-def]
    for alg in (-35, -8, "ES256", None):
        header = {4: signer.kid} if alg is None else {1: alg, 4: signer.kid}
        text = _hc1_from_cose(_cose_with(header, {}, b"\0" * 64, _payload()))
        assert verify(text, _context(signer)).reason is Reason.ALG_UNSUPPORTED


def test_der_signature_instead_of_raw_is_refused(signer) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    header = cbor2.dumps({1: -7, 4: signer.kid})
    to_sign = cbor2.dumps(["Signature1", header, b"", _payload()])
    der = signer.private_key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
    text = _hc1_from_cose(cbor2.dumps(cbor2.CBORTag(18, [header, {}, _payload(), der])))
    assert verify(text, _context(signer)).reason is Reason.SIGNATURE_INVALID


def test_kid_collision_tries_every_key(csca, signer) -> None:  # type: ignore[no-untyped-def]
    """Two trusted keys share the signer's kid; the right one is found whatever the order."""
    from dataclasses import replace

    impostor = make_signer(csca, name="COLLIDING KID")
    colliding = replace(impostor.trusted(), kid=signer.kid)
    text = _hc1_from_cose(sign1(_payload(), signer.private_key, kid=signer.kid))
    for keys in ([colliding, signer.trusted()], [signer.trusted(), colliding]):
        assert verify(text, VerifyContext(TrustStore(keys), NOW)).valid
    assert verify(text, VerifyContext(TrustStore([colliding]), NOW)).reason is Reason.SIGNATURE_INVALID


def test_key_material_in_the_payload_is_never_trusted(csca, signer) -> None:  # type: ignore[no-untyped-def]
    """An attacker signs with its own key under a trusted kid and ships its certificate in
    the x5chain header (label 33): verification uses only trusted keys."""
    attacker = make_signer(csca, name="ATTACKER")
    protected = cbor2.dumps({1: -7, 4: signer.kid})
    to_sign = cbor2.dumps(["Signature1", protected, b"", _payload()])
    from scanner_app.core.cose import raw_signature

    _, signature = raw_signature(attacker.private_key, to_sign)
    text = _hc1_from_cose(_cose_with({1: -7, 4: signer.kid}, {33: attacker.der}, signature, _payload()))
    assert verify(text, _context(signer)).reason is Reason.SIGNATURE_INVALID


def test_ps256_alg_with_an_ec_key_is_refused(signer, rsa_signer) -> None:  # type: ignore[no-untyped-def]
    header = {1: -37, 4: signer.kid}
    text = _hc1_from_cose(_cose_with(header, {}, b"\0" * 256, _payload()))
    assert verify(text, _context(signer)).reason is Reason.SIGNATURE_INVALID


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_any_text_gives_a_verdict(text: str) -> None:
    verdict = verify(text, VerifyContext(TrustStore(), NOW))
    assert verdict.reason is not Reason.INTERNAL_ERROR
    assert not verdict.valid


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.booleans())
def test_any_bytes_in_the_container_give_a_verdict(raw: bytes, compress: bool) -> None:
    text = _hc1_from_raw(zlib.compress(raw) if compress else raw)
    verdict = verify(text, VerifyContext(TrustStore(), NOW))
    assert verdict.format is CodeFormat.HC1
    assert verdict.reason is not Reason.INTERNAL_ERROR and not verdict.valid


@pytest.fixture(scope="module")
def signed_cose(signer) -> bytes:  # type: ignore[no-untyped-def]
    return sign1(_payload(), signer.private_key, kid=signer.kid)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_signed_cards_are_never_accepted(signed_cose: bytes, signer, data) -> None:  # type: ignore[no-untyped-def]
    """Flip, insert or delete bytes anywhere in a signed COSE message: never valid."""
    cose = bytearray(signed_cose)
    position = data.draw(st.integers(0, len(cose) - 1))
    action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
    if action == "flip":
        cose[position] ^= data.draw(st.integers(1, 255))
    elif action == "insert":
        cose.insert(position, data.draw(st.integers(0, 255)))
    else:
        del cose[position]
    verdict = verify(_hc1_from_cose(bytes(cose)), _context(signer))
    assert verdict.reason is not Reason.INTERNAL_ERROR
    if verdict.valid:  # only a change outside the signed structure (e.g. dropping tag 18)
        assert _untagged(bytes(cose)) == _untagged(signed_cose)


def _untagged(data: bytes) -> object:
    item = cbor2.loads(data)
    while isinstance(item, cbor2.CBORTag):
        item = item.value
    return [bytes(x) if isinstance(x, bytes) else dict(x) for x in item]


def test_cbor_depth_is_bounded_directly() -> None:
    from scanner_app.core.encoding import DecodeError, cbor_loads_strict

    with pytest.raises(DecodeError):
        cbor_loads_strict(b"\x81" * 100_000 + b"\x00")
