"""The decoder started at the very beginning (ui/early_decoder.py): live frames are shown but
not decoded until its process is ready, a still picture waits for it, and a start that failed
reaches the capture loop instead of hanging it."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from scanner_app.camera.decode import DecodedCode, DecodeResult
from scanner_app.ui.early_decoder import EarlyDecoder

LIVE = {"budget_ms": 30.0, "start": 0, "max_rungs": 1, "only_with_candidate": True}


class SlowDecoder:
    """Starts when the test says so; decodes every picture to the same code."""

    def __init__(self, go: threading.Event, fail: bool = False) -> None:
        self.go, self.fail, self.started = go, fail, 0

    def start(self) -> None:
        if not self.go.wait(30):
            raise TimeoutError("the test never let the decoder start")
        if self.fail:
            raise RuntimeError("the decoder process did not start")
        self.started += 1

    def decode(self, image, **options):  # type: ignore[no-untyped-def]
        return DecodeResult(codes=(DecodedCode("HC1:X"),))

    def close(self) -> None:
        pass


def test_live_frames_pass_undecoded_until_the_decoder_is_ready_and_stills_wait() -> None:
    go = threading.Event()
    inner = SlowDecoder(go)
    early = EarlyDecoder(lambda: inner)
    early.start()  # returns at once: the start-up is on its own thread
    frame = np.zeros((8, 8), np.uint8)
    assert early.decode(frame, **LIVE).codes == ()  # shown, not read: the next frames will be
    go.set()
    assert [c.text for c in early.decode(frame).codes] == ["HC1:X"]  # a still waits for it
    assert [c.text for c in early.decode(frame, **LIVE).codes] == ["HC1:X"]
    early.close()


def test_a_failed_start_reaches_the_capture_loop() -> None:
    go = threading.Event()
    go.set()
    early = EarlyDecoder(lambda: SlowDecoder(go, fail=True))
    with pytest.raises(RuntimeError, match="did not start"):
        early.decode(np.zeros((8, 8), np.uint8))
