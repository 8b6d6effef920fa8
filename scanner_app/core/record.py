"""The check record contract: one declaration of what a logged check holds.

Everything that stores, hashes, sends or exports a check derives its field list from
`RECORD`: the hash chain (`CHAINED_FIELDS`), the wire format (`WIRE_FIELDS`), the supervisor's
and the hub's exports (`EXPORT_COLUMNS`), the hub's table and its request model. A field
added here reaches all of them; none of them keeps its own list.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

HEX64 = r"[0-9a-f]{64}"


class Flag(StrEnum):
    """Marks a record carries besides its decision. Values are stored and exported."""

    SHARED_CODE = "shared_code"  # the same card too often at one checkpoint
    IMPOSSIBLE_TRAVEL = "impossible_travel"  # the same card at two checkpoints too close in time
    STALE_BUNDLE = "stale_bundle"  # decided on trust data older than the policy allows
    # the card failed verification: what the record copies from it (issuer, kid, type) is
    # whatever the code claimed, cleaned to the contract
    UNVERIFIED = "unverified"
    # two-code binding (issue 19): the health card compared with an identity code (CCCD)
    # read at the same station. Only the outcome is kept: never a name or a number. Kept in
    # the chained `flags` column, so records made before binding existed verify unchanged
    # and the hub's table needs no new column. No identity flag: none was compared (absent).
    IDENTITY_MATCHED = "identity_matched"
    IDENTITY_MISMATCH = "identity_mismatch"
    # the same showing of a card as an earlier record, decided again once its CCCD was read:
    # not one more showing for the shared-code count
    REDECIDED = "redecided"


SHARING_FLAGS = frozenset({Flag.SHARED_CODE, Flag.IMPOSSIBLE_TRAVEL})
IDENTITY_FLAGS = {
    "matched": Flag.IDENTITY_MATCHED,
    "mismatch": Flag.IDENTITY_MISMATCH,
}  # a check's binding outcome (`core/binding.Binding` value) -> its record flag; absent: none


class EventKind(StrEnum):
    """Security-relevant events, chained in the check log beside the checks."""

    PIN_ATTEMPT = "pin_attempt"
    PIN_CHANGED = "pin_changed"
    PIN_RECOVERED = "pin_recovered"
    PIN_STATE_LOST = "pin_state_lost"
    SETTINGS_CHANGED = "settings_changed"
    BUNDLE_IMPORTED = "bundle_imported"
    BUNDLE_REFUSED = "bundle_refused"
    EXPORT = "export"
    ACK = "ack"  # the hub confirmed holding these records
    REWIND = "rewind"  # queued again: the hub held less than it had confirmed
    PURGE = "purge"
    CLOCK_WARNING = "clock_warning"
    TRUST_DAMAGED = "trust_damaged"
    STORE_RECOVERED = "store_recovered"
    ANCHORED = "anchored"  # the log's anchor file was started (a new log, or one from an earlier version)
    ANCHOR_LOST = "anchor_lost"  # the anchor file was missing or unreadable: started again
    ANCHOR_MISMATCH = "anchor_mismatch"  # the log's ends disagreed with the anchor file when opened
    ANCHOR_BEHIND = "anchor_behind"  # records past the anchor file (a power cut) when opened


class StoreProblem(StrEnum):
    """Why a record could not be written: the environment's fault, not a bug (the store
    tells them apart by SQLite's result code). Shown in `gate --json`; the window maps them
    to sentences."""

    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    IO_ERROR = "io_error"


@dataclass(frozen=True)
class Station:
    """Where and by whom a check is made: written into its record, so a settings change
    applies to the next record."""

    checkpoint_id: str
    operator: str = ""


@dataclass(frozen=True)
class Saved:
    """A record written durably: its sequence number, id and the flags it got."""

    seq: int
    record_id: str
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """One field of a check record.

    `chained`: covered by the row hash. `exported`: a column of supervisor and hub exports.
    `minimum`/`maximum` bound integers, `max_length` bounds text, `pattern` constrains it.
    """

    name: str
    kind: type
    required: bool = False
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None
    timestamp: bool = False  # ISO-8601 with a zone
    chained: bool = True
    exported: bool = True


# In export order; the hash does not depend on the order (canonical JSON sorts its keys).
RECORD: tuple[FieldSpec, ...] = (
    FieldSpec("seq", int, required=True, minimum=1, maximum=2**62),
    FieldSpec("id", str, required=True, max_length=64),
    FieldSpec("wall_time", str, required=True, max_length=40, timestamp=True),
    FieldSpec("checkpoint_id", str, max_length=128),
    FieldSpec("checkpoint_type", str, max_length=16),
    FieldSpec("level", int, minimum=0, maximum=9),
    FieldSpec("device_id", str, required=True, max_length=64),
    FieldSpec("operator", str, max_length=128),
    FieldSpec("format", str, required=True, max_length=32),
    FieldSpec("issuer", str, max_length=64),
    FieldSpec("certificate_type", str, max_length=1),
    FieldSpec("valid", int, required=True, minimum=0, maximum=1),
    FieldSpec("colour", str, max_length=8),
    FieldSpec("decision", str, required=True, max_length=8),
    FieldSpec("reason", str, required=True, max_length=64),
    FieldSpec("profile_id", str, max_length=64),
    FieldSpec("profile_version", str, max_length=32),
    FieldSpec("policy_id", str, max_length=64),
    FieldSpec("policy_version", str, max_length=32),
    FieldSpec("flags", str, max_length=512),
    FieldSpec("cert_hash", str, max_length=64),
    FieldSpec("row_hash", str, required=True, pattern=HEX64, max_length=64, chained=False),
    FieldSpec("monotonic", float, exported=False),
    FieldSpec("session", str, max_length=64, exported=False),
    FieldSpec("kid", str, max_length=64, exported=False),
    FieldSpec("sealed", str, max_length=20000, exported=False),
    FieldSpec("prev_hash", str, required=True, pattern=HEX64, max_length=64, exported=False),
)

FIELDS = {spec.name: spec for spec in RECORD}
CHAINED_FIELDS = tuple(spec.name for spec in RECORD if spec.chained)
WIRE_FIELDS = tuple(spec.name for spec in RECORD)  # every field, the chain link included
EXPORT_COLUMNS = tuple(spec.name for spec in RECORD if spec.exported)
NUMERIC_FIELDS = {spec.name: spec.kind for spec in RECORD if spec.kind in (int, float)}


def day_bounds(day: date, zone: tzinfo) -> tuple[str, str]:
    """A local day as UTC ISO strings: records store every wall time in UTC, so plain string
    comparison selects the right instants."""
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    return start.isoformat(), (start + timedelta(days=1)).isoformat()


# -- conforming to the contract ---------------------------------------------------------------

_SURROGATES = range(0xD800, 0xE000)


def _clean_char(char: str) -> str:
    code = ord(char)
    if code in _SURROGATES:
        return "\ufffd"  # a lone surrogate cannot be stored or sent as UTF-8
    if unicodedata.category(char) == "Cc":
        return ""  # NUL and other control characters: no meaning in a record, trouble downstream
    return char


def clean_text(value: str, max_length: int | None) -> str:
    """Text as the contract allows it: no control characters, no lone surrogates, at most
    `max_length` characters."""
    # str.isprintable() is False for every control character (Cc) and lone surrogate (Cs):
    # the per-character pass runs only for the rare text that has something to clean
    cleaned = value if value.isprintable() else "".join(_clean_char(c) for c in value)
    return cleaned if max_length is None else cleaned[:max_length]


def conform(record: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The record with every text field cleaned and cut to the contract; also the names of
    the fields that had to change. Used where a record is made, so that nothing a card
    carried can make the record unstorable at the hub."""
    out = dict(record)
    changed = []
    for spec in RECORD:
        value = out.get(spec.name)
        if spec.kind is str and isinstance(value, str):
            fixed = clean_text(value, spec.max_length)
            if fixed != value:
                out[spec.name] = fixed
                changed.append(spec.name)
    return out, tuple(changed)


def violations(record: Mapping[str, Any]) -> list[str]:
    """What a received record gets wrong against the contract (empty: it conforms). The hub
    quarantines a record with violations instead of refusing its batch."""
    problems = []
    if not isinstance(record, Mapping):
        return ["not an object"]
    unknown = set(record) - set(FIELDS)
    if unknown:
        problems.append(f"unknown fields: {', '.join(sorted(map(str, unknown)))[:200]}")
    for spec in RECORD:
        value = record.get(spec.name)
        if value is None:
            if spec.required:
                problems.append(f"{spec.name}: missing")
            continue
        problems += [f"{spec.name}: {p}" for p in _field_problems(spec, value)]
    return problems


def _field_problems(spec: FieldSpec, value: Any) -> list[str]:
    if spec.kind is int:
        if not isinstance(value, int) or isinstance(value, bool):
            return ["not an integer"]
        low = spec.minimum if spec.minimum is not None else -(2**63)
        high = spec.maximum if spec.maximum is not None else 2**63 - 1
        return [] if low <= value <= high else [f"outside {low}..{high}"]
    if spec.kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return [] if ok else ["not a finite number"]
    if not isinstance(value, str):
        return ["not text"]
    if clean_text(value, None) != value:
        return ["control characters or lone surrogates"]
    if spec.max_length is not None and len(value) > spec.max_length:
        return [f"longer than {spec.max_length}"]
    if spec.pattern is not None and re.fullmatch(spec.pattern, value) is None:
        return ["malformed"]
    if spec.timestamp and parse_time(value) is None:
        return ["not an ISO-8601 time with a zone"]
    return []


def parse_time(value: str) -> datetime | None:
    """A record's wall time, or None when it is not an aware ISO-8601 time in 2000-2200."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or not 2000 <= moment.year <= 2200:
        return None
    return moment
