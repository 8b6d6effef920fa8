"""The platforms' CSV exports, read row by row into typed records or rejects.

UTF-8 (a BOM is tolerated), a header naming the columns, dates `DD/MM/YYYY` or ISO. Times
without a zone are Viet Nam time (+07:00). A file that is not UTF-8 or lacks a column is
refused as a whole; a row that cannot be used becomes a `Reject` with its line and reason.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from scanner_app.core.names import standardise
from scanner_issuer.cccd import cccd_problem
from scanner_issuer.errors import IssuerError
from scanner_issuer.products import Product, find_product
from scanner_issuer.reasons import Reason, Reject, RowRef

VN_TIME = timezone(timedelta(hours=7))
MAX_NAME = 80  # DCC schema maxLength of fn/gn/fnt/gnt
MAX_FACILITY = 50  # DCC schema maxLength of tc
IDENTITY_COLUMNS = ["cccd", "family_name", "given_name", "birth_date"]
COLUMNS = {
    "vaccinations": [*IDENTITY_COLUMNS, "vaccine", "dose_number", "total_doses", "date"],
    "tests": [*IDENTITY_COLUMNS, "test_type", "result", "sample_time", "facility"],
    "recoveries": [*IDENTITY_COLUMNS, "first_positive_date", "recovered_date"],
}
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NAME_CHARS = re.compile(r"[^\W\d_]+(?:[ '\-][^\W\d_]+)*")


@dataclass(frozen=True)
class Identity:
    cccd: str
    family: str
    given: str
    dob: date

    def name_key(self) -> tuple[str, str]:
        return (self.family.casefold(), self.given.casefold())


@dataclass(frozen=True)
class Vaccination:
    row: RowRef
    identity: Identity
    product_name: str
    product: Product
    dose: int
    doses: int
    when: date


@dataclass(frozen=True)
class LabTest:
    row: RowRef
    identity: Identity
    pcr: bool
    sampled: datetime
    facility: str


@dataclass(frozen=True)
class Recovery:
    row: RowRef
    identity: Identity
    first_positive: date
    recovered: date


Record = Vaccination | LabTest | Recovery


class _RowProblem(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        self.reason = reason
        self.detail = detail


def read_source(kind: str, path: Path, at: datetime) -> tuple[list[Record], list[Reject]]:
    """Every row of one platform export, as a record or a reject. `at` bounds 'the future'."""
    records: list[Record] = []
    rejects: list[Reject] = []
    for line, row in _rows(kind, path):
        ref = RowRef(kind, path.name, line, row.get("cccd", "").strip())
        try:
            records.append(_PARSERS[kind](ref, row, at))
        except _RowProblem as problem:
            rejects.append(Reject(ref, problem.reason, problem.detail))
    return records, rejects


def _rows(kind: str, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip().lower() for h in next(reader, [])]
            missing = [c for c in COLUMNS[kind] if c not in header]
            if missing:
                raise IssuerError(f"{path}: not a {kind} export: missing column(s) {', '.join(missing)}")
            for fields in reader:
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) != len(header):
                    yield (
                        reader.line_num,
                        {
                            "__bad__": f"{len(fields)} fields, the header has {len(header)}",
                            **dict(zip(header, fields, strict=False)),
                        },
                    )
                    continue
                yield reader.line_num, dict(zip(header, fields, strict=True))
    except UnicodeDecodeError as exc:
        raise IssuerError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise IssuerError(f"cannot read {path}: {exc}") from exc
    except csv.Error as exc:
        raise IssuerError(f"{path}: not readable as CSV: {exc}") from exc


def _field(row: dict[str, str], name: str) -> str:
    if "__bad__" in row:
        raise _RowProblem(Reason.BAD_ROW, row["__bad__"])
    value = unicodedata.normalize("NFC", " ".join(row.get(name, "").split()))
    if not value:
        raise _RowProblem(Reason.MISSING_FIELD, f"{name} is empty")
    return value


def _identity(ref: RowRef, row: dict[str, str], at: datetime) -> Identity:
    cccd = _field(row, "cccd")
    family, given = _name(row, "family_name"), _name(row, "given_name")
    dob = _date(row, "birth_date", at)
    if dob.year < 1900:
        raise _RowProblem(Reason.BAD_DATE, f"birth_date {dob.isoformat()} is before 1900")
    problem = cccd_problem(cccd, dob)
    if problem:
        raise _RowProblem(Reason.BAD_CCCD, f"{cccd}: {problem}")
    return Identity(cccd, family, given, dob)


@lru_cache(maxsize=8192)
def standard_name(name: str) -> str:
    """The ICAO 9303 form (fnt/gnt), cached: a name is checked here and built into a DCC thrice."""
    return standardise(name)


def _name(row: dict[str, str], column: str) -> str:
    value = _field(row, column)
    if not _NAME_CHARS.fullmatch(value):
        raise _RowProblem(Reason.BAD_NAME, f"{column} {value!r}: letters, spaces, ' and - only")
    standard = standard_name(value)
    if len(value) > MAX_NAME or len(standard) > MAX_NAME or not standard:
        raise _RowProblem(Reason.BAD_NAME, f"{column} {value!r} is too long or has no Latin letters")
    return value


def parse_date(text: str) -> date:
    match = _DMY.fullmatch(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (DD/MM/YYYY or YYYY-MM-DD)") from None


def parse_time(text: str) -> datetime:
    """A moment with a time of day; no zone means Viet Nam time."""
    day, _, clock = text.replace("T", " ", 1).partition(" ")
    if not clock:
        raise ValueError(f"{text!r} has no time of day")
    try:
        moment = datetime.fromisoformat(f"{parse_date(day).isoformat()}T{clock.strip()}")
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TIME)


def _date(row: dict[str, str], column: str, at: datetime) -> date:
    value = _field(row, column)
    try:
        parsed = parse_date(value)
    except ValueError as exc:
        raise _RowProblem(Reason.BAD_DATE, f"{column}: {exc}") from None
    if parsed > at.astimezone(VN_TIME).date():
        raise _RowProblem(
            Reason.FUTURE_DATE, f"{column} {parsed.isoformat()} is after {at.date().isoformat()}"
        )
    return parsed


def _count(row: dict[str, str], column: str) -> int:
    value = _field(row, column)
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 9:
        raise _RowProblem(Reason.BAD_DOSE, f"{column} {value!r} is not a number from 1 to 9")
    return int(value)


def _vaccination(ref: RowRef, row: dict[str, str], at: datetime) -> Vaccination:
    identity = _identity(ref, row, at)
    name = _field(row, "vaccine")
    product = find_product(name)
    if product is None:
        raise _RowProblem(Reason.UNKNOWN_PRODUCT, f"vaccine {name!r} is not in data/vaccines.json")
    dose, doses = _count(row, "dose_number"), _count(row, "total_doses")
    if dose > doses:
        raise _RowProblem(Reason.DOSE_ABOVE_SERIES, f"dose {dose} of a {doses}-dose series")
    when = _date(row, "date", at)
    if when < identity.dob:
        raise _RowProblem(Reason.DATE_ORDER, f"vaccinated {when.isoformat()}, before birth")
    return Vaccination(ref, identity, name, product, dose, doses, when)


def _test(ref: RowRef, row: dict[str, str], at: datetime) -> LabTest:
    identity = _identity(ref, row, at)
    kind = _field(row, "test_type").upper()
    if kind not in ("PCR", "RAT"):
        raise _RowProblem(Reason.BAD_VALUE, f"test_type {kind!r} is neither PCR nor RAT")
    result = _field(row, "result").casefold()
    if result == "positive":
        raise _RowProblem(Reason.POSITIVE_RESULT, "positive results are not issued as test certificates")
    if result != "negative":
        raise _RowProblem(Reason.BAD_VALUE, f"result {result!r} is neither negative nor positive")
    text = _field(row, "sample_time")
    try:
        sampled = parse_time(text)
    except ValueError as exc:
        raise _RowProblem(Reason.BAD_DATE, f"sample_time: {exc}") from None
    if sampled > at:
        raise _RowProblem(Reason.FUTURE_DATE, f"sample_time {sampled.isoformat()} is after {at.isoformat()}")
    facility = _field(row, "facility")
    if len(facility) > MAX_FACILITY:
        raise _RowProblem(Reason.BAD_VALUE, f"facility name longer than {MAX_FACILITY} characters")
    return LabTest(ref, identity, kind == "PCR", sampled, facility)


def _recovery(ref: RowRef, row: dict[str, str], at: datetime) -> Recovery:
    identity = _identity(ref, row, at)
    first = _date(row, "first_positive_date", at)
    recovered = _date(row, "recovered_date", at)
    if recovered < first:
        raise _RowProblem(Reason.DATE_ORDER, f"recovered {recovered.isoformat()} before testing positive")
    if first < identity.dob:
        raise _RowProblem(Reason.DATE_ORDER, "tested positive before birth")
    return Recovery(ref, identity, first, recovered)


_PARSERS: dict[str, Callable[[RowRef, dict[str, str], datetime], Record]] = {
    "vaccinations": _vaccination,
    "tests": _test,
    "recoveries": _recovery,
}
