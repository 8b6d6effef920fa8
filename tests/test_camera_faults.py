"""Camera faults (reliability row 11): a source that freezes, returns the same frame forever,
blocks in read(), or vanishes is reported lost within 2 s and scanning resumes by itself
within 5 s of it coming back. Time is the injected clock; nothing sleeps to wait."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from scanner_app.camera.capture import CaptureLoop
from scanner_app.camera.decode import DecodeResult
from scanner_app.core.camera_health import Action, CameraHealth, CameraState
from tests.conftest import FakeClock
from tests.fake_sources import FakeCamera, Plug


class NullDecoder:
    def decode(self, image, **options) -> DecodeResult:  # type: ignore[no-untyped-def]
        return DecodeResult()


@pytest.fixture
def plug() -> Iterator[Plug]:
    plug = Plug()
    yield plug
    plug.finished.set()  # every reader thread of the test ends
    plug.released.set()  # including one stuck in read()


def _loop(plug: Plug, clock: FakeClock) -> CaptureLoop:
    loop = CaptureLoop(lambda: FakeCamera(plug, clock), NullDecoder(), clock.monotonic)
    loop.start()
    return loop


def _run(
    loop: CaptureLoop, clock: FakeClock, plug: Plug, seconds: float, step: float = 0.1
) -> list[tuple[float, str]]:
    """Advance the fake clock in steps; at each, let the reader deliver at most one frame."""
    events: list[tuple[float, str]] = []
    elapsed = 0.0
    while elapsed < seconds:
        clock.advance(step)
        elapsed += step
        delivering = plug.mode in ("healthy", "same_frame") and plug.connected and loop.reading
        if delivering:
            assert plug.reads.acquire(timeout=5)  # the reader thread's next frame (not a time)
        for event in loop.step(wait=0.5 if delivering else 0):
            if event.kind not in ("frame",):
                events.append((round(elapsed, 2), event.kind))
    return events


def _first(events: list[tuple[float, str]], kind: str) -> float:
    return next(t for t, k in events if k == kind)


@pytest.mark.parametrize("fault", ["same_frame", "block", "raise", "unplugged"])
def test_fault_is_reported_then_recovered(fault: str, plug: Plug, clock: FakeClock) -> None:
    loop = _loop(plug, clock)
    assert "camera_ok" in [k for _, k in _run(loop, clock, plug, 1.0)]
    if fault == "unplugged":
        plug.connected = False
    else:
        plug.mode = fault
    broken = _run(loop, clock, plug, 3.0)
    assert "camera_lost" in [k for _, k in broken]
    assert _first(broken, "camera_lost") <= 2.0
    plug.mode, plug.connected = "healthy", True
    plug.released.set()  # a reader stuck in read() is abandoned; its source is not reused
    back = _run(loop, clock, plug, 6.0)
    assert "camera_ok" in [k for _, k in back]
    assert _first(back, "camera_ok") <= 5.0


def test_a_stuck_reader_is_abandoned_not_awaited(plug: Plug, clock: FakeClock) -> None:
    loop = _loop(plug, clock)
    _run(loop, clock, plug, 0.5)
    plug.mode = "block"
    events = _run(loop, clock, plug, 4.0)  # returns although the old reader is still stuck
    assert [k for _, k in events].count("camera_lost") == 1


def test_health_machine_backoff_stays_short() -> None:
    health = CameraHealth()
    health.start(0.0)
    assert health.frame(0.1, b"a") is Action.REPORT_OK
    assert health.tick(1.0) is Action.NONE
    assert health.tick(1.7) is Action.REPORT_LOST and health.state is CameraState.LOST
    reopens = [t / 10 for t in range(17, 200) if health.tick(t / 10) is Action.REOPEN]
    gaps = [b - a for a, b in itertools.pairwise(reopens)]
    assert max(gaps) <= 2.05  # a camera plugged back in is retried at least every ~2 s
    assert health.frame(20.1, b"b") is Action.REPORT_OK


def test_a_frozen_picture_is_not_healthy_after_reopening() -> None:
    health = CameraHealth()
    health.start(0.0)
    health.frame(0.0, b"x")
    for t in range(1, 20):
        health.frame(t / 10, b"x")
    assert health.tick(2.0) is Action.REPORT_LOST
    assert health.frame(2.6, b"x") is Action.NONE  # the same frozen picture again
    assert health.frame(2.7, b"y") is Action.REPORT_OK


def test_files_may_show_a_still_scene() -> None:
    health = CameraHealth(check_frozen=False)
    health.start(0.0)
    for t in range(0, 50):
        health.frame(t / 10, b"still")
        assert health.tick(t / 10) is not Action.REPORT_LOST
