"""One scan, from decoded text to a saved decision: repeat suppression, the decision, the
durable record. Shared by `gate` and the window, so both behave the same.

A check is reported saved only after the record's transaction committed; if the store cannot
write (disk full, read-only medium), the outcome says so and scanning pauses upstream.
Who is on duty and at which checkpoint travel with each scan (`Station`), so a settings
change applies to the next record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from scanner_app.core.checkpoint import Checker, CheckResult
from scanner_app.core.clock import Clock, TimeFloor
from scanner_app.core.cooldown import RepeatFilter
from scanner_app.core.record import Flag, Saved, Station, StoreProblem
from scanner_app.store.db import StoreUnavailable

log = logging.getLogger(__name__)


class Recorder(Protocol):
    """The check log (scanner_app.store): writes one decision durably, returns its seq."""

    def record(
        self, result: CheckResult, text: str, station: Station, *, wall_time: datetime, monotonic: float
    ) -> Saved: ...


@dataclass(frozen=True)
class ScanOutcome:
    result: CheckResult
    text: str
    latency_ms: float
    seq: int | None = None
    saved: bool = False
    flags: tuple[Flag, ...] = ()
    store_problem: StoreProblem | None = None


class ScanService:
    def __init__(
        self,
        checker: Checker,
        clock: Clock,
        station: Station,
        *,
        floor: Callable[[], TimeFloor] = TimeFloor,
        recorder: Recorder | None = None,
        cooldown_seconds: float = 5.0,
    ) -> None:
        self.checker = checker
        self.clock = clock
        self.station = station
        self.floor = floor  # read on every scan: the sync thread raises it in memory
        self.recorder = recorder
        self.repeats = RepeatFilter(cooldown_seconds)
        self._counter = 0

    def reconfigure(self, checker: Checker, station: Station, cooldown_seconds: float) -> None:
        """New settings or trust data: the next scan uses them (the repeat filter keeps its
        memory unless the cooldown changed)."""
        self.checker = checker
        self.station = station
        if cooldown_seconds != self.repeats.cooldown_seconds:
            self.repeats = RepeatFilter(cooldown_seconds)

    def handle(
        self, text: str, captured: float, *, force: bool = False, media_time: float | None = None
    ) -> ScanOutcome | None:
        """`captured`: when the frame (or keystroke) arrived, on `Clock.monotonic` (latency
        is measured from it). `media_time`: the frame's own time (a video file's position):
        the repeat filter uses it when given, so a file gives the same checks however fast
        the machine is. None when the code is a repeat within the cooldown; `force` skips
        the cooldown (manual entry)."""
        if not force and not self.repeats.admit(text, captured if media_time is None else media_time):
            return None
        now = self.clock.now()
        result = self.checker.check(text, now, self.floor())
        if self.recorder is None:
            self._counter += 1
            return ScanOutcome(result, text, self._latency(captured), seq=self._counter)
        try:
            saved = self.recorder.record(
                result, text, self.station, wall_time=now, monotonic=self.clock.monotonic()
            )
        except StoreUnavailable as exc:
            log.error("check not saved: %s", exc)
            return ScanOutcome(result, text, self._latency(captured), store_problem=exc.problem)
        return ScanOutcome(result, text, self._latency(captured), saved.seq, True, saved.flags)

    def _latency(self, captured: float) -> float:
        return (self.clock.monotonic() - captured) * 1000


__all__ = ["Recorder", "ScanOutcome", "ScanService", "StoreUnavailable"]
