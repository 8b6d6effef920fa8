"""The window's engine room: the capture thread, the processing thread (the one writer of the
check log), the sync thread, and the one place where their results cross into the GUI thread
(Qt signals, queued to the GUI thread). Workers receive plain data and never touch a widget;
the GUI thread never waits on the camera, the decoder, the database or the network.

The processing thread takes typed commands from one queue; everything it needs comes from
the composition root (`App`).
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from scanner_app.app import App, SourceFactory
from scanner_app.core.checkpoint import Checker
from scanner_app.core.settings import Settings
from scanner_app.core.wire import ENROLL_SCHEME

if TYPE_CHECKING:  # OpenCV, numpy and SQLite load on the threads that use them, not before the window
    from scanner_app.camera.capture import CameraState, CaptureEvent
    from scanner_app.camera.ports import FrameDecoder
    from scanner_app.services.scan import ScanService
    from scanner_app.store.checks import CheckStore

log = logging.getLogger(__name__)
PREVIEW_INTERVAL = 1 / 15  # the preview does not need every frame
RECENT_ROWS = 30  # the window's table of latest checks
RECENT_FIELDS = ("wall_time", "decision", "colour", "valid", "format", "reason", "level", "checkpoint_type")


@dataclass(frozen=True)
class TrustInfo:
    issuer: str
    sequence: int
    demo: bool
    issued_at: datetime
    not_after: datetime
    profile: str
    profile_title: dict[str, str]
    policy: str
    policy_version: str
    policy_example: bool
    damaged: str | None = None  # production trust unusable: every decision is manual


# -- the processing thread's commands -----------------------------------------------------


@dataclass(frozen=True)
class CheckCode:
    text: str
    captured: float
    force: bool
    media_time: float | None = None  # a video file's position (the repeat filter uses it)


@dataclass(frozen=True)
class Reconfigure:
    settings: Settings


@dataclass(frozen=True)
class Resume:
    """After a store problem was fixed (space freed, medium replaced)."""


@dataclass(frozen=True)
class CallInWriter:
    function: Callable[[CheckStore], Any]
    future: Future[Any]


@dataclass(frozen=True)
class Stop:
    pass


Command = CheckCode | Reconfigure | Resume | CallInWriter | Stop


class WriterOutbox:
    """The outbox seen from the sync thread, through the log's one writer thread."""

    def __init__(self, controller: ScanController) -> None:
        self.controller = controller

    def _call(self, function: Callable[[CheckStore], Any]) -> Any:
        try:
            return self.controller.call_in_writer(function).result(timeout=60)
        except FutureTimeout as exc:
            raise OSError("the check log did not answer") from exc

    def pending(self, limit: int) -> list[dict[str, Any]]:
        return self._call(lambda store: store.pending(limit))  # type: ignore[no-any-return]

    def ack(self, seqs: list[int], when: datetime) -> None:
        self._call(lambda store: store.ack(seqs, when))

    def rewind(self, after_seq: int) -> int:
        return self._call(lambda store: store.rewind(after_seq))  # type: ignore[no-any-return]

    def queued_count(self) -> int:
        return self._call(lambda store: store.queued_count())  # type: ignore[no-any-return]


class ScanController(QObject):
    frame_ready = Signal(object, list, str)  # QImage, corners (preview coordinates), hint
    outcome_ready = Signal(object)  # ScanOutcome
    camera_changed = Signal(object, str)  # CameraState, detail
    sync_changed = Signal(object)  # SyncStatus
    store_problem = Signal(object)  # StoreProblem: the log cannot be written, scanning pauses
    counters_changed = Signal(dict)  # today's decisions
    recent_loaded = Signal(list)  # today's latest checks as the log has them (dicts), oldest first
    outbox_seen = Signal(int, object)  # queued checks, when the hub last confirmed one (or None)
    failure = Signal(str)  # an unexpected error, with its traceback
    enroll_link_seen = Signal(str)  # the hub's enrollment QR was shown: never checked as a card
    trust_changed = Signal()  # `trust` (what the status line and the DEMO banner show) was (re)read

    def __init__(self, app: App, *, open_source: SourceFactory, decoder: FrameDecoder) -> None:
        super().__init__()
        self.app = app
        self.clock = app.clock
        self._open_source = open_source
        self._decoder = decoder
        self._commands: queue.Queue[Command] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sync: Any = None
        self.paused = False
        self.counters: dict[str, int] = {"allow": 0, "deny": 0, "manual": 0}
        self.trust: TrustInfo | None = None
        self._trust_generation = -1
        self._camera_state: CameraState | str = "starting"  # CameraState.STARTING, without importing it
        self._last_preview = 0.0

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def camera_state(self) -> CameraState | str:
        """The camera's state now (a window opened later, the kiosk, starts from it)."""
        return self._camera_state

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        processing = threading.Thread(target=self._guard(self._process), name="processing", daemon=True)
        capture = threading.Thread(target=self._guard(self._capture), name="capture", daemon=True)
        self._threads = [processing, capture]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._commands.put(Stop())
        if self._sync is not None:
            self._sync.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        self._decoder.close()

    def _guard(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception:
                self._report_failure("worker thread %s failed", threading.current_thread().name)

        return run

    def _report_failure(self, message: str, *args: object) -> None:
        """A bug, not an environment problem: log it with its trace and show it; the caller
        carries on with the next code or frame."""
        log.exception(message, *args)
        self.failure.emit(traceback.format_exc())

    # -- requests from the GUI thread (never block) --------------------------------------

    def submit_text(self, text: str, *, force: bool = True) -> None:
        """Manual entry, a USB scanner's keystrokes or an imported picture's code."""
        if text.startswith(ENROLL_SCHEME):
            self.enroll_link_seen.emit(text)
            return
        self._commands.put(CheckCode(text, self.clock.monotonic(), force))

    def reconfigure(self, settings: Settings) -> None:
        self.app.settings = settings
        self._commands.put(Reconfigure(settings))

    def reload_trust(self) -> None:
        self._commands.put(Reconfigure(self.app.settings))

    def resume(self) -> None:
        self._commands.put(Resume())

    def call_in_writer(self, function: Callable[[CheckStore], Any]) -> Future[Any]:
        """Run `function(store)` on the writer thread (sync acks, events); returns a future."""
        future: Future[Any] = Future()
        self._commands.put(CallInWriter(function, future))
        return future

    def refresh_from_log(self) -> None:
        """Counters, today's latest checks and the queue as the log has them now: another
        process (`gate`, a command-line sync or export) may have written to it, and a new
        day may have begun."""
        self.call_in_writer(self._read_log)

    def sync_now(self) -> None:
        if self._sync is not None:
            self._sync.wake.set()

    # -- the processing thread: the one writer -------------------------------------------

    def _checker(self, settings: Settings) -> Checker:
        checker = self.app.checker(settings)
        self._trust_generation = self.app.trust.generation
        bundle = checker.material.bundle
        if bundle is not None:
            self.trust = TrustInfo(
                bundle.issuer,
                bundle.sequence,
                bundle.demo,
                bundle.issued_at,
                bundle.not_after,
                checker.profile.id,
                dict(checker.profile.title),
                checker.policy.id,
                checker.policy.version,
                checker.policy.example,
                checker.material.damaged,
            )
            self.trust_changed.emit()
        return checker

    def _process(self) -> None:
        store = self._open_store()
        if store is None:
            return
        service = self.app.scan_service(store, self._checker(self.app.settings))
        self._read_log(store)
        self._start_sync()
        try:
            while True:
                command = self._commands.get()
                if isinstance(command, Stop):
                    return
                try:
                    self._run(command, service, store)
                except Exception:  # one bad code or request must not end scanning
                    self._report_failure("processing %s failed", type(command).__name__)
        finally:
            store.close()

    def _open_store(self) -> CheckStore | None:
        """The log, or — when the medium is full or read-only — the problem shown and scanning
        paused until the user fixes it and presses Ctrl+R (Resume); None when stopped."""
        from scanner_app.services.scan import StoreUnavailable

        while True:
            try:
                return self.app.open_store()
            except StoreUnavailable as exc:
                self.paused = True
                self.store_problem.emit(exc.problem)
                while not isinstance(command := self._commands.get(), Resume | Stop):
                    if isinstance(command, CallInWriter):
                        command.future.set_exception(exc)
                if isinstance(command, Stop):
                    return None
                self.paused = False

    def _start_sync(self) -> None:
        self._sync = self.app.sync_worker(WriterOutbox(self), on_status=self.sync_changed.emit)
        if self._sync is not None:
            self._sync.start()

    def _run(self, command: Command, service: ScanService, store: CheckStore) -> None:
        if isinstance(command, CheckCode):
            if not self.paused:
                if self.app.trust.generation != self._trust_generation:  # the sync installed a bundle
                    self._reconfigure(service, store, self.app.settings)
                self._handle(service, command)
        elif isinstance(command, Reconfigure):
            self._reconfigure(service, store, command.settings)
        elif isinstance(command, Resume):
            self.paused = False
        elif isinstance(command, CallInWriter):
            try:
                command.future.set_result(command.function(store))
            except Exception as exc:
                command.future.set_exception(exc)

    def _reconfigure(self, service: ScanService, store: CheckStore, settings: Settings) -> None:
        service.reconfigure(
            self._checker(settings),
            self.app.station(settings),
            settings.cooldown_seconds,
            settings.binding_window_seconds,
        )
        store.configure(self.app.store_config(settings))

    def _handle(self, service: ScanService, command: CheckCode) -> None:
        outcome = service.handle(
            command.text, command.captured, force=command.force, media_time=command.media_time
        )
        if outcome is None:
            return
        if outcome.store_problem is not None:
            self.paused = True  # nothing more is checked until the log can be written again
            self.store_problem.emit(outcome.store_problem)
        else:
            self.counters[outcome.result.decision.value] += 1
            self.counters_changed.emit(dict(self.counters))
        self.outcome_ready.emit(outcome)

    def _read_log(self, store: CheckStore) -> None:
        """On the writer thread: today's counters and latest checks, the outbox's state."""
        start = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        self.counters = {"allow": 0, "deny": 0, "manual": 0} | store.decisions_since(start)
        self.counters_changed.emit(dict(self.counters))
        latest = "seq in (select seq from checks where wall_time >= ? order by seq desc limit ?)"
        rows = store.rows(latest, [start.astimezone(UTC).isoformat(), RECENT_ROWS])
        self.recent_loaded.emit([{key: row[key] for key in RECENT_FIELDS} for row in rows])
        # the last time the hub confirmed holding a check, whoever synced (this window or the CLI)
        acked = store.db.execute("select max(acked_at) from outbox").fetchone()[0]
        self.outbox_seen.emit(store.queued_count(), datetime.fromisoformat(acked) if acked else None)

    # -- the capture thread --------------------------------------------------------------

    def _capture(self) -> None:
        from scanner_app.camera.capture import CameraState, CaptureLoop

        self.camera_changed.emit(CameraState.STARTING, "")
        loop = CaptureLoop(self._open_source, self._decoder, self.clock.monotonic)
        loop.run(self._stop, self._on_capture, lambda: self._report_failure("capture failed; restarting"))

    def _on_capture(self, event: CaptureEvent) -> None:
        """Capture events become processing commands and (throttled) preview signals."""
        from scanner_app.camera.capture import CameraState, EventKind

        if event.kind is EventKind.CODE:
            assert event.frame is not None
            frame = event.frame
            if event.text.startswith(ENROLL_SCHEME):  # the hub's enrollment QR, not a card
                self.enroll_link_seen.emit(event.text)
                return
            self._commands.put(CheckCode(event.text, frame.captured, False, frame.media_time))
            self._preview(event)
        elif event.kind in (EventKind.FRAME, EventKind.HINT):
            now = self.clock.monotonic()
            if event.kind is EventKind.HINT or now - self._last_preview >= PREVIEW_INTERVAL:
                self._last_preview = now
                self._preview(event)
        elif event.kind in (EventKind.CAMERA_LOST, EventKind.CAMERA_OK):
            self._camera_state = CameraState.LOST if event.kind is EventKind.CAMERA_LOST else CameraState.OK
            self.camera_changed.emit(self._camera_state, event.detail)
        elif event.kind is EventKind.DECODER_ERROR:
            self.camera_changed.emit(self._camera_state, f"decoder restarted: {event.detail}")
        elif event.kind is EventKind.END:
            self._camera_state = CameraState.ENDED
            self.camera_changed.emit(CameraState.ENDED, "")

    def _preview(self, event: CaptureEvent) -> None:
        frame = event.frame
        assert frame is not None
        image = frame.colour if frame.colour is not None else frame.image
        from scanner_app.ui.qt_images import to_qimage

        qimage, scale = to_qimage(image)
        corners = [(x * scale, y * scale) for x, y in event.corners]
        self.frame_ready.emit(qimage, corners, event.hint or "")


__all__ = ["ScanController", "TrustInfo"]
