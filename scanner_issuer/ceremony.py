"""Key ceremony steps: create the issuer (CSCA + DSCs) and rotate document signers.

Every key is generated where it will live (the token, or DEMO files); certificates are
signed by the CSCA key through the same backend, then checked against the CSCA before
anything is written.
"""

from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509

from scanner_issuer.certs import ALL_TYPES, build_csca, build_dsc, organisation
from scanner_issuer.errors import IssuerError
from scanner_issuer.keys import KeyBackend, open_backend
from scanner_issuer.state import STATE_FILE, IssuerState, SignerRecord, pem, signer_record, write_atomic
from scanner_issuer.token import TokenConfig

MAX_ISSUER = 80  # DCC schema maxLength of "is"


@dataclass(frozen=True)
class InitOptions:
    folder: Path
    token: TokenConfig | None
    country: str
    province: str
    issuer_name: str
    alg: str
    per_type: bool
    profile: Path
    at: datetime


def init_issuer(options: InitOptions) -> IssuerState:
    folder = options.folder
    _check_names(options)
    if (folder / STATE_FILE).exists():
        raise IssuerError(f"{folder} already holds an issuer; use rotate to add document signers")
    _check_profile(options.profile)
    demo = options.token is None
    folder.mkdir(parents=True, exist_ok=True)
    with open_backend(folder, options.token) as backend:
        csca_id = secrets.token_bytes(8)
        csca_key = backend.generate(alg="ES256", label=f"{options.province} CSCA", key_id=csca_id)
        prefix = "DEMO " if demo else ""
        csca = build_csca(
            csca_key,
            country=options.country,
            organisation=organisation(options.issuer_name, demo),
            common_name=f"{prefix}{options.province} CSCA",
            not_before=options.at,
        )
        write_atomic(folder / "csca.pem", pem(csca))
        state = IssuerState(
            folder=folder,
            country=options.country,
            province=options.province,
            issuer_name=options.issuer_name,
            alg=options.alg,
            demo=demo,
            token=options.token,
            csca_key_id=csca_id.hex(),
        )
        for types in ("v", "t", "r") if options.per_type else (ALL_TYPES,):
            state = _new_signer(state, backend, types, options.at)
    shutil.copyfile(options.profile, state.profile_path())
    state.save()
    return state


def rotate(state: IssuerState, at: datetime) -> tuple[IssuerState, list[SignerRecord]]:
    """A new DSC for each active signer's types; the old ones retire (their cards verify on)."""
    active = [s for s in state.signers if s.status == "active"]
    if not active:
        raise IssuerError("no active document signer to rotate")
    with open_backend(state.folder, state.token) as backend:
        for old in active:
            state = state.with_status(old.kid, "retired")
            state = _new_signer(state, backend, old.types, at)
    state.save()
    return state, [s for s in state.signers if s.status == "active"]


def _new_signer(state: IssuerState, backend: KeyBackend, types: str, at: datetime) -> IssuerState:
    csca = state.csca()
    csca_key = backend.key(bytes.fromhex(state.csca_key_id))
    number = len(state.signers) + 1
    key_id = secrets.token_bytes(8)
    label = f"dsc-{number}-{types}"
    key = backend.generate(alg=state.alg, label=f"{state.province} {label}", key_id=key_id)
    prefix = "DEMO " if state.demo else ""
    certificate = build_dsc(
        key.public_key(),
        csca=csca,
        csca_key=csca_key,
        country=state.country,
        organisation=organisation(state.issuer_name, state.demo),
        common_name=f"{prefix}{state.province} DSC {number} ({types})",
        types=types,
        not_before=at,
    )
    _check_issued(certificate, csca)
    return state.with_signer(signer_record(label, key_id, certificate, types), certificate)


def _check_issued(certificate: x509.Certificate, csca: x509.Certificate) -> None:
    try:
        certificate.verify_directly_issued_by(csca)
    except (ValueError, TypeError) as exc:
        raise IssuerError(f"the new DSC does not verify against the CSCA: {exc}") from exc
    except Exception as exc:  # InvalidSignature has no common base with the above
        raise IssuerError(f"the new DSC's signature does not verify: {type(exc).__name__}") from exc


def _check_names(options: InitOptions) -> None:
    """What goes into every card must pass the DCC schema, or every card would be refused."""
    if not re.fullmatch(r"[A-Z]{2}", options.country):
        raise IssuerError(f"--country {options.country!r}: two capital letters (ISO 3166-1), e.g. VN")
    if not re.fullmatch(r"[A-Z0-9]{1,6}", options.province):
        raise IssuerError(
            f"--province {options.province!r}: 1-6 capital letters or digits (it goes into UVCIs)"
        )
    if not 0 < len(options.issuer_name) <= MAX_ISSUER:
        raise IssuerError(f"--issuer-name: 1-{MAX_ISSUER} characters (the DCC 'is' field)")


def _check_profile(path: Path) -> None:
    from scanner_issuer.choose import load_profile

    load_profile(path)
