"""zxing-cpp as every rung calls it: QR codes only, the code's own characters, and the
(text, corners) pairs the ladder passes around; plus the multi-threshold read that the
`thresholds` rung and the CNN locator's crops share."""

from __future__ import annotations

import zxingcpp

from scanner_app.camera import enhance
from scanner_app.camera.enhance import Gray

# Full-size QR codes only (models 2 and 1, three finder patterns): every card the checkpoint
# reads is one. zxing-cpp 3's `QRCode` is the whole family, Micro QR and rMQR included, and
# that lets false symbols in: a Micro QR symbol has a single finder pattern, the same as each
# corner of a full QR code, and its smallest version (M1, 11 modules, a few digits) carries
# only error *detection*, so the 11x11 modules at a real code's corner can pass as one. That
# was the misread in docs/decoding.md (the upscale rung read an M1 symbol '825388' at the
# corner of an HC1 code). Model 1 stays: two of the shared photos are model-1 codes.
QR = (zxingcpp.BarcodeFormat.QRCodeModel2, zxingcpp.BarcodeFormat.QRCodeModel1)
PLAIN = zxingcpp.TextMode.Plain  # the code's own characters; HRI would rewrite controls as <SOH>
# try_rotate only matters for 1-D barcodes (QR detection is rotation-invariant): measured the
# same read rate on qrframes at about three quarters of the time.
QR_OPTIONS = {"formats": QR, "text_mode": PLAIN, "try_rotate": False}
Corners = tuple[tuple[float, float], ...]


def corners_of(position: zxingcpp.Position) -> Corners:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return tuple((float(p.x), float(p.y)) for p in points)


def zxing(image: Gray, **options: object) -> list[tuple[str, Corners]]:
    return [
        (b.text, corners_of(b.position))
        for b in zxingcpp.read_barcodes(image, **QR_OPTIONS, **options)  # type: ignore[arg-type]
        if b.valid and b.text
    ]


def read_thresholds(image: Gray) -> list[tuple[str, Corners]]:
    """zxing on the image binarised here at several neighbourhood sizes and offsets
    (enhance.binarisations): the first that reads."""
    for binary in enhance.binarisations(image):
        found = zxing(binary, binarizer=zxingcpp.Binarizer.BoolCast)
        if found:
            return found
    return []
