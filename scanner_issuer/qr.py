"""QR symbols for cards, made by zxing-cpp's writer (the library the scanner decodes with).

segno was the first choice but spends ~27 ms per HC1-sized symbol choosing a mask in pure
Python; zxing-cpp makes the same symbol (same version, alphanumeric mode) in ~2 ms, which is
the difference between ~6 minutes and ~30 s of QR work for 10,000 people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import zxingcpp

# Error correction: L (7 %) gives the largest modules an ID-1 card can hold for an HC1 text,
# which matters more to a webcam 30-50 cm away than damage tolerance on a laminated card;
# benchmarks/issuer.py measures the reading distance of both.
EC_LEVEL = "L"
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks


@dataclass(frozen=True)
class Symbol:
    """Dark modules as a boolean matrix (True = dark), without the quiet zone."""

    modules: np.ndarray

    @property
    def size(self) -> int:
        return int(self.modules.shape[0])

    def version(self) -> int:
        return (self.size - 17) // 4

    def grey(self, scale: int, quiet_zone: int = QUIET_ZONE) -> np.ndarray:
        """8-bit picture (0 dark, 255 light) with `scale` pixels per module and a quiet zone."""
        padded = np.pad(self.modules, quiet_zone, constant_values=False)
        picture = np.where(padded, 0, 255).astype(np.uint8)
        return np.kron(picture, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else picture


def make_symbol(text: str, ec_level: str = EC_LEVEL) -> Symbol:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ec_level)
    image = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False))
    if image.ndim == 3:
        image = image[:, :, 0]
    return Symbol(image < 128)
