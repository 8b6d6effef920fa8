"""Frame sources behind one interface: a webcam, a video file, a folder of images, a network
stream (a phone as an IP camera), a single picture, and the simulated camera of the demo.

A source is opened, read until it says it is exhausted (`None`) or fails (`SourceError`),
and closed. Live sources (webcam, stream) are reopened by the capture loop when they fail;
finite ones (file, folder, picture) end the run when exhausted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2

from scanner_app.camera.decode import ImageFileError, load_gray
from scanner_app.camera.frames import DEFAULT_SIZE, Frame, FrameSource, SourceError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".gif"}


def _backend() -> int:
    if sys.platform.startswith("win"):
        return cv2.CAP_DSHOW  # MSMF is slow to open and often picks a low resolution
    if sys.platform == "darwin":
        return cv2.CAP_AVFOUNDATION
    return cv2.CAP_V4L2


class CaptureSource:
    """OpenCV VideoCapture: a webcam (index), a video file, or a stream URL."""

    def __init__(
        self,
        target: int | str,
        *,
        live: bool,
        size: tuple[int, int] = DEFAULT_SIZE,
        clock: Callable[[], float] = time.monotonic,
        pace_fps: float | None = None,
    ) -> None:
        self.target = target
        self.live = live
        self.video = True
        self.size = size
        self.name = f"camera {target}" if isinstance(target, int) else str(target)
        self._clock = clock
        self._pace = 1.0 / pace_fps if pace_fps else None
        self.paced = pace_fps is not None  # frames arrive at camera speed: decode like a camera
        self._capture: cv2.VideoCapture | None = None
        self._index = 0
        self._next_due = 0.0

    def open(self) -> None:
        if isinstance(self.target, int):
            capture = cv2.VideoCapture(self.target, _backend())
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones
        else:
            capture = cv2.VideoCapture(self.target)
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"cannot open {self.name}")
        self._capture = capture

    def read(self) -> Frame | None:
        if self._capture is None:
            raise SourceError(f"{self.name} is not open")
        if self._pace is not None:  # play a file at camera speed (benchmarks, demos)
            wait = self._next_due - self._clock()
            if wait > 0:
                time.sleep(wait)
            self._next_due = max(self._next_due, self._clock()) + self._pace
        ok, image = self._capture.read()
        if not ok or image is None:
            if self.live:
                raise SourceError(f"{self.name} stopped delivering frames")
            return None
        self._index += 1
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        media = None if self.live else self._capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        return Frame(grey, self._clock(), self._index, image if image.ndim == 3 else None, media)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFilesSource:
    """A folder of images (each once, in name order) or a single picture."""

    live = False
    video = False

    def __init__(self, paths: list[Path], name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.paths = paths
        self.name = name
        self._clock = clock
        self._iterator: Iterator[Path] = iter(())
        self._index = 0

    @classmethod
    def folder(cls, folder: Path, clock: Callable[[], float] = time.monotonic) -> ImageFilesSource:
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        return cls(paths, str(folder), clock)

    def open(self) -> None:
        self._iterator = iter(self.paths)

    def read(self) -> Frame | None:
        for path in self._iterator:
            try:
                image = load_gray(path)
            except ImageFileError:
                continue  # an unreadable file in a folder is skipped, not fatal
            self._index += 1
            return Frame(image, self._clock(), self._index)
        return None

    def close(self) -> None:
        self._iterator = iter(())


def make_source(spec: str, clock: Callable[[], float] = time.monotonic) -> FrameSource:
    """`0`, `1`...: webcam; `demo`: the simulated camera (`demo:FILE`: showing the codes in
    FILE); `rtsp://`, `http(s)://`: a stream;
    a folder: its images; an image file; otherwise a video file."""
    if spec.isdigit():
        return CaptureSource(int(spec), live=True, clock=clock)
    if spec == "demo" or spec.startswith("demo:"):
        from scanner_app.camera.simulated import SimulatedCamera

        if spec == "demo":
            return SimulatedCamera(clock=clock)
        try:  # demo:FILE: the simulated camera showing the codes in FILE, one per line
            texts = Path(spec[5:]).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise SourceError(f"cannot read the codes for the simulated camera: {exc}") from exc
        return SimulatedCamera([t for t in texts if t.strip()], clock=clock)
    if "://" in spec:
        return CaptureSource(spec, live=True, clock=clock)
    path = Path(spec)
    if path.is_dir():
        return ImageFilesSource.folder(path, clock)
    if not path.exists():
        raise SourceError(f"no camera, file or folder called {spec!r}")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFilesSource([path], str(path), clock)
    return CaptureSource(str(path), live=False, clock=clock)


def first_webcam(max_index: int = 3) -> int | None:
    """The first camera index that opens and delivers a frame, or None."""
    for index in range(max_index):
        capture = cv2.VideoCapture(index, _backend())
        try:
            if capture.isOpened() and capture.read()[0]:
                return index
        finally:
            capture.release()
    return None
