"""The demo teaches what the shared-code flag means: the simulated camera shows new people on
every pass, and only the one card passed around the queue gets flagged — from its fourth
showing, as the default rule (more than 3 times in 30 minutes at one checkpoint) says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner_app.app import App
from scanner_app.camera.decode import Decoder
from scanner_app.camera.simulated import SimulatedCamera
from scanner_app.core.record import SHARING_FLAGS
from tests.conftest import FakeClock


def passes(camera: SimulatedCamera, count: int) -> list[list[str]]:
    """The texts the camera shows, pass by pass, read back from its frames."""
    decoder = Decoder()
    camera.open()
    seen: list[list[str]] = []
    last = None
    slots = None
    while len(seen) <= count:
        frame = camera.read()
        assert frame is not None
        codes = decoder.decode(frame.image, max_rungs=0).codes  # a clean picture: the first pass reads it
        text = codes[0].text if codes else None
        if text is not None and text != last:
            slots = slots if slots is not None else camera.queue_length
            if not seen or len(seen[-1]) == slots:
                seen.append([])
            seen[-1].append(text)
        last = text
    camera.close()
    return seen[:count]


@pytest.fixture(scope="module")
def shown() -> list[list[str]]:
    """Three passes of the demo camera, fast (no pacing, short showings, a small picture)."""
    return passes(SimulatedCamera(fps=None, show_seconds=0.1, gap_seconds=0.04, size=(640, 360)), 3)


def test_every_pass_shows_new_people_and_the_same_shared_card(shown: list[list[str]]) -> None:
    first, second = shown[:2]
    assert len(first) == len(second) == 14
    shared = {t for t in first if first.count(t) == 4}
    assert len(shared) == 1 and second.count(next(iter(shared))) == 4
    others = set(first) - shared
    assert len(others) == 10 and others.isdisjoint(second)  # everyone else is new


def test_only_the_shared_card_is_flagged(data_dir: Path, shown: list[list[str]]) -> None:
    queue = [text for one_pass in shown for text in one_pass]
    clock = FakeClock(current=datetime.now(UTC))
    app = App(data_dir, clock=clock)
    store = app.open_store()
    service = app.scan_service(store)
    flagged: list[str] = []
    try:
        for text in queue:
            clock.advance(4.5)  # the camera's pace: 3.5 s shown, 1 s gap
            outcome = service.handle(text, clock.monotonic())
            assert outcome is not None and outcome.saved
            # the demo CCCD re-decides the card read just before it (two-code binding): that
            # record is the same showing again, flagged as its first record was, never more
            if SHARING_FLAGS & set(outcome.flags) and not outcome.redecided:
                flagged.append(outcome.text)
            if outcome.redecided:
                assert outcome.text != text and outcome.result.binding is not None
    finally:
        store.close()
    shared = max(set(queue), key=queue.count)
    assert set(flagged) == {shared}
    assert len(flagged) == queue.count(shared) - 3  # from the 4th showing on
