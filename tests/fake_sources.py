"""Frame sources that misbehave on purpose, for the camera fault tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from scanner_app.camera.frames import Frame, SourceError


def noise_frame(seed: int, size: tuple[int, int] = (64, 48)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (size[1], size[0]), dtype=np.uint8)


@dataclass
class Plug:
    """Shared between source instances: is the camera plugged in, and how it behaves."""

    connected: bool = True
    mode: str = "healthy"  # healthy | same_frame | block | raise
    released: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    reads: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))


class FakeCamera:
    live = True
    video = True
    name = "fake camera"

    def __init__(self, plug: Plug, clock) -> None:  # type: ignore[no-untyped-def]
        self.plug = plug
        self.clock = clock
        self.count = 0

    def open(self) -> None:
        if not self.plug.connected:
            raise SourceError("no such camera")

    def read(self) -> Frame | None:
        if self.plug.finished.is_set():
            raise SourceError("the test is over")
        mode = self.plug.mode
        if mode == "raise" or not self.plug.connected:
            raise SourceError("camera unplugged")
        if mode == "block":
            self.plug.released.wait()  # stuck in the driver, as some webcams do
            raise SourceError("released at the end of the test")
        self.count += 1
        seed = 1 if mode == "same_frame" else self.count
        frame = Frame(noise_frame(seed), self.clock.monotonic(), self.count)
        self.plug.reads.release()
        self.plug.finished.wait(0.002)  # a real camera paces itself; never spin
        return frame

    def close(self) -> None:
        pass
