"""Revoking cards in the register (lost, issued in error, ...); export-trust carries the
revocations to the scanners with the next bundle."""

from __future__ import annotations

from datetime import datetime

from scanner_issuer.errors import IssuerError
from scanner_issuer.register import Register
from scanner_issuer.state import IssuerState, iso

REASONS = ("lost", "issued_in_error", "withdrawn_by_holder", "other")


def revoke(state: IssuerState, *, uvci: str | None, cccd: str | None, reason: str, at: datetime) -> list[str]:
    """Revoke one card (by UVCI) or every active card of a person (by CCCD)."""
    if reason not in REASONS:
        raise IssuerError(f"reason must be one of {', '.join(REASONS)}")
    register = Register(state.folder / "register.sqlite")
    try:
        with register.transaction():
            if uvci is not None:
                card = register.card(uvci.strip())
                if card is None:
                    raise IssuerError(f"no card {uvci} in the register")
                if card.status != "active":
                    raise IssuerError(f"{uvci} is already revoked ({card.revoke_reason}, {card.revoked_at})")
                targets = [card.uvci]
            else:
                targets = [c.uvci for c in register.active_for_person((cccd or "").strip())]
                if not targets:
                    raise IssuerError(f"no active card for CCCD {cccd}")
            for target in targets:
                register.revoke(target, reason=reason, at=iso(at))
    finally:
        register.close()
    return targets
