"""Why an input row was not used: one stable code per cause, written to rejects.csv."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    BAD_ROW = "bad_row"  # wrong number of fields
    MISSING_FIELD = "missing_field"
    BAD_CCCD = "bad_cccd"  # not 12 digits, unknown province code, or birth year digits disagree
    BAD_NAME = "bad_name"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"
    DATE_ORDER = "date_order"  # e.g. recovered before the first positive test
    UNKNOWN_PRODUCT = "unknown_product"
    BAD_DOSE = "bad_dose"
    DOSE_ABOVE_SERIES = "dose_above_series"
    BAD_VALUE = "bad_value"  # test type, result or facility not usable
    POSITIVE_RESULT = "positive_result"  # not issued as a test certificate
    CONFLICTING_NAMES = "conflicting_names"
    CONFLICTING_BIRTH_DATE = "conflicting_birth_date"
    CONFLICTING_DOSES = "conflicting_doses"
    SCHEMA_INVALID = "schema_invalid"  # the DCC built from the row fails the 1.3.0 schema


@dataclass(frozen=True)
class RowRef:
    """Where a record came from: the source name, the file and the line in it."""

    source: str
    file: str
    line: int
    cccd: str


@dataclass(frozen=True)
class Reject:
    row: RowRef
    reason: Reason
    detail: str

    def as_csv_row(self) -> list[str]:
        return [
            self.row.source,
            self.row.file,
            str(self.row.line),
            self.row.cccd,
            self.reason.value,
            self.detail,
        ]


REJECT_HEADER = ["source", "file", "line", "cccd", "reason", "detail"]
