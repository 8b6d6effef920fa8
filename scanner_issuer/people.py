"""One person per CCCD, merged from every source; contradictions reject the rows involved.

Names are compared after Unicode NFC and case folding ("NGUYỄN" = "Nguyễn"); anything else
that differs ("Ánh" / "Anh", tone marks placed differently) is a conflict, because the issuer
cannot know which spelling the person's ID card shows. A conflict rejects every row of that
CCCD: signing either spelling could put a wrong name on a card.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from scanner_issuer.reasons import Reason, Reject
from scanner_issuer.sources import Identity, LabTest, Record, Recovery, Vaccination

SOURCE_ORDER = {"vaccinations": 0, "tests": 1, "recoveries": 2}


@dataclass(frozen=True)
class Person:
    identity: Identity
    vaccination: Vaccination | None  # the latest dose, which a DCC carries
    tests: tuple[LabTest, ...]
    recoveries: tuple[Recovery, ...]

    @property
    def cccd(self) -> str:
        return self.identity.cccd


def merge(records: list[Record]) -> tuple[list[Person], list[Reject]]:
    by_cccd: dict[str, list[Record]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (SOURCE_ORDER[r.row.source], r.row.file, r.row.line)):
        by_cccd[record.identity.cccd].append(record)
    people: list[Person] = []
    rejects: list[Reject] = []
    for cccd in sorted(by_cccd):
        rows = by_cccd[cccd]
        conflict = _identity_conflict(rows)
        if conflict is not None:
            rejects += [Reject(r.row, conflict[0], conflict[1]) for r in rows]
            continue
        vaccinations = [r for r in rows if isinstance(r, Vaccination)]
        dose_conflict = _dose_conflict(vaccinations)
        if dose_conflict is not None:
            rejects += [Reject(r.row, Reason.CONFLICTING_DOSES, dose_conflict) for r in vaccinations]
            vaccinations = []
        person = Person(
            identity=rows[0].identity,
            vaccination=max(vaccinations, key=lambda v: (v.dose, v.when)) if vaccinations else None,
            tests=tuple(r for r in rows if isinstance(r, LabTest)),
            recoveries=tuple(r for r in rows if isinstance(r, Recovery)),
        )
        if person.vaccination or person.tests or person.recoveries:
            people.append(person)
    return people, rejects


def _identity_conflict(rows: list[Record]) -> tuple[Reason, str] | None:
    names = dict.fromkeys(r.identity.name_key() for r in rows)
    if len(names) > 1:
        spelled = dict.fromkeys(f"{r.identity.family} {r.identity.given}" for r in rows)
        return Reason.CONFLICTING_NAMES, " / ".join(spelled)
    births = dict.fromkeys(r.identity.dob for r in rows)
    if len(births) > 1:
        return Reason.CONFLICTING_BIRTH_DATE, " / ".join(d.isoformat() for d in births)
    return None


def _dose_conflict(vaccinations: list[Vaccination]) -> str | None:
    """Two different records of the same dose, or a later dose dated before an earlier one."""
    seen: dict[int, Vaccination] = {}
    for record in vaccinations:
        other = seen.setdefault(record.dose, record)
        if (other.when, other.product) != (record.when, record.product):
            return f"dose {record.dose} recorded twice: {other.when} and {record.when}"
    ordered = sorted(seen.values(), key=lambda v: v.dose)
    for earlier, later in pairwise(ordered):
        if later.when < earlier.when:
            return f"dose {later.dose} ({later.when}) is dated before dose {earlier.dose} ({earlier.when})"
    return None
