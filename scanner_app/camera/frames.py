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
    captured: float  # monotonic seconds at capture
    index: int
    colour: np.ndarray | None = None  # BGR, when the source has colour (for the preview)


class FrameSource(Protocol):
    name: str
    live: bool

    def open(self) -> None: ...

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...
