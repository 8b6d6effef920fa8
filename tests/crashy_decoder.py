"""A decoder that crashes the process natively or hangs on command (isolation tests)."""

from __future__ import annotations

import ctypes
import time

from scanner_app.camera.decode import Decoder, DecodeResult

CRASH, HANG = 13, 17


class CrashyDecoder(Decoder):
    def decode(self, image, **options) -> DecodeResult:  # type: ignore[no-untyped-def]
        marker = int(image[0, 0])
        if marker == CRASH:
            ctypes.string_at(0)  # a segmentation fault, as a native decoder bug would cause
        if marker == HANG:
            time.sleep(3600)  # an endless loop inside a native library
        return super().decode(image, **options)
