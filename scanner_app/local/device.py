"""This scanner's identity, kept in `<data dir>/device/`: a device id, its own Ed25519 signing
key and X25519 sealing key (generated here, never leaving the machine; the hub learns the
public halves at enrollment), and what enrollment pinned: the hub's addresses, its identity
key (checked against the fingerprint the hub printed), its TLS certificate, the key
identities are sealed to, the checkpoint. The newest signed receipt from the hub is kept
beside them (`receipt.json`)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from scanner_app.core.wire import AnswerError, fingerprint, load_hub_key, open_answer
from scanner_app.local.atomic import write_atomic


@dataclass(frozen=True)
class HubPin:
    """The hub as enrollment pinned it."""

    urls: tuple[str, ...]
    identity: ed25519.Ed25519PublicKey
    tls_pem: str | None = None  # its self-signed certificate; None: plain HTTP or a CA-verified proxy

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.identity)


@dataclass(frozen=True)
class Device:
    device_id: str
    signing_key: ed25519.Ed25519PrivateKey
    seal_key: x25519.X25519PrivateKey
    local_secret: bytes  # pseudonyms when there is no day key from the hub (never enrolled)
    hub: HubPin | None = None
    hub_seal_key: x25519.X25519PublicKey | None = None
    checkpoint_id: str | None = None
    checkpoint_type: str | None = None
    enrolled: bool = False

    @property
    def hub_url(self) -> str | None:
        return self.hub.urls[0] if self.hub else None

    def public_key_pem(self) -> str:
        return (
            self.signing_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def seal_public_raw(self) -> bytes:
        return self.seal_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
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


def _pem(key: ed25519.Ed25519PrivateKey | x25519.X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _key(path: Path, make: Any) -> Any:
    if not path.exists():
        _private(path, _pem(make()))
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def load_device(data_dir: Path) -> Device:
    """The device identity, created on first use."""
    folder = _folder(data_dir)
    signing = _key(folder / "device-key.pem", ed25519.Ed25519PrivateKey.generate)
    sealing = _key(folder / "device-seal-key.pem", x25519.X25519PrivateKey.generate)
    assert isinstance(signing, ed25519.Ed25519PrivateKey) and isinstance(sealing, x25519.X25519PrivateKey)
    info_path = folder / "device.json"
    if not info_path.exists():
        info = {"device_id": f"dev-{uuid.uuid4().hex[:12]}", "hmac_secret": secrets.token_hex(32)}
        _private(info_path, json.dumps(info).encode())
    info = json.loads(info_path.read_text())
    seal = info.get("hub_seal_key")
    hub = None
    if info.get("hub_identity"):
        hub = HubPin(tuple(info["hub_urls"]), load_hub_key(info["hub_identity"]), info.get("hub_tls_pem"))
    return Device(
        device_id=info["device_id"],
        signing_key=signing,
        seal_key=sealing,
        local_secret=bytes.fromhex(info["hmac_secret"]),
        hub=hub,
        hub_seal_key=x25519.X25519PublicKey.from_public_bytes(bytes.fromhex(seal)) if seal else None,
        checkpoint_id=info.get("checkpoint_id"),
        checkpoint_type=info.get("checkpoint_type"),
        enrolled=bool(info.get("enrolled")) and hub is not None,
    )


@dataclass(frozen=True)
class Enrollment:
    """What a verified enrollment answer gives this device."""

    hub_urls: Sequence[str]
    hub_identity: ed25519.Ed25519PublicKey
    hub_tls_pem: str | None
    hub_seal_key: bytes
    checkpoint_id: str
    checkpoint_type: str


def save_enrollment(data_dir: Path, enrollment: Enrollment) -> Device:
    """Record the pinned hub and what it said; a new enrollment forgets the old hub's receipt."""
    info_path = _folder(data_dir) / "device.json"
    info = json.loads(info_path.read_text())
    raw = enrollment.hub_identity.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    info.update(
        hub_urls=list(enrollment.hub_urls),
        hub_identity=base64.b64encode(raw).decode(),
        hub_tls_pem=enrollment.hub_tls_pem,
        hub_seal_key=enrollment.hub_seal_key.hex(),
        checkpoint_id=enrollment.checkpoint_id,
        checkpoint_type=enrollment.checkpoint_type,
        enrolled=True,
    )
    info.pop("hub_url", None)  # protocol 1's unpinned address
    _private(info_path, json.dumps(info).encode())
    (_folder(data_dir) / "receipt.json").unlink(missing_ok=True)
    return load_device(data_dir)


# -- receipts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """The hub's signed word that it holds this device's records up to `head_seq`, the last
    one with hash `head_hash`."""

    head_seq: int | None
    head_hash: str | None
    hub_time: str
    envelope: dict[str, str]


def save_receipt(data_dir: Path, receipt: Receipt) -> None:
    write_atomic(_folder(data_dir) / "receipt.json", json.dumps(receipt.envelope).encode())


def load_receipt(data_dir: Path, device: Device) -> Receipt | None:
    """The newest receipt, its signature checked again against the pinned hub; None when
    there is none. A receipt that does not verify raises AnswerError (the file was altered)."""
    path = _folder(data_dir) / "receipt.json"
    if not path.exists() or device.hub is None:
        return None
    try:
        envelope = json.loads(path.read_text())
    except ValueError as exc:
        raise AnswerError("the stored receipt is not readable") from exc
    payload = open_answer(envelope, device.hub.identity, kind="receipt", device_id=device.device_id)
    return receipt_from(payload, envelope)


def receipt_from(payload: dict[str, Any], envelope: dict[str, str]) -> Receipt:
    seq = payload.get("head_seq")
    return Receipt(
        int(seq) if seq is not None else None, payload.get("head_hash"), str(payload["hub_time"]), envelope
    )
