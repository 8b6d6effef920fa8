"""What the log may know about a person beyond the day-keyed pseudonym of the certificate
identifier (`core/pseudonym.py`): only when the deployment turns identity logging on, name
and birth date sealed with HPKE (RFC 9180, X25519 / HKDF-SHA256 /
AES-128-GCM, from `cryptography`) to the hub's key, so this laptop cannot read them back."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import x25519

from scanner_app.core.model import Verdict
from scanner_app.core.sealing import open_json, seal_json

SEAL_INFO = b"scanner-app identity v1"


def identity_of(verdict: Verdict) -> dict[str, Any]:
    holder = verdict.holder
    return {"format": verdict.format.value, **(holder.to_json() if holder else {})}


def seal(public_key: x25519.X25519PublicKey, identity: dict[str, Any]) -> str:
    return seal_json(public_key, identity, SEAL_INFO)


def unseal(private_key: x25519.X25519PrivateKey, sealed: str) -> dict[str, Any]:
    """Hub side: only the holder of the hub's private key can read a sealed identity."""
    data: dict[str, Any] = open_json(private_key, sealed, SEAL_INFO)
    return data
