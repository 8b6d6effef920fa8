"""One scan, from decoded text to a saved decision: repeat suppression, the decision, the
durable record. Shared by `gate` and the window, so both behave the same.

A check is reported saved only after the record's transaction committed; if the store cannot
write (disk full, read-only medium), the outcome says so and scanning pauses upstream.
Who is on duty and at which checkpoint travel with each scan (`Station`), so a settings
change applies to the next record.

Two-code binding (issue 19): every decoded code, whatever its source (camera, keyboard
wedge, `gate --source -`), goes through one `Pairing`. A health card is bound at once to an
identity code (CCCD) read within the window before it (`matched`/`mismatch`), else `absent`
and kept open; an identity code read within the window after an open health card re-decides
that card (`Checker.bind`), and the outcome of that scan is the re-decided health check,
saved as a new record (the first one stays in the chain, without an identity flag). An identity
code with no open card is checked (identity only) and kept for the next card. A health card
that failed verification takes no part: what it claims about its holder proves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from scanner_app.core.checkpoint import HEALTH_FORMATS, IDENTITY_FORMATS, Checker, CheckResult
from scanner_app.core.clock import Clock, TimeFloor
from scanner_app.core.cooldown import RepeatFilter
from scanner_app.core.model import Reason
from scanner_app.core.pairing import DEFAULT_WINDOW_SECONDS, Pairing
from scanner_app.core.record import Flag, Saved, Station, StoreProblem
from scanner_app.store.db import StoreUnavailable

log = logging.getLogger(__name__)


class Recorder(Protocol):
    """The check log (scanner_app.store): writes one decision durably, returns its seq."""

    def record(
        self,
        result: CheckResult,
        text: str,
        station: Station,
        *,
        wall_time: datetime,
        monotonic: float,
        redecided: bool = False,
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
    redecided: bool = False  # an earlier health check again, now bound to the CCCD just read

    @property
    def awaiting_identity(self) -> bool:
        """A health card the policy lets in only with a matched ID card: prompt for the CCCD."""
        return self.result.reason is Reason.IDENTITY_REQUIRED


@dataclass(frozen=True)
class _Open:
    """A health check still waiting for its identity code: what re-deciding it needs."""

    result: CheckResult
    text: str


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
        binding_window_seconds: float = DEFAULT_WINDOW_SECONDS,
    ) -> None:
        self.checker = checker
        self.clock = clock
        self.station = station
        self.floor = floor  # read on every scan: the sync thread raises it in memory
        self.recorder = recorder
        self.repeats = RepeatFilter(cooldown_seconds)
        self.pairing: Pairing[_Open] = Pairing(clock, binding_window_seconds)
        self._counter = 0

    def reconfigure(
        self,
        checker: Checker,
        station: Station,
        cooldown_seconds: float,
        binding_window_seconds: float | None = None,
    ) -> None:
        """New settings or trust data: the next scan uses them (the repeat filter keeps its
        memory unless the cooldown changed; the pairing unless its window changed)."""
        self.checker = checker
        self.station = station
        if cooldown_seconds != self.repeats.cooldown_seconds:
            self.repeats = RepeatFilter(cooldown_seconds)
        window = binding_window_seconds
        if window is not None and window != self.pairing.window_seconds:
            self.pairing = Pairing(self.clock, window)

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
        scanned = text
        result, text = self._paired(result, text)
        again = text is not scanned
        if self.recorder is None:
            self._counter += 1
            return ScanOutcome(result, text, self._latency(captured), seq=self._counter, redecided=again)
        try:
            saved = self.recorder.record(
                result, text, self.station, wall_time=now, monotonic=self.clock.monotonic(), redecided=again
            )
        except StoreUnavailable as exc:
            log.error("check not saved: %s", exc)
            return ScanOutcome(
                result, text, self._latency(captured), store_problem=exc.problem, redecided=again
            )
        return ScanOutcome(
            result, text, self._latency(captured), saved.seq, True, saved.flags, redecided=again
        )

    def _paired(self, result: CheckResult, text: str) -> tuple[CheckResult, str]:
        """The check once paired with the other code (see the module's docstring)."""
        code_format = result.verdict.format
        if code_format in HEALTH_FORMATS and result.verdict.valid:  # a refused card names nobody
            binding = self.pairing.health_read(result.verdict.holder, _Open(result, text))
            return self.checker.bind(result, binding), text
        if code_format in IDENTITY_FORMATS and result.verdict.holder is not None:
            paired = self.pairing.identity_read(result.verdict.holder)
            if paired is not None:
                return self.checker.bind(paired.ticket.result, paired.binding), paired.ticket.text
        return result, text

    def _latency(self, captured: float) -> float:
        return (self.clock.monotonic() - captured) * 1000


__all__ = ["Recorder", "ScanOutcome", "ScanService", "StoreUnavailable"]
