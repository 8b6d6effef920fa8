"""Helpers for widget tests: dialogs that open modally (offscreen, nobody clicks them)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


def close_recovery_code_dialog(seen: list[str]):  # type: ignore[no-untyped-def]
    """A timer that reads and closes the recovery-code dialog when it opens (offscreen, nobody
    clicks): `exec()` returns and the test goes on."""
    from PySide6.QtCore import QTimer

    from scanner_app.ui.dialogs import RecoveryCodeDialog

    def close_it() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, RecoveryCodeDialog):
            seen.append(dialog.code.text())
            dialog.accept()

    timer = QTimer()
    timer.timeout.connect(close_it)
    timer.start(10)
    return timer
