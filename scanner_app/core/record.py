"""The check record contract: one declaration of what a logged check holds.

Everything that stores, hashes, sends or exports a check derives its field list from
`RECORD`: the hash chain (`CHAINED_FIELDS`), the wire format (`WIRE_FIELDS`), the supervisor's
and the hub's exports (`EXPORT_COLUMNS`), the hub's table and its request model. A field
added here reaches all of them; none of them keeps its own list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

HEX64 = r"^[0-9a-f]{64}$"


class Flag(StrEnum):
    """Marks a record carries besides its decision. Values are stored and exported."""

    SHARED_CODE = "shared_code"  # the same card too often at one checkpoint
    IMPOSSIBLE_TRAVEL = "impossible_travel"  # the same card at two checkpoints too close in time
    STALE_BUNDLE = "stale_bundle"  # decided on trust data older than the policy allows


SHARING_FLAGS = frozenset({Flag.SHARED_CODE, Flag.IMPOSSIBLE_TRAVEL})


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
    chained: bool = True
    exported: bool = True


# In export order; the hash does not depend on the order (canonical JSON sorts its keys).
RECORD: tuple[FieldSpec, ...] = (
    FieldSpec("seq", int, required=True, minimum=1, maximum=2**62),
    FieldSpec("id", str, required=True, max_length=64),
    FieldSpec("wall_time", str, required=True, max_length=40),
    FieldSpec("checkpoint_id", str, max_length=128),
    FieldSpec("checkpoint_type", str, max_length=16),
    FieldSpec("level", int, minimum=0, maximum=9),
    FieldSpec("device_id", str, required=True, max_length=64),
    FieldSpec("operator", str, max_length=128),
    FieldSpec("format", str, required=True, max_length=32),
    FieldSpec("issuer", str, max_length=8),
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
    FieldSpec("kid", str, max_length=16, exported=False),
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
