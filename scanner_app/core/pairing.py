"""Pairing an identity code with a health card read at the same station, in either order,
within a window (default 20 s), on the injected monotonic clock.

The scan service calls `identity_read` for a CCCD / PC-COVID personal QR and `health_read`
for a health card (HC1, SHC), passing a `ticket` that names the health check (its record
sequence, or the CheckResult itself). What comes back:
- `health_read` returns the binding for this health card at once: `matched`/`mismatch` when
  an identity was read in the last `window` seconds (that identity is used up), else `absent`;
- `identity_read` returns `Paired(ticket, binding)` when a health card read in the last
  `window` seconds still awaits an identity (health card first, then the CCCD): the service
  re-decides that check with the binding; else it keeps the identity for the next card.
A health card pairs with one identity only: after a `mismatch` a later CCCD does not
re-decide it. The CCCD's QR is not signed, so anyone can print one with the card's name and
birth date; letting a second CCCD turn a mismatch into `matched` (and a deny into an allow)
would reward exactly that. An officer who scanned the wrong CCCD scans the card again.
A newer identity or a newer health card replaces an older one that has not been paired.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from scanner_app.core.binding import NO_IDENTITY, BindingResult, compare
from scanner_app.core.clock import Clock
from scanner_app.core.model import Holder

DEFAULT_WINDOW_SECONDS = 20.0
Ticket = TypeVar("Ticket")


@dataclass(frozen=True)
class Paired(Generic[Ticket]):
    ticket: Ticket
    binding: BindingResult


@dataclass(frozen=True)
class _Identity:
    holder: Holder
    at: float


@dataclass(frozen=True)
class _Health(Generic[Ticket]):
    holder: Holder | None
    ticket: Ticket
    at: float


class Pairing(Generic[Ticket]):
    def __init__(self, clock: Clock, window_seconds: float = DEFAULT_WINDOW_SECONDS) -> None:
        if window_seconds <= 0:
            raise ValueError("the pairing window must be positive")
        self._clock = clock
        self.window_seconds = window_seconds
        self._identity: _Identity | None = None
        self._health: _Health[Ticket] | None = None

    def identity_read(self, holder: Holder) -> Paired[Ticket] | None:
        now = self._expire()
        health = self._health
        if health is None:
            self._identity = _Identity(holder, now)
            return None
        binding = compare(holder, health.holder)
        self._health = None  # paired once: a mismatch stands (see the module's docstring)
        self._identity = None
        return Paired(health.ticket, binding)

    def health_read(self, holder: Holder | None, ticket: Ticket) -> BindingResult:
        now = self._expire()
        identity, self._identity = self._identity, None
        binding = NO_IDENTITY if identity is None else compare(identity.holder, holder)
        # open for a later identity only when none was compared: a mismatch stands
        self._health = _Health(holder, ticket, now) if identity is None else None
        return binding

    def awaiting_identity(self) -> Ticket | None:
        """The health check still waiting for an identity code (for the panel's prompt)."""
        self._expire()
        return self._health.ticket if self._health is not None else None

    def clear(self) -> None:
        self._identity = None
        self._health = None

    def _expire(self) -> float:
        now = self._clock.monotonic()
        horizon = now - self.window_seconds
        if self._identity is not None and not horizon <= self._identity.at <= now:
            self._identity = None
        if self._health is not None and not horizon <= self._health.at <= now:
            self._health = None
        return now
