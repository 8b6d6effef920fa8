"""Is the camera alive? A pure state machine fed with frame arrivals and the monotonic time.

A source that stops delivering (frozen, blocked in read(), unplugged) or, when live, keeps
delivering the very same frame, is declared lost after `lost_after` seconds; reopening is
then attempted with a backoff that stays short (a camera plugged back in must resume within
seconds), and any fresh frame makes it healthy again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CameraState(StrEnum):
    STARTING = "starting"
    OK = "ok"
    LOST = "lost"


class Action(StrEnum):
    NONE = "none"
    REPORT_LOST = "report_lost"
    REOPEN = "reopen"
    REPORT_OK = "report_ok"


@dataclass
class CameraHealth:
    lost_after: float = 1.5  # reported within 2 s
    backoff_first: float = 0.5
    backoff_cap: float = 2.0  # a returning camera is retried at least every 2 s
    check_frozen: bool = True  # live sources only: files can show a still scene
    # live sources only: a file gives its next frame when asked, after however long a hard
    # frame took to decode; only a camera's silence is a fault
    check_silence: bool = True
    state: CameraState = CameraState.STARTING
    _last_frame: float | None = None
    _last_change: float | None = None
    _last_digest: bytes = b""
    _next_reopen: float = 0.0
    _backoff: float = 0.5
    _started: float | None = None

    def start(self, now: float) -> None:
        self._started = now
        self._last_frame = self._last_change = None
        self._next_reopen = now + self.lost_after

    def frame(self, now: float, digest: bytes) -> Action:
        changed = digest != self._last_digest
        self._last_frame = now
        if changed or self._last_change is None:
            self._last_digest = digest
            self._last_change = now
        # after a loss, only a *different* picture proves a live camera is back
        if self.state is not CameraState.OK and (changed or not self.check_frozen):
            self.state = CameraState.OK
            self._backoff = self.backoff_first
            return Action.REPORT_OK
        return Action.NONE

    def failed(self, now: float) -> Action:
        """The source raised or said it is gone: lost at once."""
        return self._lose(now)

    def tick(self, now: float) -> Action:
        if self.state is CameraState.LOST:
            if now >= self._next_reopen:
                self._next_reopen = now + self._backoff
                self._backoff = min(self._backoff * 2, self.backoff_cap)
                return Action.REOPEN
            return Action.NONE
        reference = self._last_frame if self._last_frame is not None else self._started
        if self.check_silence and reference is not None and now - reference >= self.lost_after:
            return self._lose(now)
        if self.state is CameraState.OK and self._frozen(now):
            return self._lose(now)
        return Action.NONE

    def _frozen(self, now: float) -> bool:
        return (
            self.check_frozen and self._last_change is not None and now - self._last_change >= self.lost_after
        )

    def _lose(self, now: float) -> Action:
        if self.state is CameraState.LOST:
            return Action.NONE
        self.state = CameraState.LOST
        self._next_reopen = now + self.backoff_first
        self._backoff = self.backoff_first
        return Action.REPORT_LOST
