"""The window's engine room: the capture thread, the processing thread (the one writer of the
check log), the sync thread, and the one place where their results cross into the GUI thread
(Qt signals, queued to the GUI thread). Workers receive plain data and never touch a widget;
the GUI thread never waits on the camera, the decoder, the database or the network.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Signal

from scanner_app.camera.capture import CaptureLoop
from scanner_app.camera.sources import FrameSource
from scanner_app.core.checkpoint import Checker, CheckpointSettings, TrustMaterial
from scanner_app.core.clock import Clock, TimeFloor
from scanner_app.core.settings import Settings
from scanner_app.scanning import ScanOutcome, ScanService
from scanner_app.store.checks import CheckStore
from scanner_app.store.db import StoreUnavailable
from scanner_app.ui.qt_images import to_qimage

log = logging.getLogger(__name__)
PREVIEW_INTERVAL = 1 / 15  # the preview does not need every frame


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


class ScanController(QObject):
    frame_ready = Signal(object, list, str)  # QImage, corners (preview coordinates), hint
    outcome_ready = Signal(object)  # ScanOutcome
    camera_changed = Signal(str, str)  # state: starting | ok | lost | ended, detail
    sync_changed = Signal(object)  # SyncStatus
    store_problem = Signal(str)  # the log cannot be written: scanning pauses
    counters_changed = Signal(dict)  # today's decisions
    failure = Signal(str)  # an unexpected error, with its traceback

    def __init__(
        self,
        *,
        clock: Clock,
        open_store: Callable[[], CheckStore],
        material: Callable[[], TrustMaterial],
        floor: Callable[[], TimeFloor],
        settings: Settings,
        open_source: Callable[[], FrameSource],
        decoder: Any,
        relay_factory: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.settings = settings
        self._open_store = open_store
        self._material = material
        self._floor = floor
        self._open_source = open_source
        self._decoder = decoder
        self._relay_factory = relay_factory
        self._commands: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sync: Any = None
        self.paused = False
        self.counters: dict[str, int] = {"allow": 0, "deny": 0, "manual": 0}
        self.trust: TrustInfo | None = None

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        processing = threading.Thread(target=self._guard(self._process), name="processing", daemon=True)
        capture = threading.Thread(target=self._guard(self._capture), name="capture", daemon=True)
        self._threads = [processing, capture]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._commands.put(("stop", None))
        if self._sync is not None:
            self._sync.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        closer = getattr(self._decoder, "close", None)
        if closer:
            closer()

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
        self._commands.put(("code", (text, self.clock.monotonic(), force)))

    def reconfigure(self, settings: Settings) -> None:
        self.settings = settings
        self._commands.put(("reconfigure", settings))

    def reload_trust(self) -> None:
        self._commands.put(("reconfigure", self.settings))

    def resume(self) -> None:
        """After a store problem was fixed (space freed, medium replaced)."""
        self._commands.put(("resume", None))

    def call_in_writer(self, function: Callable[[CheckStore], Any]) -> Future[Any]:
        """Run `function(store)` on the writer thread (sync acks, events); returns a future."""
        future: Future[Any] = Future()
        self._commands.put(("call", (function, future)))
        return future

    def sync_now(self) -> None:
        if self._sync is not None:
            self._sync.wake.set()

    # -- the processing thread: the one writer -------------------------------------------

    def _checker(self, settings: Settings) -> Checker:
        material = self._material()
        checkpoint = CheckpointSettings(
            checkpoint=settings.checkpoint_type,
            level=settings.epidemic_level,
            profile_id=settings.profile_id,
            policy_id=settings.policy_id,
            skew=timedelta(seconds=settings.clock_skew_seconds),
        )
        checker = Checker(material, checkpoint)
        bundle = material.bundle
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
            )
        return checker

    def _process(self) -> None:
        store = self._open_store()
        service = ScanService(
            self._checker(self.settings),
            self.clock,
            recorder=store,
            cooldown_seconds=self.settings.cooldown_seconds,
        )
        self._emit_counters(store)
        if self._relay_factory is not None:
            self._sync = self._relay_factory(self)
            self._sync.start()
        try:
            while True:
                kind, payload = self._commands.get()
                if kind == "stop":
                    return
                try:
                    service = self._command(kind, payload, service, store)
                except Exception:  # one bad code or request must not end scanning
                    self._report_failure("processing %r failed", kind)
        finally:
            store.close()

    def _command(self, kind: str, payload: Any, service: ScanService, store: CheckStore) -> ScanService:
        if kind == "code":
            text, captured, force = payload
            if not self.paused:
                self._handle(service, text, captured, force)
        elif kind == "reconfigure":
            service = ScanService(
                self._checker(payload),
                self.clock,
                recorder=store,
                cooldown_seconds=payload.cooldown_seconds,
            )
        elif kind == "resume":
            self.paused = False
        elif kind == "call":
            function, future = payload
            try:
                future.set_result(function(store))
            except Exception as exc:
                future.set_exception(exc)
        return service

    def _handle(self, service: ScanService, text: str, captured: float, force: bool) -> None:
        service.floor = self._floor()  # it rises when the sync thread hears the hub's clock
        outcome = service.handle(text, captured, force=force)
        if outcome is None:
            return
        if outcome.store_error:
            self.paused = True  # nothing more is checked until the log can be written again
            self.store_problem.emit(outcome.store_error)
        else:
            self.counters[outcome.result.decision.value] += 1
            self.counters_changed.emit(dict(self.counters))
        self.outcome_ready.emit(outcome)

    def _emit_counters(self, store: CheckStore) -> None:
        start = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        rows = store.db.execute(  # wall times are stored in UTC: compare in UTC
            "select decision, count(*) from checks where wall_time >= ? group by decision",
            [start.astimezone(UTC).isoformat()],
        ).fetchall()
        self.counters = {"allow": 0, "deny": 0, "manual": 0} | {r[0]: int(r[1]) for r in rows}
        self.counters_changed.emit(dict(self.counters))

    # -- the capture thread --------------------------------------------------------------

    def _capture(self) -> None:
        self.camera_changed.emit("starting", "")
        starter = getattr(self._decoder, "start", None)
        if starter is not None:
            starter()  # the decoder process's start-up must not look like a frozen camera
        while not self._stop.is_set():
            loop = CaptureLoop(self._open_source, self._decoder, self.clock.monotonic)
            try:
                loop.start()
                ended = self._run_capture(loop)
            except Exception:  # a bug in a source or the decoder chain: start the loop afresh
                self._report_failure("capture failed; restarting the camera")
                ended = False
            finally:
                loop.stop()
            if ended:
                return
            self._stop.wait(1.0)  # only reached after a failure: do not spin on a recurring bug

    def _run_capture(self, loop: CaptureLoop) -> bool:
        """Runs until stopped (False) or a file/folder source is exhausted (True)."""
        last_preview = 0.0
        state = "starting"
        while not self._stop.is_set():
            for event in loop.step(wait=0.05):
                if event.kind == "code":
                    self._commands.put(("code", (event.text, event.frame.captured, False)))
                    self._preview(event, force=True)
                elif event.kind in ("frame", "hint"):
                    now = self.clock.monotonic()
                    if event.kind == "hint" or now - last_preview >= PREVIEW_INTERVAL:
                        last_preview = now
                        self._preview(event)
                elif event.kind in ("camera_lost", "camera_ok"):
                    state = "lost" if event.kind == "camera_lost" else "ok"
                    self.camera_changed.emit(state, event.detail)
                elif event.kind == "decoder_error":
                    self.camera_changed.emit(state, f"decoder restarted: {event.detail}")
                elif event.kind == "end":
                    self.camera_changed.emit("ended", "")
                    return True
        return False

    def _preview(self, event: Any, force: bool = False) -> None:
        frame = event.frame
        image = frame.colour if frame.colour is not None else frame.image
        qimage, scale = to_qimage(image)
        corners = [(x * scale, y * scale) for x, y in event.corners]
        self.frame_ready.emit(qimage, corners, event.hint or "")

    def update_sync_status(self, status: Any) -> None:
        self.sync_changed.emit(status)

    def replace_settings(self, **changes: Any) -> Settings:
        self.settings = replace(self.settings, **changes)
        return self.settings


__all__ = ["ScanController", "ScanOutcome", "StoreUnavailable", "TrustInfo"]
