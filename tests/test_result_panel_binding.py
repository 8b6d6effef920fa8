"""The panel after a two-code check: "Khớp CCCD" in green, "KHÔNG KHỚP CCCD" in red, a
prompt for the CCCD where the policy requires one; the kiosk says only "Khớp" / "Không khớp"
and a first name. Outcomes come from the real scan service (checker, pairing) fed the real
codes, as the window's keyboard wedge feeds them."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from scanner_app.camera.decode import Decoder
from scanner_app.core.record import Station
from scanner_app.services.scan import ScanOutcome, ScanService
from scanner_app.ui.launch import build_session
from tests.conftest import FakeClock
from tests.test_gate_binding import cccd, hc1
from tests.test_result_panel import clipped_or_overlapping, open_window

pytestmark = pytest.mark.gui
CARD = ("Nguyễn", "Văn An", "1985-03-12")
SAME = ("NGUYỄN VĂN AN", "12031985")
OTHER = ("TRẦN THỊ BÌNH", "12031985")


@pytest.fixture(scope="module")
def session(qapp, tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("binding-panel")
    args = argparse.Namespace(data_dir=str(folder), demo=False, camera=None, kiosk=False)
    session = build_session(args, decoder=Decoder(), source=lambda: None)  # never started
    session.sounds.enabled = False
    yield session
    session.set_language("en")


def scanned(session, *codes: str, checkpoint: str = "road", level: int = 1) -> ScanOutcome:  # type: ignore[no-untyped-def]
    """The last outcome of the real scan service fed these codes, one second apart."""
    settings = replace(session.settings, checkpoint_type=checkpoint, epidemic_level=level)
    clock = FakeClock(datetime.now(UTC))
    service = ScanService(session.controller._checker(settings), clock, Station("CP-TEST"))
    outcome = None
    for code in codes:
        clock.advance(1)
        outcome = service.handle(code, clock.monotonic())
    assert outcome is not None
    return outcome


def matched(session) -> ScanOutcome:  # type: ignore[no-untyped-def]
    return scanned(session, cccd(*SAME), hc1(*CARD))


def mismatch(session) -> ScanOutcome:  # type: ignore[no-untyped-def]
    return scanned(session, hc1(*CARD), cccd(*OTHER))


def prompt(session) -> ScanOutcome:  # type: ignore[no-untyped-def]
    return scanned(session, hc1(*CARD), checkpoint="event", level=3)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", ("Khớp CCCD", "KHÔNG KHỚP CCCD", "Hãy quét CCCD")),
        ("en", ("ID card matches", "ID CARD DOES NOT MATCH", "Now scan the ID card (CCCD)")),
    ],
)
def test_the_officer_panel_says_it_in_words_and_colour(qtbot, session, language: str, expected) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.result_panel import IDENTITY_COLOURS, ResultPanel

    session.set_language(language)
    panel = ResultPanel()
    qtbot.addWidget(panel)
    states = ("matched", "mismatch", "prompt")
    decisions = ("allow", "deny", "manual")
    for make, text, state, decision in zip(
        (matched, mismatch, prompt), expected, states, decisions, strict=True
    ):
        outcome = make(session)
        assert outcome.result.decision.value == decision
        panel.show_outcome(outcome)
        assert panel.identity.isVisibleTo(panel)
        assert panel.identity.logical_text() == text
        assert IDENTITY_COLOURS[state] in panel.identity.styleSheet()
        assert panel.kind == decision  # the whole field: green, red, amber
    assert IDENTITY_COLOURS["matched"] != IDENTITY_COLOURS["mismatch"]
    if language == "vi":
        assert "Cần quét CCCD" in panel.details.text()  # the prompt's reason
    panel.show_idle()
    assert not panel.identity.isVisibleTo(panel)


def test_without_an_identity_code_there_is_no_badge(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.result_panel import ResultPanel

    panel = ResultPanel()
    qtbot.addWidget(panel)
    panel.show_outcome(scanned(session, hc1(*CARD)))  # road, level 1: not required
    assert not panel.identity.isVisibleTo(panel)


def test_the_kiosk_says_only_matches_and_a_first_name(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    from scanner_app.ui.result_panel import ResultPanel

    session.set_language("vi")
    panel = ResultPanel(kiosk=True)
    qtbot.addWidget(panel)
    panel.show_outcome(matched(session))
    assert panel.identity.logical_text() == "Khớp" and panel.name.text() == "An"
    panel.show_outcome(mismatch(session))
    shown = " ".join(label.text() for label in panel.findChildren(QLabel) if label.isVisibleTo(panel))
    assert panel.identity.logical_text() == "Không khớp"
    assert "An" not in panel.name.text() and "CCCD" not in panel.identity.logical_text()
    assert "1985" not in shown and "NGUY" not in shown.upper()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("mode", ["officer", "kiosk"])
def test_the_badge_fits_at_the_smallest_window(qtbot, session, language: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    session.set_language(language)
    window = open_window(session, mode, 1280, 720)
    qtbot.addWidget(window)
    for make in (matched, mismatch, prompt):
        window.result.show_outcome(make(session))
        QApplication.processEvents()
        window.result.grab()
        assert clipped_or_overlapping(window.result) == []
