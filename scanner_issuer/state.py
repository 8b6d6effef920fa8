"""The issuer's state folder: `issuer.json` (settings and signer list, never a PIN or a
private key), `csca.pem`, `dsc.pem` (the DSCs in service), one PEM per certificate under
`certs/`, the rule profile used to choose cards, and the issuance register.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from scanner_issuer.errors import IssuerError
from scanner_issuer.token import TokenConfig

STATE_FILE = "issuer.json"
STATE_FORMAT = "scanner-issuer-state"
IN_SERVICE = ("active", "retired")  # retired: signs nothing new, its cards still verify
STATUSES = (*IN_SERVICE, "withdrawn", "compromised")


@dataclass(frozen=True)
class SignerRecord:
    label: str
    key_id: str  # hex CKA_ID (token) or file name stem (DEMO files)
    kid: str  # base64, as the scanner and the bundle show it
    types: str  # "vtr" or one letter
    status: str
    not_before: str
    not_after: str

    @property
    def key_id_bytes(self) -> bytes:
        return bytes.fromhex(self.key_id)


@dataclass(frozen=True)
class IssuerState:
    folder: Path
    country: str
    province: str
    issuer_name: str
    alg: str
    demo: bool
    token: TokenConfig | None
    csca_key_id: str
    signers: tuple[SignerRecord, ...] = field(default_factory=tuple)

    # -- reading ----------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path) -> IssuerState:
        path = folder / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IssuerError(
                f"{folder} is not an issuer folder (no {STATE_FILE}); run scanner-issuer init"
            ) from None
        except (OSError, ValueError) as exc:
            raise IssuerError(f"cannot read {path}: {exc}") from exc
        if data.get("format") != STATE_FORMAT or data.get("version") != 1:
            raise IssuerError(f"{path}: not a version-1 {STATE_FORMAT} file")
        token = data.get("token")
        return cls(
            folder=folder,
            country=data["country"],
            province=data["province"],
            issuer_name=data["issuer_name"],
            alg=data["alg"],
            demo=bool(data["demo"]),
            token=TokenConfig(**token) if token else None,
            csca_key_id=data["csca_key_id"],
            signers=tuple(SignerRecord(**s) for s in data["signers"]),
        )

    def csca(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.folder / "csca.pem").read_bytes())

    def certificate(self, record: SignerRecord) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self._cert_path(record.label).read_bytes())

    def signer_for(self, kind: str) -> SignerRecord:
        for record in self.signers:
            if record.status == "active" and kind in record.types:
                return record
        raise IssuerError(
            f"no active document signer for certificate type {kind!r}; run scanner-issuer rotate"
        )

    def in_service(self) -> list[SignerRecord]:
        return [s for s in self.signers if s.status in IN_SERVICE]

    def profile_path(self) -> Path:
        return self.folder / "profile.json"

    # -- writing ----------------------------------------------------------------------

    def with_signer(self, record: SignerRecord, certificate: x509.Certificate) -> IssuerState:
        write_atomic(self._cert_path(record.label), pem(certificate))
        return replace(self, signers=(*self.signers, record))

    def with_status(self, kid: str, status: str) -> IssuerState:
        if status not in STATUSES:
            raise IssuerError(f"unknown signer status {status}")
        if not any(s.kid == kid for s in self.signers):
            raise IssuerError(f"no document signer with kid {kid}")
        return replace(
            self, signers=tuple(replace(s, status=status) if s.kid == kid else s for s in self.signers)
        )

    def save(self) -> None:
        """issuer.json and dsc.pem (the signers in service, what a bundle should carry)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        chain = b"".join(pem(self.certificate(s)) for s in self.in_service())
        write_atomic(self.folder / "dsc.pem", chain)
        data: dict[str, Any] = {
            "format": STATE_FORMAT,
            "version": 1,
            "country": self.country,
            "province": self.province,
            "issuer_name": self.issuer_name,
            "alg": self.alg,
            "demo": self.demo,
            "token": asdict(self.token) if self.token else None,
            "csca_key_id": self.csca_key_id,
            "signers": [asdict(s) for s in self.signers],
        }
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        write_atomic(self.folder / STATE_FILE, text.encode("utf-8"))

    def _cert_path(self, label: str) -> Path:
        return self.folder / "certs" / f"{label}.pem"


def signer_record(label: str, key_id: bytes, certificate: x509.Certificate, types: str) -> SignerRecord:
    from scanner_app.core.trust import kid_of

    der = certificate.public_bytes(serialization.Encoding.DER)
    return SignerRecord(
        label=label,
        key_id=key_id.hex(),
        kid=base64.b64encode(kid_of(der)).decode("ascii"),
        types=types,
        status="active",
        not_before=iso(certificate.not_valid_before_utc),
        not_after=iso(certificate.not_valid_after_utc),
    )


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target and rename: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
