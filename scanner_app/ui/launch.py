"""Starting the window: the composition of the GUI program (settings, trust, camera, decoder,
check log, sync, language) on the embedded defaults when nothing is configured: the demo
bundle, the first webcam, or the simulated camera showing the dev kit's cards."""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner_app.app import SourceFactory
    from scanner_app.camera.ports import FrameDecoder
    from scanner_app.ui.session import Session

log = logging.getLogger(__name__)


def _no_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def build_session(
    args: Any, *, decoder: FrameDecoder | None = None, source: SourceFactory | None = None
) -> Session:
    """Everything but the QApplication and the windows (tests build sessions too): the
    composition root's parts, the PIN store, sounds. `decoder` and `source` replace the
    isolated decoder and the chosen camera (tests, benchmarks)."""
    from scanner_app.app import App
    from scanner_app.core.settings import Settings, SettingsProblem
    from scanner_app.local.paths import data_dir
    from scanner_app.ui.controller import ScanController
    from scanner_app.ui.session import Session
    from scanner_app.ui.sounds import Sounds

    folder = data_dir(getattr(args, "data_dir", None))
    try:
        app = App(folder)
    except SettingsProblem as exc:
        log.error("settings ignored: %s", exc)
        app = App(folder, settings=Settings())
    if getattr(args, "kiosk", False):
        app.settings = replace(app.settings, kiosk=True)
    if source is None:
        source, demo = app.frame_source(getattr(args, "camera", None), demo=getattr(args, "demo", False))
    else:
        demo = True
    demo = demo or (not app.trust.installed and app.trust.damaged is None)  # damaged: never 'DEMO'
    controller = ScanController(
        app, open_source=source, decoder=decoder if decoder is not None else app.decoder()
    )
    profiles = {p.id: p.title.get(app.settings.language, p.id) for p in app.trust.material.profiles.values()}
    return Session(
        app,
        controller,
        app.pins(),
        Sounds(app.settings.sounds_on()),
        demo=demo,
        extra={"profiles": profiles},
    )


def install_error_hooks(session: Any) -> None:
    """Unexpected exceptions anywhere: logged with their trace, shown in a copyable dialog;
    the threads keep scanning."""

    def report(kind: type[BaseException], value: BaseException, trace: Any) -> None:
        text = "".join(traceback.format_exception(kind, value, trace))
        log.error("unexpected error:\n%s", text)
        session.controller.failure.emit(text)

    sys.excepthook = report
    threading.excepthook = lambda hook: report(hook.exc_type, hook.exc_value, hook.exc_traceback)  # type: ignore[arg-type]


def start_after_first_paint(window: Any, start: Any, *, latest_ms: int = 1000) -> None:
    """`start()` once `window` has painted (or after `latest_ms`, whichever comes first): the
    capture and processing threads import OpenCV, numpy and SQLite as they start, and before
    the first paint they would take the GIL from the thread building the window
    (benchmarks/ui.py measures start-up to the painted window)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    started: list[bool] = []

    def once() -> None:
        if not started:
            started.append(True)
            window.removeEventFilter(watcher)
            start()

    class FirstPaint(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, once)  # after this paint is on the screen
            return False

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)
    QTimer.singleShot(latest_ms, once)


def launch(args: Any, *, observe: Any = None) -> int:
    """The window program. `observe(window, session)` is called before the event loop runs
    (benchmarks/ui.py times the first paints through it)."""
    from scanner_app.text.i18n import QT_TRANSLATE_NOOP, speaker
    from scanner_app.ui import system_libraries

    language = getattr(args, "lang", None)
    if _no_display():
        say = speaker(language)
        message = QT_TRANSLATE_NOOP(
            "Cli",
            "scanner-app: no display found. Run it on a desktop, or use `scanner-app gate` "
            "for scanning without a window (or set QT_QPA_PLATFORM=offscreen).",
        )
        print(say(message), file=sys.stderr)
        return 2
    missing = system_libraries.check()  # before Qt is imported: a missing library stops the import
    if missing is not None:
        print(system_libraries.advice(missing, language), file=sys.stderr)
        return 2
    from scanner_app.ui.early_decoder import EarlyDecoder

    decoder = EarlyDecoder()  # its child process imports the decoders while the window is built
    from PySide6.QtWidgets import QApplication

    from scanner_app.local.paths import data_dir
    from scanner_app.system.logsetup import setup_logging
    from scanner_app.ui.main_window import MainWindow
    from scanner_app.ui.theme import font

    setup_logging(data_dir(getattr(args, "data_dir", None)))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("scanner-app")
    app.setFont(font(11))
    session = build_session(args, decoder=decoder)
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
    start_after_first_paint(window, session.controller.start)
    from scanner_app.ui.watchdog import start_watchdog

    watchdog = start_watchdog(window)  # systemd restarts a hung kiosk  # noqa: F841
    if observe is not None:
        observe(window, session)
    code = app.exec()
    session.controller.stop()
    return int(code)
