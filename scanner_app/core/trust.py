"""Signer keys the verifier trusts, and the files they arrive in.

Sources: X.509 signer certificates (PEM or DER, one or many per file) and the published
DSC-list format (line 1: base64 raw ECDSA P-256 signature over the rest; then JSON with
`certificates[].rawData`). A list is trusted only after its signature checks out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from cryptography import utils as crypto_utils
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

# Extended-key-usage OIDs that restrict a DSC to certificate types (hcert spec §5.1.1),
# including the mistaken '.0.' arc that some issuers used.
_EKU_TYPES = {
    "1.3.6.1.4.1.1847.2021.1.1": "t",
    "1.3.6.1.4.1.1847.2021.1.2": "v",
    "1.3.6.1.4.1.1847.2021.1.3": "r",
    "1.3.6.1.4.1.0.1847.2021.1.1": "t",
    "1.3.6.1.4.1.0.1847.2021.1.2": "v",
    "1.3.6.1.4.1.0.1847.2021.1.3": "r",
}


class TrustError(Exception):
    """A trust source could not be read or did not verify; nothing in it was trusted."""


@dataclass(frozen=True)
class SignerKey:
    """One document signer: its public key and what the certificate allows it to sign."""

    kid: bytes
    public_key: PublicKey
    country: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    usages: frozenset[str] | None = None  # None: every certificate type; empty: none
    fingerprint: bytes = b""  # SHA-256 of the certificate DER, when there is one
    der: bytes = b""

    def allows(self, certificate_type: str) -> bool:
        return self.usages is None or certificate_type in self.usages

    def valid_at(self, moment: datetime) -> bool:
        if self.not_before is not None and moment < self.not_before:
            return False
        return not (self.not_after is not None and moment > self.not_after)


class TrustStore:
    """Signer keys by kid. kids are 8 bytes and can collide, so each maps to a list."""

    def __init__(self, keys: Iterable[SignerKey] = ()) -> None:
        self._by_kid: dict[bytes, list[SignerKey]] = {}
        self._count = 0
        for key in keys:
            self.add(key)

    def add(self, key: SignerKey) -> None:
        bucket = self._by_kid.setdefault(key.kid, [])
        if key.fingerprint and any(k.fingerprint == key.fingerprint for k in bucket):
            return
        bucket.append(key)
        self._count += 1

    def keys_for(self, kid: bytes) -> tuple[SignerKey, ...]:
        return tuple(self._by_kid.get(kid, ()))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[SignerKey]:
        for bucket in self._by_kid.values():
            yield from bucket


def kid_of(der: bytes) -> bytes:
    """kid = the first 8 bytes of SHA-256 over the signer certificate's DER."""
    return hashlib.sha256(der).digest()[:8]


def signer_from_certificate(cert: x509.Certificate, kid: bytes | None = None) -> SignerKey:
    der = cert.public_bytes(serialization.Encoding.DER)
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise TrustError(f"unsupported key type {type(key).__name__}")
    countries = cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    country = str(countries[0].value) if countries else None
    return SignerKey(
        kid=kid if kid is not None else kid_of(der),
        public_key=key,
        country=country,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        usages=_usages(cert),
        fingerprint=hashlib.sha256(der).digest(),
        der=der,
    )


def _usages(cert: x509.Certificate) -> frozenset[str] | None:
    """Which certificate types the DSC may sign; None means every type.

    hcert spec §5.1.1: the DCC OIDs restrict a key; a certificate without them signs every
    type (Viet Nam's production DSC carries only TLS/e-mail usages, non-critical). RFC 5280
    §4.2.1.12: a *critical* extended key usage limits the key to the purposes listed, so a
    critical EKU naming none of the DCC OIDs forbids signing any DCC.
    """
    try:
        extension = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        # Some real DSCs carry a mis-encoded extension elsewhere (e.g. a DER default
        # written out) that makes cryptography refuse the whole extension list; the usage
        # OIDs are still plainly in the DER, so look for their encodings there.
        der = cert.public_bytes(serialization.Encoding.DER)
        types = frozenset(t for oid, t in _EKU_DER.items() if oid in der)
        return types or None
    oids = [o.dotted_string for o in extension.value]
    types = frozenset(_EKU_TYPES[o] for o in oids if o in _EKU_TYPES)
    if not types and extension.critical:
        return frozenset()
    return types or None


def _oid_der(dotted: str) -> bytes:
    """The DER TLV of an OID, used to find usage OIDs in certificates cryptography rejects."""
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        rest = part >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body.extend(reversed(chunk))
    return bytes([0x06, len(body)]) + bytes(body)


_EKU_DER = {_oid_der(oid): kind for oid, kind in _EKU_TYPES.items()}


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM file (one or many) or a single DER certificate."""
    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise TrustError(f"not an X.509 certificate file: {exc}") from exc


def load_public_key(data: bytes) -> PublicKey:
    """A PEM or DER public key (SubjectPublicKeyInfo), or the key of a certificate."""
    key: object
    try:
        if b"-----BEGIN CERTIFICATE" in data:
            key = load_certificates(data)[0].public_key()
        elif b"-----BEGIN" in data:
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_der_public_key(data)
    except ValueError as exc:
        raise TrustError(f"not a public key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise TrustError(f"unsupported key type {type(key).__name__}")
    return key


def looks_like_dsc_list(data: bytes) -> bool:
    head, _, rest = data.partition(b"\n")
    return bool(rest.lstrip().startswith(b"{")) and b"{" not in head


def parse_dsc_list(data: bytes, signing_key: PublicKey) -> list[SignerKey]:
    """Verify a published DSC list against its pinned key, then read its certificates."""
    head, sep, body = data.partition(b"\n")
    if not sep:
        raise TrustError("DSC list: no signature line")
    try:
        raw = base64.b64decode(head.strip(), validate=True)
    except binascii.Error as exc:
        raise TrustError("DSC list: signature line is not base64") from exc
    if not isinstance(signing_key, ec.EllipticCurvePublicKey) or len(raw) != 64:
        raise TrustError("DSC list: expected a raw ECDSA P-256 signature and key")
    signature = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    try:
        signing_key.verify(signature, body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise TrustError("DSC list: signature does not verify; nothing in it is trusted") from exc
    try:
        entries = json.loads(body)["certificates"]
    except (ValueError, KeyError, TypeError) as exc:
        raise TrustError("DSC list: body is not the expected JSON") from exc
    return list(_list_signers(entries))


def _list_signers(entries: object) -> Iterator[SignerKey]:
    if not isinstance(entries, list):
        raise TrustError("DSC list: 'certificates' is not a list")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("rawData"), str):
            continue
        try:
            cert = _load_der_leniently(base64.b64decode(entry["rawData"]))
            signer = signer_from_certificate(cert)
        except (ValueError, TrustError, binascii.Error):
            continue  # one unreadable entry must not cost us the rest of a signed list
        yield signer
        listed = entry.get("kid")
        if isinstance(listed, str):
            try:
                listed_kid = base64.b64decode(listed)
            except binascii.Error:
                continue
            if listed_kid != signer.kid:
                yield SignerKey(**{**signer.__dict__, "kid": listed_kid})


def _load_der_leniently(der: bytes) -> x509.Certificate:
    # Real national DSCs include serial numbers RFC 5280 forbids (negative or zero);
    # cryptography still parses them but warns. The list's signature vouches for them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", crypto_utils.CryptographyDeprecationWarning)
        return x509.load_der_x509_certificate(der)


def load_trust_source(data: bytes, list_key: PublicKey | None = None) -> list[SignerKey]:
    """Signer keys from one file: a DSC list (needs `list_key`) or certificates."""
    if looks_like_dsc_list(data):
        if list_key is None:
            raise TrustError("this is a signed DSC list: give its key with --trust-list-key")
        return parse_dsc_list(data, list_key)
    return [signer_from_certificate(cert) for cert in load_certificates(data)]
