"""Sealing data to a recipient's X25519 key with HPKE (RFC 9180; X25519 / HKDF-SHA256 /
AES-128-GCM, from `cryptography`): identities in the check log sealed to the hub, and the
secrets the hub hands a device at enrollment sealed to that device. Only the holder of the
private key opens them; `info` keeps one purpose's ciphertexts out of another's."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

_SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_128_GCM)


def seal_json(public_key: x25519.X25519PublicKey, value: Any, info: bytes) -> str:
    plaintext = json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
    return base64.b64encode(_SUITE.encrypt(plaintext, public_key, info=info)).decode()


def open_json(private_key: x25519.X25519PrivateKey, sealed: str, info: bytes) -> Any:
    """Raises ValueError (or cryptography's InvalidTag) for anything not sealed to this key."""
    return json.loads(_SUITE.decrypt(base64.b64decode(sealed), private_key, info=info))
