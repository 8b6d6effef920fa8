"""Small dialogs: the PIN prompt (lockout after failures, every attempt logged, the recovery
code when the PIN state is lost), the new recovery code shown once, manual code entry, the
verification details of a check, and the copyable error report."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from scanner_app.local.pin_store import PinResult, PinStore
from scanner_app.ui import texts
from scanner_app.ui.theme import font

if TYPE_CHECKING:  # types only: the window shows before numpy, OpenCV and SQLite load
    from scanner_app.services.scan import ScanOutcome


class PinDialog(QDialog):
    """Asks for the admin PIN; `log` records each attempt (kind, detail) in the check log."""

    def __init__(self, pins: PinStore, purpose: str, log: Callable[[str, str], None], parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.pins = pins
        self.purpose = purpose
        self.log = log
        self.setWindowTitle(self.tr("Administrator PIN"))
        self.prompt = QLabel(self.tr("Enter the administrator PIN"))
        self.prompt.setFont(font(16))
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setFont(font(22))
        self.field.setMaxLength(12)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        # shown when the PIN state is lost: the recovery code sets a new PIN
        self.recovery = QLineEdit()
        self.recovery.setFont(font(16))
        self.recovery.setPlaceholderText("0000-0000-0000")
        self.new_pin = QLineEdit()
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin.setFont(font(16))
        self.new_pin.setMaxLength(12)
        self.recovery_label, self.new_pin_label = QLabel(), QLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.attempt)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (
            self.prompt,
            self.field,
            self.message,
            self.recovery_label,
            self.recovery,
            self.new_pin_label,
            self.new_pin,
            buttons,
        ):
            layout.addWidget(widget)
        self.field.returnPressed.connect(self.attempt)
        self._recovering(pins.lost)

    def _recovering(self, lost: bool) -> None:
        """PIN state lost: no PIN is accepted; the recovery code and a new PIN are asked for."""
        self.recovering = lost
        self.prompt.setVisible(not lost)
        self.field.setVisible(not lost)
        for widget in (self.recovery_label, self.recovery, self.new_pin_label, self.new_pin):
            widget.setVisible(lost)
        if lost:
            self.message.setText(
                self.tr(
                    "PIN state lost (the PIN file is missing or was changed): unlock with the recovery "
                    "code shown when the PIN was set, or ask the district office for this scanner's code."
                )
            )
            self.recovery_label.setText(self.tr("Recovery code"))
            self.new_pin_label.setText(self.tr("New PIN (4 to 12 digits)"))

    def attempt(self) -> None:
        if self.recovering:
            self._recover()
            return
        result = self.pins.check(self.field.text())
        self.log("pin_attempt", json.dumps({"purpose": self.purpose, "result": result.value}))
        self.field.clear()
        if result == PinResult.OK:
            self.accept()
            return
        if result == PinResult.STATE_LOST:
            self._recovering(True)
            return
        if result == PinResult.LOCKED:
            seconds = int(self.pins.lockout()[1]) + 1
            self.message.setText(self.tr("Too many wrong PINs. Try again in %n second(s).", "", seconds))
        else:
            self.message.setText(self.tr("Wrong PIN."))

    def _recover(self) -> None:
        try:
            ok = self.pins.recover(self.recovery.text(), self.new_pin.text().strip())
        except ValueError:
            self.message.setText(self.tr("The new PIN must be 4 to 12 digits."))
            return
        kind = "pin_recovered" if ok else "pin_attempt"
        self.log(kind, json.dumps({"purpose": self.purpose, "recovery": ok}))
        self.recovery.clear()
        if ok:
            self.accept()
        else:
            self.message.setText(self.tr("That recovery code is not right."))


class RecoveryCodeDialog(QDialog):
    """The new recovery code, shown once to whoever just set the PIN: it unlocks the scanner
    when the PIN state is lost, so it is written down and kept apart from the laptop."""

    def __init__(self, code: str, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle(self.tr("Recovery code"))
        intro = QLabel(
            self.tr(
                "Write this recovery code down now and keep it apart from the laptop. It sets a "
                "new PIN if the PIN is forgotten or its file is lost. It is not shown again."
            )
        )
        intro.setWordWrap(True)
        self.code = QLabel(code)
        self.code.setFont(font(28, bold=True))
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        done = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        done.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        for widget in (intro, self.code, done):
            layout.addWidget(widget)
        self.resize(560, 220)


def show_new_recovery_code(pins: PinStore, parent=None) -> None:  # type: ignore[no-untyped-def]
    """Once, after the PIN left its default or was recovered; never while the PIN is the default."""
    code, pins.new_recovery_code = pins.new_recovery_code, None
    if code and not pins.is_default:
        RecoveryCodeDialog(code, parent).exec()


class ManualEntryDialog(QDialog):
    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enter a code"))
        label = QLabel(self.tr("Type or paste the text of the QR code (HC1:…, CCCD…):"))
        self.field = QPlainTextEdit()
        self.field.setFont(font(12))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (label, self.field, buttons):
            layout.addWidget(widget)
        self.resize(640, 260)

    def text(self) -> str:
        return self.field.toPlainText().strip()


class DetailsDialog(QDialog):
    """Every verification step of a check, for the officer who wants to know why."""

    def __init__(self, outcome: ScanOutcome, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle(self.tr("Check details"))
        result = outcome.result
        verdict = result.verdict
        rows = [
            (self.tr("Decision"), texts.decision(result.decision.value)),
            (self.tr("Reason"), texts.reason(result.reason)),
            (self.tr("Code"), texts.code_format(verdict.format.value)),
            (self.tr("Certificate type"), texts.certificate_type(verdict.certificate_type) or "-"),
            (self.tr("Issuer"), f"{verdict.issuer or '-'}   alg: {verdict.alg or '-'}"),
            (self.tr("Issued"), str(verdict.issued_at or "-")),
            (self.tr("Expires"), str(verdict.expires_at or "-")),
            (self.tr("Rules"), f"{result.profile_id} {result.profile_version}"),
            (
                self.tr("Policy"),
                f"{result.policy_id} {result.policy_version}, "
                f"{texts.checkpoint(result.checkpoint)}, {result.level}",
            ),
        ]
        saved = self.tr("Saved as check") + f" #{outcome.seq}" if outcome.saved else self.tr("Not saved")
        lines = [f"{label}: {value}" for label, value in rows]
        lines += [saved, "", self.tr("Verification steps:")]
        lines += [
            f"  {'✔' if s.ok else '✘'} {s.step.value}{': ' + s.detail if s.detail else ''}"
            for s in verdict.steps
        ]
        self.view = view = QPlainTextEdit("\n".join(lines))
        view.setReadOnly(True)
        view.setFont(font(12))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(close)
        self.resize(640, 520)


class ErrorDialog(QDialog):
    """An unexpected error, shown so that it can be copied into a report; scanning goes on."""

    def __init__(self, report: str, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unexpected error"))
        intro = QLabel(
            self.tr(
                "Something went wrong. Scanning continues. Please copy this report "
                "and send it to your technical support."
            )
        )
        intro.setWordWrap(True)
        self.view = QPlainTextEdit(report)
        self.view.setReadOnly(True)
        copy = QPushButton(self.tr("Copy report"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(report))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.view, copy, close):
            layout.addWidget(widget)
        self.resize(720, 420)
