"""Starting the window: the composition of the GUI program (settings, trust, camera, decoder,
check log, sync, language) on the embedded defaults when nothing is configured: the demo
bundle, the first webcam, or the simulated camera showing the dev kit's cards."""

from __future__ import annotations

import glob
import logging
import os
import sys
import threading
import traceback
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from pathlib import Path
from typing import Any

from scanner_app.core.settings import Settings, SettingsProblem

log = logging.getLogger(__name__)


def _no_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def choose_source(args: Any, settings: Settings, clock: Any) -> tuple[Any, bool]:
    """(source factory, demo?) — --demo, then --camera, then the setting, then the first
    webcam, then the simulated camera."""
    from scanner_app.camera.simulated import SimulatedCamera
    from scanner_app.camera.sources import make_source

    if getattr(args, "demo", False):
        return (lambda: SimulatedCamera(clock=clock.monotonic)), True
    spec = getattr(args, "camera", None) or settings.camera
    if spec:
        return (lambda: make_source(spec, clock.monotonic)), spec == "demo"
    index = _first_camera()
    if index is None:
        log.info("no webcam found: using the simulated camera with the DEMO cards")
        return (lambda: SimulatedCamera(clock=clock.monotonic)), True
    return (lambda: make_source(str(index), clock.monotonic)), False


def _first_camera() -> int | None:
    if sys.platform.startswith("linux") and not glob.glob("/dev/video*"):
        return None  # no device node: no need to ask OpenCV
    from scanner_app.camera.sources import first_webcam

    return first_webcam()


class WriterOutbox:
    """The outbox seen from the sync thread, through the log's one writer thread."""

    def __init__(self, controller: Any) -> None:
        self.controller = controller

    def _call(self, function: Any) -> Any:
        try:
            return self.controller.call_in_writer(function).result(timeout=60)
        except FutureTimeout as exc:
            raise OSError("the check log did not answer") from exc

    def pending(self, limit: int) -> list[dict[str, Any]]:
        return self._call(lambda store: store.pending(limit))  # type: ignore[no-any-return]

    def ack(self, seqs: list[int], when: datetime) -> None:
        self._call(lambda store: store.ack(seqs, when))

    def queued_count(self) -> int:
        return self._call(lambda store: store.queued_count())  # type: ignore[no-any-return]


def build_session(args: Any, *, decoder: Any = None, source: Any = None) -> Any:
    """Everything but the QApplication and the windows (tests build sessions too)."""
    from scanner_app.app import open_check_store
    from scanner_app.bundle_store import BundleStore
    from scanner_app.camera.isolation import IsolatedDecoder
    from scanner_app.core.checkpoint import TrustMaterial
    from scanner_app.device import load_device
    from scanner_app.paths import data_dir
    from scanner_app.pin_store import PinStore
    from scanner_app.settings_file import load_settings
    from scanner_app.system_clock import SystemClock
    from scanner_app.ui.controller import ScanController
    from scanner_app.ui.session import Session
    from scanner_app.ui.sounds import Sounds

    folder = data_dir(getattr(args, "data_dir", None))
    try:
        settings = load_settings(folder)
    except SettingsProblem as exc:
        log.error("settings ignored: %s", exc)
        settings = Settings()
    if getattr(args, "kiosk", False):
        settings = settings.__class__(**{**settings.to_json(), "kiosk": True})
    clock = SystemClock()
    bundles = BundleStore(folder)

    def material() -> TrustMaterial:
        loaded = bundles.load()
        return TrustMaterial.from_bundle(loaded.bundle, loaded.ratchet)

    if source is None:
        source, demo = choose_source(args, settings, clock)
    else:
        demo = True
    demo = demo or not bundles.load().installed
    relay_factory = None
    device = load_device(folder)
    if device.enrolled and device.hub_url:
        relay_factory = _relay_factory(folder, device, bundles, clock)
    controller = ScanController(
        clock=clock,
        open_store=lambda: open_check_store(folder, settings),
        material=material,
        floor=bundles.time_floor,
        settings=settings,
        open_source=source,
        decoder=decoder if decoder is not None else IsolatedDecoder(),
        relay_factory=relay_factory,
    )
    profiles = {p.id: p.title.get(settings.language, p.id) for p in material().profiles.values()}
    session = Session(
        folder,
        settings,
        controller,
        PinStore(folder, clock.monotonic),
        Sounds(settings.sounds_on()),
        demo=demo,
        extra={"profiles": profiles},
    )
    return session


def _relay_factory(folder: Path, device: Any, bundles: Any, clock: Any) -> Any:
    from scanner_app.sync.client import HubClient
    from scanner_app.sync.relay import SyncRelay, SyncWorker

    def factory(controller: Any) -> Any:
        def relay() -> Any:
            return SyncRelay(WriterOutbox(controller), device, HubClient(device.hub_url), bundles, clock)

        return SyncWorker(relay, on_status=controller.update_sync_status)

    return factory


def install_error_hooks(session: Any) -> None:
    """Unexpected exceptions anywhere: logged with their trace, shown in a copyable dialog;
    the threads keep scanning."""

    def report(kind: type[BaseException], value: BaseException, trace: Any) -> None:
        text = "".join(traceback.format_exception(kind, value, trace))
        log.error("unexpected error:\n%s", text)
        session.controller.failure.emit(text)

    sys.excepthook = report
    threading.excepthook = lambda hook: report(hook.exc_type, hook.exc_value, hook.exc_traceback)  # type: ignore[arg-type]


def launch(args: Any) -> int:
    if _no_display():
        print(
            "scanner-app: no display found. Run it on a desktop, or use `scanner-app gate` "
            "for scanning without a window (or set QT_QPA_PLATFORM=offscreen).",
            file=sys.stderr,
        )
        return 2
    from PySide6.QtWidgets import QApplication

    from scanner_app.logsetup import setup_logging
    from scanner_app.paths import data_dir
    from scanner_app.ui.main_window import MainWindow
    from scanner_app.ui.theme import font

    setup_logging(data_dir(getattr(args, "data_dir", None)))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("scanner-app")
    app.setFont(font(11))
    session = build_session(args)
    session.set_language(getattr(args, "lang", None) or session.settings.language)
    install_error_hooks(session)
    if session.settings.kiosk:
        from scanner_app.ui.kiosk import KioskWindow

        window: Any = KioskWindow(session)
        window.showFullScreen()
    else:
        window = MainWindow(session)
        window.showMaximized()
        screen = window.screen()
        if screen is not None and window.width() < screen.availableGeometry().width() * 0.98:
            window.setGeometry(screen.availableGeometry())  # no window manager to maximise it
    session.controller.start()
    from scanner_app.ui.watchdog import start_watchdog

    watchdog = start_watchdog(window)  # systemd restarts a hung kiosk  # noqa: F841
    code = app.exec()
    session.controller.stop()
    return int(code)
