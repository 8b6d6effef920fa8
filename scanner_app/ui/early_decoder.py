"""The decoder process, started at the very beginning of the program: its child takes about a
second to import OpenCV, numpy and the decoders, and on two cores that can happen while the
window is being built instead of after it (the capture loop's `start()` otherwise waits for it
before the first frame). `start()` waits for that one start-up; everything else is the
wrapped decoder's."""

from __future__ import annotations

import threading
from typing import Any

from scanner_app.camera.ports import FrameDecoder


class EarlyDecoder:
    def __init__(self, decoder: FrameDecoder) -> None:
        self.decoder = decoder
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, name="decoder-start", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            self.decoder.start()
        except BaseException as exc:  # handed to the capture loop, which reports and retries
            self._error = exc

    def start(self) -> None:
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def decode(self, image: Any, **options: Any) -> Any:
        return self.decoder.decode(image, **options)

    def close(self) -> None:
        self._thread.join(timeout=60)
        self.decoder.close()
