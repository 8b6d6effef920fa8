"""Time the scanner can trust.

Nothing in the core reads the system clock: callers pass `now`. The trusted-time floor is the
newest time vouched for by someone else (a bundle's `issued_at`, the hub's clock): a `now`
earlier than that (minus the skew tolerance) means the device clock was set back, and the
scanner says so instead of deciding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


@dataclass(frozen=True)
class TimeFloor:
    floor: datetime | None = None
    source: str = ""

    def allows(self, now: datetime, tolerance: timedelta) -> bool:
        return self.floor is None or now >= self.floor - tolerance

    def raised(self, seen: datetime, source: str) -> TimeFloor:
        if self.floor is not None and seen <= self.floor:
            return self
        return TimeFloor(seen, source)
