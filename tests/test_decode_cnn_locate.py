"""The WeChat SSD detector as a locator (camera/cnn_locate.py): it boxes a code on a hard
generated frame where the edge-density locator does not, finds nothing on an empty frame,
a read must cover the box it came from, and a finder pattern erased by glare is painted
back (camera/finder_restore.py)."""

from __future__ import annotations

import io

import cv2
import numpy as np
import segno

from benchmarks import qrgen
from scanner_app.camera.cnn_locate import Box, CnnLocator, read_box
from scanner_app.camera.decode import locate, zxing
from scanner_app.camera.finder_restore import finders, read_restored


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _bounds(corners: object) -> tuple[float, ...]:
    points = np.asarray(corners, float)
    return (*points.min(axis=0), *points.max(axis=0))


def test_the_detector_boxes_a_code_on_a_shaken_frame_that_locate_misplaces() -> None:
    image, meta = qrgen.frame("tuning", "shake", 3)
    truth = _bounds(meta["qr_corners"])
    boxes = CnnLocator().boxes(image)
    assert boxes and boxes[0].confidence > 0.5
    assert _iou((boxes[0].x0, boxes[0].y0, boxes[0].x1, boxes[0].y1), truth) > 0.7
    edges = locate(image)
    assert edges is None or _iou(_bounds(edges), truth) < 0.5  # why the CNN is worth its cost


def test_the_detector_finds_nothing_on_an_empty_frame() -> None:
    image, meta = qrgen.frame("tuning", "empty", 0)
    assert meta["payload"] is None  # a phone or a card, but no code on it
    assert CnnLocator().boxes(image) == []
    assert CnnLocator().read(image) == []


def test_a_read_far_smaller_than_its_box_is_refused() -> None:
    """A small code inside a large box stands for the false symbols zxing can find in the
    noise of a binarised crop: the box said a code that size is there."""
    small = cv2.imdecode(np.frombuffer(_png("825388"), np.uint8), cv2.IMREAD_GRAYSCALE)
    image = np.full((600, 600), 255, np.uint8)
    image[260 : 260 + small.shape[0], 260 : 260 + small.shape[1]] = small
    side = small.shape[0]
    fitting = Box(255, 255, 265 + side, 265 + side, 0.9)
    too_big = Box(60, 60, 540, 540, 0.9)
    assert [text for text, _ in read_box(image, fitting)] == ["825388"]
    assert read_box(image, too_big) == []


def _png(text: str, scale: int = 3, border: int = 2) -> bytes:
    out = io.BytesIO()
    segno.make_qr(text).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def test_a_finder_erased_by_glare_is_painted_back() -> None:
    text = "HC1:" + "FINDER-RESTORE-TEST-" * 6
    code = cv2.imdecode(np.frombuffer(_png(text, scale=5, border=4), np.uint8), cv2.IMREAD_GRAYSCALE)
    glared = code.copy()
    cv2.circle(glared, (20 + 18, 20 + 18), 30, 255, -1)  # the top-left finder, washed out
    glared = cv2.GaussianBlur(glared, (0, 0), 1.0)
    assert zxing(glared) == []
    assert len(finders(glared)) == 2
    assert [t for t, _ in read_restored(glared, zxing)] == [text]
