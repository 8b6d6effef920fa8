"""Rule profiles: a province's colour rules as data, evaluated with CertLogic.

A profile lists colours in order, each with a CertLogic condition over
`{payload, external: {validationClock, valueSets}}`; the first condition that is `true`
gives the colour, and `otherwise` (red) applies when none is. Any evaluation error gives
red too, with the error kept for the log: a broken rule must never let someone through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from scanner_app.core.certlogic import CertLogicError, evaluate, validate


class Colour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class ProfileError(ValueError):
    """A profile file is not a valid profile; it is refused as a whole."""


@dataclass(frozen=True)
class ColourRule:
    colour: Colour
    condition: Any


@dataclass(frozen=True)
class Profile:
    id: str
    version: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    valid_from: datetime | None
    valid_until: datetime | None
    rules: tuple[ColourRule, ...]
    otherwise: Colour = Colour.RED
    source: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def in_force(self, now: datetime) -> bool:
        if self.valid_from is not None and now < self.valid_from:
            return False
        return not (self.valid_until is not None and now > self.valid_until)


@dataclass(frozen=True)
class Classification:
    colour: Colour
    matched: str  # which rule decided: a colour name, "otherwise", "error" or "not_in_force"
    error: str | None = None


def parse_time(text: Any, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError as exc:
        raise ProfileError(f"{what}: not an ISO-8601 time: {text!r}") from exc
    if moment.tzinfo is None:
        raise ProfileError(f"{what}: needs a time zone: {text!r}")
    return moment


def profile_from_json(data: Mapping[str, Any]) -> Profile:
    try:
        profile_id = str(data["id"])
        rules = tuple(ColourRule(Colour(entry["colour"]), entry["when"]) for entry in data["colours"])
        otherwise = Colour(data.get("otherwise", "red"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"profile is missing or has a wrong field: {exc}") from exc
    for rule in rules:
        issues = validate(rule.condition)
        if issues:
            raise ProfileError(f"{profile_id}: {rule.colour} condition: {'; '.join(issues)}")
    return Profile(
        id=profile_id,
        version=str(data.get("version", "")),
        title=dict(data.get("title", {})),
        description=dict(data.get("description", {})),
        valid_from=parse_time(data.get("valid_from"), f"{profile_id} valid_from"),
        valid_until=parse_time(data.get("valid_until"), f"{profile_id} valid_until"),
        rules=rules,
        otherwise=otherwise,
        source=dict(data),
    )


def rule_context(payload: Any, now: datetime, value_sets: Mapping[str, Any] | None = None) -> dict[str, Any]:
    clock = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "payload": payload,
        "external": {"validationClock": clock, "valueSets": dict(value_sets or {})},
    }


def classify(
    profile: Profile, payload: Any, now: datetime, value_sets: Mapping[str, Any] | None = None
) -> Classification:
    if not profile.in_force(now):
        return Classification(Colour.RED, "not_in_force")
    return classify_context(profile, rule_context(payload, now, value_sets))


def classify_context(profile: Profile, data: Mapping[str, Any]) -> Classification:
    """Evaluate on a ready data context (the form rule authors write tests in)."""
    for rule in profile.rules:
        try:
            result = evaluate(rule.condition, data)
        except (CertLogicError, RecursionError) as exc:
            return Classification(Colour.RED, "error", str(exc))
        if result is True:
            return Classification(rule.colour, rule.colour.value)
    return Classification(profile.otherwise, "otherwise")
