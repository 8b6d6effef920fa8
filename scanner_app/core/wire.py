"""What crosses the wire between scanner and hub, shared by both sides (protocol 2).

Requests a device makes are signed with its Ed25519 key; every hub answer that changes a
scanner's state is signed with the hub's identity key, which the scanner pinned at
enrollment from a fingerprint the real hub printed. Nothing else on the network can make a
record look sent, move the trusted-time floor or hand over secrets.

- A check batch is `{"device_id", "nonce", "records", "lost", "signature"}`: records in `seq`
  order, each carrying its chain link; `lost` (usually null) declares a range of sequence
  numbers the device no longer has (purged by retention before a hub that lost data asked
  for them again). The signature covers the canonical JSON of everything but itself.
- A hub answer is an envelope `{"signed": base64(JSON payload), "signature"}`; the payload
  names its `kind`, the `device_id` and echoes the request's `nonce`, so an old or
  someone else's answer cannot be replayed, and carries the hub's time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from scanner_app.core.record import WIRE_FIELDS

PROTOCOL = 2
HUB_TIME_HEADER = "X-Hub-Time"  # informational only: never trusted, the signed time is
SIGNED_HEADER = "X-Hub-Signed"  # a signed envelope for answers whose body is not JSON (the bundle)
NONCE_HEADER = "X-Scanner-Nonce"
OUTBOX_FORMAT = "scanner-outbox/2"  # a file of signed batches carried on a USB stick
ENROLL_SCHEME = "scanner-enroll:"  # the enrollment link, also shown by the hub as a QR code
SECRETS_INFO = b"scanner-hub enrollment secrets v1"  # HPKE info for secrets sealed to a device
DAY_KEYS_INFO = b"scanner-hub day keys v1"  # HPKE info for day keys sealed to a device
RECOVERY_INFO = b"scanner-hub pin recovery v1"  # HPKE info for the PIN recovery code
FINGERPRINT_CHARS = 20  # base32 of SHA-256: 100 bits, enough against a second preimage


class AnswerError(ValueError):
    """A hub answer that is not signed by the pinned hub, or not an answer to this request."""


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def canonical(body: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, ASCII only (so that any text,
    lone surrogates included, has exactly one encoding)."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


# -- batches -------------------------------------------------------------------------------


def batch_body(
    device_id: str,
    records: Sequence[Mapping[str, Any]],
    nonce: str | None = None,
    lost: tuple[int, int] | None = None,
) -> dict[str, Any]:
    return {
        "device_id": device_id,
        "nonce": nonce or new_nonce(),
        "records": [{f: r.get(f) for f in WIRE_FIELDS} for r in records],
        "lost": list(lost) if lost else None,
    }


def sign_batch(
    device_id: str,
    records: Sequence[Mapping[str, Any]],
    key: ed25519.Ed25519PrivateKey,
    *,
    nonce: str | None = None,
    lost: tuple[int, int] | None = None,
) -> dict[str, Any]:
    body = batch_body(device_id, records, nonce, lost)
    return {**body, "signature": _b64(key.sign(canonical(body)))}


def batch_signature_ok(batch: Mapping[str, Any], public_key_pem: str) -> bool:
    return request_signature_ok(without_signature(batch), batch.get("signature"), public_key_pem)


def head_request(device_id: str, nonce: str, status: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`status`: what the scanner reports of itself for the district console (queued records,
    the trust bundle it runs, its clock, its version), signed with the request."""
    body: dict[str, Any] = {"kind": "head", "device_id": device_id, "nonce": nonce}
    if status is not None:
        body["status"] = dict(status)
    return body


def sign_request(body: Mapping[str, Any], key: ed25519.Ed25519PrivateKey) -> dict[str, Any]:
    """Any device request (a batch, a head request, enrollment): the body plus a signature
    over everything else it holds."""
    return {**body, "signature": _b64(key.sign(canonical(body)))}


def request_signature_ok(body: Mapping[str, Any], signature: object, public_key_pem: str) -> bool:
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        if not isinstance(key, ed25519.Ed25519PublicKey) or not isinstance(signature, str):
            return False
        key.verify(base64.b64decode(signature, validate=True), canonical(body))
    except (InvalidSignature, ValueError, TypeError, binascii.Error, UnicodeEncodeError):
        return False
    return True


def without_signature(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "signature"}


# -- signed hub answers ------------------------------------------------------------------------


def sign_answer(key: ed25519.Ed25519PrivateKey, payload: Mapping[str, Any]) -> dict[str, str]:
    data = canonical(payload)
    return {"signed": _b64(data), "signature": _b64(key.sign(data))}


def open_answer(
    envelope: object,
    hub_key: ed25519.Ed25519PublicKey,
    *,
    kind: str,
    device_id: str | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    """The payload of a signed hub answer, after checking the signature, the kind, the device
    and the nonce; AnswerError otherwise."""
    if not isinstance(envelope, Mapping):
        raise AnswerError("the answer is not signed")
    try:
        data = base64.b64decode(str(envelope["signed"]), validate=True)
        hub_key.verify(base64.b64decode(str(envelope["signature"]), validate=True), data)
        payload = json.loads(data)
    except (KeyError, ValueError, TypeError, binascii.Error) as exc:
        raise AnswerError(f"the answer is not signed properly ({type(exc).__name__})") from exc
    except InvalidSignature as exc:
        raise AnswerError("the answer is not signed by the hub this scanner enrolled with") from exc
    if not isinstance(payload, dict) or payload.get("kind") != kind:
        raise AnswerError(f"the hub signed something else than a {kind} answer")
    if device_id is not None and payload.get("device_id") != device_id:
        raise AnswerError("the signed answer is for another device")
    if nonce is not None and payload.get("nonce") != nonce:
        raise AnswerError("the signed answer does not answer this request (replayed?)")
    return payload


def encode_envelope(envelope: Mapping[str, str]) -> str:
    """An envelope as one header value."""
    return _b64(canonical(envelope))


def decode_envelope(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error):
        return None
    return value if isinstance(value, dict) else None


# -- the hub's identity --------------------------------------------------------------------------


def public_key_raw(key: ed25519.Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: ed25519.Ed25519PublicKey) -> str:
    """What the hub prints and the scanner compares: base32 of the key's SHA-256, cut."""
    digest = hashlib.sha256(public_key_raw(key)).digest()
    return base64.b32encode(digest).decode()[:FINGERPRINT_CHARS]


def load_hub_key(raw_b64: str) -> ed25519.Ed25519PublicKey:
    return ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(raw_b64, validate=True))


def certificate_sha256(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


# -- enrollment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrollmentCode:
    """`CODE-FINGERPRINT` as `scanner-hub enroll` prints it: the one-time code and the
    fingerprint of the hub's identity, so that an impostor at the typed address is refused."""

    code: str
    fingerprint: str

    @classmethod
    def parse(cls, text: str) -> EnrollmentCode:
        cleaned = text.strip().upper().replace(" ", "")
        code, _, print_ = cleaned.partition("-")
        if not code or len(print_) != FINGERPRINT_CHARS or not print_.isalnum():
            raise ValueError(
                "the enrollment code must be CODE-FINGERPRINT as the hub printed it "
                f"({FINGERPRINT_CHARS} characters after the dash)"
            )
        return cls(code, print_)

    def __str__(self) -> str:
        return f"{self.code}-{self.fingerprint}"


@dataclass(frozen=True)
class EnrollmentLink:
    """`scanner-enroll:?hub=URL&code=CODE-FINGERPRINT`, the text of the QR code the hub shows."""

    hubs: tuple[str, ...]
    code: EnrollmentCode

    @classmethod
    def parse(cls, text: str) -> EnrollmentLink:
        if not text.startswith(ENROLL_SCHEME):
            raise ValueError("not an enrollment link")
        query = parse_qs(urlsplit(text).query, strict_parsing=False)
        hubs = tuple(query.get("hub", []))
        codes = query.get("code", [])
        if not hubs or len(codes) != 1:
            raise ValueError("the enrollment link needs hub= and code=")
        for hub in hubs:
            if urlsplit(hub).scheme not in ("http", "https"):
                raise ValueError(f"not a hub address: {hub!r}")
        return cls(hubs, EnrollmentCode.parse(codes[0]))

    def __str__(self) -> str:
        hubs = "&".join(f"hub={quote(h, safe=':/')}" for h in self.hubs)
        return f"{ENROLL_SCHEME}?{hubs}&code={self.code}"


def enrollment_body(
    code: EnrollmentCode, device_id: str, public_key_pem: str, seal_public_key: bytes, nonce: str
) -> dict[str, Any]:
    """What a device signs to enroll: its proof that it holds the key it names, bound to the
    hub it expects (the fingerprint) and to this request (the nonce)."""
    return {
        "code": code.code,
        "hub_fingerprint": code.fingerprint,
        "device_id": device_id,
        "public_key": public_key_pem,
        "seal_public_key": _b64(seal_public_key),
        "nonce": nonce,
        "protocol": PROTOCOL,
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
