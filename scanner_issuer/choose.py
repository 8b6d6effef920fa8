"""Which certificates a person gets: the one with the best colour under the province's rule
profile at the moment of issue, plus the vaccination certificate whenever there is one.

Colours come from the scanner's own classifier (`scanner_app.core.rules`) on the very DCC
that will be signed, so the colour printed at issue is the colour a scanner shows then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner_app.core.rules import Colour, Profile, ProfileError, classify, profile_from_json
from scanner_issuer.dcc import build_dcc
from scanner_issuer.errors import IssuerError
from scanner_issuer.people import Person
from scanner_issuer.sources import LabTest, Record, Vaccination

RANK = {Colour.RED: 0, Colour.YELLOW: 1, Colour.GREEN: 2}
TYPE_PREFERENCE = {"v": 2, "r": 1, "t": 0}  # on equal colours: the card that lasts longer
# How long a signed card stays technically valid (CWT exp). The colour a card gives is the
# scanner's rule, not this: a test card turns red after 72 h in Khánh Hòa while still valid.
LIFETIME = {"v": timedelta(days=365), "t": timedelta(days=7), "r": timedelta(days=180)}
PLACEHOLDER_CI = "URN:UVCI:01:VN:PENDING#A"


@dataclass(frozen=True)
class Candidate:
    kind: str
    record: Record
    colour: Colour
    build: Callable[[str], dict[str, Any]]  # the DCC with a given certificate identifier

    def moment(self) -> date:
        record = self.record
        if isinstance(record, Vaccination):
            return record.when
        if isinstance(record, LabTest):
            return record.sampled.date()
        return record.first_positive


def load_profile(path: Path) -> Profile:
    try:
        return profile_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ProfileError) as exc:
        raise IssuerError(f"{path}: not a usable rule profile: {exc}") from exc


def choose(person: Person, profile: Profile, at: datetime, *, country: str, issuer: str) -> list[Candidate]:
    """The certificates to issue for `person`, best colour first."""
    candidates = [_candidate(record, profile, at, country, issuer) for record in _records(person)]
    if not candidates:
        return []
    best = max(candidates, key=lambda c: (RANK[c.colour], TYPE_PREFERENCE[c.kind], c.moment()))
    chosen = [best]
    vaccination = next((c for c in candidates if c.kind == "v"), None)
    if vaccination is not None and vaccination is not best:
        chosen.append(vaccination)
    return chosen


def _records(person: Person) -> list[Record]:
    records: list[Record] = [person.vaccination] if person.vaccination else []
    return [*records, *person.tests, *person.recoveries]


def _candidate(record: Record, profile: Profile, at: datetime, country: str, issuer: str) -> Candidate:
    kind = "v" if isinstance(record, Vaccination) else "t" if isinstance(record, LabTest) else "r"

    def build(ci: str) -> dict[str, Any]:
        return build_dcc(record, country=country, issuer=issuer, ci=ci)

    colour = classify(profile, build(PLACEHOLDER_CI), at).colour
    return Candidate(kind, record, colour, build)


def colour_holds_until(
    profile: Profile, dcc: dict[str, Any], colour: Colour, start: datetime, end: datetime
) -> datetime:
    """The last second up to `end` at which the card still gives `colour` or better.

    Profiles let a fixed card's colour only fade once (a test's 72 h, a recovery's 180 days;
    a vaccination card only improves), so a bisection between `start` and the first moment
    it is worse finds the edge with ~20 classifications instead of one per second.
    """

    def holds(moment: datetime) -> bool:
        return RANK[classify(profile, dcc, moment).colour] >= RANK[colour]

    if holds(end):
        return end
    good, bad = start, end
    while bad - good > timedelta(seconds=1):
        middle = good + (bad - good) / 2
        middle = middle.replace(microsecond=0)
        if middle <= good:
            break
        good, bad = (middle, bad) if holds(middle) else (good, middle)
    return good
