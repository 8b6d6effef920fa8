"""A sound per outcome (on for officers, off in kiosk mode by default, for privacy).
QtMultimedia is loaded on the first sound actually played: it needs libpulse on Linux and an
audio device; without them the program stays silent, says so once in the log, and never
fails."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QUrl

from scanner_app.system.resources import asset

log = logging.getLogger(__name__)


class Sounds:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.effects: dict[str, Any] | None = None  # None: not loaded yet

    def _load(self) -> dict[str, Any]:
        self.effects = {}
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError as exc:  # e.g. libpulse.so.0 missing
            log.warning("sounds unavailable (%s): staying silent", exc)
            return self.effects
        for name in ("allow", "deny", "manual"):
            effect = QSoundEffect()
            effect.setSource(QUrl.fromLocalFile(str(asset("sounds", f"{name}.wav"))))
            effect.setVolume(0.8)
            self.effects[name] = effect
        return self.effects

    def play(self, decision: str) -> None:
        if not self.enabled:
            return
        effects = self.effects if self.effects is not None else self._load()
        if decision in effects:
            effects[decision].play()
