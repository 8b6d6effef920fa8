"""What the log may know about a person: a keyed hash of the certificate identifier (for
counts, duplicate detection and audits), and — only when the deployment turns identity
logging on — name and birth date sealed with HPKE (RFC 9180, X25519 / HKDF-SHA256 /
AES-128-GCM, from `cryptography`) to the hub's key, so this laptop cannot read them back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from scanner_app.core.model import Verdict
from scanner_app.core.revocation import normalise_certificate_id

SEAL_INFO = b"scanner-app identity v1"
_SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_128_GCM)


def certificate_hmac(secret: bytes, certificate_id: str | None) -> str | None:
    if not certificate_id:
        return None
    message = normalise_certificate_id(certificate_id).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def identity_of(verdict: Verdict) -> dict[str, Any]:
    holder = verdict.holder
    return {"format": verdict.format.value, **(holder.to_json() if holder else {})}


def seal(public_key: x25519.X25519PublicKey, identity: dict[str, Any]) -> str:
    plaintext = json.dumps(identity, ensure_ascii=False, sort_keys=True).encode()
    return base64.b64encode(_SUITE.encrypt(plaintext, public_key, info=SEAL_INFO)).decode()


def unseal(private_key: x25519.X25519PrivateKey, sealed: str) -> dict[str, Any]:
    """Hub side: only the holder of the hub's private key can read a sealed identity."""
    data: dict[str, Any] = json.loads(_SUITE.decrypt(base64.b64decode(sealed), private_key, info=SEAL_INFO))
    return data
