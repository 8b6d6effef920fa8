"""The admin PIN's lockout rule (kiosk exit, settings, supervisor view): after a few wrong
attempts, attempts are refused for a while, and the wait doubles each time it happens again.
Pure: the caller passes the monotonic time and persists the state."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PinLockout:
    max_failures: int = 5
    first_lockout_seconds: float = 60.0
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0

    def locked(self, now: float) -> bool:
        return now < self.locked_until

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.locked_until - now)

    def record(self, ok: bool, now: float) -> None:
        if ok:
            self.failures = 0
            self.lockouts = 0
            return
        self.failures += 1
        if self.failures >= self.max_failures:
            self.locked_until = now + self.first_lockout_seconds * (2**self.lockouts)
            self.lockouts += 1
            self.failures = 0
