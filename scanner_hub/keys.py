"""The hub's own secrets, in its data directory: its identity key (Ed25519; every answer that
changes a scanner's state is signed with it, and scanners pin it at enrollment by its
fingerprint), the bundle anchor key (ES256; its public half is pinned in the scanners'
builds), the X25519 key identities are sealed to, the deployment's HMAC secret for
certificate hashes, and optionally a self-signed TLS certificate."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.x509.oid import NameOID

from scanner_app.core.wire import certificate_sha256, fingerprint
from scanner_app.local.atomic import write_atomic


def hub_data_dir(explicit: str | None = None) -> Path:
    chosen = explicit or os.environ.get("SCANNER_HUB_DATA_DIR")
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir("scanner-hub", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pem(key: Any) -> bytes:
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
    identity_key: ed25519.Ed25519PrivateKey

    @property
    def identity_public(self) -> ed25519.Ed25519PublicKey:
        return self.identity_key.public_key()

    @property
    def fingerprint(self) -> str:
        """What `scanner-hub enroll` prints: scanners pin the identity key by it."""
        return fingerprint(self.identity_public)

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


def _key_file(path: Path, make: Any) -> Any:
    if not path.exists():
        _private_file(path, _pem(make()))
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def load_hub_keys(folder: Path) -> HubKeys:
    """The hub's keys, created on first use: the identity key answers are signed with (its
    fingerprint is what scanners pin), the sealing key, the deployment's HMAC secret."""
    secret_path = folder / "hmac-secret"
    seal = _key_file(folder / "seal-key.pem", x25519.X25519PrivateKey.generate)
    identity = _key_file(folder / "identity-key.pem", ed25519.Ed25519PrivateKey.generate)
    if not secret_path.exists():
        _private_file(secret_path, secrets.token_hex(32).encode())
    assert isinstance(seal, x25519.X25519PrivateKey) and isinstance(identity, ed25519.Ed25519PrivateKey)
    return HubKeys(seal, bytes.fromhex(secret_path.read_text().strip()), folder, identity)


def make_tls_certificate(folder: Path, hosts: list[str], days: int = 3650) -> tuple[Path, Path]:
    """A self-signed certificate for `scanner-hub serve --tls-cert/--tls-key` on a district
    network without a public CA: scanners pin it at enrollment, so no CA is needed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    now = datetime.now(UTC)
    alt_names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "tls-cert.pem", folder / "tls-key.pem"
    _private_file(key_path, _pem(key))
    write_atomic(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def tls_fingerprint(cert_path: Path) -> str:
    """SHA-256 of the certificate's DER: signed into enrollment answers, so that a scanner
    pins the certificate the genuine hub serves."""
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return certificate_sha256(certificate.public_bytes(serialization.Encoding.DER))
