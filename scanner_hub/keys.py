"""The hub's own secrets, in its data directory: the bundle anchor key (ES256; its public
half is pinned in the scanners' builds), the X25519 key identities are sealed to, and the
deployment's HMAC secret for certificate hashes (handed to devices at enrollment, so that
hashes match across checkpoints)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519

from scanner_app.local.atomic import write_atomic


def hub_data_dir(explicit: str | None = None) -> Path:
    chosen = explicit or os.environ.get("SCANNER_HUB_DATA_DIR")
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir("scanner-hub", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pem(key: object) -> bytes:
    return key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _private_file(path: Path, data: bytes) -> None:
    write_atomic(path, data)
    os.chmod(path, 0o600)


@dataclass(frozen=True)
class HubKeys:
    seal_key: x25519.X25519PrivateKey
    hmac_secret: bytes
    folder: Path

    @property
    def seal_public(self) -> bytes:
        return self.seal_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def anchor_key(self, path: str | None = None) -> ec.EllipticCurvePrivateKey | None:
        candidate = Path(path) if path else self.folder / "anchor-key.pem"
        if not candidate.exists():
            return None
        key = serialization.load_pem_private_key(candidate.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{candidate}: the anchor key must be EC P-256")
        return key


def load_hub_keys(folder: Path) -> HubKeys:
    seal_path, secret_path = folder / "seal-key.pem", folder / "hmac-secret"
    if not seal_path.exists():
        _private_file(seal_path, _pem(x25519.X25519PrivateKey.generate()))
    if not secret_path.exists():
        _private_file(secret_path, secrets.token_hex(32).encode())
    seal = serialization.load_pem_private_key(seal_path.read_bytes(), password=None)
    assert isinstance(seal, x25519.X25519PrivateKey)
    return HubKeys(seal, bytes.fromhex(secret_path.read_text().strip()), folder)
