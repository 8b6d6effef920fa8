"""Decision policies: which colours may pass at which checkpoint type and epidemic level.

Resolution 128/NQ-CP defines levels 1-4; a deployment sets its checkpoint type and level.
The table is data, signed in the trust bundle; the default shipped with the program is an
example that deployments replace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from scanner_app.core.rules import Colour

CHECKPOINT_TYPES = ("road", "market", "office", "event")
LEVELS = (1, 2, 3, 4)


class Decision(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    MANUAL = "manual"


class PolicyError(ValueError):
    """A policy file is not a valid policy; it is refused as a whole."""


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    example: bool
    table: Mapping[int, Mapping[str, frozenset[Colour]]]
    identity_only: Decision = Decision.MANUAL
    stale_after_hours: float | None = None
    stale_action: Decision = Decision.MANUAL  # what a stale bundle turns an "allow" into
    title: Mapping[str, str] = field(default_factory=dict)

    def allowed(self, checkpoint: str, level: int) -> frozenset[Colour]:
        try:
            return self.table[level][checkpoint]
        except KeyError as exc:
            raise PolicyError(f"policy {self.id} has no entry for {checkpoint} at level {level}") from exc

    def decide_colour(self, colour: Colour, checkpoint: str, level: int) -> Decision:
        return Decision.ALLOW if colour in self.allowed(checkpoint, level) else Decision.DENY


def policy_from_json(data: Mapping[str, Any]) -> Policy:
    try:
        table = {
            int(level): {
                checkpoint: frozenset(Colour(c) for c in colours) for checkpoint, colours in row.items()
            }
            for level, row in data["levels"].items()
        }
        policy = Policy(
            id=str(data["id"]),
            version=str(data["version"]),
            example=bool(data.get("example", False)),
            table=table,
            identity_only=Decision(data.get("identity_only", "manual")),
            stale_after_hours=data.get("stale_after_hours"),
            stale_action=Decision(data.get("stale_action", "manual")),
            title=dict(data.get("title", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyError(f"policy is missing or has a wrong field: {exc}") from exc
    for level in LEVELS:
        for checkpoint in CHECKPOINT_TYPES:
            policy.allowed(checkpoint, level)  # every cell must be present
    return policy
