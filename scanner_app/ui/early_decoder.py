"""The decoder process, started at the very beginning of the program: its child takes about a
second to import OpenCV, numpy and the decoders, and on two cores that can happen while the
window is being built instead of after it. Even the import of the decoder's module (numpy)
happens on the starting thread, beside Qt's own start-up on the main thread.

Until the child is ready, live frames (the capture loop passes its per-frame budget options,
`max_rungs`) are shown but not decoded — a code held up in that first second is read on the
next frames — while a still picture or a file's frame (no such options) waits for the
decoder: nothing from a file is skipped. A start that failed is raised to the capture loop,
which reports it and starts again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the module itself stays light: numpy and OpenCV load on the thread
    from scanner_app.camera.ports import FrameDecoder


def isolated_decoder() -> FrameDecoder:
    from scanner_app.camera.isolation import IsolatedDecoder

    return IsolatedDecoder()


class EarlyDecoder:
    def __init__(self, factory: Callable[[], FrameDecoder] = isolated_decoder) -> None:
        self.factory = factory
        self.decoder: FrameDecoder | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, name="decoder-start", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            self.decoder = self.factory()
            self.decoder.start()
        except BaseException as exc:  # handed to the capture loop, which reports and retries
            self._error = exc

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def _started(self) -> FrameDecoder:
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self.decoder is None:
            self.decoder = self.factory()
        self.decoder.start()  # a no-op once started; starts again after a failed start
        return self.decoder

    def start(self) -> None:
        """Nothing to wait for here: the start-up is under way on its own thread."""

    def decode(self, image: Any, **options: Any) -> Any:
        if "max_rungs" in options and not self.ready:  # a live frame: show it, read the next ones
            from scanner_app.camera.decode import DecodeResult

            return DecodeResult()
        return self._started().decode(image, **options)

    def close(self) -> None:
        self._thread.join(timeout=60)
        if self.decoder is not None:
            self.decoder.close()
