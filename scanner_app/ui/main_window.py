"""Officer mode: the camera picture and the result side by side, today's counters, the latest
checks, a status line, and everything reachable from the keyboard (manual entry, picture
import, details, supervisor view, kiosk mode, settings, language)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from scanner_app.core.keyboard_wedge import KeyboardWedge
from scanner_app.core.model import Reason
from scanner_app.core.record import StoreProblem
from scanner_app.ui.dialogs import DetailsDialog, ErrorDialog, ManualEntryDialog
from scanner_app.ui.preview import Preview
from scanner_app.ui.result_panel import ResultPanel
from scanner_app.ui.session import Session
from scanner_app.ui.status import Counters, RecentChecks, StatusLine
from scanner_app.ui.theme import font

if TYPE_CHECKING:  # types only: the window shows before numpy, OpenCV and SQLite load
    from scanner_app.camera.capture import CameraState
    from scanner_app.services.scan import ScanOutcome


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.controller = session.controller
        self.wedge = KeyboardWedge()
        self.preview = Preview()
        self.preview.demo = session.demo
        self.result = ResultPanel(result_seconds=session.settings.result_seconds)
        self.counters = Counters()
        self.recent = RecentChecks()
        self.status_line = StatusLine()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setFont(font(13, bold=True))
        self.banner.setStyleSheet("background: #6A1B9A; color: white; padding: 6px;")
        # production trust unusable: a red bar across the window, above everything else
        self.trust_alarm = QLabel()
        self.trust_alarm.setWordWrap(True)
        self.trust_alarm.setFont(font(18, bold=True))
        self.trust_alarm.setStyleSheet("background: #B71C1C; color: white; padding: 10px;")
        self.trust_alarm.hide()
        self.enrolling = False  # the enrollment QR is in front of the camera: ask once
        self.last_outcome: ScanOutcome | None = None
        self.store_problem: StoreProblem | None = None
        self._build()
        self._actions()
        self._connect()
        self.retranslate()
        self.resize(1280, 760)
        self.heartbeat = QTimer(self)  # keeps ages ("n hours old") and warnings current
        self.heartbeat.timeout.connect(self.refresh_status)
        self.heartbeat.timeout.connect(self.controller.refresh_from_log)
        self.heartbeat.start(30_000)

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.preview)
        split.addWidget(self.result)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.addWidget(self.trust_alarm)
        layout.addWidget(self.banner)
        layout.addWidget(split, 5)
        row = QHBoxLayout()
        row.addWidget(self.counters)
        layout.addLayout(row)
        layout.addWidget(self.recent, 2)
        self.setCentralWidget(centre)
        bar = QStatusBar()
        bar.addPermanentWidget(self.status_line, 1)
        self.setStatusBar(bar)

    def _action(self, shortcut: str | QKeySequence.StandardKey, slot) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _actions(self) -> None:
        self.act_enter = self._action("Ctrl+E", self.enter_code)
        self.act_import = self._action("Ctrl+O", self.import_picture)
        self.act_paste = self._action("Ctrl+V", self.paste_picture)
        self.act_details = self._action("Ctrl+D", self.show_details)
        self.act_supervisor = self._action("F9", self.open_supervisor)
        self.act_kiosk = self._action("F11", self.open_kiosk)
        self.act_settings = self._action("Ctrl+,", self.open_settings)
        self.act_language = self._action("Ctrl+L", self.toggle_language)
        self.act_quit = self._action("Ctrl+Q", self.close)
        self.menu_scan = self.menuBar().addMenu("")
        for action in (self.act_enter, self.act_import, self.act_paste, self.act_details):
            self.menu_scan.addAction(action)
        self.menu_view = self.menuBar().addMenu("")
        for action in (
            self.act_supervisor,
            self.act_kiosk,
            self.act_settings,
            self.act_language,
            self.act_quit,
        ):
            self.menu_view.addAction(action)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Checkpoint scanner — officer"))
        self.menu_scan.setTitle(self.tr("&Scan"))
        self.menu_view.setTitle(self.tr("&Window"))
        self.act_enter.setText(self.tr("Enter a code…"))
        self.act_import.setText(self.tr("Import a picture…"))
        self.act_paste.setText(self.tr("Paste a picture"))
        self.act_details.setText(self.tr("Details of the last check"))
        self.act_supervisor.setText(self.tr("Supervisor view…"))
        self.act_kiosk.setText(self.tr("Kiosk mode"))
        self.act_settings.setText(self.tr("Settings…"))
        self.act_language.setText(self.tr("Tiếng Việt / English"))
        self.act_quit.setText(self.tr("Quit"))
        self.refresh_status()

    def _connect(self) -> None:
        controller = self.controller
        controller.frame_ready.connect(self.preview.show_frame)
        controller.outcome_ready.connect(self.on_outcome)
        controller.camera_changed.connect(self.on_camera)
        controller.sync_changed.connect(self.on_sync)
        controller.store_problem.connect(self.on_store_problem)
        controller.counters_changed.connect(self.counters.set_values)
        controller.recent_loaded.connect(self.recent.load)
        controller.outbox_seen.connect(self.on_outbox)
        controller.failure.connect(self.show_error)
        controller.trust_changed.connect(self.refresh_status)  # the DEMO banner from the start
        controller.enroll_link_seen.connect(self.on_enroll_link)

    # -- slots ---------------------------------------------------------------------------

    def on_outcome(self, outcome: ScanOutcome) -> None:
        self.last_outcome = outcome
        self.result.show_outcome(outcome)
        self.recent.add(outcome)
        self.session.sounds.play(outcome.result.decision.value)
        self.status_line.clock_problem = outcome.result.reason is Reason.CLOCK_UNTRUSTED
        self.refresh_status()

    def on_camera(self, state: CameraState, detail: str) -> None:
        self.preview.set_camera_state(state)
        self.status_line.camera = (state, detail)
        self.status_line.refresh()

    def on_sync(self, status: object) -> None:
        self.status_line.sync = status
        self.status_line.refresh()

    def on_outbox(self, queued: int, confirmed: object) -> None:
        self.status_line.outbox = (queued, confirmed)  # type: ignore[assignment]
        self.status_line.refresh()

    def on_store_problem(self, problem: StoreProblem) -> None:
        self.store_problem = problem
        self.refresh_status()

    def refresh_status(self) -> None:
        self.status_line.trust = self.controller.trust
        settings = self.session.settings
        self.status_line.checkpoint = (settings.checkpoint_type, settings.epidemic_level)
        self.status_line.clock_tolerance_seconds = settings.clock_skew_seconds
        self.status_line.refresh()
        warnings = []
        if self.store_problem is not None:
            warnings.append(
                {
                    StoreProblem.DISK_FULL: self.tr(
                        "SCANNING PAUSED: the disk is full. Free some space, then press Ctrl+R."
                    ),
                    StoreProblem.READ_ONLY: self.tr(
                        "SCANNING PAUSED: the data folder cannot be written (read-only medium). "
                        "Fix it, then press Ctrl+R."
                    ),
                }.get(
                    self.store_problem,
                    self.tr("SCANNING PAUSED: the check log cannot be written. Fix it, then press Ctrl+R."),
                )
            )
        trust = self.controller.trust
        damaged = trust is not None and trust.damaged is not None
        self.trust_alarm.setVisible(damaged)
        if damaged:
            assert trust is not None and trust.damaged is not None
            self.trust_alarm.setText(
                self.tr(
                    "TRUST DATA DAMAGED: no card can be verified, every check is MANUAL. "
                    "Import the trust bundle again (F9, Trust data) or sync with the hub."
                )
                + "\n"
                + self.tr("Technical detail (for the district office): %1").replace("%1", trust.damaged)
            )
        if trust is not None and trust.demo and not damaged:
            warnings.append(self.tr("DEMO trust data: for training only, not for real checks."))
        if trust is not None and trust.policy_example and not damaged:
            warnings.append(self.tr("The decision table is the EXAMPLE shipped with the program."))
        if self.session.pins.is_default:
            warnings.append(
                self.tr("The administrator PIN is still the default one: change it in the settings.")
            )
        self.banner.setText("\n".join(warnings))
        self.banner.setVisible(bool(warnings))

    def show_error(self, report: str) -> None:
        ErrorDialog(report, self).show()

    # -- actions -------------------------------------------------------------------------

    def enter_code(self) -> None:
        dialog = ManualEntryDialog(self)
        if dialog.exec() and dialog.text():
            self.controller.submit_text(dialog.text())

    def import_picture(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a picture of a QR code"),
            "",
            self.tr("Pictures (*.png *.jpg *.jpeg *.bmp *.webp)"),
        )
        if name:
            self._decode_picture(Path(name))

    def paste_picture(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            text = QGuiApplication.clipboard().text().strip()
            if text:
                self.controller.submit_text(text)
            return
        from scanner_app.ui.qt_images import qimage_to_gray

        self._decode_image(qimage_to_gray(image))

    def _decode_picture(self, path: Path) -> None:
        from scanner_app.camera.decode import load_gray

        self._decode_in_background(lambda: load_gray(path))

    def _decode_image(self, image) -> None:  # type: ignore[no-untyped-def]
        self._decode_in_background(lambda: image)

    def _decode_in_background(self, read) -> None:  # type: ignore[no-untyped-def]
        """Pictures are decoded off the GUI thread, with the full repair budget."""
        from scanner_app.camera.decode import Decoder
        from scanner_app.ui.background import run_in_background

        title = self.tr("Import a picture of a QR code")

        def done(codes) -> None:  # type: ignore[no-untyped-def]
            if not codes:
                QMessageBox.information(self, title, self.tr("No QR code was found in this picture."))
            for code in codes:
                self.controller.submit_text(code.text)

        def failed(report: str) -> None:
            QMessageBox.warning(self, title, report.strip().splitlines()[-1])

        run_in_background(self, lambda: Decoder().decode(read()).codes, done, failed)

    def show_details(self) -> None:
        if self.last_outcome is not None:
            DetailsDialog(self.last_outcome, self).exec()

    def _pin(self, purpose: str) -> bool:
        return self.session.ask_pin(purpose, self)

    def open_supervisor(self, *, enroll_link: str | None = None) -> None:
        if self._pin("enroll" if enroll_link else "supervisor"):
            from scanner_app.ui.supervisor import SupervisorView

            SupervisorView(self.session, self, enroll_link=enroll_link).exec()
            self.refresh_status()

    def on_enroll_link(self, text: str) -> None:
        """The hub's enrollment QR in front of the camera (or typed by a USB scanner): after the
        PIN, the supervisor view's Hub tab shows its address and code for confirmation. Never
        in kiosk mode, and never twice at once while the code stays in view."""
        if self.enrolling or not self.isVisible():
            return
        self.enrolling = True
        try:
            self.open_supervisor(enroll_link=text)
        finally:
            self.enrolling = False

    def open_settings(self) -> None:
        if self._pin("settings"):
            from scanner_app.ui.settings_dialog import SettingsDialog

            SettingsDialog(self.session, self).exec()
            self.result.result_seconds = self.session.settings.result_seconds
            self.refresh_status()

    def open_kiosk(self) -> None:
        from scanner_app.ui.kiosk import KioskWindow

        self.kiosk = KioskWindow(self.session, officer=self)
        self.kiosk.showFullScreen()
        self.hide()

    def toggle_language(self) -> None:
        self.session.set_language("en" if self.session.language == "vi" else "vi")

    # -- events --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A USB 2D scanner types the code and Enter: accept it wherever the focus is."""
        if event.key() == Qt.Key.Key_R and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.store_problem = None
            self.controller.resume()
            self.refresh_status()
            return
        char = "\n" if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) else event.text()
        if char:
            code = self.wedge.key(char, self.controller.clock.monotonic())
            if code:
                self.controller.submit_text(code, force=False)
                return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.controller.refresh_from_log()  # back from a terminal: a command may have synced
        super().changeEvent(event)

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.controller.stop()
        super().closeEvent(event)
