"""Settings (behind the PIN): camera, checkpoint type, epidemic level, colour rules,
language, sounds, how long a result stays, who is on duty, and the PIN itself. Every change
is saved, logged as an event, and applied without restarting (the camera on next start)."""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from scanner_app.core.policy import CHECKPOINT_TYPES, LEVELS
from scanner_app.ui import texts
from scanner_app.ui.session import Session


class SecondsBox(QDoubleSpinBox):
    """Seconds as people write them: 4, 2.5 (4,5 in Vietnamese), never 4.00."""

    def __init__(self) -> None:
        super().__init__()
        self.setDecimals(1)
        self.setSingleStep(0.5)

    def textFromValue(self, value: float) -> str:
        return self.locale().toString(float(value), "g", 3)


class SettingsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        settings = session.settings
        self.camera = QLineEdit(settings.camera or "")
        self.checkpoint_id = QLineEdit(settings.checkpoint_id)
        self.operator = QLineEdit(settings.operator)
        self.checkpoint = QComboBox()
        for kind in CHECKPOINT_TYPES:
            self.checkpoint.addItem(texts.checkpoint(kind), kind)
        self.checkpoint.setCurrentIndex(CHECKPOINT_TYPES.index(settings.checkpoint_type))
        self.level = QComboBox()
        for level in LEVELS:
            self.level.addItem(str(level), level)
        self.level.setCurrentIndex(LEVELS.index(settings.epidemic_level))
        self.profile = QComboBox()
        self.profile.addItem("", None)
        material = session.extra.get("profiles", {})
        for profile_id, title in material.items():
            self.profile.addItem(f"{profile_id} — {title}", profile_id)
        if settings.profile_id:
            self.profile.setCurrentIndex(max(0, self.profile.findData(settings.profile_id)))
        self.language = QComboBox()
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if session.language == "vi" else 1)
        self.sounds = QCheckBox()
        self.sounds.setChecked(settings.sounds_on())
        self.result_seconds = SecondsBox()
        self.result_seconds.setRange(1.0, 30.0)
        self.result_seconds.setValue(settings.result_seconds)
        self.new_pin = QLineEdit()
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.labels = [QLabel() for _ in range(11)]
        form = QFormLayout()
        for label, field in zip(
            self.labels,
            (
                self.camera,
                self.checkpoint_id,
                self.operator,
                self.checkpoint,
                self.level,
                self.profile,
                self.language,
                self.sounds,
                self.result_seconds,
                self.new_pin,
            ),
            strict=False,
        ):
            form.addRow(label, field)
        self.hint = self.labels[-1]
        self.hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        names = [
            self.tr("Camera (index, file, folder or URL; empty: automatic)"),
            self.tr("Checkpoint name"),
            self.tr("Officer on duty"),
            self.tr("Checkpoint type"),
            self.tr("Epidemic level"),
            self.tr("Colour rules (empty: the trust data's default)"),
            self.tr("Language"),
            self.tr("Sound for each result"),
            self.tr("Seconds a result stays on screen"),
            self.tr("New administrator PIN (4-12 digits; empty: unchanged)"),
        ]
        for label, name in zip(self.labels, names, strict=False):
            label.setText(name)
        self.hint.setText(self.tr("A new camera is used from the next start of the program."))
        self.result_seconds.setSuffix(" " + self.tr("s", "seconds"))
        for index, kind in enumerate(CHECKPOINT_TYPES):
            self.checkpoint.setItemText(index, texts.checkpoint(kind))

    def save(self) -> None:
        pin = self.new_pin.text().strip()
        if pin:
            try:
                self.session.pins.set_pin(pin)
            except ValueError as exc:
                QMessageBox.warning(self, self.tr("Settings"), str(exc))
                return
            self.session.log_event("pin_changed", "")
            self.session.pin_changed(self)
        settings = replace(
            self.session.settings,
            camera=self.camera.text().strip() or None,
            checkpoint_id=self.checkpoint_id.text().strip() or "CP",
            operator=self.operator.text().strip(),
            checkpoint_type=self.checkpoint.currentData(),
            epidemic_level=self.level.currentData(),
            profile_id=self.profile.currentData(),
            language=self.language.currentData(),
            sounds=self.sounds.isChecked(),
            result_seconds=self.result_seconds.value(),
        )
        self.session.save_settings(settings)
        self.session.sounds.enabled = settings.sounds_on()
        self.session.log_event("settings_changed", json.dumps(settings.to_json(), ensure_ascii=False))
        if settings.language != self.session.language:
            self.session.set_language(settings.language)
        self.accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
