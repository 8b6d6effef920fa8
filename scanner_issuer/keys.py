"""Where the issuer's private keys live: a PKCS#11 token, or files (DEMO and tests only).

Both backends hand out objects with cryptography's private-key interface, so certificate
building and card signing do not care which one is in use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pkcs11
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from scanner_issuer.errors import IssuerError
from scanner_issuer.token import TokenConfig, generate_key, open_session, token_key

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
FILE_KEYS_DIR = "demo-file-keys"


class KeyBackend(Protocol):
    demo: bool

    def generate(self, *, alg: str, label: str, key_id: bytes) -> PrivateKey: ...

    def key(self, key_id: bytes) -> PrivateKey: ...


@dataclass
class TokenBackend:
    session: pkcs11.Session
    demo: bool = False

    def generate(self, *, alg: str, label: str, key_id: bytes) -> PrivateKey:
        generate_key(self.session, alg=alg, label=label, key_id=key_id)
        return self.key(key_id)

    def key(self, key_id: bytes) -> PrivateKey:
        return token_key(self.session, key_id)


@dataclass
class FileBackend:
    """Unencrypted PEM files in DIR/demo-file-keys: anyone who copies the folder can sign."""

    folder: Path
    demo: bool = True

    def generate(self, *, alg: str, label: str, key_id: bytes) -> PrivateKey:
        path = self._path(key_id)
        if path.exists():
            raise IssuerError(f"{path} already exists")
        key: PrivateKey = (
            ec.generate_private_key(ec.SECP256R1())
            if alg == "ES256"
            else rsa.generate_private_key(public_exponent=65537, key_size=3072)
        )
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        return key

    def key(self, key_id: bytes) -> PrivateKey:
        path = self._path(key_id)
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise IssuerError(f"cannot read the DEMO key file {path}: {exc}") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise IssuerError(f"{path} is not an EC or RSA key")
        return key

    def _path(self, key_id: bytes) -> Path:
        return self.folder / f"{key_id.hex()}.key.pem"


def read_pin(pin_env: str) -> str:
    pin = os.environ.get(pin_env, "")
    if not pin:
        raise IssuerError(f"the token PIN is read from the environment variable {pin_env}, which is not set")
    return pin


@contextmanager
def open_backend(state_dir: Path, token: TokenConfig | None) -> Iterator[KeyBackend]:
    """The token (logged in with the PIN from its environment variable) or the DEMO files."""
    if token is None:
        yield FileBackend(state_dir / FILE_KEYS_DIR)
        return
    with open_session(token, read_pin(token.pin_env)) as session:
        yield TokenBackend(session)
