"""EU DCC / Thẻ Covid in the HC1 container: `HC1:` + Base45(ZLIB(COSE_Sign1(CWT))).

The pipeline follows hcert_spec.md step by step; every step is recorded in the verdict and
the first failure names the reason.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

from scanner_app.core.context import MAX_QR_TEXT, VerifyContext
from scanner_app.core.cose import ALG_NAMES, CoseSign1, parse_cose_sign1, signature_matches
from scanner_app.core.encoding import (
    DecodeError,
    b45decode_strict,
    cbor_loads_strict,
    inflate_bounded,
)
from scanner_app.core.model import CodeFormat, Holder, Reason, Step, StepResult, Verdict
from scanner_app.core.trust import SignerKey

FORMAT = CodeFormat.HC1
PREFIX = "HC1:"
CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_HCERT = 1, 4, 6, -260
CERT_TYPES = ("v", "t", "r")
# Any whitespace but " " (a Base45 digit). A regex, not a per-character loop: this check ran
# for a quarter of verify()'s time on a real-sized card.
WHITESPACE = re.compile(r"[^\S ]")


def matches(text: str) -> bool:
    return text.startswith(PREFIX)


class _Stop(Exception):
    def __init__(self, reason: Reason) -> None:
        self.reason = reason


@dataclass
class _Trace:
    """Collects step results and what has been learnt so far about the card."""

    steps: list[StepResult] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def passed(self, step: Step, detail: str = "") -> None:
        self.steps.append(StepResult(step, True, detail))

    def fail(self, step: Step, reason: Reason, detail: str = "") -> NoReturn:
        self.steps.append(StepResult(step, False, detail or reason.value))
        raise _Stop(reason)

    def decode(self, step: Step, func: Any, *args: Any) -> Any:
        try:
            value = func(*args)
        except DecodeError as exc:
            self.fail(step, exc.reason, exc.detail)
        self.passed(step)
        return value

    def verdict(self, reason: Reason) -> Verdict:
        return Verdict(
            format=FORMAT,
            valid=reason is Reason.OK,
            reason=reason,
            steps=tuple(self.steps),
            **self.facts,
        )


def evaluate(text: str, context: VerifyContext) -> Verdict:
    trace = _Trace()
    try:
        _run(text, context, trace)
    except _Stop as stop:
        return trace.verdict(stop.reason)
    return trace.verdict(Reason.OK)


def _run(text: str, context: VerifyContext, trace: _Trace) -> None:
    trace.passed(Step.DETECT, "HC1")
    if len(text) > MAX_QR_TEXT:
        trace.fail(Step.TEXT, Reason.TOO_LONG, f"{len(text)} characters")
    if WHITESPACE.search(text):
        trace.fail(Step.TEXT, Reason.WHITESPACE, "whitespace inside the code")
    trace.passed(Step.TEXT)
    compressed = trace.decode(Step.BASE45, b45decode_strict, text[len(PREFIX) :])
    cose_bytes = trace.decode(Step.ZLIB, inflate_bounded, compressed)
    message: CoseSign1 = trace.decode(Step.COSE, parse_cose_sign1, cose_bytes)
    claims = _claims(message, trace)
    _hcert(claims, trace)
    key = _signer(message, context, trace)
    _key_usage(key, trace)
    _times(key, claims, context, trace)
    _revocation(key, context, trace)


def _claims(message: CoseSign1, trace: _Trace) -> dict[Any, Any]:
    alg = message.alg
    kid = message.kid
    trace.facts["kid"] = kid
    trace.facts["alg"] = ALG_NAMES.get(alg) if isinstance(alg, int) else None
    try:
        claims = cbor_loads_strict(message.payload)
    except DecodeError as exc:
        trace.fail(Step.CWT, Reason.CWT_INVALID, f"payload: {exc.detail}")
    if not isinstance(claims, dict):
        trace.fail(Step.CWT, Reason.CWT_INVALID, "CWT payload is not a map")
    issuer = claims.get(CLAIM_ISS)
    trace.facts["issuer"] = issuer if isinstance(issuer, str) else None
    iat, exp = _epoch(claims.get(CLAIM_IAT)), _epoch(claims.get(CLAIM_EXP))
    if iat is None or exp is None:
        trace.fail(Step.CWT, Reason.CWT_INVALID, "iat or exp missing or not a time")
    trace.facts["issued_at"], trace.facts["expires_at"] = iat, exp
    trace.passed(Step.CWT)
    return claims


def _epoch(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _hcert(claims: dict[Any, Any], trace: _Trace) -> None:
    hcert = claims.get(CLAIM_HCERT)
    dcc = hcert.get(1) if isinstance(hcert, dict) else None
    if not isinstance(dcc, dict):
        trace.fail(Step.HCERT, Reason.HCERT_INVALID, "no DCC payload in claim -260/1")
    present = [t for t in CERT_TYPES if isinstance(dcc.get(t), list) and dcc[t]]
    if len(present) != 1 or not all(isinstance(e, dict) for e in dcc[present[0]]):
        trace.fail(Step.HCERT, Reason.HCERT_INVALID, "need exactly one of v, t, r")
    kind = present[0]
    trace.facts["certificate_type"] = kind
    trace.facts["payload"] = plain_json(dcc)
    trace.facts["holder"] = _holder(dcc)
    ci = dcc[kind][0].get("ci")
    trace.facts["certificate_id"] = ci if isinstance(ci, str) else None
    trace.passed(Step.HCERT, kind)


def plain_json(value: Any) -> Any:
    """The DCC as plain JSON values: CBOR tag-0/1 times (seen in the wild, e.g. a tagged
    `sc`) become ISO strings, frozen containers become dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _holder(dcc: dict[Any, Any]) -> Holder:
    raw = dcc.get("nam")
    nam: Mapping[Any, Any] = raw if isinstance(raw, Mapping) else {}

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else None

    return Holder(
        family=text(nam.get("fn")),
        given=text(nam.get("gn")),
        family_std=text(nam.get("fnt")),
        given_std=text(nam.get("gnt")),
        dob=text(dcc.get("dob")),
    )


def _signer(message: CoseSign1, context: VerifyContext, trace: _Trace) -> SignerKey:
    alg = message.alg
    if alg not in ALG_NAMES:
        trace.fail(Step.SIGNATURE, Reason.ALG_UNSUPPORTED, f"alg {alg!r}")
    kid = message.kid
    if not kid:
        trace.fail(Step.KEY_LOOKUP, Reason.KID_MISSING)
    candidates = context.trust.keys_for(kid)
    if not candidates:
        trace.fail(Step.KEY_LOOKUP, Reason.KID_UNKNOWN, "no trusted key with this kid")
    trace.passed(Step.KEY_LOOKUP, f"{len(candidates)} key(s)")
    for key in candidates:  # kids collide: every key with this kid gets its chance
        if signature_matches(message, alg, key.public_key):
            trace.facts["signer_country"] = key.country
            if context.blocklist.key_blocked(key):
                trace.fail(Step.SIGNATURE, Reason.KEY_BLOCKED, "signer key is blocklisted")
            trace.passed(Step.SIGNATURE, ALG_NAMES[alg])
            return key
    trace.fail(Step.SIGNATURE, Reason.SIGNATURE_INVALID)


def _key_usage(key: SignerKey, trace: _Trace) -> None:
    kind = trace.facts["certificate_type"]
    if not key.allows(kind):
        allowed = "".join(sorted(key.usages or ())) or "nothing"
        trace.fail(Step.KEY_USAGE, Reason.KEY_USAGE_MISMATCH, f"key signs {allowed}, not {kind}")
    trace.passed(Step.KEY_USAGE)


def _times(key: SignerKey, claims: dict[Any, Any], context: VerifyContext, trace: _Trace) -> None:
    iat: datetime = trace.facts["issued_at"]
    exp: datetime = trace.facts["expires_at"]
    if not key.valid_at(iat):
        trace.fail(Step.SIGNER_VALIDITY, Reason.SIGNER_CERT_NOT_VALID, "signed outside its validity")
    trace.passed(Step.SIGNER_VALIDITY)
    if context.now + context.skew < iat:
        trace.fail(Step.TIME, Reason.NOT_YET_VALID, "issued after now")
    if context.now - context.skew > exp:
        trace.fail(Step.TIME, Reason.EXPIRED)
    trace.passed(Step.TIME)


def _revocation(key: SignerKey, context: VerifyContext, trace: _Trace) -> None:
    status = context.blocklist.status(trace.facts.get("certificate_id"))
    if status is not None:
        trace.fail(Step.REVOCATION, status)
    trace.passed(Step.REVOCATION)
