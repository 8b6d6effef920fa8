"""The small things a first day at a checkpoint shows (issue 16, item 5): Qt's own buttons in
Vietnamese, the kiosk's privacy notice in plain words and its camera state, translated flag
names and a visible count in the supervisor's tables, seconds written as people write them,
the latest-checks table counting the same day as the counters, and the status line after a
sync made from the command line."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from scanner_app.camera.capture import CameraState
from scanner_app.camera.decode import Decoder
from scanner_app.devkit.catalog import demo_cards
from scanner_app.ui.launch import build_session
from scanner_app.ui.session import Session

pytestmark = pytest.mark.gui


@pytest.fixture
def session(qapp, data_dir: Path):  # type: ignore[no-untyped-def]
    args = argparse.Namespace(data_dir=str(data_dir), demo=False, camera=None, kiosk=False)
    session = build_session(args, decoder=Decoder(), source=_NoFrames)
    session.set_language("vi")
    session.sounds.enabled = False
    yield session
    session.controller.stop()
    session.set_language("en")


class _NoFrames:
    """A camera that never delivers a picture (the tests submit codes as text)."""

    live = True
    name = "no frames"

    def open(self) -> None:
        pass

    def read(self):  # type: ignore[no-untyped-def]
        import time

        time.sleep(0.05)

    def close(self) -> None:
        pass


def test_qt_standard_buttons_speak_vietnamese(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Save
        | QDialogButtonBox.StandardButton.Close
    )
    qtbot.addWidget(box)
    words = {b.text().replace("&", "") for b in box.buttons()}
    assert words == {"Đồng ý", "Hủy", "Lưu", "Đóng"}
    message = QMessageBox(QMessageBox.Icon.Information, "x", "y", QMessageBox.StandardButton.Ok)
    qtbot.addWidget(message)
    assert message.button(QMessageBox.StandardButton.Ok).text().replace("&", "") == "Đồng ý"


def test_the_qt_texts_we_translate_are_qts_own() -> None:
    """Each (context, source) we translate for Qt exists in Qt's own German catalogue: a
    source that drifted from Qt's would silently stay English."""
    import PySide6

    from scanner_app.ui import qt_texts

    german = QTranslator()
    folder = Path(PySide6.__file__).parent / "Qt" / "translations"
    assert german.load(str(folder / "qtbase_de.qm"))
    import ast

    tree = ast.parse(Path(qt_texts.__file__).read_text(encoding="utf-8"))
    marked = [
        (call.args[0].value, call.args[1].value)  # type: ignore[attr-defined]
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "QT_TRANSLATE_NOOP"
    ]
    assert len(marked) > 60
    assert [m for m in marked if not german.translate(m[0], m[1])] == []


def test_settings_show_whole_seconds_as_whole_numbers(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    assert dialog.result_seconds.text() == "4 giây"
    dialog.result_seconds.setValue(2.5)
    assert dialog.result_seconds.text() == "2,5 giây"  # the Vietnamese decimal comma


def test_the_kiosk_notice_and_a_kiosk_opened_while_the_camera_runs(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.kiosk import KioskWindow

    session.controller._camera_state = CameraState.OK  # as after the camera's first frame
    kiosk = KioskWindow(session)
    qtbot.addWidget(kiosk)
    assert "vân tay" not in kiosk.notice.text() and "mã một chiều" in kiosk.notice.text()
    assert kiosk.preview.state_text() == ""  # not "Đang khởi động camera…"


def test_the_latest_checks_are_the_days_and_the_status_follows_a_command_line_sync(
    qtbot, session: Session, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """The log already holds two checks of today (another run, `gate`) and one of them was
    confirmed by the hub: the table shows both, the counters count both, and the status
    line shows when the hub last confirmed one."""
    from scanner_app.app import App
    from scanner_app.ui.main_window import MainWindow

    app = App(data_dir)
    store = app.open_store()
    service = app.scan_service(store)
    cards = {c.name: c.text for c in demo_cards(datetime.now(UTC))}
    for name in ("green-2of2", "green-rsa-ps256", "tampered"):
        assert service.handle(cards[name], app.clock.monotonic(), force=True) is not None
    confirmed = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    store.ack([1], confirmed)
    store.close()
    window = MainWindow(session)
    qtbot.addWidget(window)
    with qtbot.waitSignal(session.controller.outbox_seen, timeout=20_000):
        session.controller.start()
    QApplication.processEvents()
    assert window.recent.rowCount() == 3 and sum(window.counters.values.values()) == 3
    assert window.recent.item(0, 2).text() == ""  # the forged card, newest: no colour, as the panel
    assert window.recent.item(1, 4).text().startswith("Hợp lệ; theo bảng quyết định cấp độ 1")
    sync = window.status_line.labels[2].text()
    assert "2 lượt chờ gửi" in sync and sync.endswith(confirmed.astimezone().strftime("%H:%M"))


def test_the_supervisor_tables_show_flag_names_and_counts(qtbot, session: Session, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.app import App
    from scanner_app.devkit.catalog import shared_card
    from scanner_app.ui.supervisor import SupervisorView

    app = App(data_dir)
    store = app.open_store()
    service = app.scan_service(store)
    text = shared_card(datetime.now(UTC)).text
    for _ in range(4):  # the 4th time at one checkpoint: a possibly shared code
        assert service.handle(text, app.clock.monotonic(), force=True) is not None
    store.close()
    view = SupervisorView(session)
    qtbot.addWidget(view)
    view.resize(1000, 660)
    view.show()
    qtbot.waitUntil(lambda: view.report is not None, timeout=30_000)
    QApplication.processEvents()
    assert view.flagged.rowCount() == 1
    assert view.flagged.item(0, 2).text() == "có thể là mã dùng chung (quét quá nhiều lần tại đây)"
    count = view.reasons.visualItemRect(view.reasons.item(0, 1))
    assert view.reasons.viewport().rect().contains(count)  # the count is in view, not behind a scrollbar
    assert view.reasons.item(0, 1).text() == "4"


def test_the_demo_banner_shows_from_the_start(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """Not only after the first check or the 30 s heartbeat: as soon as the trust data is read."""
    from scanner_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    with qtbot.waitSignal(session.controller.trust_changed, timeout=20_000):
        session.controller.start()
    QApplication.processEvents()
    assert "DÙNG THỬ" in window.banner.text() and window.banner.text().count("\n") == 2
