"""COSE_Sign1 (RFC 8152) as used by HC1: parsing, and signature checks for ES256 and PS256."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from scanner_app.core.encoding import DecodeError, cbor_loads_strict
from scanner_app.core.model import Reason

ALG_LABEL = 1
KID_LABEL = 4
ES256 = -7
PS256 = -37
ALG_NAMES = {ES256: "ES256", PS256: "PS256"}
COSE_SIGN1_TAG = 18
CWT_TAG = 61


@dataclass(frozen=True)
class CoseSign1:
    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: Mapping[Any, Any]
    payload: bytes
    signature: bytes

    @property
    def alg(self) -> Any:
        if ALG_LABEL in self.protected:
            return self.protected[ALG_LABEL]
        return self.unprotected.get(ALG_LABEL)

    @property
    def kid(self) -> bytes | None:
        """kid from the protected header if present there, else from the unprotected one."""
        for header in (self.protected, self.unprotected):
            if KID_LABEL in header:
                kid = header[KID_LABEL]
                return kid if isinstance(kid, bytes) else None
        return None

    def signed_bytes(self) -> bytes:
        return cbor2.dumps(["Signature1", self.protected_bytes, b"", self.payload])


def parse_cose_sign1(data: bytes) -> CoseSign1:
    """Accepts the array untagged, with tag 18, or with tag 61 around tag 18."""
    item = cbor_loads_strict(data)
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
        if not (isinstance(item, cbor2.CBORTag) and item.tag == COSE_SIGN1_TAG):
            raise DecodeError(Reason.COSE_INVALID, "tag 61 must wrap a tag 18 COSE_Sign1")
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise DecodeError(Reason.COSE_INVALID, f"unexpected CBOR tag {item.tag}")
        item = item.value
    if not isinstance(item, list | tuple) or len(item) != 4:  # inside a tag cbor2 gives tuples
        raise DecodeError(Reason.COSE_INVALID, "not a 4-element COSE_Sign1 array")
    protected_bytes, unprotected, payload, signature = item
    if not all(isinstance(x, bytes) for x in (protected_bytes, payload, signature)):
        raise DecodeError(Reason.COSE_INVALID, "protected, payload and signature must be bstr")
    if not isinstance(unprotected, Mapping):
        raise DecodeError(Reason.COSE_INVALID, "unprotected header must be a map")
    unprotected = dict(unprotected)
    protected: Any = {} if protected_bytes == b"" else _header_map(protected_bytes)
    return CoseSign1(protected_bytes, protected, unprotected, payload, signature)


def _header_map(data: bytes) -> dict[Any, Any]:
    try:
        header = cbor_loads_strict(data)
    except DecodeError as exc:
        raise DecodeError(Reason.COSE_INVALID, f"protected header: {exc.detail}") from exc
    if not isinstance(header, dict):
        raise DecodeError(Reason.COSE_INVALID, "protected header is not a map")
    return header


def signature_matches(message: CoseSign1, alg: int, key: object) -> bool:
    """True only when `key` is of the kind `alg` requires and the signature verifies.

    ES256 signatures are raw r||s (64 bytes); a DER-encoded signature is refused, as the
    COSE spec requires.
    """
    data = message.signed_bytes()
    signature = message.signature
    try:
        if alg == ES256:
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
                return False
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32]), int.from_bytes(signature[32:]))
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
            return True
        if alg == PS256:
            if not isinstance(key, rsa.RSAPublicKey):
                return False
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            key.verify(signature, data, pss, hashes.SHA256())
            return True
    except InvalidSignature:
        return False
    return False


def raw_signature(private_key: object, data: bytes) -> tuple[int, bytes]:
    """(alg, signature) the way COSE wants it: ES256 as raw r||s, PS256 with salt 32."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return PS256, private_key.sign(data, pss, hashes.SHA256())
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(hashes.SHA256())))
        return ES256, r.to_bytes(32, "big") + s.to_bytes(32, "big")
    raise TypeError("signing key must be an EC P-256 or RSA private key")


def sign1(
    payload: bytes,
    private_key: object,
    *,
    kid: bytes,
    kid_in: str = "protected",
    tag: str = "18",
    extra_protected: dict[int, Any] | None = None,
) -> bytes:
    """Encode a COSE_Sign1. kid_in: protected | unprotected | both | none; tag: 18 | 61 | none."""
    alg = PS256 if isinstance(private_key, rsa.RSAPrivateKey) else ES256
    protected: dict[int, Any] = {ALG_LABEL: alg, **(extra_protected or {})}
    unprotected: dict[int, Any] = {}
    if kid_in in ("protected", "both"):
        protected[KID_LABEL] = kid
    if kid_in in ("unprotected", "both"):
        unprotected[KID_LABEL] = kid
    protected_bytes = cbor2.dumps(protected)
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    _, signature = raw_signature(private_key, to_sign)
    message = [protected_bytes, unprotected, payload, signature]
    if tag == "none":
        return cbor2.dumps(message)
    tagged = cbor2.CBORTag(COSE_SIGN1_TAG, message)
    return cbor2.dumps(cbor2.CBORTag(CWT_TAG, tagged) if tag == "61" else tagged)
