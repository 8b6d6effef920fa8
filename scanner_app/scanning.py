"""One scan, from decoded text to a saved decision: repeat suppression, the decision, the
durable record. Shared by `gate` and the window, so both behave the same.

A check is reported saved only after the record's transaction committed; if the store cannot
write (disk full, read-only medium), the outcome says so and scanning pauses upstream.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from scanner_app.core.checkpoint import Checker, CheckResult
from scanner_app.core.clock import Clock, TimeFloor
from scanner_app.core.cooldown import RepeatFilter

log = logging.getLogger(__name__)


class Recorder(Protocol):
    """The check log (scanner_app.store): writes one decision durably, returns its seq."""

    def record(self, result: CheckResult, text: str, *, wall_time: object, monotonic: float) -> Saved: ...


@dataclass(frozen=True)
class Saved:
    seq: int
    record_id: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanOutcome:
    result: CheckResult
    text: str
    latency_ms: float
    seq: int | None = None
    saved: bool = False
    flags: tuple[str, ...] = ()
    store_error: str | None = None


class ScanService:
    def __init__(
        self,
        checker: Checker,
        clock: Clock,
        *,
        floor: TimeFloor | None = None,
        recorder: Recorder | None = None,
        cooldown_seconds: float = 5.0,
    ) -> None:
        self.checker = checker
        self.clock = clock
        self.floor = floor or TimeFloor()
        self.recorder = recorder
        self.repeats = RepeatFilter(cooldown_seconds)
        self._counter = 0

    def handle(self, text: str, captured: float, *, force: bool = False) -> ScanOutcome | None:
        """`captured` is the monotonic time the frame (or keystroke) arrived; None when the
        code is a repeat within the cooldown. `force` skips the cooldown (manual entry)."""
        if not force and not self.repeats.admit(text, captured):
            return None
        now = self.clock.now()
        result = self.checker.check(text, now, self.floor)
        if self.recorder is None:
            self._counter += 1
            latency = (self.clock.monotonic() - captured) * 1000
            return ScanOutcome(result, text, latency, seq=self._counter)
        try:
            saved = self.recorder.record(result, text, wall_time=now, monotonic=self.clock.monotonic())
        except OSError as exc:  # StoreUnavailable derives from OSError: disk full, read-only
            log.error("check not saved: %s", exc)
            latency = (self.clock.monotonic() - captured) * 1000
            return ScanOutcome(result, text, latency, store_error=str(exc))
        latency = (self.clock.monotonic() - captured) * 1000
        return ScanOutcome(result, text, latency, saved.seq, True, saved.flags)
