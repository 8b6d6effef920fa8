"""The window's safety states (issue 15 and 14 on screen): damaged production trust is a red bar
across the officer window and every card shows MANUAL, never the DEMO banner; a lost PIN state
asks for the recovery code and a new PIN, and the new recovery code is shown once; leaving the
default PIN shows the code nobody saw yet; the hub's enrollment QR in front of the camera is
never checked as a card but opens the Hub tab, after the PIN, with the address and code."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner_app.devkit.keys import demo_signer
from scanner_app.devkit.render import write_qr_png
from scanner_app.local.pin_store import PinResult, PinStore
from scanner_app.ui.session import Session
from tests.dialog_helpers import close_recovery_code_dialog
from tests.test_trust_damage import (  # noqa: F401
    PRODUCTION_SIGNER,
    _truncate,
    card,
    installed,
    production_anchor,
)
from tests.test_ui import make_session

pytestmark = pytest.mark.gui
LINK = "scanner-enroll:?hub=https://hub.example:8443&hub=https://hub2.example:8443&code=K7Q2M9-ABCDEFGHJKLMNPQRSTUV"


@pytest.fixture
def damaged_session(qapp, installed: Path, data_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    _truncate(data_dir)
    pictures = [write_qr_png(card(demo_signer()), tmp_path / "demo.png")]
    session = make_session(data_dir, pictures)
    yield session
    session.controller.stop()
    session.set_language("en")


def test_damaged_trust_is_a_red_bar_and_every_card_is_manual(qtbot, damaged_session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.main_window import MainWindow

    window = MainWindow(damaged_session)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(damaged_session.controller.outcome_ready, timeout=20_000) as blocker:
        damaged_session.controller.start()
    assert (blocker.args[0].result.decision.value, blocker.args[0].result.reason.value) == (
        "manual",
        "trust_damaged",
    )
    assert window.result.word.logical_text() == "KIỂM TRA THỦ CÔNG"
    assert window.trust_alarm.isVisible()
    assert "DỮ LIỆU TIN CẬY BỊ HỎNG" in window.trust_alarm.text()
    assert "DEMO" not in window.banner.text()  # the demo keys are not in use: never say so
    assert "BỊ HỎNG" in window.status_line.labels[1].text()
    damaged_session.set_language("en")
    qtbot.waitUntil(lambda: "TRUST DATA DAMAGED" in window.trust_alarm.text(), timeout=5_000)


def test_a_healthy_window_has_no_red_bar(qtbot, data_dir: Path, tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.main_window import MainWindow

    session = make_session(data_dir, [])
    try:
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        session.controller.start()
        qtbot.waitUntil(lambda: session.controller.trust is not None, timeout=10_000)
        window.refresh_status()
        assert not window.trust_alarm.isVisible()
        assert "DÙNG THỬ" in window.banner.text()  # no production trust ever: the labelled demo
    finally:
        session.controller.stop()


def test_a_lost_pin_state_is_unlocked_by_the_recovery_code_and_a_new_one_is_shown_once(
    qtbot, data_dir: Path, tmp_path: Path, clock, qapp
) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.main_window import MainWindow

    session = make_session(data_dir, [])
    seen: list[str] = []
    timer = close_recovery_code_dialog(seen)
    try:
        window = MainWindow(session)
        qtbot.addWidget(window)
        session.controller.start()
        pins: PinStore = session.pins
        # leaving the default PIN shows the recovery code nobody has seen yet
        pins.set_pin("2468")  # as the settings dialog does it
        session.log_event("pin_changed", "")
        session.pin_changed(window)
        assert len(seen) == 1 and pins.new_recovery_code is None
        first_code = seen[0]
        session.controller.call_in_writer(lambda store: None).result(timeout=10)  # written
        # the PIN file is deleted: no PIN works (the default least of all), the recovery code does
        (data_dir / "security.json").unlink()
        pins = session.pins = session.app.pins()
        assert pins.lost and pins.check("2468") == PinResult.STATE_LOST

        from scanner_app.ui.dialogs import PinDialog

        logged: list[tuple[str, str]] = []
        dialog = PinDialog(pins, "supervisor", lambda k, d: logged.append((k, d)))
        qtbot.addWidget(dialog)
        assert dialog.recovery.isVisibleTo(dialog) and not dialog.field.isVisibleTo(dialog)
        assert "mã khôi phục" in dialog.message.text().lower()
        dialog.recovery.setText("0000-0000-0000")
        dialog.new_pin.setText("1357")
        dialog.attempt()
        assert dialog.result() == 0 and "không đúng" in dialog.message.text()
        dialog.recovery.setText(first_code)  # the log's copy of the code's hash still knows it
        dialog.new_pin.setText("1357")
        with qtbot.waitSignal(dialog.accepted, timeout=1000):
            dialog.attempt()
        assert [k for k, _ in logged] == ["pin_attempt", "pin_recovered"]
        assert pins.check("1357") == PinResult.OK
        # the recovery made a new code: shown once, then never again
        seen.clear()
        session.pin_changed(window)
        assert len(seen) == 1 and seen[0] != first_code
        session.pin_changed(window)  # nothing pending: no dialog (a dialog would block here)
        remembered = session.controller.call_in_writer(lambda s: s.remembered("pin_recovery")).result(10)
        assert remembered == list(pins.recovery_hash() or ())  # the log's copy follows the new code
    finally:
        timer.stop()
        session.controller.stop()


def test_the_enrollment_qr_opens_the_hub_tab_after_the_pin_and_is_never_checked(
    qtbot, data_dir: Path, tmp_path: Path, qapp, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui import supervisor as supervisor_module
    from scanner_app.ui.main_window import MainWindow

    session = make_session(data_dir, [write_qr_png(LINK, tmp_path / "enroll.png")])
    opened: list[tuple[str, str, int]] = []
    asked: list[str] = []

    def fake_pin(purpose: str, parent) -> bool:  # type: ignore[no-untyped-def]
        asked.append(purpose)
        return True

    class Recording(supervisor_module.SupervisorView):
        def exec(self) -> int:
            opened.append((self.hub_url.text(), self.hub_code.text(), self.tabs.currentIndex()))
            return 0

    monkeypatch.setattr(session, "ask_pin", fake_pin)
    monkeypatch.setattr(supervisor_module, "SupervisorView", Recording)
    outcomes: list[object] = []
    session.controller.outcome_ready.connect(outcomes.append)
    try:
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(session.controller.enroll_link_seen, timeout=20_000):
            session.controller.start()
        qtbot.waitUntil(lambda: bool(opened), timeout=5_000)
        assert asked == ["enroll"]
        assert opened == [
            ("https://hub.example:8443 https://hub2.example:8443", "K7Q2M9-ABCDEFGHJKLMNPQRSTUV", 2)
        ]
        # typed by a USB scanner: the same, never a check
        session.controller.submit_text(LINK)
        qtbot.waitUntil(lambda: len(opened) == 2, timeout=5_000)
        window.hide()  # kiosk mode: nobody to confirm, the link is ignored
        session.controller.submit_text(LINK)
        qtbot.wait(50)
        assert len(opened) == 2 and outcomes == []
        rows = session.controller.call_in_writer(lambda store: list(store.rows())).result(timeout=10)
        assert rows == []
    finally:
        session.controller.stop()


def test_a_damaged_link_pasted_in_the_hub_tab_is_explained(qtbot, session_plain: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.supervisor import SupervisorView

    view = SupervisorView(session_plain)
    qtbot.addWidget(view)
    view.hub_url.setText("scanner-enroll:?hub=ftp://x&code=AB-CD")
    said = view.hub_state.text()
    assert "liên kết" in said.lower() and "hub address" not in said  # Vietnamese throughout
    assert view.hub_code.text() == ""
    view.hub_url.setText(LINK)
    assert view.hub_code.text() == "K7Q2M9-ABCDEFGHJKLMNPQRSTUV"
    view.hub_url.setText("scanner-enroll:?hub=ftp://x&code=AB-CD")
    assert view.hub_code.text() == ""  # the good link's code does not stay behind


@pytest.fixture
def session_plain(qapp, data_dir: Path):  # type: ignore[no-untyped-def]
    session = make_session(data_dir, [])
    yield session
    session.controller.stop()
    session.set_language("en")


def test_a_result_that_arrives_after_its_window_closed_is_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Background work (a day's report, a picture's decode) that finishes after the window that
    asked for it was closed reaches nobody: no call on a deleted widget, no error."""
    import threading

    from PySide6.QtCore import QCoreApplication, QThreadPool
    from PySide6.QtWidgets import QLabel

    from scanner_app.ui.background import run_in_background

    release = threading.Event()
    label = QLabel()
    delivered: list[object] = []
    run_in_background(label, lambda: release.wait(10) and "late", delivered.append, delivered.append)
    kept = QLabel()
    run_in_background(kept, lambda: "in time", delivered.append, delivered.append)
    qtbot.waitUntil(lambda: delivered == ["in time"], timeout=10_000)
    label.deleteLater()
    qtbot.waitUntil(lambda: not _alive(label), timeout=10_000)
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.processEvents()  # a queued delivery, had there been one, runs here
    assert delivered == ["in time"]


def _alive(widget) -> bool:  # type: ignore[no-untyped-def]
    from shiboken6 import isValid

    return bool(isValid(widget))
