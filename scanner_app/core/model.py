"""Plain data shared by the whole program: formats, reason codes, verdicts, holders."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class CodeFormat(StrEnum):
    """What kind of code a QR text is. Values are part of the CLI/JSON contract."""

    HC1 = "hc1"
    VN_PERSONAL_QR = "vn-personal-qr"
    VN_CCCD = "vn-cccd"
    SHC = "shc"
    UNKNOWN = "unknown"


class Reason(StrEnum):
    """One stable code per way a check can end. The UI turns these into sentences."""

    OK = "ok"
    # recognised but not verifiable offline
    IDENTITY_ONLY = "identity_only"
    FORMAT_NOT_SUPPORTED_YET = "format_not_supported_yet"  # logs of versions before SHC checks
    UNSUPPORTED_FORMAT = "unsupported_format"
    # text and container
    EMPTY = "empty"
    TOO_LONG = "too_long"
    WHITESPACE = "whitespace"
    BASE45_INVALID = "base45_invalid"
    ZLIB_INVALID = "zlib_invalid"
    ZLIB_TOO_LARGE = "zlib_too_large"
    CBOR_INVALID = "cbor_invalid"
    COSE_INVALID = "cose_invalid"
    ALG_UNSUPPORTED = "alg_unsupported"
    KID_MISSING = "kid_missing"
    CWT_INVALID = "cwt_invalid"
    HCERT_INVALID = "hcert_invalid"
    # trust and signature
    KID_UNKNOWN = "kid_unknown"
    KEY_BLOCKED = "key_blocked"
    SIGNATURE_INVALID = "signature_invalid"
    KEY_USAGE_MISMATCH = "key_usage_mismatch"
    SIGNER_CERT_NOT_VALID = "signer_certificate_not_valid"
    # time
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    CLOCK_UNTRUSTED = "clock_behind_trusted_time"
    # revocation / suspension list
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    # the decision, once the card is valid
    PROFILE_NOT_IN_FORCE = "profile_not_in_force"
    STALE_BUNDLE = "stale_bundle"
    # the device's own trust data is missing or damaged after production trust was installed
    TRUST_DAMAGED = "trust_damaged"
    # SMART Health Cards (shc:/ numeric, JWS compact, raw DEFLATE, FHIR)
    SHC_NUMERIC_INVALID = "shc_numeric_invalid"
    SHC_CHUNK_INCOMPLETE = "shc_chunk_incomplete"
    JWS_INVALID = "jws_invalid"
    DEFLATE_INVALID = "deflate_invalid"
    DEFLATE_TOO_LARGE = "deflate_too_large"
    SHC_PAYLOAD_INVALID = "shc_payload_invalid"
    SHC_ISSUER_UNKNOWN = "shc_issuer_unknown"
    FHIR_INVALID = "fhir_invalid"
    # two-code binding (identity code + health card), applied by the policy
    IDENTITY_REQUIRED = "identity_required"
    IDENTITY_MISMATCH = "identity_mismatch"
    # anything we did not foresee; a bug if it ever shows
    INTERNAL_ERROR = "internal_error"


class Step(StrEnum):
    """The named steps of verification, in order."""

    DETECT = "detect"
    TEXT = "text"
    BASE45 = "base45"
    ZLIB = "zlib"
    COSE = "cose"
    CWT = "cwt"
    HCERT = "hcert"
    KEY_LOOKUP = "key_lookup"
    SIGNATURE = "signature"
    KEY_USAGE = "key_usage"
    SIGNER_VALIDITY = "signer_validity"
    TIME = "time"
    REVOCATION = "revocation"
    # SMART Health Cards
    NUMERIC = "numeric"
    JWS = "jws"
    DEFLATE = "deflate"
    CLAIMS = "claims"
    FHIR = "fhir"


@dataclass(frozen=True)
class StepResult:
    step: Step
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Holder:
    """Who the code names. `*_std` are the ICAO-style standardised forms (fnt/gnt)."""

    family: str | None = None
    given: str | None = None
    family_std: str | None = None
    given_std: str | None = None
    dob: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "family": self.family,
            "given": self.given,
            "family_std": self.family_std,
            "given_std": self.given_std,
            "dob": self.dob,
        }


@dataclass(frozen=True)
class Verdict:
    """The outcome of `verify`: how far it got, why it stopped, and what the code says.

    `valid` is true only when decoding, signature, key usage, time and revocation checks
    all passed. `payload` is the DCC JSON (for rules); it is never logged.
    """

    format: CodeFormat
    valid: bool
    reason: Reason
    steps: tuple[StepResult, ...] = ()
    kid: bytes | None = None
    alg: str | None = None
    issuer: str | None = None
    certificate_type: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    holder: Holder | None = None
    payload: dict[str, Any] | None = field(default=None, repr=False)
    certificate_id: str | None = field(default=None, repr=False)
    signer_country: str | None = None

    @property
    def failed_step(self) -> Step | None:
        for result in self.steps:
            if not result.ok:
                return result.step
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format.value,
            "valid": self.valid,
            "reason": self.reason.value,
            "kid": base64.b64encode(self.kid).decode() if self.kid is not None else None,
            "alg": self.alg,
            "issuer": self.issuer,
            "certificate_type": self.certificate_type,
            "issued_at": _iso(self.issued_at),
            "expires_at": _iso(self.expires_at),
            "holder": self.holder.to_json() if self.holder else None,
            "steps": [
                {"step": s.step.value, "ok": s.ok, **({"detail": s.detail} if s.detail else {})}
                for s in self.steps
            ],
        }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")
