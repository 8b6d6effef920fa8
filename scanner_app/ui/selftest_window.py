"""The self-test's window check: Qt loads, the Vietnamese catalogue, the fonts and the outcome
icons are there (Qt stays in `ui/`; the `--self-test` command calls this)."""

from __future__ import annotations

import os


def check_window_pieces() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import PySide6
    from PySide6.QtCore import QCoreApplication, QTranslator
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication

    from scanner_app.system.resources import asset
    from scanner_app.ui.theme import load_fonts, outcome_icon

    app = QApplication.instance() or QApplication([])
    translator = QTranslator()
    assert translator.load(str(asset("i18n", "scanner_vi.qm"))), "Vietnamese translation missing"
    app.installTranslator(translator)
    word = QCoreApplication.translate("Decision", "ALLOWED")
    assert word == "ĐƯỢC PHÉP", word
    family = load_fonts()
    assert family in QFontDatabase.families(), f"font {family} not registered"
    assert not outcome_icon("allow", 64).isNull(), "outcome icons cannot be drawn"
    return f"Qt {PySide6.__version__} loads, Vietnamese catalogue ({word}), {family} and icons ready"
