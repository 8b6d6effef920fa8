"""The capture loop: frames in, codes out, without ever blocking whoever consumes it.

A reader thread pulls frames from the source into a one-frame mailbox: a new frame replaces
an undecoded one (frames are dropped, never queued, so latency stays one frame). The loop
takes the newest frame, decodes it within a budget, and watches the camera's health with the
pure `CameraHealth` machine: a source that freezes, repeats one frame, blocks in `read()` or
vanishes is reported lost and reopened with backoff. A reader stuck in a blocking `read()`
cannot be interrupted in Python; it is abandoned (a daemon thread) and a fresh source opened.

No Qt here: the window wraps this loop in a thread and re-emits its events as signals.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np

from scanner_app.camera.decode import Corners
from scanner_app.camera.enhance import Gray
from scanner_app.camera.frames import Frame, FrameSource, SourceError
from scanner_app.camera.ports import FrameDecoder
from scanner_app.camera.temporal import SceneDecoder
from scanner_app.core.camera_health import Action, CameraHealth

log = logging.getLogger(__name__)


RESTART_PAUSE = 1.0  # after a bug in a source or the decoder: do not spin on a recurring one


class EventKind(StrEnum):
    CODE = "code"  # a code was read
    HINT = "hint"  # a code is in view but does not read; `hint` says why
    FRAME = "frame"  # a frame for the preview
    CAMERA_LOST = "camera_lost"
    CAMERA_OK = "camera_ok"
    DECODER_ERROR = "decoder_error"  # the decoder process crashed or hung and was restarted
    END = "end"  # a file or folder source is exhausted


class CameraState(StrEnum):
    """What the window and `gate` tell the user about the camera."""

    STARTING = "starting"
    OK = "ok"
    LOST = "lost"
    ENDED = "ended"


@dataclass(frozen=True)
class CaptureEvent:
    kind: EventKind
    frame: Frame | None = None
    text: str = ""
    corners: Corners = ()
    method: str = ""
    hint: str | None = None
    detail: str = ""


class Mailbox:
    """Holds the newest frame only; counts the frames it had to drop. A lossless mailbox (for
    files and folders, where every picture must be looked at) makes the reader wait instead."""

    def __init__(self, lossless: bool = False) -> None:
        self._condition = threading.Condition()
        self._frame: Frame | None = None
        self.lossless = lossless
        self.error: str | None = None
        self.ended = False
        self.dropped = 0

    def put(self, frame: Frame, stopping: threading.Event | None = None) -> None:
        with self._condition:
            while self.lossless and self._frame is not None and not (stopping and stopping.is_set()):
                self._condition.wait(0.1)
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self._condition.notify_all()

    def finish(self, error: str | None = None) -> None:
        with self._condition:
            self.error, self.ended = error, error is None
            self._condition.notify()

    def take(self, wait: float) -> Frame | None:
        with self._condition:
            if self._frame is None and wait > 0 and not (self.error or self.ended):
                self._condition.wait(wait)
            frame, self._frame = self._frame, None
            self._condition.notify_all()
            return frame


class Reader(threading.Thread):
    def __init__(self, source: FrameSource, mailbox: Mailbox) -> None:
        super().__init__(daemon=True, name=f"reader {source.name}")
        self.source = source
        self.mailbox = mailbox
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            self.source.open()
            while not self.stopping.is_set():
                frame = self.source.read()
                if frame is None:
                    self.mailbox.finish()
                    return
                self.mailbox.put(frame, self.stopping)
        except SourceError as exc:
            self.mailbox.finish(str(exc))
        except Exception as exc:  # a driver error must end in "camera lost", not a dead thread
            log.exception("camera reader failed")
            self.mailbox.finish(f"{type(exc).__name__}: {exc}")
        finally:
            try:
                self.source.close()
            except Exception:
                log.exception("closing the camera failed")


def thumbnail(image: Gray) -> np.ndarray:
    """32x18 block averages: sensor noise averages out, a moving person does not. Every
    second pixel is plenty (a 720p block still averages 400 of them) and costs a
    third of the full-resolution average, on every frame."""
    return cv2.resize(image[::2, ::2], (32, 18), interpolation=cv2.INTER_AREA)


def frame_digest(small: np.ndarray) -> bytes:
    """Of the thumbnail: a source that repeats one frame forever repeats this."""
    return hashlib.blake2b(small.tobytes(), digest_size=8).digest()


@dataclass
class IdleThrottle:
    """With nothing moving and nothing code-like seen for a while, decode one frame in
    `every`: a kiosk with nobody in front costs little CPU, and the first movement (someone
    raising a phone) brings back decoding of every frame."""

    motion_threshold: float = 2.0  # mean grey-level change of the block averages
    quiet_seconds: float = 1.5
    every: int = 3
    _previous: np.ndarray | None = None
    _last_activity: float = float("-inf")
    _skipped: int = 0

    def should_decode(self, small: np.ndarray, now: float) -> bool:
        """`small` is the frame's thumbnail()."""
        small = small.astype(np.float32)
        moved = (
            self._previous is None or float(np.mean(np.abs(small - self._previous))) > self.motion_threshold
        )
        self._previous = small
        if moved:
            self._last_activity = now
        if now - self._last_activity < self.quiet_seconds:
            self._skipped = 0
            return True
        self._skipped = (self._skipped + 1) % self.every
        return self._skipped == 0

    def activity(self, now: float) -> None:
        """Something code-like was seen: stay awake."""
        self._last_activity = now


@dataclass
class CaptureLoop:
    open_source: Callable[[], FrameSource]
    decoder: FrameDecoder
    monotonic: Callable[[], float]
    health: CameraHealth = field(default_factory=CameraHealth)
    throttle: IdleThrottle = field(default_factory=IdleThrottle)
    _reader: Reader | None = None
    _mailbox: Mailbox = field(default_factory=Mailbox)
    _live: bool = True
    _paced: bool = True
    _scene: SceneDecoder | None = None  # video: one rung per frame, frames of a scene combined
    frames: int = 0

    def start(self) -> None:
        self._open()

    def _open(self) -> None:
        if self._reader is not None:
            self._reader.stopping.set()  # if it is stuck in read(), it stays stuck, alone
        source = self.open_source()
        self._mailbox = Mailbox(lossless=not source.live)
        self._live = source.live
        self._paced = source.live or bool(getattr(source, "paced", False))
        self._scene = SceneDecoder(self.decoder) if source.video else None
        self.health.check_frozen = self.health.check_silence = source.live
        self.health.start(self.monotonic())
        self._reader = Reader(source, self._mailbox)
        self._reader.start()

    @property
    def reading(self) -> bool:
        """A reader is running and has not reported an end or an error."""
        mailbox = self._mailbox
        alive = self._reader is not None and self._reader.is_alive()
        return alive and mailbox.error is None and not mailbox.ended

    def stop(self) -> None:
        if self._reader is not None:
            self._reader.stopping.set()

    def step(self, wait: float = 0.0) -> list[CaptureEvent]:
        events: list[CaptureEvent] = []
        mailbox = self._mailbox
        frame = mailbox.take(wait)
        now = self.monotonic()
        if frame is not None:
            self.frames += 1
            small = thumbnail(frame.image)
            if self.health.frame(now, frame_digest(small)) is Action.REPORT_OK:
                events.append(CaptureEvent(EventKind.CAMERA_OK))
            events.append(CaptureEvent(EventKind.FRAME, frame))
            if not self._paced or self.throttle.should_decode(small, now):
                events.extend(self._decode(frame))
        elif mailbox.ended and not self._live:
            return [CaptureEvent(EventKind.END)]
        if mailbox.error and self.health.failed(now) is Action.REPORT_LOST:
            events.append(CaptureEvent(EventKind.CAMERA_LOST, detail=mailbox.error))
        action = self.health.tick(self.monotonic())
        if action is Action.REPORT_LOST:
            events.append(CaptureEvent(EventKind.CAMERA_LOST, detail="no new frames"))
        elif action is Action.REOPEN:
            self._reopen(events)
        return events

    def _reopen(self, events: list[CaptureEvent]) -> None:
        try:
            self._open()
        except SourceError as exc:
            events.append(CaptureEvent(EventKind.CAMERA_LOST, detail=str(exc)))

    def _decode(self, frame: Frame) -> list[CaptureEvent]:
        if self._scene is not None:  # video: the frame's own time, never the wall clock
            result = self._scene.feed(frame.image, frame.when)
        else:  # independent pictures: the whole ladder, a fixed amount of work
            result = self.decoder.decode(frame.image)
        if result.error:
            return [CaptureEvent(EventKind.DECODER_ERROR, frame, detail=result.error)]
        if result.codes or result.candidate:
            self.throttle.activity(self.monotonic())
        if not result.codes:
            if result.hint:  # a code is in view but does not read: tell the holder why
                return [CaptureEvent(EventKind.HINT, frame, corners=result.candidate or (), hint=result.hint)]
            return []
        return [
            CaptureEvent(EventKind.CODE, frame, code.text, code.corners, code.method) for code in result.codes
        ]

    def run(
        self,
        stop: threading.Event,
        on_event: Callable[[CaptureEvent], None],
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        """The capture loop of both the window and `gate`: until `stop` is set or a file or
        folder source ends. With `on_failure`, a bug in a source or the decoder chain is
        reported there (inside the `except`, so it can log the trace) and the camera starts
        afresh after a pause; without it, the exception propagates."""
        self.decoder.start()  # the decoder's start-up must not look like a frozen camera
        while not stop.is_set():
            try:
                self.start()
                if self._until_end(stop, on_event):
                    return
            except Exception:
                if on_failure is None:
                    raise
                on_failure()
            finally:
                self.stop()
            if stop.wait(RESTART_PAUSE):
                return
            self.health, self.throttle = CameraHealth(), IdleThrottle()

    def _until_end(self, stop: threading.Event, on_event: Callable[[CaptureEvent], None]) -> bool:
        while not stop.is_set():
            for event in self.step(wait=0.05):
                on_event(event)
                if event.kind is EventKind.END:
                    return True
        return False
