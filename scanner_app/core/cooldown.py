"""Repeat suppression: a code held in front of the camera is decoded many times a second,
but checked once. Time-based on the monotonic clock the caller passes in."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RepeatFilter:
    cooldown_seconds: float = 5.0
    _last_seen: dict[str, float] = field(default_factory=dict)

    def admit(self, text: str, monotonic_now: float) -> bool:
        """True the first time a code is seen, and again once it has been out of sight for
        the cooldown. Every sighting restarts the quiet period, so a code held still for a
        minute is checked once, not every five seconds."""
        self._forget_before(monotonic_now - self.cooldown_seconds)
        fresh = text not in self._last_seen
        self._last_seen[text] = monotonic_now
        return fresh

    def _forget_before(self, horizon: float) -> None:
        stale = [code for code, seen in self._last_seen.items() if seen < horizon]
        for code in stale:
            del self._last_seen[code]
