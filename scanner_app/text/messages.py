"""Codes inside, words at the edge: every reason, colour, decision and format code in one
table of English source strings, translated through Qt's catalogue (see `i18n.py`).

Both the CLI and the UI call `reason_text(code, translate)`; only the `translate` function
differs (ElementTree-read `.ts` for the CLI, `QCoreApplication.translate` in the UI).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner_app.text.i18n import QT_TRANSLATE_NOOP, Translate

REASONS: dict[str, str] = {
    "ok": QT_TRANSLATE_NOOP("Reason", "Valid: genuine signature, in date, not revoked."),
    "identity_only": QT_TRANSLATE_NOOP(
        "Reason", "Identity code only: it carries no health status that can be checked offline."
    ),
    # only in logs written by versions before SMART Health Cards were checked
    "format_not_supported_yet": QT_TRANSLATE_NOOP(
        "Reason", "A format an earlier version of this program could not check yet."
    ),
    "unsupported_format": QT_TRANSLATE_NOOP("Reason", "Not a code this scanner knows."),
    "empty": QT_TRANSLATE_NOOP("Reason", "The code is empty."),
    "too_long": QT_TRANSLATE_NOOP("Reason", "The code is longer than any QR code can be."),
    "whitespace": QT_TRANSLATE_NOOP("Reason", "The code contains line breaks or tabs."),
    "base45_invalid": QT_TRANSLATE_NOOP("Reason", "Damaged code: the text is not valid Base45."),
    "zlib_invalid": QT_TRANSLATE_NOOP("Reason", "Damaged code: the compressed data is broken."),
    "zlib_too_large": QT_TRANSLATE_NOOP("Reason", "Rejected: the code unpacks to far too much data."),
    "cbor_invalid": QT_TRANSLATE_NOOP("Reason", "Damaged code: the data structure is malformed."),
    "cose_invalid": QT_TRANSLATE_NOOP("Reason", "Damaged code: the signature envelope is malformed."),
    "alg_unsupported": QT_TRANSLATE_NOOP("Reason", "Rejected: signed with an algorithm that is not allowed."),
    "kid_missing": QT_TRANSLATE_NOOP("Reason", "Rejected: the code does not say which key signed it."),
    "cwt_invalid": QT_TRANSLATE_NOOP("Reason", "Damaged code: issue or expiry time is missing."),
    "hcert_invalid": QT_TRANSLATE_NOOP("Reason", "Rejected: the certificate content is incomplete."),
    "kid_unknown": QT_TRANSLATE_NOOP("Reason", "Not trusted: the signing key is not in the trust list."),
    "key_blocked": QT_TRANSLATE_NOOP("Reason", "Not trusted: the signing key has been withdrawn."),
    "signature_invalid": QT_TRANSLATE_NOOP("Reason", "Forged or altered: the signature does not match."),
    "key_usage_mismatch": QT_TRANSLATE_NOOP(
        "Reason", "Not trusted: this key may not sign this kind of certificate."
    ),
    "signer_certificate_not_valid": QT_TRANSLATE_NOOP(
        "Reason", "Not trusted: signed outside the signing key's validity."
    ),
    "not_yet_valid": QT_TRANSLATE_NOOP("Reason", "Not valid yet: issued in the future."),
    "expired": QT_TRANSLATE_NOOP("Reason", "Expired."),
    "clock_behind_trusted_time": QT_TRANSLATE_NOOP(
        "Reason", "This computer's clock is earlier than the last trusted time: fix the clock."
    ),
    "revoked": QT_TRANSLATE_NOOP("Reason", "Revoked: this certificate has been withdrawn."),
    "suspended": QT_TRANSLATE_NOOP("Reason", "Suspended: the holder is currently in isolation."),
    "internal_error": QT_TRANSLATE_NOOP("Reason", "Internal error while checking; please report it."),
    "profile_not_in_force": QT_TRANSLATE_NOOP("Reason", "The colour rules are not in force at this date."),
    "stale_bundle": QT_TRANSLATE_NOOP("Reason", "Trust data is out of date: keys and rules need updating."),
    "trust_damaged": QT_TRANSLATE_NOOP(
        "Reason", "Trust data damaged: import the trust bundle again. Check by hand until then."
    ),
    "shc_numeric_invalid": QT_TRANSLATE_NOOP(
        "Reason", "Damaged code: the SMART Health Card digits are broken."
    ),
    "shc_chunk_incomplete": QT_TRANSLATE_NOOP(
        "Reason", "SMART Health Card in several parts: scan every part of it."
    ),
    "jws_invalid": QT_TRANSLATE_NOOP("Reason", "Damaged code: the signed SMART Health Card is malformed."),
    "deflate_invalid": QT_TRANSLATE_NOOP("Reason", "Damaged code: the compressed data is broken."),
    "deflate_too_large": QT_TRANSLATE_NOOP("Reason", "Rejected: the code unpacks to far too much data."),
    "shc_payload_invalid": QT_TRANSLATE_NOOP("Reason", "Rejected: the card's content is incomplete."),
    "shc_issuer_unknown": QT_TRANSLATE_NOOP("Reason", "Not trusted: the issuer is not in the trust list."),
    "fhir_invalid": QT_TRANSLATE_NOOP("Reason", "Rejected: the vaccination record in the card is malformed."),
    "identity_required": QT_TRANSLATE_NOOP("Reason", "Scan the ID card (CCCD)."),
    "identity_mismatch": QT_TRANSLATE_NOOP(
        "Reason", "The ID card (CCCD) names another person than the health card."
    ),
}

COLOURS: dict[str, str] = {
    "green": QT_TRANSLATE_NOOP("Colour", "Green"),
    "yellow": QT_TRANSLATE_NOOP("Colour", "Yellow"),
    "red": QT_TRANSLATE_NOOP("Colour", "Red"),
}

DECISIONS: dict[str, str] = {
    "allow": QT_TRANSLATE_NOOP("Decision", "ALLOWED"),
    "deny": QT_TRANSLATE_NOOP("Decision", "NOT ALLOWED"),
    "manual": QT_TRANSLATE_NOOP("Decision", "MANUAL CHECK"),
}

FORMATS: dict[str, str] = {
    "hc1": QT_TRANSLATE_NOOP("Format", "EU digital COVID certificate / Thẻ Covid"),
    "vn-personal-qr": QT_TRANSLATE_NOOP("Format", "PC-COVID personal QR"),
    "vn-cccd": QT_TRANSLATE_NOOP("Format", "Chip ID card (CCCD)"),
    "shc": QT_TRANSLATE_NOOP("Format", "SMART Health Card"),
    "unknown": QT_TRANSLATE_NOOP("Format", "Unknown code"),
}

CERTIFICATE_TYPES: dict[str, str] = {
    "v": QT_TRANSLATE_NOOP("CertificateType", "vaccination"),
    "t": QT_TRANSLATE_NOOP("CertificateType", "test"),
    "r": QT_TRANSLATE_NOOP("CertificateType", "recovery"),
}

CHECKPOINTS: dict[str, str] = {
    "road": QT_TRANSLATE_NOOP("Checkpoint", "Road checkpoint"),
    "market": QT_TRANSLATE_NOOP("Checkpoint", "Market / supermarket"),
    "office": QT_TRANSLATE_NOOP("Checkpoint", "Office"),
    "event": QT_TRANSLATE_NOOP("Checkpoint", "Event"),
}


FLAGS: dict[str, str] = {
    "shared_code": QT_TRANSLATE_NOOP("Flag", "possibly a shared code (seen too often here)"),
    "impossible_travel": QT_TRANSLATE_NOOP("Flag", "possibly a shared code (at two places too soon)"),
    "stale_bundle": QT_TRANSLATE_NOOP("Flag", "decided on out-of-date trust data"),
    "identity_matched": QT_TRANSLATE_NOOP("Flag", "ID card matches"),
    "identity_mismatch": QT_TRANSLATE_NOOP("Flag", "ID card does not match"),
    "redecided": QT_TRANSLATE_NOOP("Flag", "decided again once the ID card was read"),
}

# The policy cell that decided, in words: "Level 1 — road checkpoint: all card colours allowed".
# Checkpoint names stand inside a sentence here, hence their own lower-case forms.
CHECKPOINTS_IN_SENTENCE: dict[str, str] = {
    "road": QT_TRANSLATE_NOOP("PolicyRule", "road checkpoint"),
    "market": QT_TRANSLATE_NOOP("PolicyRule", "market / supermarket"),
    "office": QT_TRANSLATE_NOOP("PolicyRule", "office"),
    "event": QT_TRANSLATE_NOOP("PolicyRule", "event"),
}
RULE_PATTERN = QT_TRANSLATE_NOOP("PolicyRule", "Level %1 — %2: %3")
ALLOWED_SETS: dict[frozenset[str], str] = {
    frozenset({"green", "yellow", "red"}): QT_TRANSLATE_NOOP("PolicyRule", "all card colours allowed"),
    frozenset({"green", "yellow"}): QT_TRANSLATE_NOOP("PolicyRule", "green and yellow cards allowed"),
    frozenset({"green"}): QT_TRANSLATE_NOOP("PolicyRule", "only green cards allowed"),
    frozenset(): QT_TRANSLATE_NOOP("PolicyRule", "nobody may enter"),
}
OTHER_SET = QT_TRANSLATE_NOOP("PolicyRule", "cards allowed: %1")


def _lookup(table: dict[str, str], context: str, code: str | None, translate: Translate) -> str:
    if code is None:
        return ""
    source = table.get(code)
    return translate(context, source) if source else code


def reason_text(code: str, translate: Translate) -> str:
    return _lookup(REASONS, "Reason", code, translate)


def colour_text(code: str | None, translate: Translate) -> str:
    return _lookup(COLOURS, "Colour", code, translate)


def decision_text(code: str | None, translate: Translate) -> str:
    return _lookup(DECISIONS, "Decision", code, translate)


def format_text(code: str, translate: Translate) -> str:
    return _lookup(FORMATS, "Format", code, translate)


def certificate_type_text(code: str | None, translate: Translate) -> str:
    return _lookup(CERTIFICATE_TYPES, "CertificateType", code, translate)


def checkpoint_text(code: str | None, translate: Translate) -> str:
    return _lookup(CHECKPOINTS, "Checkpoint", code, translate)


def flag_text(code: str, translate: Translate) -> str:
    return _lookup(FLAGS, "Flag", code, translate)


def flags_text(stored: str | None, translate: Translate) -> str:
    """A record's flags column ("shared_code,stale_bundle") as words, for tables and reports."""
    return "; ".join(flag_text(code, translate) for code in (stored or "").split(",") if code)


def policy_rule_text(level: int, checkpoint: str, allowed: Iterable[str], translate: Translate) -> str:
    """Which rule of the decision table decided: the level, the checkpoint, the colours."""
    colours = frozenset(allowed)
    source = ALLOWED_SETS.get(colours)
    if source is not None:
        rule = translate("PolicyRule", source)
    else:
        order = [c for c in COLOURS if c in colours]
        names = ", ".join(colour_text(c, translate).lower() for c in order)
        rule = translate("PolicyRule", OTHER_SET).replace("%1", names)
    place = _lookup(CHECKPOINTS_IN_SENTENCE, "PolicyRule", checkpoint, translate)
    pattern = translate("PolicyRule", RULE_PATTERN)
    return pattern.replace("%1", str(level)).replace("%2", place).replace("%3", rule)


# The hash chain's findings (core/chain.py words them in English for logs and tests).
CHAIN_PROBLEMS: dict[str, str] = {
    "missing record(s) before it": QT_TRANSLATE_NOOP("Chain", "missing record(s) before it"),
    "out of order": QT_TRANSLATE_NOOP("Chain", "out of order"),
    "does not follow the previous record": QT_TRANSLATE_NOOP("Chain", "does not follow the previous record"),
    "content changed": QT_TRANSLATE_NOOP("Chain", "content changed"),
    "missing event(s) before it": QT_TRANSLATE_NOOP("Chain", "missing event(s) before it"),
    "does not follow the previous event": QT_TRANSLATE_NOOP("Chain", "does not follow the previous event"),
}
CHAIN_TAIL = re.compile(r"(?:record|event)s missing at the end \(head is (?:record|event|seq) (\d+)\)")
CHAIN_TAIL_TEXT = QT_TRANSLATE_NOOP("Chain", "records missing at the end (the last record is %1)")


def chain_problem_text(problem: str, translate: Translate) -> str:
    """A chain report's problem in the reader's language; an unknown one as it stands."""
    tail = CHAIN_TAIL.fullmatch(problem)
    if tail:
        return translate("Chain", CHAIN_TAIL_TEXT).replace("%1", tail.group(1))
    return translate("Chain", CHAIN_PROBLEMS[problem]) if problem in CHAIN_PROBLEMS else problem


DATE_PATTERNS = {
    3: QT_TRANSLATE_NOOP("Date", "{year}-{month}-{day}"),
    2: QT_TRANSLATE_NOOP("Date", "{year}-{month}"),
}


def birth_date_text(dob: str | None, translate: Translate) -> str:
    """A holder's birth date as the reader writes dates (23/11/1978 in Vietnamese). Certificates
    may carry only a year or a year and month; those stay partial. Anything unexpected is
    shown as it stands rather than guessed at."""
    if not dob:
        return "?"
    parts = dob.split("T", 1)[0].split("-")
    if len(parts) == 1 or len(parts) > 3 or not all(p.isdigit() for p in parts):
        return dob
    fields = dict(zip(("year", "month", "day"), parts, strict=False))
    return translate("Date", DATE_PATTERNS[len(parts)]).format(**fields)
