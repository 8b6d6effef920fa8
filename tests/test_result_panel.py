"""Every outcome readable, nothing personal on a bad card.

The result panel is rendered offscreen for every decision × card colour × kind of card
(valid, invalid, identity code only, trust data damaged, trust data stale), with and without
the warnings (not saved, shared code), in both languages, in the officer window at 1366×768
and 1280×720 (with its worst banner: DEMO trust, EXAMPLE policy, default PIN) and in the kiosk
window at full screen. The check is geometric: a label whose text does not fit its rectangle by
its font's metrics is clipped (an elided text is clipped too: the full text must fit), and no
two widgets may overlap or leave the panel.
"""

from __future__ import annotations

import argparse
import itertools

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from scanner_app.camera.decode import Decoder
from scanner_app.core.checkpoint import CheckResult
from scanner_app.core.model import CodeFormat, Holder, Reason, Verdict
from scanner_app.core.policy import Decision
from scanner_app.core.record import Flag, StoreProblem
from scanner_app.core.rules import Colour
from scanner_app.services.scan import ScanOutcome
from scanner_app.text.messages import REASONS
from scanner_app.ui.launch import build_session

pytestmark = pytest.mark.gui

COLOURS = (Colour.GREEN, Colour.YELLOW, Colour.RED, None)
KINDS = ("valid", "invalid", "identity_only", "trust_damaged", "stale")
# officer window sizes (a laptop's screen, a small one) and kiosk screens
SCREENS = [("officer", 1366, 768), ("officer", 1280, 720), ("kiosk", 1366, 768), ("kiosk", 1920, 1080)]
HOLDER = Holder(
    family="Tôn Nữ Thị",
    given="Phương Thảo",
    family_std="TON<NU<THI",
    given_std="PHUONG<THAO",
    dob="1978-11-23",
)
ALLOWED = {  # a policy cell consistent with each decision of a valid card
    Decision.ALLOW: frozenset({Colour.GREEN, Colour.YELLOW, Colour.RED}),
    Decision.DENY: frozenset({Colour.GREEN}),
    Decision.MANUAL: frozenset({Colour.GREEN, Colour.YELLOW}),
}


def longest_reason(language: str) -> Reason:
    """The invalid card's reason: the longest sentence in this language (the hardest to fit)."""
    from scanner_app.ui import texts

    failures = [Reason(code) for code in REASONS if code not in ("ok", "identity_only", "stale_bundle")]
    assert QApplication.instance() is not None
    return max(failures, key=lambda r: len(texts.reason(r)))


def outcome(decision: Decision, colour: Colour | None, kind: str, notes: bool, language: str) -> ScanOutcome:
    valid = kind in ("valid", "stale")
    reason = {
        "valid": Reason.OK,
        "invalid": longest_reason(language),
        "identity_only": Reason.IDENTITY_ONLY,
        "trust_damaged": Reason.TRUST_DAMAGED,
        "stale": Reason.STALE_BUNDLE if decision is Decision.MANUAL else Reason.OK,
    }[kind]
    code_format = CodeFormat.VN_CCCD if kind == "identity_only" else CodeFormat.HC1
    verdict = Verdict(code_format, valid, reason, holder=HOLDER, certificate_type="v", issuer="VN")
    result = CheckResult(
        verdict=verdict,
        valid=valid,
        reason=reason,
        colour=colour,
        decision=decision,
        profile_id="VN-KH-2021-10",
        profile_version="1",
        policy_id="VN-EXAMPLE-POLICY",
        policy_version="1",
        checkpoint="market",
        level=3,
        warnings=(Flag.STALE_BUNDLE,) if kind == "stale" else (),
        allowed=ALLOWED[decision] if valid and colour is not None else None,
    )
    return ScanOutcome(
        result,
        "TEXT",
        1.0,
        seq=None if notes else 1,
        saved=not notes,
        flags=(Flag.SHARED_CODE,) if notes else (),
        store_problem=StoreProblem.DISK_FULL if notes else None,
    )


def clipped_or_overlapping(panel: QWidget) -> list[str]:
    """What does not fit: each visible label's text (by its font's metrics, wrapped as the
    label wraps it) or picture against its contents rectangle; overlaps between widgets; a
    widget outside the panel."""
    problems = []
    labels = [w for w in panel.findChildren(QLabel) if w.isVisibleTo(panel)]
    for label in labels:
        margin = label.margin()
        room = label.contentsRect().adjusted(margin, margin, -margin, -margin)
        pixmap = label.pixmap()
        if pixmap is not None and not pixmap.isNull():
            size = pixmap.deviceIndependentSize()
            if size.width() > room.width() or size.height() > room.height():
                problems.append(f"picture {size.toSize()} in {room.size()}")
        text = label.text()
        if text:
            flags = int(label.alignment()) | (int(Qt.TextFlag.TextWordWrap) if label.wordWrap() else 0)
            needed = QFontMetrics(label.font()).boundingRect(room, flags, text)
            if not room.contains(needed):
                problems.append(
                    f"{text!r} needs {needed.size().toTuple()} at {needed.topLeft().toTuple()}, "
                    f"has {room.size().toTuple()} at {room.topLeft().toTuple()}"
                )
    boxes = [(w, QRect(w.mapTo(panel, QPoint(0, 0)), w.size())) for w in labels]
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        if box_a.intersects(box_b):
            problems.append(f"{a.text()[:30]!r} overlaps {b.text()[:30]!r}")
    problems += [f"{w.text()[:30]!r} leaves the panel" for w, box in boxes if not panel.rect().contains(box)]
    return problems


@pytest.fixture(scope="module")
def session(qapp, tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("panel-data")
    args = argparse.Namespace(data_dir=str(folder), demo=False, camera=None, kiosk=False)
    session = build_session(args, decoder=Decoder(), source=lambda: None)  # never started
    session.sounds.enabled = False
    session.controller._checker(session.settings)  # the trust info the banner shows, as after start()
    yield session
    session.set_language("en")


def open_window(session, mode: str, width: int, height: int):  # type: ignore[no-untyped-def]
    if mode == "officer":
        from scanner_app.ui.main_window import MainWindow

        window = MainWindow(session)
    else:
        from scanner_app.ui.kiosk import KioskWindow

        window = KioskWindow(session)
    window.resize(width, height)
    window.show()
    QApplication.processEvents()
    return window


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("mode", "width", "height"), SCREENS, ids=[f"{m}-{w}x{h}" for m, w, h in SCREENS])
def test_every_outcome_fits_its_panel(
    qtbot, session, language: str, mode: str, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    session.set_language(language)
    window = open_window(session, mode, width, height)
    qtbot.addWidget(window)
    if mode == "officer":  # the banner at its fullest: DEMO trust, EXAMPLE policy, default PIN
        assert window.banner.text().count("\n") == 2
    panel = window.result
    failures = {}
    cases = list(itertools.product(Decision, COLOURS, KINDS, (False, True)))
    for decision, colour, kind, notes in cases:
        panel.show_outcome(outcome(decision, colour, kind, notes, language))
        QApplication.processEvents()
        panel.grab()  # painted, as on screen
        problems = clipped_or_overlapping(panel)
        if window.size().toTuple() != (width, height):
            problems.append(f"the window grew to {window.size().toTuple()}")
        if problems:
            failures[f"{decision.value}/{colour.value if colour else 'none'}/{kind}/notes={notes}"] = problems
    panel.show_idle()
    QApplication.processEvents()
    idle = clipped_or_overlapping(panel)
    assert failures == {} and idle == [], f"{len(failures)} of {len(cases)} outcomes clipped: " + repr(
        dict(list(failures.items())[:3])
    )


def test_the_check_finds_a_clipped_label(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The control: a label too small for its text, and two labels on top of each other."""
    panel = QWidget()
    qtbot.addWidget(panel)
    panel.resize(300, 200)
    short = QLabel("KIỂM TRA THỦ CÔNG", panel)
    short.setGeometry(10, 10, 60, 12)
    other = QLabel("x", panel)
    other.setGeometry(20, 15, 30, 30)
    panel.show()
    problems = clipped_or_overlapping(panel)
    assert any("needs" in p for p in problems) and any("overlaps" in p for p in problems)
    short.setGeometry(10, 10, 280, 40)
    other.setGeometry(20, 100, 30, 30)
    assert clipped_or_overlapping(panel) == []


def test_an_invalid_card_shows_what_failed_and_no_name(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.result_panel import ResultPanel

    session.set_language("vi")
    for kiosk in (False, True):
        panel = ResultPanel(kiosk=kiosk)
        qtbot.addWidget(panel)
        for kind in ("invalid", "identity_only", "trust_damaged"):
            panel.show_outcome(outcome(Decision.DENY, Colour.RED, kind, False, "vi"))
            shown = " ".join(label.text() for label in panel.findChildren(QLabel) if label.isVisibleTo(panel))
            assert "THAO" not in shown.upper() and "1978" not in shown and "23/11" not in shown
            assert panel.details.text()  # what failed
            assert not panel.card.isVisibleTo(panel)  # no colour for a card that was not verified


def test_the_kiosk_shows_a_first_name_only_and_only_when_allowed(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.result_panel import ResultPanel

    panel = ResultPanel(kiosk=True)
    qtbot.addWidget(panel)
    panel.show_outcome(outcome(Decision.ALLOW, Colour.RED, "valid", False, "vi"))
    assert panel.name.text() == "Thảo" and not panel.card.isVisibleTo(panel)
    for decision in (Decision.DENY, Decision.MANUAL):
        panel.show_outcome(outcome(decision, Colour.YELLOW, "valid", False, "vi"))
        assert panel.name.text() == "" and "Thảo" not in panel.details.text()


def test_a_policy_decision_names_its_rule(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    """A red card under a big green ĐƯỢC PHÉP says which rule let it pass."""
    from dataclasses import replace

    from scanner_app.ui.result_panel import ResultPanel

    session.set_language("vi")
    panel = ResultPanel()
    qtbot.addWidget(panel)
    red = outcome(Decision.ALLOW, Colour.RED, "valid", False, "vi")
    red = replace(red, result=replace(red.result, checkpoint="road", level=1))
    panel.show_outcome(red)
    assert panel.word.logical_text() == "ĐƯỢC PHÉP" and "Đỏ" in panel.card.text()
    assert panel.details.text() == "Cấp độ 1 — chốt giao thông: cho phép mọi màu thẻ"
    session.set_language("en")
    QApplication.processEvents()
    assert panel.details.text() == "Level 1 — road checkpoint: all card colours allowed"
    yellow = outcome(Decision.DENY, Colour.YELLOW, "valid", False, "en")
    panel.show_outcome(yellow)
    assert panel.details.text() == "Level 3 — market / supermarket: only green cards allowed"
    session.set_language("vi")
