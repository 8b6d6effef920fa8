"""Kiosk mode, for a market entrance with nobody at the screen: full screen, large type, a
mirrored picture (people find their phone like in a mirror), minimal disclosure (the decision
and a first name), a short privacy notice, and exit or settings only behind the PIN.

Full-screen window flags are not a lock: a kiosk PC also needs a kiosk shell (cage on Linux,
Shell Launcher on Windows; see the README)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from scanner_app.ui.preview import Preview
from scanner_app.ui.result_panel import ResultPanel
from scanner_app.ui.session import Session
from scanner_app.ui.theme import font

if TYPE_CHECKING:  # types only: the window shows before numpy, OpenCV and SQLite load
    from scanner_app.services.scan import ScanOutcome


class KioskWindow(QWidget):
    def __init__(self, session: Session, officer: QWidget | None = None) -> None:
        super().__init__()
        self.session = session
        self.officer = officer
        self.controller = session.controller
        self.preview = Preview(mirrored=True)
        self.preview.demo = session.demo
        self.result = ResultPanel(kiosk=True, result_seconds=session.settings.result_seconds)
        self.title = QLabel()
        self.title.setFont(font(30, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice = QLabel()
        self.notice.setFont(font(14))
        self.notice.setWordWrap(True)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#kiosk { background: #101418; }")  # not cascading into dialogs
        for label in (self.title, self.notice):
            label.setStyleSheet("color: white;")
        body = QHBoxLayout()
        body.addWidget(self.preview, 1)
        body.addWidget(self.result, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)
        layout.addWidget(self.notice)
        exit_action = QAction(self)
        exit_action.setShortcuts([QKeySequence("Ctrl+Shift+X"), QKeySequence("Escape")])
        exit_action.triggered.connect(self.request_exit)
        self.addAction(exit_action)
        settings_action = QAction(self)
        settings_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        settings_action.triggered.connect(self.request_settings)
        self.addAction(settings_action)
        self.controller.frame_ready.connect(self.preview.show_frame)
        self.controller.outcome_ready.connect(self.on_outcome)
        self.preview.set_camera_state(self.controller.camera_state)  # F11 opens it with the camera running
        self.controller.camera_changed.connect(lambda state, _detail: self.preview.set_camera_state(state))
        self.previous_sound = session.sounds.enabled
        session.sounds.enabled = session.settings.sounds if session.settings.sounds is not None else False
        self.retranslate()

    def showFullScreen(self) -> None:
        super().showFullScreen()
        screen = self.screen()
        if screen is not None:  # without a window manager (a bare X server) cover the screen anyway
            self.setGeometry(screen.geometry())

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Checkpoint scanner — kiosk"))
        self.title.setText(self.tr("Please show your QR code to the camera"))
        days = int(self.session.settings.retention_days)
        self.notice.setText(
            self.tr(
                "Privacy: we keep only the decision, the time and a one-way code made from the card "
                "(it cannot be turned back into the card), for %n day(s). No names, no birth dates.",
                "",
                days,
            )
        )

    def on_outcome(self, outcome: ScanOutcome) -> None:
        self.result.show_outcome(outcome)
        self.session.sounds.play(outcome.result.decision.value)

    def request_settings(self) -> None:
        if self.session.ask_pin("kiosk_settings", self):
            from scanner_app.ui.settings_dialog import SettingsDialog

            SettingsDialog(self.session, self).exec()
            self.result.result_seconds = self.session.settings.result_seconds
            self.retranslate()

    def request_exit(self) -> None:
        if self.session.ask_pin("kiosk_exit", self):
            self.session.sounds.enabled = self.previous_sound
            self.controller.frame_ready.disconnect(self.preview.show_frame)
            self.controller.outcome_ready.disconnect(self.on_outcome)
            if self.officer is not None:
                self.officer.show()
            self.close()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
