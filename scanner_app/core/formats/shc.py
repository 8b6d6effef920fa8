"""SMART Health Cards (`shc:/` + digits), verified offline step by step like HC1.

Pipeline (spec: smart-on-fhir/health-cards `docs/index.md`): numeric decoding → JWS compact
(`alg: ES256`, `zip: DEF`, `kid`) → raw DEFLATE with the 64 KiB cap → JWT claims (`iss`, `nbf`,
optional `exp`, `vc` of type health-card) → the issuer's key set from the trust bundle (issuer
unknown and kid unknown are different reasons) → ES256 → FHIR bundle to holder and vaccination
facts (`shc_fhir.py`) → `nbf`/`exp` with the skew → the issuer's CRL and the bundle blocklist.

One part of the deprecated multi-part form (`shc:/2/3/...`) holds a slice of the JWS and cannot
be verified alone: it is reported as `shc_chunk_incomplete` ("part 2 of 3") after its digits
were checked; `shc_codec.join_chunks` (or `shc_chunks.ChunkCollector` at a station) joins all
parts into one `shc:/` text that verifies like a single-code card.

Why no JOSE library: the card format pins everything a JOSE library would negotiate (one
algorithm, one compression, raw r||s), and strictness is the point: canonical base64url,
no `crit`, no key material from the header, a bounded inflate before any JSON is parsed.
`cryptography` does the ECDSA, as for HC1; a JOSE package would be one more dependency in the
core for about twenty lines of parsing.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from scanner_app.core.context import VerifyContext
from scanner_app.core.encoding import DecodeError
from scanner_app.core.model import CodeFormat, Reason, Step, StepResult, Verdict
from scanner_app.core.shc_codec import (
    MAX_TEXT,
    PREFIX,
    CompactJws,
    ShcText,
    b64url_decode,
    inflate_raw,
    loads_json,
    numeric_decode,
    parse_compact_jws,
    parse_text,
)
from scanner_app.core.shc_fhir import FhirError, dcc_payload, read_bundle, summary
from scanner_app.core.shc_keys import ES256, MAX_RID, ShcIssuer, ShcKey

FORMAT = CodeFormat.SHC
HEALTH_CARD = "https://smarthealth.cards#health-card"
MAX_ISS = 255
_WHITESPACE = re.compile(r"\s")


def matches(text: str) -> bool:
    return text.startswith(PREFIX)


class _Stop(Exception):
    def __init__(self, reason: Reason) -> None:
        self.reason = reason


@dataclass
class _Trace:
    steps: list[StepResult] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def passed(self, step: Step, detail: str = "") -> None:
        self.steps.append(StepResult(step, True, detail))

    def fail(self, step: Step, reason: Reason, detail: str = "") -> NoReturn:
        self.steps.append(StepResult(step, False, detail or reason.value))
        raise _Stop(reason)

    def attempt(self, step: Step, func: Any, *args: Any) -> Any:
        try:
            return func(*args)
        except DecodeError as exc:
            self.fail(step, exc.reason, exc.detail)

    def verdict(self, reason: Reason) -> Verdict:
        return Verdict(FORMAT, reason is Reason.OK, reason, tuple(self.steps), **self.facts)


@dataclass(frozen=True)
class _Claims:
    iss: str
    nbf: datetime
    exp: datetime | None
    vc: dict[str, Any]
    rid: str | None


def evaluate(text: str, context: VerifyContext) -> Verdict:
    trace = _Trace()
    try:
        _run(text, context, trace)
    except _Stop as stop:
        return trace.verdict(stop.reason)
    return trace.verdict(Reason.OK)


def _run(text: str, context: VerifyContext, trace: _Trace) -> None:
    trace.passed(Step.DETECT, "SMART Health Card")
    part = _text(text, trace)
    jws_text = trace.attempt(Step.NUMERIC, numeric_decode, part.digits)
    trace.passed(Step.NUMERIC, f"{len(jws_text)} characters")
    if not part.whole:
        detail = f"part {part.index} of {part.total} of a multi-part card: scan every part"
        trace.fail(Step.JWS, Reason.SHC_CHUNK_INCOMPLETE, detail)
    jws = _jws(jws_text, trace)
    payload = trace.attempt(Step.DEFLATE, inflate_raw, jws.payload)
    trace.passed(Step.DEFLATE, f"{len(payload)} bytes")
    claims = _claims(payload, trace)
    issuer, key = _key(jws, claims, context, trace)
    _signature(jws, key, context, trace)
    _fhir(jws, claims, trace)
    _times(claims, context, trace)
    _revocation(issuer, key, claims, context, trace)


def _text(text: str, trace: _Trace) -> ShcText:
    if len(text) > MAX_TEXT:
        trace.fail(Step.TEXT, Reason.TOO_LONG, f"{len(text)} characters")
    if _WHITESPACE.search(text):
        trace.fail(Step.TEXT, Reason.WHITESPACE, "whitespace inside the code")
    part: ShcText = trace.attempt(Step.TEXT, parse_text, text)
    trace.passed(Step.TEXT, "whole card" if part.whole else f"part {part.index} of {part.total}")
    return part


def _jws(text: str, trace: _Trace) -> CompactJws:
    jws: CompactJws = trace.attempt(Step.JWS, parse_compact_jws, text)
    header = jws.header
    alg, kid = header.get("alg"), header.get("kid")
    trace.facts["alg"] = alg[:16] if isinstance(alg, str) else None
    trace.facts["kid"] = _kid_bytes(kid)
    if alg != ES256:
        trace.fail(Step.JWS, Reason.ALG_UNSUPPORTED, f"alg {str(alg)[:16]!r}")
    if "crit" in header:
        trace.fail(Step.JWS, Reason.JWS_INVALID, "critical header extensions are not understood")
    if header.get("zip") != "DEF":
        trace.fail(Step.JWS, Reason.JWS_INVALID, "payload must be raw DEFLATE (zip: DEF)")
    if not isinstance(kid, str) or not kid:
        trace.fail(Step.JWS, Reason.KID_MISSING)
    trace.passed(Step.JWS, ES256)
    return jws


def _kid_bytes(kid: Any) -> bytes | None:
    if not isinstance(kid, str) or len(kid) > 64:
        return None
    try:
        return b64url_decode(kid)
    except DecodeError:
        return None


def _claims(payload: bytes, trace: _Trace) -> _Claims:
    claims = trace.attempt(Step.CLAIMS, loads_json, payload, Reason.SHC_PAYLOAD_INVALID)
    if not isinstance(claims, dict):
        trace.fail(Step.CLAIMS, Reason.SHC_PAYLOAD_INVALID, "payload is not a JSON object")
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss or len(iss) > MAX_ISS:
        trace.fail(Step.CLAIMS, Reason.SHC_PAYLOAD_INVALID, "iss missing")
    trace.facts["issuer"] = iss
    nbf = _epoch(claims.get("nbf"))
    exp = _epoch(claims.get("exp")) if "exp" in claims else None
    if nbf is None or ("exp" in claims and exp is None):
        trace.fail(Step.CLAIMS, Reason.SHC_PAYLOAD_INVALID, "nbf missing, or nbf/exp not a time")
    trace.facts["issued_at"], trace.facts["expires_at"] = nbf, exp
    vc = claims.get("vc")
    if not isinstance(vc, dict) or not _health_card(vc.get("type")):
        trace.fail(Step.CLAIMS, Reason.SHC_PAYLOAD_INVALID, "vc is not a health card")
    rid = vc.get("rid")
    if rid is not None and not (isinstance(rid, str) and 0 < len(rid) <= MAX_RID):
        trace.fail(Step.CLAIMS, Reason.SHC_PAYLOAD_INVALID, "rid is not a revocation identifier")
    trace.passed(Step.CLAIMS)
    return _Claims(iss, nbf, exp, vc, rid)


def _health_card(types: Any) -> bool:
    return isinstance(types, list) and HEALTH_CARD in types


def _epoch(value: Any) -> datetime | None:
    """A JWT NumericDate: seconds, possibly fractional (the spec's examples use .656)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _key(jws: CompactJws, claims: _Claims, context: VerifyContext, trace: _Trace) -> tuple[ShcIssuer, ShcKey]:
    issuer = context.shc_issuers.get(claims.iss)
    if issuer is None:
        trace.fail(Step.KEY_LOOKUP, Reason.SHC_ISSUER_UNKNOWN, "issuer not in the trust data")
    key = issuer.keys.get(jws.header["kid"])
    if key is None:
        trace.fail(Step.KEY_LOOKUP, Reason.KID_UNKNOWN, "kid not in the issuer's key set")
    trace.passed(Step.KEY_LOOKUP, issuer.name)
    return issuer, key


def _signature(jws: CompactJws, key: ShcKey, context: VerifyContext, trace: _Trace) -> None:
    if not es256_valid(key.public_key, jws.signing_input(), jws.signature):
        trace.fail(Step.SIGNATURE, Reason.SIGNATURE_INVALID)
    if key.thumbprint in context.blocklist.blocked_keys:
        trace.fail(Step.SIGNATURE, Reason.KEY_BLOCKED, "issuer key is blocklisted")
    trace.passed(Step.SIGNATURE, ES256)


def es256_valid(public_key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> bool:
    """JWS ES256: raw r||s, 64 bytes; a DER signature is refused (RFC 7518 §3.4)."""
    if len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32]), int.from_bytes(signature[32:]))
    try:
        public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _fhir(jws: CompactJws, claims: _Claims, trace: _Trace) -> None:
    subject = claims.vc.get("credentialSubject")
    bundle = subject.get("fhirBundle") if isinstance(subject, dict) else None
    try:
        facts = read_bundle(bundle)
    except FhirError as exc:
        trace.fail(Step.FHIR, Reason.FHIR_INVALID, str(exc))
    certificate_id = _certificate_id(jws, claims)
    trace.facts["holder"] = facts.holder
    trace.facts["certificate_id"] = certificate_id
    trace.facts["certificate_type"] = "v" if facts.doses else None
    trace.facts["payload"] = dcc_payload(facts, issuer=claims.iss, certificate_id=certificate_id)
    trace.passed(Step.FHIR, summary(facts))


def _certificate_id(jws: CompactJws, claims: _Claims) -> str:
    """The card's identifier for revocation hashes and shared-card flags. A rid (per person
    and issuer key) is case-sensitive base64url, hence hex here: the blocklist upper-cases."""
    if claims.rid is not None:
        return f"shc:{claims.iss}#rid:{claims.rid.encode().hex()}"
    return f"shc:{claims.iss}#jws:{hashlib.sha256(jws.payload).hexdigest()[:32]}"


def _times(claims: _Claims, context: VerifyContext, trace: _Trace) -> None:
    if context.now + context.skew < claims.nbf:
        trace.fail(Step.TIME, Reason.NOT_YET_VALID, "nbf is after now")
    if claims.exp is not None and context.now - context.skew > claims.exp:
        trace.fail(Step.TIME, Reason.EXPIRED)
    trace.passed(Step.TIME)


def _revocation(
    issuer: ShcIssuer, key: ShcKey, claims: _Claims, context: VerifyContext, trace: _Trace
) -> None:
    crl = issuer.crls.get(key.kid)
    if crl is not None and claims.rid is not None and crl.revokes(claims.rid, claims.nbf):
        trace.fail(Step.REVOCATION, Reason.REVOKED, "in the issuer's revocation list")
    status = context.blocklist.status(trace.facts.get("certificate_id"))
    if status is not None:
        trace.fail(Step.REVOCATION, status)
    trace.passed(Step.REVOCATION, _crl_note(key, crl is not None))


def _crl_note(key: ShcKey, have_crl: bool) -> str:
    if have_crl:
        return "issuer CRL checked"
    if "crlVersion" in key.jwk:
        return "the issuer publishes a CRL the trust data does not carry"
    return ""
