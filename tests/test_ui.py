"""The window, offscreen (pytest-qt): a code shown to a fake camera gives the right panel and a
stored check; the kiosk resets by itself; a wrong PIN locks out; switching the language
changes every visible string; long translations do not break the layout."""

from __future__ import annotations

import argparse
import dataclasses
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTableWidget, QWidget

from scanner_app.camera.decode import Decoder
from scanner_app.camera.sources import ImageFilesSource
from scanner_app.core.record import Flag, StoreProblem
from scanner_app.devkit.catalog import demo_cards
from scanner_app.devkit.render import write_qr_png
from scanner_app.local.pin_store import PinResult, PinStore
from scanner_app.ui.launch import build_session
from scanner_app.ui.session import Session
from tests.dialog_helpers import close_recovery_code_dialog

pytestmark = pytest.mark.gui
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


@pytest.fixture(scope="module")
def cards():  # type: ignore[no-untyped-def]
    return {c.name: c for c in demo_cards(datetime.now(UTC))}


def make_session(data_dir: Path, pictures: list[Path], language: str = "vi") -> Session:
    args = argparse.Namespace(data_dir=str(data_dir), demo=False, camera=None, kiosk=False)
    session = build_session(
        args, decoder=Decoder(), source=lambda: ImageFilesSource(pictures, "test pictures")
    )
    session.set_language(language)
    session.sounds.enabled = False  # no audio device here; Sounds degrades to silence anyway
    return session


@pytest.fixture
def session(qapp, data_dir: Path, tmp_path: Path, cards):  # type: ignore[no-untyped-def]
    picture = write_qr_png(cards["green-2of2"].text, tmp_path / "green.png")
    session = make_session(data_dir, [picture])
    yield session
    session.controller.stop()
    session.set_language("en")


def visible_texts(root: QWidget) -> dict[str, str]:
    found = {}
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) or widget.property("data"):
            continue
        name = f"{type(widget).__name__}@{id(widget)}"
        if isinstance(widget, QLabel | QAbstractButton) and widget.text().strip():
            found[name] = widget.text()
        if isinstance(widget, QTableWidget):
            for column in range(widget.columnCount()):
                item = widget.horizontalHeaderItem(column)
                if item is not None:
                    found[f"{name}#h{column}"] = item.text()
    for action in root.actions():
        if action.text():
            found[f"action@{id(action)}"] = action.text()
    found["title"] = root.windowTitle()
    return found


def test_a_code_shown_to_the_camera_gives_the_panel_and_a_stored_check(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000) as blocker:
        session.controller.start()
    outcome = blocker.args[0]
    assert outcome.saved and outcome.result.decision.value == "allow"
    assert window.result.word.logical_text() == "ĐƯỢC PHÉP"
    assert "Xanh" in window.result.card.text()
    assert "NGUYEN VAN AN" in window.result.name.text() and "12/03/1985" in window.result.name.text()
    assert window.recent.rowCount() == 1 and window.recent.item(0, 1).text() == "ĐƯỢC PHÉP"
    rows = session.controller.call_in_writer(lambda store: list(store.rows())).result(timeout=10)
    assert len(rows) == 1 and rows[0]["decision"] == "allow" and rows[0]["colour"] == "green"


def test_manual_entry_of_an_identity_code_needs_the_officer(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.dialogs import DetailsDialog
    from scanner_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    session.controller.start()
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000):
        pass  # the picture from the fake camera
    # An's CCCD typed (a USB scanner) right after An's card: the card, re-decided, matched
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=10_000) as blocker:
        session.controller.submit_text("079085001234|123456789|Nguyễn Văn An|12031985|Nam|Nha Trang|01072021")
    bound = blocker.args[0].result
    assert (bound.verdict.format.value, bound.decision.value) == ("hc1", "allow")
    assert bound.binding is not None and bound.binding.outcome.value == "matched"
    assert window.result.identity.logical_text() == "Khớp CCCD"
    # an identity code with no card waiting: identity only, the officer decides
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=10_000) as blocker:
        session.controller.submit_text("079085001235|123456789|Trần Thị Bình|01071990|Nữ|Nha Trang|01072021")
    assert blocker.args[0].result.decision.value == "manual"
    assert window.result.word.logical_text() == "KIỂM TRA THỦ CÔNG"
    details = DetailsDialog(blocker.args[0])
    qtbot.addWidget(details)
    text = details.view.toPlainText()
    assert "✔ detect" in text and "Lý do: Chỉ là mã định danh" in text


def test_the_kiosk_resets_by_itself(qtbot, session: Session, cards) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.kiosk import KioskWindow

    session.app.settings = dataclasses.replace(session.settings, result_seconds=0.3)
    kiosk = KioskWindow(session)
    qtbot.addWidget(kiosk)
    kiosk.show()
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000):
        session.controller.start()
    assert kiosk.result.outcome is not None
    assert kiosk.result.name.text() == "An"  # minimal disclosure: a first name only
    with qtbot.waitSignal(kiosk.result.returned, timeout=5_000):
        pass  # the result timer fires by itself
    assert kiosk.result.outcome is None
    assert kiosk.result.word.logical_text() == "Đưa mã QR trước camera"
    assert kiosk.preview.mirrored


def test_a_wrong_pin_locks_out_and_every_attempt_is_logged(qtbot, session: Session, clock) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.dialogs import PinDialog

    folder = session.data_dir / "pin"
    folder.mkdir()
    pins = PinStore(folder, clock.monotonic, boot=lambda: "boot-1")
    pins.set_pin("2468")
    logged: list[tuple[str, str]] = []
    dialog = PinDialog(pins, "kiosk_exit", lambda kind, detail: logged.append((kind, detail)))
    qtbot.addWidget(dialog)
    for _ in range(5):
        dialog.field.setText("0000")
        dialog.attempt()
    assert "Thử lại sau" in dialog.message.text()  # locked, in Vietnamese
    assert pins.check("2468") == PinResult.LOCKED  # even the right PIN, while locked
    clock.advance(61)
    dialog.field.setText("2468")
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.attempt()
    assert len(logged) == 6 and all(kind == "pin_attempt" for kind, _ in logged)
    assert '"result": "locked"' in logged[4][1] and '"result": "ok"' in logged[5][1]
    assert "2468" not in (folder / "security.json").read_text()  # stored hashed


def test_the_language_switch_changes_every_visible_string(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    vietnamese = visible_texts(window)
    session.set_language("en")
    QApplication.processEvents()
    english = visible_texts(window)
    unchanged = {
        k: v for k, v in vietnamese.items() if english.get(k) == v and re.search(r"[A-Za-zÀ-ỹ]{3}", v)
    }
    assert unchanged == {}
    names = ("Tiếng Việt", "Thẻ Covid")  # proper names stay Vietnamese in English
    leftovers = {
        k: v for k, v in english.items() if VIETNAMESE.search(v.replace(names[0], "").replace(names[1], ""))
    }
    assert leftovers == {}
    session.set_language("vi")
    QApplication.processEvents()
    assert visible_texts(window) == vietnamese


def test_long_translations_do_not_break_the_layout(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """A pseudo-locale makes every string ~40 % longer: at a laptop's 1366x768 the window
    still fits and no single-line label is cut."""
    from scanner_app.ui.main_window import MainWindow

    session.set_language("pseudo")
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    QApplication.processEvents()
    assert QCoreApplication.translate("Reason", "Expired.").startswith("[Expired.")
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    cut = []
    for label in window.findChildren(QLabel):
        single_line = label.isVisible() and label.text() and not label.wordWrap() and label.width() > 0
        if single_line and label.fontMetrics().horizontalAdvance(label.text()) > label.width() + 2:
            cut.append(label.text())
    assert cut == []


def test_the_worst_case_result_fits_the_panel_at_laptop_size(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """An unsaved check of a possibly shared card, with stale trust data, on a 1366x768
    laptop: every line of the result panel gets the height its wrapped text needs."""
    import dataclasses

    from scanner_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000) as blocker:
        session.controller.start()
    session.controller.stop()
    outcome = dataclasses.replace(
        blocker.args[0], saved=False, store_problem=StoreProblem.DISK_FULL, flags=(Flag.SHARED_CODE,)
    )
    window.result.show_outcome(outcome)
    QApplication.processEvents()
    panel = window.result
    assert "CHƯA LƯU" in panel.flags.text() and "dùng chung" in panel.flags.text()
    squeezed = [
        label.text()
        for label in (panel.word, panel.flags, panel.card, panel.name, panel.details)
        if label.text()
        and label.hasHeightForWidth()
        and label.height() < label.heightForWidth(label.width()) - 1
    ]
    assert squeezed == []
    assert panel.icon.height() >= panel.icon_size


def test_store_problems_pause_scanning_with_a_clear_message(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    window.on_store_problem(StoreProblem.DISK_FULL)
    assert window.banner.isVisible() and "ổ đĩa đã đầy" in window.banner.text()


def test_unexpected_errors_are_shown_in_a_copyable_dialog(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.dialogs import ErrorDialog
    from scanner_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    session.controller.failure.emit("Traceback (most recent call last):\n  boom")
    dialogs = window.findChildren(ErrorDialog)
    assert dialogs and "boom" in dialogs[0].view.toPlainText()


def test_a_bug_while_checking_one_code_is_shown_and_scanning_continues(
    qtbot, session: Session, cards, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Reliability row 12: an exception in the processing thread is logged with its trace and
    shown, and the next code is checked and saved as usual."""
    from scanner_app.core.checkpoint import Checker

    real_check = Checker.check

    def check(self, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        if text == "BUG":
            raise RuntimeError("a bug in a rule")
        return real_check(self, text, *args, **kwargs)

    monkeypatch.setattr(Checker, "check", check)
    session.controller.start()
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000):
        pass  # the picture from the fake camera
    with qtbot.waitSignal(session.controller.failure, timeout=10_000) as failed:
        session.controller.submit_text("BUG")
    assert "RuntimeError: a bug in a rule" in failed.args[0]
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=10_000) as blocker:
        session.controller.submit_text(cards["yellow-pcr"].text)
    assert blocker.args[0].saved and blocker.args[0].result.colour.value == "yellow"


class FailingOnceDecoder(Decoder):
    """A decoder with a bug that shows on its first frame only."""

    failed = False

    def decode(self, image, **options):  # type: ignore[no-untyped-def]
        if not self.failed:
            self.failed = True
            raise ValueError("a bug in the decoder chain")
        return super().decode(image, **options)


def test_a_bug_in_the_capture_path_restarts_the_camera_and_scanning_resumes(
    qtbot, qapp, data_dir: Path, tmp_path: Path, cards
) -> None:  # type: ignore[no-untyped-def]
    picture = write_qr_png(cards["green-2of2"].text, tmp_path / "green.png")
    args = argparse.Namespace(data_dir=str(data_dir), demo=False, camera=None, kiosk=False)
    session = build_session(
        args, decoder=FailingOnceDecoder(), source=lambda: ImageFilesSource([picture], "test pictures")
    )
    session.sounds.enabled = False
    try:
        with qtbot.waitSignal(session.controller.failure, timeout=10_000) as failed:
            session.controller.start()
        assert "a bug in the decoder chain" in failed.args[0]
        with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000) as blocker:
            pass  # the same picture, read again after the restart
        assert blocker.args[0].saved and blocker.args[0].result.decision.value == "allow"
    finally:
        session.controller.stop()


def test_the_status_line_flags_a_clock_that_disagrees_with_the_hub(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.sync.relay import SyncStatus
    from scanner_app.ui.status import StatusLine

    line = StatusLine()
    qtbot.addWidget(line)
    line.sync = SyncStatus(online=True, clock_offset_seconds=42.0)
    line.refresh()
    assert line.labels[3].text() == "Đồng hồ đúng"
    line.sync = SyncStatus(online=True, clock_offset_seconds=-3600.0)
    line.refresh()
    assert line.labels[3].text() == "ĐỒNG HỒ CHẬM HƠN MÁY CHỦ 60 PHÚT"
    line.sync = SyncStatus(online=True, clock_offset_seconds=5 * 3600.0)
    line.refresh()
    assert line.labels[3].text() == "ĐỒNG HỒ NHANH HƠN MÁY CHỦ 5 GIỜ"
    session.set_language("en")
    line.sync = SyncStatus(online=True, clock_offset_seconds=3 * 365 * 86400.0)
    line.refresh()
    assert line.labels[3].text() == "CLOCK 1095 day(s) AHEAD OF THE HUB"


def test_supervisor_view_shows_the_day_and_exports_with_progress(
    qtbot, session: Session, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from scanner_app.ui.supervisor import SupervisorView

    with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000):
        session.controller.start()
    view = SupervisorView(session)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.report is not None, timeout=10_000)
    assert "1 lượt kiểm tra" in view.totals.text()
    assert len(view.chart.series()) == 1 and view.chart.series()[0].count() == 3  # allow/deny/manual
    assert view.trust_labels["profile"].text().startswith("VN-KH-2021-10")
    out = tmp_path / "day.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: shown.append(text))
    view.export_buttons["pdf"].click()
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert out.exists() and Path(str(out) + ".manifest.json").exists()
    assert "Đã xuất 1 lượt kiểm tra" in shown[0]


def test_settings_are_saved_logged_and_applied(qtbot, session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.local.settings_file import load_settings
    from scanner_app.ui.settings_dialog import SettingsDialog

    session.controller.start()
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.checkpoint.setCurrentIndex(3)  # event
    dialog.level.setCurrentIndex(3)  # level 4: nobody enters an event
    dialog.new_pin.setText("97531")
    seen: list[str] = []
    timer = close_recovery_code_dialog(seen)  # leaving the default PIN shows a new recovery code
    dialog.save()
    timer.stop()
    assert len(seen) == 1 and seen[0]
    assert load_settings(session.data_dir).checkpoint_type == "event"
    assert session.pins.check("97531") == PinResult.OK
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=10_000) as blocker:
        session.controller.submit_text(demo_cards(datetime.now(UTC))[0].text)
    assert blocker.args[0].result.decision.value == "deny"  # the new policy cell applies at once
    events = session.controller.call_in_writer(
        lambda s: [r["kind"] for r in s.db.query("select kind from events")]
    ).result(10)
    assert "settings_changed" in events and "pin_changed" in events


def test_settings_changed_in_the_dialog_apply_to_the_next_record_without_a_restart(
    qtbot, session: Session, cards
) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.settings_dialog import SettingsDialog

    with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000):
        session.controller.start()  # the camera's picture: a record with the start-up settings
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.operator.setText("Trung úy Lê Văn Tám")
    dialog.checkpoint_id.setText("KH-CR-07")
    dialog.save()
    with qtbot.waitSignal(session.controller.outcome_ready, timeout=20_000) as blocker:
        session.controller.submit_text(cards["yellow-1of2"].text)
    assert blocker.args[0].saved
    rows = session.controller.call_in_writer(lambda store: list(store.rows())).result(timeout=10)
    assert [(r["operator"], r["checkpoint_id"]) for r in rows] == [
        ("", "CP-DEMO"),
        ("Trung úy Lê Văn Tám", "KH-CR-07"),
    ]
