"""The decoder chain: zxing-cpp (QR only) first, then, on a miss, a fixed ladder of repairs.

The ladder is fixed work, never a wall-clock budget: the same picture gives the same answer
on an idle and on a loaded machine (stills run every rung until one reads; live scanning
passes `start`/`max_rungs` so that successive frames of a scene try different rungs, one per
frame). Each rung was chosen on the tuning split of benchmarks/qrgen.py's generated frames
and kept only because removing it loses reads on the separate test split
(docs/decoding.md has the figures); pyzbar and the WeChat CNN reader are rungs like others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

from scanner_app.camera import enhance, wechat
from scanner_app.camera.cnn_locate import GRID, RESTORE, CnnLocator
from scanner_app.camera.enhance import Gray
from scanner_app.camera.zxread import QR_OPTIONS, Corners, corners_of, read_thresholds, zxing

log = logging.getLogger(__name__)
# The first pass skips zxing's downscaled retries: on qrframes that is a fifth faster per
# frame with the same reads, and the "downscale" rung (zxing's default) is the first
# repair on a miss, so a large code close to the lens still reads on the next try.
FIRST_PASS = {**QR_OPTIONS, "try_downscale": False}
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # we report bad files ourselves


class ImageFileError(Exception):
    """A picture file could not be read as an image."""


@dataclass(frozen=True)
class DecodedCode:
    text: str
    corners: Corners = ()
    decoder: str = "zxing-cpp"
    method: str = "plain"
    format: str = "QRCode"


@dataclass(frozen=True)
class DecodeResult:
    codes: tuple[DecodedCode, ...] = ()
    elapsed_ms: float = 0.0
    tried: tuple[str, ...] = ()
    candidate: Corners | None = None  # where a code seems to be, when none decoded
    hint: str | None = None  # too_small | blurred | glare, when a code is seen but not read
    error: str | None = None  # decoder_crashed | decoder_hung (isolated decoding only)


@dataclass(frozen=True)
class Region:
    x: int
    y: int
    scale: float = 1.0

    def to_frame(self, corners: Corners) -> Corners:
        return tuple((self.x + px / self.scale, self.y + py / self.scale) for px, py in corners)


def load_gray(path: Path) -> Gray:
    data = np.fromfile(str(path), dtype=np.uint8) if path.exists() else None
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data is not None and data.size else None
    if image is None:
        raise ImageFileError(f"cannot read {str(path)!r} as an image (missing, unreadable or not a picture)")
    return image


def repair_utf8(text: str) -> str:
    """zbar guesses byte-mode encodings and can turn UTF-8 (CCCD names) into mojibake
    (pyzbar issues #82, #101, #124); undo its guess when the bytes were really UTF-8."""
    for guessed in ("latin-1", "shift_jis"):
        try:
            repaired = text.encode(guessed).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if repaired != text:
            return repaired
    return text


def pyzbar_rung(image: Gray) -> list[tuple[str, Corners]]:
    from pyzbar import pyzbar  # loads libzbar; optional where the system lacks it

    found = []
    for symbol in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        text = repair_utf8(symbol.data.decode("utf-8", errors="replace"))
        found.append((text, tuple((float(p.x), float(p.y)) for p in symbol.polygon)))
    return found


def _use_bundled_zbar() -> None:
    """The frozen Linux build carries libzbar beside the program; pyzbar only asks
    ctypes.util.find_library, which does not look there, so point it at the bundled copy."""
    import sys

    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is None or not sys.platform.startswith("linux"):
        return
    bundled = sorted(Path(frozen_root).glob("libzbar.so*"))
    if bundled:
        from pyzbar import zbar_library

        zbar_library.find_library = lambda name: str(bundled[0])  # type: ignore[assignment]


def _pyzbar_available() -> bool:
    try:
        _use_bundled_zbar()
        from pyzbar import pyzbar  # noqa: F401
    except (ImportError, OSError) as exc:
        log.warning("pyzbar unavailable (%s): decoding with zxing-cpp only", exc)
        return False
    return True


@dataclass(frozen=True)
class Rung:
    """One repair: `read` gets the crop around the candidate (or the whole frame when
    `whole`: for readers with their own detector) and returns (text, corners) in its input's
    coordinates."""

    name: str
    read: Callable[[Gray], list[tuple[str, Corners]]]
    whole: bool = False


# rungs for stills only, at the end of the ladder: live video's rotation leaves them out (their
# cost drops more frames than their reads win back on the approach clips; docs/decoding.md)
STILLS_ONLY = frozenset({"cnn-grid"})


def live_rungs(names: Sequence[str]) -> int:
    """How many of the ladder's rungs (from the first) live video rotates over."""
    count = len(names)
    while count and names[count - 1] in STILLS_ONLY:
        count -= 1
    return count


def default_rungs(use_pyzbar: bool = False, use_wechat: bool = True) -> list[Rung]:
    """The ladder, cheapest first. Candidates were chosen on the tuning split (each reads
    frames the others miss there), then kept only where the test split confirms it: without
    the rung (or, for rungs that overlap, without the group) the test split loses reads.
    Dropped by that evidence (benchmarks/decode.py --ablation, docs/decoding.md): zxing's
    own downscaling, sharpening, a fixed threshold, a global-histogram binariser, CLAHE,
    adaptive thresholding, 2x2 opening and closing, a light blur, a median, half size, the
    multi-scale rung (`_scales_rung`) and the Wiener defocus rung for zxing (it lives on
    inside the WeChat one). pyzbar adds no read on the tuning split: off unless asked for.
    "cnn-locate" (camera/cnn_locate.py) is WeChat's detector finding the box and zxing-cpp
    reading the rescaled crop; "cnn-finder" paints a finder pattern that glare or a finger
    erased back into that crop (camera/finder_restore.py). Both add reads on both splits.
    "cnn-grid" reads the symbol in that box module by module (camera/symbol_grid.py finds
    the grid, camera/soft_qr.py equalises the blur and corrects with erasures): the costliest
    rung when nothing reads, so the last."""
    rungs = [Rung("upscale", _upscale_rung), Rung("thresholds", read_thresholds)]
    if use_wechat and wechat.available():
        rungs.append(Rung("cnn-finder", CnnLocator(RESTORE).read, whole=True))
        rungs.append(Rung("cnn-locate", CnnLocator().read, whole=True))
        reader = wechat.WeChatReader()
        rungs.append(Rung("wechat", reader.read, whole=True))
        rungs.append(
            Rung("wechat-defocus", lambda im: reader.read(enhance.deblur_defocus(im, 1.5)), whole=True)
        )
    rungs.append(Rung("motion", _motion_rung))
    if use_wechat and wechat.available():
        rungs.append(Rung("cnn-grid", CnnLocator(GRID, fallback=locate).read, whole=True))
    if use_pyzbar and _pyzbar_available():
        rungs.append(Rung("pyzbar", pyzbar_rung))
    return rungs


def _motion_rung(image: Gray) -> list[tuple[str, Corners]]:
    for restored in enhance.deblur_motion(image, (5.0, 8.0, 11.0)):
        found = zxing(restored)
        if found:
            return found
    return []


def _scales_rung(image: Gray) -> list[tuple[str, Corners]]:
    """zxing's detector at other scales (its finder search and sampling grid work best in a
    band of module sizes). A candidate benchmarks/decode.py tries; not in the ladder."""
    for factor in (0.5, 0.75, 1.5):
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        found = zxing(cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation))
        if found:
            return [(text, tuple((x / factor, y / factor) for x, y in corners)) for text, corners in found]
    return []


def _upscale_rung(image: Gray) -> list[tuple[str, Corners]]:
    if image.shape[0] * image.shape[1] > 700 * 700:
        return []  # only worth it on small crops; large frames are already fine-grained
    found = zxing(enhance.sharpen(enhance.upscale(image), 1.5, 3.0))
    return [(text, tuple((x / 2, y / 2) for x, y in corners)) for text, corners in found]


@dataclass
class Decoder:
    """`budget_ms` is accepted and ignored (callers from before the fixed ladder pass it):
    the work per call is bounded by the rungs run, never by the clock."""

    use_pyzbar: bool = False
    use_wechat: bool = True
    rungs: Sequence[Rung] = field(default_factory=list)
    budget_ms: float | None = None

    def __post_init__(self) -> None:
        if not self.rungs:
            self.rungs = default_rungs(self.use_pyzbar, self.use_wechat)

    @property
    def rung_names(self) -> tuple[str, ...]:
        return tuple(rung.name for rung in self.rungs)

    def start(self) -> None:
        """Nothing to start in this process (the isolated decoder starts its child here)."""

    def close(self) -> None:
        """Nothing to release in this process."""

    def decode(
        self,
        image: Gray,
        *,
        start: int = 0,
        max_rungs: int | None = None,
        only_with_candidate: bool = False,
        budget_ms: float | None = None,
    ) -> DecodeResult:
        """The first pass, then `max_rungs` rungs (all by default) from `start` on, wrapping
        around, until one reads. `only_with_candidate` (live scanning): no repairs when
        nothing code-like is in view, so an empty scene costs one zxing pass per frame.
        `budget_ms` is ignored (see the class)."""
        del budget_ms
        began = time.perf_counter()
        results = zxingcpp.read_barcodes(image, **FIRST_PASS, return_errors=True)  # type: ignore[arg-type]
        good = [(b.text, corners_of(b.position)) for b in results if b.valid and b.text]
        if good:
            return self._result(good, "plain", began, ("plain",))
        candidate = next((corners_of(b.position) for b in results), None) or locate(image)
        if candidate is None and only_with_candidate:
            return DecodeResult((), _ms(began), ("plain",))
        region, crop = _crop(image, candidate)
        tried = ["plain"]
        count = len(self.rungs) if max_rungs is None else min(max_rungs, len(self.rungs))
        for step in range(count):
            rung = self.rungs[(start + step) % len(self.rungs)]
            tried.append(rung.name)
            found = rung.read(image if rung.whole else crop)
            if found:
                where = Region(0, 0) if rung.whole else region
                mapped = [(text, where.to_frame(corners)) for text, corners in found]
                return self._result(mapped, rung.name, began, tuple(tried))
        hint = diagnose(image, candidate) if candidate else None
        return DecodeResult((), _ms(began), tuple(tried), candidate, hint)

    def _result(
        self, found: list[tuple[str, Corners]], method: str, began: float, tried: tuple[str, ...]
    ) -> DecodeResult:
        decoder = {"pyzbar": "pyzbar", "wechat": "opencv-wechat"}.get(method, "zxing-cpp")
        unique = dict.fromkeys(found)  # the same code found twice is one code
        codes = tuple(DecodedCode(text, corners, decoder, method) for text, corners in unique)
        return DecodeResult(codes, _ms(began), tried)


def _ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000.0


def locate(image: Gray) -> Corners | None:
    """Where the densest strong edges are (a QR code is all edges), found at quarter scale.
    Only guides the repair rungs; decoding itself never trusts it. Sensor noise and smooth
    backgrounds give weak gradients, so a floor on edge strength keeps empty scenes empty."""
    if min(image.shape[:2]) < 40:
        return None  # a quarter of it is under 10 px: nothing a code could fill
    small = cv2.resize(image, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    gradient = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    otsu, _ = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    _, mask = cv2.threshold(gradient, max(otsu, 48.0), 255, cv2.THRESH_BINARY)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    height, width = small.shape
    best = None
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w < 10 or h < 10 or not 0.5 < w / h < 2.0 or w * h > 0.5 * width * height:
            continue
        fill = cv2.contourArea(contour) / float(w * h)
        if fill > 0.4 and (best is None or w * h > best[2] * best[3]):
            best = (x, y, w, h)
    if best is None:
        return None
    x, y, w, h = (v * 4.0 for v in best)
    return ((x, y), (x + w, y), (x + w, y + h), (x, y + h))


def _crop(image: Gray, corners: Corners | None) -> tuple[Region, Gray]:
    if corners is None:
        return Region(0, 0), image
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    side = max(max(xs) - min(xs), max(ys) - min(ys))
    margin = 0.25 * side + 16
    height, width = image.shape
    x0, y0 = max(0, int(min(xs) - margin)), max(0, int(min(ys) - margin))
    x1, y1 = min(width, int(max(xs) + margin)), min(height, int(max(ys) + margin))
    if (x1 - x0) < 48 or (y1 - y0) < 48:
        return Region(0, 0), image
    return Region(x0, y0), np.ascontiguousarray(image[y0:y1, x0:x1])


def diagnose(image: Gray, corners: Corners) -> str | None:
    """Why a code that is in view does not read: too small, blurred or glared."""
    _, crop = _crop(image, corners)
    xs = [p[0] for p in corners]
    if max(xs) - min(xs) < 140:  # an HC1 code has ~60-80 modules: under ~2 px per module
        return "too_small"
    if float(np.mean(crop >= 250)) > 0.05:
        return "glare"
    if cv2.Laplacian(crop, cv2.CV_64F).var() < 150.0:
        return "blurred"
    return None
