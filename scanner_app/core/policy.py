"""Decision policies: which colours may pass at which checkpoint type and epidemic level.

Resolution 128/NQ-CP defines levels 1-4; a deployment sets its checkpoint type and level.
The table is data, signed in the trust bundle; the default shipped with the program is an
example that deployments replace.

Two-code binding (`binding.py`): `binding_required` lists, per level, the checkpoint types
where a health card must be matched to an identity code (CCCD) read at the same station
(`{"3": ["event"], "4": ["event"]}`; absent in older policies: required nowhere).
`decide_binding` applies it: an allowed card without a matched identity becomes `manual`
("Cần quét CCCD", `identity_required`) where binding is required; a mismatch is `deny`
(`identity_mismatch`) everywhere, required or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from scanner_app.core.binding import Binding
from scanner_app.core.model import Reason
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
    binding_required: frozenset[tuple[int, str]] = frozenset()  # (level, checkpoint type)

    def allowed(self, checkpoint: str, level: int) -> frozenset[Colour]:
        try:
            return self.table[level][checkpoint]
        except KeyError as exc:
            raise PolicyError(f"policy {self.id} has no entry for {checkpoint} at level {level}") from exc

    def decide_colour(self, colour: Colour, checkpoint: str, level: int) -> Decision:
        return Decision.ALLOW if colour in self.allowed(checkpoint, level) else Decision.DENY

    def requires_binding(self, checkpoint: str, level: int) -> bool:
        return (level, checkpoint) in self.binding_required


def decide_binding(
    decision: Decision, reason: Reason, binding: Binding | None, *, required: bool, card_valid: bool
) -> tuple[Decision, Reason]:
    """The decision and reason once the identity binding is known (None: no identity read).

    A mismatch denies whatever the colour, with `identity_mismatch`, unless the card itself
    was already refused (its own reason says more). Where binding is required, an `allow`
    without a match becomes `manual` with `identity_required`. Everything else is unchanged.
    """
    if binding is Binding.MISMATCH:
        return Decision.DENY, (Reason.IDENTITY_MISMATCH if card_valid else reason)
    if required and decision is Decision.ALLOW and binding is not Binding.MATCHED:
        return Decision.MANUAL, Reason.IDENTITY_REQUIRED
    return decision, reason


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
            binding_required=_binding_cells(data.get("binding_required", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyError(f"policy is missing or has a wrong field: {exc}") from exc
    for level in LEVELS:
        for checkpoint in CHECKPOINT_TYPES:
            policy.allowed(checkpoint, level)  # every cell must be present
    return policy


def _binding_cells(data: Any) -> frozenset[tuple[int, str]]:
    if not isinstance(data, Mapping):
        raise PolicyError("binding_required must map levels to checkpoint types")
    cells = set()
    for level, checkpoints in data.items():
        if int(level) not in LEVELS or not isinstance(checkpoints, list):
            raise PolicyError(f"binding_required: level {level!r} is not 1-4 with a list of types")
        for checkpoint in checkpoints:
            if checkpoint not in CHECKPOINT_TYPES:
                raise PolicyError(f"binding_required: unknown checkpoint type {checkpoint!r}")
            cells.add((int(level), checkpoint))
    return frozenset(cells)
