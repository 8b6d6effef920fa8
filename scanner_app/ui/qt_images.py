"""numpy frames -> QImage for the preview. The QImage is copied: a QImage that wraps a numpy
buffer must not cross threads (the buffer may be gone by the time it is painted)."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtGui import QImage

PREVIEW_WIDTH = 800


def to_qimage(image: np.ndarray, width: int = PREVIEW_WIDTH) -> tuple[QImage, float]:
    """(copied QImage scaled to `width`, the scale factor applied)."""
    scale = min(1.0, width / image.shape[1])
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    image = np.ascontiguousarray(image)
    height, cols = image.shape[:2]
    if image.ndim == 2:
        view = QImage(image.data, cols, height, image.strides[0], QImage.Format.Format_Grayscale8)
    else:
        view = QImage(image.data, cols, height, image.strides[0], QImage.Format.Format_BGR888)
    return view.copy(), scale


def qimage_to_gray(image: QImage) -> np.ndarray:
    """A clipboard picture as an 8-bit grey array for the decoders."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    data = np.frombuffer(grey.constBits(), np.uint8, count=stride * height).reshape(height, stride)
    return np.ascontiguousarray(data[:, :width])
