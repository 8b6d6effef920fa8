"""The decoder as the capture loop sees it: in this process (`camera.decode.Decoder`) or in a
child process (`camera.isolation.IsolatedDecoder`), started before the first frame and closed
at the end."""

from __future__ import annotations

from typing import Protocol

from scanner_app.camera.decode import DecodeResult
from scanner_app.camera.enhance import Gray


class FrameDecoder(Protocol):
    def start(self) -> None:
        """Pay any start-up cost now, not on the first frame."""

    def decode(
        self,
        image: Gray,
        *,
        budget_ms: float | None = None,
        start: int = 0,
        max_rungs: int | None = None,
        only_with_candidate: bool = False,
    ) -> DecodeResult:
        """The live options (one repair rung per frame, a different one each frame) are
        those the capture loop passes; a still picture passes none."""
        ...

    def close(self) -> None: ...
