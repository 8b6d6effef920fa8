"""Revocation and suspension: hashed certificate identifiers and blocked signer keys.

The list holds only hashes (the first 16 bytes of SHA-256 of the normalised certificate
identifier, as the EU revocation lists do), so the bundle reveals nobody's UVCI. Lookups are
set membership: O(1) with a million entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from scanner_app.core.model import Reason
from scanner_app.core.trust import SignerKey

HASH_BYTES = 16


def normalise_certificate_id(certificate_id: str) -> str:
    text = certificate_id.strip().upper()
    return text.removeprefix("URN:UVCI:")


def certificate_hash(certificate_id: str) -> bytes:
    normalised = normalise_certificate_id(certificate_id).encode()
    return hashlib.sha256(normalised).digest()[:HASH_BYTES]


def pack_hashes(hashes: Iterable[bytes]) -> bytes:
    """Hashes as one sorted byte string: compact in a bundle and cheap to load."""
    return b"".join(sorted(set(hashes)))


def unpack_hashes(blob: bytes) -> frozenset[bytes]:
    if len(blob) % HASH_BYTES:
        raise ValueError("hash list length is not a multiple of 16")
    view = memoryview(blob)
    return frozenset(bytes(view[i : i + HASH_BYTES]) for i in range(0, len(blob), HASH_BYTES))


@dataclass(frozen=True)
class Blocklist:
    """What a bundle (plus everything earlier bundles blocked) says must not pass."""

    revoked: frozenset[bytes] = field(default_factory=frozenset)
    suspended: frozenset[bytes] = field(default_factory=frozenset)
    blocked_keys: frozenset[bytes] = field(default_factory=frozenset)  # kid or DER SHA-256

    def status(self, certificate_id: str | None) -> Reason | None:
        if not certificate_id:
            return None
        digest = certificate_hash(certificate_id)
        if digest in self.revoked:
            return Reason.REVOKED
        if digest in self.suspended:
            return Reason.SUSPENDED
        return None

    def key_blocked(self, key: SignerKey) -> bool:
        return key.kid in self.blocked_keys or (
            bool(key.fingerprint) and key.fingerprint in self.blocked_keys
        )


EMPTY_BLOCKLIST = Blocklist()
