# ruff: noqa: F811  (the fixtures imported from tests.test_ui are parameters here)
"""The window as a user meets it (issue 21): the trusted-time floor on disk reaches the window's
checks; the kiosk's Esc and the officer's F9 ask for the PIN before anything opens; the window
with the isolated decoder process it uses in production (not the in-process one)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from scanner_app.core.clock import TimeFloor
from scanner_app.devkit.render import write_qr_png
from scanner_app.local.bundle_store import BundleStore
from scanner_app.local.pin_store import DEFAULT_PIN
from scanner_app.ui.session import Session
from tests.test_ui import cards, make_session, session  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


def _answer_pin_dialogs(answers: list[str | None], seen: list[str]) -> QTimer:
    """Each PIN dialog that opens takes the next answer: a PIN typed and submitted, or None
    (the officer presses Cancel). `seen` gets each dialog's purpose."""
    from scanner_app.ui.dialogs import PinDialog

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PinDialog) or not dialog.isVisible():
            return
        seen.append(dialog.purpose)
        pin = answers.pop(0) if answers else None
        if pin is None:
            dialog.reject()
        else:
            dialog.field.setText(pin)
            dialog.attempt()

    timer = QTimer()
    timer.timeout.connect(answer)
    timer.start(10)
    return timer


def _activate(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Window shortcuts (Esc, F9) reach only the active window: make it so, as a click would."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)


def _events(session: Session, kind: str) -> list[dict[str, object]]:
    rows = session.controller.call_in_writer(
        lambda store: [
            r["detail"] for r in store.db.query("select kind, detail from events") if r["kind"] == kind
        ]
    ).result(10)
    return [json.loads(detail) for detail in rows]


def test_the_window_obeys_the_trusted_time_floor(qtbot, data_dir: Path, tmp_path: Path, cards) -> None:  # type: ignore[no-untyped-def]
    """A laptop whose clock was set back below the time the hub vouched for: the window's
    checks are manual with the reason, as `verify` and `gate` say (tests/test_entry_points.py)."""
    BundleStore(data_dir).write_floor(TimeFloor(datetime.now(UTC) + timedelta(days=1), "hub"))
    picture = write_qr_png(cards["green-2of2"].text, tmp_path / "green.png")
    session = make_session(data_dir, [picture])
    try:
        with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000) as blocker:
            session.controller.start()
        result = blocker.args[0].result
        assert (result.decision.value, result.reason.value) == ("manual", "clock_behind_trusted_time")
    finally:
        session.controller.stop()


def test_the_kiosk_asks_for_the_pin_on_esc_and_stays_without_it(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.main_window import MainWindow

    session.controller.start()  # the log's writer: PIN attempts are chained events
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    window.open_kiosk()
    kiosk = window.kiosk
    qtbot.waitExposed(kiosk)
    seen: list[str] = []
    timer = _answer_pin_dialogs([None, "000000", None, DEFAULT_PIN], seen)
    try:
        kiosk.request_exit()  # what Esc and Ctrl+Shift+X trigger (checked below)
        assert kiosk.isVisible() and not window.isVisible()  # cancelled: the kiosk stays
        kiosk.request_exit()  # a wrong PIN, then cancel: still the kiosk
        assert kiosk.isVisible() and not window.isVisible()
        kiosk.request_exit()
        assert not kiosk.isVisible() and window.isVisible()  # the right PIN: back to the officer
    finally:
        timer.stop()
    assert seen == ["kiosk_exit"] * 4
    results = [event["result"] for event in _events(session, "pin_attempt")]
    assert results == ["wrong", "ok"]
    shortcuts = {s.toString() for action in kiosk.actions() for s in action.shortcuts()}
    assert {"Esc", "Ctrl+Shift+X", "Ctrl+Shift+S"} <= shortcuts


def test_esc_in_the_kiosk_reaches_the_pin_dialog(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """The key itself, through Qt's shortcut map, not only the method it triggers."""
    from scanner_app.ui.kiosk import KioskWindow

    kiosk = KioskWindow(session)
    qtbot.addWidget(kiosk)
    kiosk.show()
    _activate(qtbot, kiosk)
    seen: list[str] = []
    timer = _answer_pin_dialogs([None], seen)
    try:
        qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: seen == ["kiosk_exit"], timeout=5_000)
    finally:
        timer.stop()
    assert kiosk.isVisible()


def test_f9_asks_for_the_pin_before_the_supervisor_view(qtbot, session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui import supervisor
    from scanner_app.ui.main_window import MainWindow

    opened: list[object] = []
    monkeypatch.setattr(supervisor.SupervisorView, "exec", lambda self: opened.append(self) or 0)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    _activate(qtbot, window)
    seen: list[str] = []
    timer = _answer_pin_dialogs([None, DEFAULT_PIN], seen)
    try:
        qtbot.keyClick(window, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: seen == ["supervisor"], timeout=5_000)
        assert opened == []  # cancelled: nothing opens
        _activate(qtbot, window)  # the closed dialog took the focus with it
        qtbot.keyClick(window, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: len(opened) == 1, timeout=5_000)
    finally:
        timer.stop()
    assert seen == ["supervisor", "supervisor"]


def test_the_window_reads_a_code_through_the_isolated_decoder(
    qtbot, data_dir: Path, tmp_path: Path, cards
) -> None:  # type: ignore[no-untyped-def]
    """Production's decoder: a separate process fed shared-memory frames (camera/isolation.py)."""
    import argparse

    from scanner_app.camera.isolation import IsolatedDecoder
    from scanner_app.camera.sources import ImageFilesSource
    from scanner_app.ui.launch import build_session

    picture = write_qr_png(cards["green-2of2"].text, tmp_path / "green.png")
    args = argparse.Namespace(data_dir=str(data_dir), demo=False, camera=None, kiosk=False)
    session = build_session(args, source=lambda: ImageFilesSource([picture], "test pictures"))
    session.sounds.enabled = False
    try:
        with qtbot.waitSignal(session.controller.outcome_ready, timeout=60_000) as blocker:
            session.controller.start()
        assert blocker.args[0].result.decision.value == "allow"
        assert isinstance(session.controller._decoder, IsolatedDecoder)
    finally:
        session.controller.stop()
