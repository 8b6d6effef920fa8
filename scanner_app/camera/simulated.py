"""The simulated camera: the dev kit's DEMO cards shown one after another, as a webcam
would see a phone held up at a checkpoint (jitter, sensor noise, gaps with nobody there).
It lets a new user see the whole flow on a machine without a camera.

Without given texts it shows the dev kit's demo queue, freshly issued on every pass (new
people, new cards), with one card passed around the queue: only that one is flagged as a
possibly shared code, as a real checkpoint would see it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import cv2
import numpy as np

from scanner_app.camera.frames import DEFAULT_SIZE, Frame
from scanner_app.devkit.render import qr_png_bytes


def _render(text: str) -> np.ndarray:
    data = np.frombuffer(qr_png_bytes(text, scale=1, border=4), np.uint8)
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


class SimulatedCamera:
    live = True
    video = True
    name = "simulated camera (DEMO cards)"

    def __init__(
        self,
        texts: Sequence[str] | None = None,
        *,
        fps: float | None = 30.0,
        show_seconds: float = 3.5,
        gap_seconds: float = 1.0,
        size: tuple[int, int] = DEFAULT_SIZE,
        clock: Callable[[], float] = time.monotonic,
        seed: int = 7,
    ) -> None:
        self._texts = list(texts) if texts is not None else None
        self.fps = fps
        self.size = size
        self._clock = clock
        self._random = np.random.default_rng(seed)
        self._frames_shown = round(show_seconds * (fps or 30.0))
        self._frames_gap = round(gap_seconds * (fps or 30.0))
        self._shown: list[str] = []
        self._codes: dict[int, np.ndarray] = {}
        self._pass = 0
        self._shared: str | None = None
        self._index = 0
        self._next_due = 0.0
        self._background = self._make_background()

    def _make_background(self) -> np.ndarray:
        width, height = self.size
        ramp = np.linspace(90, 150, width, dtype=np.float32)[None, :].repeat(height, axis=0)
        return cv2.GaussianBlur(ramp + self._random.normal(0, 12, (height, width)), (0, 0), 6)

    def open(self) -> None:
        self._pass = 0
        self._shown = list(self._texts) if self._texts is not None else self._queue()
        self._codes = {}

    @property
    def queue_length(self) -> int:
        """How many codes one pass shows."""
        return len(self._shown)

    def _code(self, number: int) -> np.ndarray:
        """The picture of the pass's `number`th code, drawn when first shown: a QR code takes
        segno ~0.1 s, so drawing a whole pass at once would stall the first frame by a
        second (and every pass after)."""
        if number not in self._codes:
            self._codes[number] = _render(self._shown[number])
        return self._codes[number]

    def _queue(self) -> list[str]:
        """A new pass of the demo queue: fresh cards, the same shared one."""
        from scanner_app.devkit.catalog import DemoCard, demo_cards, demo_queue, shared_card

        now = datetime.now(UTC)
        if self._shared is None:
            self._shared = shared_card(now).text
        shared = DemoCard("shared-code", self._shared, "green")
        return [card.text for card in demo_queue(demo_cards(now), shared)]

    def read(self) -> Frame | None:
        if self.fps:
            wait = self._next_due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._next_due = max(self._next_due, time.monotonic()) + 1.0 / self.fps
        self._index += 1
        image = self._compose()
        return Frame(image, self._clock(), self._index, cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))

    def _compose(self) -> np.ndarray:
        cycle = self._frames_shown + self._frames_gap
        slot, phase = divmod(self._index, cycle)
        if self._texts is None and self._shown and slot // len(self._shown) != self._pass:
            self._pass = slot // len(self._shown)
            self._shown, self._codes = self._queue(), {}  # the next people in the queue
        frame = self._background.copy()
        if phase < self._frames_shown and self._shown:
            code = self._code(slot % len(self._shown))
            side = int(min(self.size) * 0.55)
            qr = cv2.resize(code, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
            width, height = self.size
            x = (width - side) // 2 + int(12 * np.sin(self._index / 7))
            y = (height - side) // 2 + int(8 * np.cos(self._index / 9))
            frame[y - 24 : y + side + 24, x - 24 : x + side + 24] = 30  # the phone around it
            frame[y : y + side, x : x + side] = qr * 0.85 + 20
        noisy = frame + self._random.normal(0, 4, frame.shape)
        return np.clip(noisy, 0, 255).astype(np.uint8)

    def close(self) -> None:
        self._codes = {}
