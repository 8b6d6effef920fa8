"""This scanner's identity: a device id, its own Ed25519 key pair (generated here, never
leaving the machine; the hub learns the public half at enrollment), and the deployment's
secrets (the HMAC key for certificate hashes, the hub's sealing key), kept in
`<data dir>/device/`."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from scanner_app.local.atomic import write_atomic


@dataclass(frozen=True)
class Device:
    device_id: str
    signing_key: ed25519.Ed25519PrivateKey
    hmac_secret: bytes
    hub_url: str | None = None
    hub_seal_key: x25519.X25519PublicKey | None = None
    checkpoint_id: str | None = None
    enrolled: bool = False

    def public_key_pem(self) -> str:
        return (
            self.signing_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign(self, data: bytes) -> bytes:
        return self.signing_key.sign(data)


def _folder(data_dir: Path) -> Path:
    folder = data_dir / "device"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _private(path: Path, data: bytes) -> None:
    write_atomic(path, data)
    os.chmod(path, 0o600)


def load_device(data_dir: Path) -> Device:
    """The device identity, created on first use."""
    folder = _folder(data_dir)
    key_path, info_path = folder / "device-key.pem", folder / "device.json"
    if not key_path.exists():
        key = ed25519.Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _private(key_path, pem)
    if not info_path.exists():
        info = {"device_id": f"dev-{uuid.uuid4().hex[:12]}", "hmac_secret": secrets.token_hex(32)}
        _private(info_path, json.dumps(info).encode())
    info = json.loads(info_path.read_text())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    seal = info.get("hub_seal_key")
    return Device(
        device_id=info["device_id"],
        signing_key=key,
        hmac_secret=bytes.fromhex(info["hmac_secret"]),
        hub_url=info.get("hub_url"),
        hub_seal_key=x25519.X25519PublicKey.from_public_bytes(bytes.fromhex(seal)) if seal else None,
        checkpoint_id=info.get("checkpoint_id"),
        enrolled=bool(info.get("enrolled")),
    )


def save_enrollment(
    data_dir: Path,
    *,
    hub_url: str,
    hmac_secret: bytes,
    hub_seal_key: bytes,
    checkpoint_id: str,
) -> Device:
    """Record what the hub said at enrollment: the deployment's HMAC secret (so card hashes
    match across checkpoints), the key identities are sealed to, our checkpoint."""
    info_path = _folder(data_dir) / "device.json"
    info = json.loads(info_path.read_text())
    info.update(
        hub_url=hub_url,
        hmac_secret=hmac_secret.hex(),
        hub_seal_key=hub_seal_key.hex(),
        checkpoint_id=checkpoint_id,
        enrolled=True,
    )
    _private(info_path, json.dumps(info).encode())
    return load_device(data_dir)
