"""What every window of a running program shares: the composition root (data directory,
settings, trust), the PIN, the controller and its threads, language switching, sounds."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QWidget

from scanner_app.app import App
from scanner_app.core.settings import Settings
from scanner_app.local.pin_store import PinStore
from scanner_app.local.settings_file import save_settings
from scanner_app.system.resources import asset
from scanner_app.ui.controller import ScanController
from scanner_app.ui.sounds import Sounds

log = logging.getLogger(__name__)


class PseudoTranslator(QTranslator):
    """A pseudo-locale: every string 40 % longer and bracketed, to see layouts survive long
    translations (tests/test_ui.py checks that nothing is clipped)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:  # type: ignore[override]
        if not source:
            return source
        return "[" + source + " ~" * max(1, len(source) // 5) + "]"


@dataclass
class Session:
    app: App
    controller: ScanController
    pins: PinStore
    sounds: Sounds
    demo: bool = False
    translator: QTranslator | None = None
    language: str = "vi"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.app.data_dir

    @property
    def settings(self) -> Settings:
        return self.app.settings

    def set_language(self, language: str) -> None:
        """Switch the whole interface; widgets retranslate on the LanguageChange event."""
        app = QCoreApplication.instance()
        if self.translator is not None:
            app.removeTranslator(self.translator)
            self.translator = None
        if language == "pseudo":
            self.translator = PseudoTranslator()
        elif language == "vi":
            translator = QTranslator()
            if translator.load(str(asset("i18n", "scanner_vi.qm"))):
                self.translator = translator
            else:
                log.error("Vietnamese translation missing: showing English")
        if self.translator is not None:
            app.installTranslator(self.translator)
        # month names in the calendar, decimal commas: the reader's conventions (new widgets)
        vietnamese = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
        QLocale.setDefault(vietnamese if language == "vi" else QLocale(QLocale.Language.English))
        self.language = language

    def save_settings(self, settings: Settings) -> None:
        """Saved, then in force from the next scan on (operator and checkpoint included)."""
        save_settings(self.data_dir, settings)
        self.controller.reconfigure(settings)

    def ask_pin(self, purpose: str, parent: QWidget) -> bool:
        """The administrator PIN (or, when its state is lost, the recovery code and a new PIN)."""
        from scanner_app.ui.dialogs import PinDialog

        accepted = bool(PinDialog(self.pins, purpose, self.log_event, parent).exec())
        self.pin_changed(parent)
        return accepted

    def pin_changed(self, parent: QWidget) -> None:
        """A new recovery code is shown once, and the check log's copy of its hash follows it."""
        from scanner_app.ui.dialogs import show_new_recovery_code

        if self.pins.new_recovery_code is None:
            return
        show_new_recovery_code(self.pins, parent)
        self.controller.call_in_writer(self.app.remember_pin_recovery)

    def log_event(self, kind: str, detail: str) -> None:
        """Audit events (PIN attempts, settings changes) go through the log's one writer."""
        self.controller.call_in_writer(lambda store: store.event(kind, detail))

    def settings_summary(self) -> str:
        return json.dumps(self.settings.to_json(), ensure_ascii=False)
