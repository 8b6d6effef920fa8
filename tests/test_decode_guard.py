"""False symbols: the decoder reads full-size QR codes only, so the corner of a real code (one
finder pattern, like a Micro QR symbol's) is never read as a code of its own; small genuine
codes still read, also through a repair rung."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
import segno
import zxingcpp

from benchmarks import qrgen
from scanner_app.camera.decode import Decoder


def _frame(code: segno.QRCode, module_px: float, noise: float = 6.0) -> np.ndarray:
    """The code's modules, dark on light, shrunk to `module_px` pixels a module (area
    averaging, as a sensor does) on a 640x480 grey frame with sensor noise."""
    modules = np.array(code.matrix, np.uint8)
    sharp = np.where(np.kron(modules, np.ones((10, 10), np.uint8)) > 0, 30, 220).astype(np.float32)
    side = round(modules.shape[0] * module_px)
    image = np.full((480, 640), 220, np.float32)
    image[200 : 200 + side, 280 : 280 + side] = cv2.resize(sharp, (side, side), interpolation=cv2.INTER_AREA)
    image += np.random.default_rng(0).normal(0, noise, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def test_a_micro_qr_symbol_is_not_a_code() -> None:
    image = _frame(segno.make_micro("82538"), 4.0)
    every_qr = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [b.format for b in every_qr] == [zxingcpp.BarcodeFormat.MicroQRCode]  # zxing's QR family reads it
    assert Decoder().decode(image).codes == ()


def test_the_corner_of_a_real_code_is_not_read_as_a_micro_symbol() -> None:
    """The misread of the approach benchmark (test clip 68, frame 34): the upscale rung on
    the noisy frame found the HC1 code and, at its top-left corner, a Micro QR M1 '825388'."""
    _, _, image, meta = next(itertools.islice(qrgen.approach_clip(68, 35, split="test"), 34, None))
    result = Decoder().decode(image, start=0, max_rungs=1)
    assert result.tried == ("plain", "upscale")
    assert [code.text for code in result.codes] == [meta["payload"]]


@pytest.mark.parametrize(("module_px", "method"), [(1.5, "upscale"), (2.0, "plain")])
def test_a_small_genuine_code_still_reads(module_px: float, method: str) -> None:
    """A version-1 code of 32 to 42 pixels: at 1.5 px a module the noise defeats the first
    pass and the upscale rung reads it (a repaired read of a small code is kept)."""
    code = segno.make_qr("HC1:SMALL-1", error="m")
    assert code.version == 1
    result = Decoder().decode(_frame(code, module_px))
    assert [(c.text, c.method) for c in result.codes] == [("HC1:SMALL-1", method)]
