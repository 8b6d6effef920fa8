"""What a camera delivers and the interface every frame source has. Kept apart from the
sources themselves so that any source (the simulated camera included) can be written
without importing the others."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from scanner_app.camera.enhance import Gray

# below ~2 px per module dense HC1 codes stop decoding; 640x480 is too coarse
DEFAULT_SIZE = (1280, 720)


class SourceError(Exception):
    """The source failed: unplugged, unreadable, refused by the OS."""


@dataclass(frozen=True)
class Frame:
    image: Gray  # 8-bit grey: what the decoders use; colour is only for the preview
    captured: float  # monotonic seconds at capture (latency is measured from here)
    index: int
    colour: np.ndarray | None = None  # BGR, when the source has colour (for the preview)
    # the frame's own time: the position in a video file, else the capture time. The repeat
    # filter and the scene decoder use it, so a file gives the same checks on a slow machine
    media_time: float | None = None

    @property
    def when(self) -> float:
        return self.captured if self.media_time is None else self.media_time


class FrameSource(Protocol):
    name: str
    live: bool  # a camera or stream: frames keep coming, silence means trouble
    video: bool  # consecutive frames of one scene (else independent pictures)

    def open(self) -> None: ...

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...
