"""WeChat's SSD QR detector as a locator for hard frames, with zxing-cpp decoding its crops.

The detector's boxes come out even when WeChat's own decoder then fails, and on the frames
our ladder misses they are where the code is far more often than `decode.locate`'s edge
density (docs/decoding.md). Each box's crop is rescaled to a fixed size (about 5 px per
module for an HC1 code of ~60-90 modules) and read by zxing-cpp as is, binarised several
ways, and after a Wiener restoration for defocus.

The pre-processing is OpenCV's own (opencv_contrib modules/wechat_qrcode, ssd_detector.cpp
and wechat_qrcode.cpp): the grey frame resized by INTER_CUBIC to about 400 x 400 pixels of
area (aspect kept), scaled by 1/255, no mean; input blob "data", output "detection_output"
with rows (image, label, confidence, x0, y0, x1, y1), coordinates as fractions of the frame,
label 1 a QR code (the model's own confidence floor is 0.2).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from scanner_app.camera import enhance, symbol_grid, wechat
from scanner_app.camera.enhance import Gray
from scanner_app.camera.finder_restore import read_restored
from scanner_app.camera.zxread import Corners, read_thresholds, zxing

Read = Callable[[Gray], list[tuple[str, Corners]]]

DETECT_AREA = 400 * 400
CROP_SIDE = 450  # the box's longer side after rescaling
MAX_BOXES = 2
# decode.locate()'s region, for a locator given it, when the detector finds no box: loose (often
# twice the code), so it is upscaled x2 (at most 1000 px) rather than fitted to CROP_SIDE, and a
# read need cover only a tenth of it (the module-by-module reader's own checks guard the text)
FALLBACK_SCALE, FALLBACK_SIDE, FALLBACK_COVER = 2.0, 1000.0, 0.1
# A read must cover a good part of the box: a small false symbol that zxing finds in the
# noise of a binarised or restored crop (seen on the tuning split) does not.
MIN_COVER = 0.25
# what is tried on each rescaled crop, in order
READS: tuple[Read, ...] = (
    zxing,
    read_thresholds,
    lambda crop: zxing(enhance.deblur_defocus(crop, 2.5, nsr=0.04)),
    lambda crop: zxing(enhance.deblur_defocus(crop, 3.5, nsr=0.02)),
)
RESTORE: tuple[Read, ...] = (lambda crop: read_restored(crop, zxing),)
GRID: tuple[Read, ...] = (symbol_grid.read,)


_last_boxes = threading.local()


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    scaled_side: float = CROP_SIDE  # the box's longer side after rescaling
    min_cover: float = MIN_COVER  # of the box a read must cover

    @property
    def side(self) -> float:
        return max(self.x1 - self.x0, self.y1 - self.y0)

    @property
    def corners(self) -> Corners:
        return ((self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1))


class CnnLocator:
    """The detector network, loaded once per thread (cv2.dnn.Net is not documented as
    thread-safe); `reads` are tried on each box's rescaled crop."""

    def __init__(
        self, reads: Sequence[Read] = READS, fallback: Callable[[Gray], Corners | None] | None = None
    ) -> None:
        self._local = threading.local()
        self.reads = tuple(reads)
        self.fallback = fallback  # where to look when the detector finds no box

    def _net(self) -> cv2.dnn.Net:
        net = getattr(self._local, "net", None)
        if net is None:
            folder = wechat.model_dir()
            if folder is None or not wechat.available():
                raise RuntimeError("WeChat QR detector model unavailable")
            net = cv2.dnn.readNetFromCaffe(str(folder / "detect.prototxt"), str(folder / "detect.caffemodel"))
            self._local.net = net
        return net

    def boxes(self, image: Gray) -> list[Box]:
        """Code boxes in frame pixels, most confident first. The three CNN rungs ask for the
        same frame's boxes one after another: the last frame's are kept (per thread)."""
        digest = hashlib.blake2b(image.tobytes(), digest_size=16).digest() + repr(image.shape).encode()
        last = getattr(_last_boxes, "value", None)
        if last is not None and last[0] == digest:
            return list(last[1])
        found = self._detect(image)
        _last_boxes.value = (digest, tuple(found))
        return found

    def _detect(self, image: Gray) -> list[Box]:
        height, width = image.shape
        ratio = math.sqrt(width * height / DETECT_AREA)
        size = (max(1, round(width / ratio)), max(1, round(height / ratio)))
        resized = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
        net = self._net()
        net.setInput(cv2.dnn.blobFromImage(resized, 1.0 / 255), "data")
        rows = net.forward("detection_output").reshape(-1, 7)
        found = [
            Box(
                float(np.clip(row[3], 0, 1)) * width,
                float(np.clip(row[4], 0, 1)) * height,
                float(np.clip(row[5], 0, 1)) * width,
                float(np.clip(row[6], 0, 1)) * height,
                float(row[2]),
            )
            for row in rows
            if row[1] == 1
        ]
        return sorted(found, key=lambda box: -box.confidence)

    def read(self, image: Gray) -> list[tuple[str, Corners]]:
        """A decode.Rung's `read` on the whole frame (the rung has its own locator)."""
        boxes = self.boxes(image)[:MAX_BOXES]
        if not boxes and self.fallback is not None and (corners := self.fallback(image)) is not None:
            xs, ys = [x for x, _ in corners], [y for _, y in corners]
            # a loose box around the densest edges, often twice the code: upscaled instead
            side = max(max(xs) - min(xs), max(ys) - min(ys))
            boxes = [
                Box(
                    min(xs),
                    min(ys),
                    max(xs),
                    max(ys),
                    0.0,
                    min(FALLBACK_SCALE * side, FALLBACK_SIDE),
                    FALLBACK_COVER,
                )
            ]
        for box in boxes:
            found = read_box(image, box, self.reads)
            if found:
                return found
        return []


def crop_box(image: Gray, box: Box) -> tuple[int, int, Gray]:
    """The box with a margin (the detector's boxes can clip the quiet zone)."""
    margin = 0.15 * box.side + 8
    height, width = image.shape
    x0, y0 = max(0, int(box.x0 - margin)), max(0, int(box.y0 - margin))
    x1, y1 = min(width, int(box.x1 + margin)), min(height, int(box.y1 + margin))
    return x0, y0, np.ascontiguousarray(image[y0:y1, x0:x1])


def read_box(image: Gray, box: Box, reads: Sequence[Read] = READS) -> list[tuple[str, Corners]]:
    x0, y0, crop = crop_box(image, box)
    if min(crop.shape) < 16:
        return []
    factor = box.scaled_side / box.side
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    scaled = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=interpolation)
    for read in reads:
        found = [
            (text, tuple((x0 + x / factor, y0 + y / factor) for x, y in corners))
            for text, corners in read(scaled)
        ]
        found = [(text, corners) for text, corners in found if _cover(corners, box) >= box.min_cover]
        if found:
            return found
    return []


def _cover(corners: Corners, box: Box) -> float:
    area = abs(cv2.contourArea(np.array(corners, np.float32)))
    return area / max(1.0, (box.x1 - box.x0) * (box.y1 - box.y0))
