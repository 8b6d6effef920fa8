"""Reading a located QR symbol module by module, with erasures (issue 20).

zxing-cpp decides every module dark or light and lets Reed–Solomon correct up to half the
error-correction codewords of each block. Under glare, blur or low contrast many modules are
unsure, and those decisions are coin tosses. Here, given where the symbol is (its four outer
corners) and a version, every module is sampled through the homography; a linear model of
how blur mixes each module with its neighbours is fitted to the modules whose value is known
(finders, timing, alignment) and then to the decided ones, and removed; every module gets a
reliability (its distance from the threshold against the local contrast). The least reliable
codewords are declared erasures, which Reed–Solomon (reedsolo) corrects at twice the rate of
errors. The corrected codewords are written into a clean symbol with segno's own placement,
masking and format information, and zxing-cpp reads that: parsing the data segments is left
to it.

Misreads: a block is accepted only with `MARGIN` error-correction symbols to spare
(2·errors + erasures ≤ n − k − MARGIN), the format information must be close to a valid word
on both copies together, and zxing-cpp must then read the clean symbol. segno's internals
(`segno.encoder`, `segno.consts`) are the ISO 18004 tables and placement; the version is
pinned in uv.lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import reedsolo
import zxingcpp
from segno import consts
from segno import encoder as iso

from scanner_app.camera.frames import Gray

MARGIN = 2  # error-correction symbols per block left unused, so that a wrong word is detected
REACH = 3  # modules each side that blur mixes in (motion blur up to 3 modules): a 7×7 equaliser
ROUNDS = 5  # decision-directed rounds (tuning split, true corners: 3 rounds read 42, 5 read 44)
# the format word's level bits (ISO 18004 table C.1) for each of segno's error levels
LEVELS = {
    consts.ERROR_LEVEL_M: 0,
    consts.ERROR_LEVEL_L: 8,
    consts.ERROR_LEVEL_H: 16,
    consts.ERROR_LEVEL_Q: 24,
}
_MASKS = iso.get_data_mask_functions(False)
_DATA, _RESERVED = 0x2, 0x0  # segno's marks for free and reserved cells


@dataclass(frozen=True)
class Layout:
    """Where things are in a symbol of one version."""

    size: int
    known: np.ndarray  # bool: finder, separator, timing and alignment modules
    known_dark: np.ndarray  # their colour
    order: np.ndarray  # (data bits, 2): row, column of each data bit in placement order
    format_cells: tuple[np.ndarray, ...]  # per format word 0..31: 1 dark, 0 light, -1 not a format cell


@lru_cache(maxsize=48)
def layout(version: int) -> Layout:
    size = version * 4 + 17
    rows = [list(r) for r in iso.make_matrix(size, size)]
    iso.add_finder_patterns(rows, size, size)
    iso.add_alignment_patterns(rows, size, size)
    grid = np.array(rows)
    # finders, separators, timing and alignment are written as 0/1, like the reserved
    # format and version cells before them: tell those apart by where they are
    known = (grid != _DATA) & ~_reserved_cells(size)
    known_dark = grid == 1
    data = grid == _DATA
    count = int(data.sum())
    tagged = [list(r) for r in np.where(data, _DATA, 9).tolist()]
    iso.add_codewords(tagged, list(range(10, 10 + count)), version)
    index = np.array(tagged) - 10
    order = np.argwhere(data)[np.argsort(index[data])]
    formats = tuple(_format_cells(size, version, fmt) for fmt in range(32))
    return Layout(size, known, known_dark, order, formats)


def _reserved_cells(size: int) -> np.ndarray:
    rows = [list(r) for r in iso.make_matrix(size, size, add_timing=False)]
    return np.array(rows) == _RESERVED


def _format_cells(size: int, version: int, fmt: int) -> np.ndarray:
    """The symbol's format modules for format word `fmt` (0..31): 1 dark, 0 light, -1 none."""
    level = {v: k for k, v in LEVELS.items()}[fmt & 0x18]
    rows = [[-1] * size for _ in range(size)]
    iso.add_format_info(rows, version, level, fmt & 0x7)
    cells = np.array(rows)
    cells[size - 8, 8] = -1  # the dark module is not a format bit
    return cells


@dataclass(frozen=True)
class Sampled:
    """Every module of a symbol as read from the picture."""

    value: np.ndarray  # float32 (size, size): dark ≈ 1, light ≈ 0 after equalisation
    reliability: np.ndarray  # float32 (size, size), 0 = no idea


def sample(image: Gray, corners: np.ndarray, version: int) -> Sampled:
    """Every module's darkness through the homography of the symbol's outer corners
    (top-left, top-right, bottom-right, bottom-left), equalised."""
    return equalise(darkness(image, corners, version), layout(version))


def plausible(image: Gray, corners: np.ndarray, version: int) -> bool:
    """Corners a symbol can have in this picture: finite, a convex quadrilateral, modules of
    at least half a pixel, the symbol at most twice the picture. A wild homography (a false
    alignment match) can put them anywhere, and smoothing for a module of thousands of
    pixels takes minutes."""
    quad = np.asarray(corners, dtype=np.float64)
    if quad.shape != (4, 2) or not np.isfinite(quad).all():
        return False
    side = float(np.mean([np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)]))
    module = side / layout(version).size
    return module >= 0.5 and side <= 2 * max(image.shape) and cv2.isContourConvex(quad.astype(np.float32))


def darkness(image: Gray, corners: np.ndarray, version: int) -> np.ndarray:
    """(size, size) float32: 255 minus the picture at every module's centre, lightly smoothed."""
    n = layout(version).size
    module_px = float(np.mean([np.linalg.norm(corners[i] - corners[(i + 1) % 4]) for i in range(4)])) / n
    return darkness_of(smoothed(image, module_px), corners, version)


def smoothed(image: Gray, module_px: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), max(0.3, 0.22 * module_px)).astype(np.float32)


def darkness_of(smooth: np.ndarray, corners: np.ndarray, version: int) -> np.ndarray:
    n = layout(version).size
    square = np.float32([[0, 0], [n, 0], [n, n], [0, n]])
    hom = cv2.getPerspectiveTransform(square, np.float32(corners))
    centres = np.stack(np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5), axis=-1).reshape(-1, 1, 2)
    where = cv2.perspectiveTransform(centres.astype(np.float32), hom).reshape(n, n, 2)
    raw = cv2.remap(smooth, where[..., 0], where[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return 255.0 - raw


def pattern_score(image: Gray, corners: np.ndarray, version: int) -> float:
    """How well the timing and alignment patterns are where this grid says: an equaliser
    trained on the finder patterns alone (always right once the finders are found) predicts
    them, and the correlation of prediction and truth is the score. A wrong version puts
    them elsewhere."""
    if not plausible(image, corners, version):
        return -1.0
    return score_of(darkness(image, corners, version), version)


def score_of(dark: np.ndarray, version: int) -> float:
    lay = layout(version)
    norm, _ = _normalise(dark, lay.size)
    finder = np.zeros_like(lay.known)
    for r, c in ((0, 0), (0, lay.size - 8), (lay.size - 8, 0)):
        finder[r : r + 8, c : c + 8] = True
    held_out = lay.known & ~finder
    if not held_out.any():
        return 0.0
    seen = _neighbours(norm, 1, centre=True)
    predicted = _fit_apply(seen, lay.known_dark.astype(np.float32), finder & lay.known)
    truth = lay.known_dark[held_out].astype(np.float32)
    guess = predicted[held_out]
    if guess.std() < 1e-6:
        return 0.0
    return float(np.corrcoef(guess, truth)[0, 1])


def _normalise(dark: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Darkness scaled to the local dark and light levels, and where the contrast is too
    low to tell (glare, a finger)."""
    win = max(5, (n // 6) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (win, win))
    hi = cv2.GaussianBlur(cv2.dilate(dark, kernel), (0, 0), win / 3)
    lo = cv2.GaussianBlur(cv2.erode(dark, kernel), (0, 0), win / 3)
    contrast = hi - lo
    floor = max(float(np.median(contrast)) * 0.3, 1.0)
    return (dark - lo) / np.maximum(contrast, floor), contrast < floor


def equalise(dark: np.ndarray, lay: Layout) -> Sampled:
    """Local normalisation, then a linear equaliser over each module's neighbourhood (REACH),
    trained by least squares on the modules whose colour is known and then, decision-directed,
    on all of them with the decided neighbours fed back (blur mixes neighbouring modules)."""
    norm, blind = _normalise(dark, lay.size)
    seen = _neighbours(norm, REACH, centre=True)
    target = lay.known_dark.astype(np.float32)
    value = _fit_apply(seen, target, lay.known)
    for _ in range(ROUNDS):
        decided = np.where(lay.known, lay.known_dark, value > 0.5).astype(np.float32)
        features = np.concatenate([seen, _neighbours(decided, REACH, centre=False)], axis=-1)
        value = _fit_apply(features, decided, np.ones_like(lay.known))
    sure = np.clip(np.abs(value - 0.5) * 2.0, 0.0, 1.0)
    sure[blind] = 0.0  # glare or a finger: nothing to see
    return Sampled(value.astype(np.float32), sure.astype(np.float32))


def _neighbours(grid: np.ndarray, reach: int, centre: bool) -> np.ndarray:
    """(n, n, k): each module's neighbours' values within `reach`, in a fixed order."""
    n = grid.shape[0]
    padded = np.pad(grid, reach, mode="edge")
    span = range(-reach, reach + 1)
    shifts = [
        padded[reach + dy : reach + dy + n, reach + dx : reach + dx + n]
        for dy in span
        for dx in span
        if centre or (dy, dx) != (0, 0)
    ]
    return np.stack([*shifts, np.ones_like(grid)], axis=-1).astype(np.float32)


def _fit_apply(features: np.ndarray, target: np.ndarray, train: np.ndarray) -> np.ndarray:
    k = features.shape[-1]
    rows = features.reshape(-1, k)
    mask = train.ravel().astype(bool)
    train_rows = rows[mask]
    # normal equations (a little ridge for the constant columns of a flat neighbourhood):
    # numpy's SVD least squares took 20 ms a fit here
    gram = train_rows.T @ train_rows + 1e-3 * np.eye(k, dtype=np.float32)
    coef = np.linalg.solve(gram, train_rows.T @ target.ravel()[mask].astype(np.float32))
    return (rows @ coef).reshape(target.shape)


def read_format(s: Sampled, lay: Layout) -> int | None:
    """The format word (level bits | mask) the symbol most likely carries (the least
    reliability-weighted disagreement over both copies), or None when even that one is
    further than a copy's correction reaches."""
    dark = s.value > 0.5
    costs = []
    for cells in lay.format_cells:
        on = cells >= 0
        costs.append(float((s.reliability[on] * (dark[on] != (cells[on] == 1))).sum()))
    fmt = int(np.argmin(costs))
    cells = lay.format_cells[fmt]
    on = cells >= 0
    if int((dark[on] != (cells[on] == 1)).sum()) > 6:  # of 30 modules; distance 7 per copy
        return None
    return fmt


def codewords(s: Sampled, lay: Layout, fmt: int) -> tuple[np.ndarray, np.ndarray]:
    """The symbol's codewords in placement order and each one's reliability (its least sure bit)."""
    rows, cols = lay.order[:, 0], lay.order[:, 1]
    bits = (s.value[rows, cols] > 0.5) ^ _mask_bits(lay.size, fmt & 0x7)[rows, cols]
    sure = s.reliability[rows, cols]
    whole = len(bits) // 8 * 8
    bits, sure = bits[:whole].reshape(-1, 8), sure[:whole].reshape(-1, 8)
    values = np.packbits(bits, axis=1).ravel()
    return values, sure.min(axis=1)


@lru_cache(maxsize=64)
def _mask_bits(size: int, mask: int) -> np.ndarray:
    rule = _MASKS[mask]
    return np.array([[bool(rule(i, j)) for j in range(size)] for i in range(size)])


def blocks_of(version: int, level: int) -> list[tuple[int, int]]:
    """(total, data) codewords of every block, in order."""
    return [(ec.num_total, ec.num_data) for ec in consts.ECC[version][level] for _ in range(ec.num_blocks)]


def deinterleave(values: np.ndarray, shape: list[tuple[int, int]]) -> list[list[int]]:
    """Split the interleaved codeword stream into blocks: indices into `values`."""
    blocks: list[list[int]] = [[] for _ in shape]
    position = 0
    for i in range(max(d for _, d in shape)):
        for b, (_, data) in enumerate(shape):
            if i < data:
                blocks[b].append(position)
                position += 1
    for i in range(max(t - d for t, d in shape)):
        for b, (total, data) in enumerate(shape):
            if i < total - data:
                blocks[b].append(position)
                position += 1
    return blocks


@lru_cache(maxsize=32)
def _codec(nsym: int) -> reedsolo.RSCodec:
    return reedsolo.RSCodec(nsym)


def correct_block(received: bytes, sure: np.ndarray, data: int) -> bytes | None:
    """The block's data codewords, erasing its least reliable codewords as needed."""
    nsym = len(received) - data
    codec = _codec(nsym)
    ranked = [int(i) for i in np.argsort(sure, kind="stable")]
    for erased in range(0, nsym - MARGIN + 1, 2):
        positions = ranked[:erased]
        try:
            message, _, errata = codec.decode(bytearray(received), erase_pos=positions or None)
        except reedsolo.ReedSolomonError:
            continue
        errors = len(set(errata) - set(positions))
        if 2 * errors + erased <= nsym - MARGIN:
            return bytes(message)
    return None


def decode_symbol(image: Gray, corners: np.ndarray, version: int) -> str | None:
    """The text of the dark-on-light symbol at `corners`, if its codewords can be corrected."""
    if not plausible(image, corners, version):
        return None
    lay = layout(version)
    s = sample(image, corners, version)
    fmt = read_format(s, lay)
    if fmt is None:
        return None
    level = {v: k for k, v in LEVELS.items()}[fmt & 0x18]
    shape = blocks_of(version, level)
    values, sure = codewords(s, lay, fmt)
    data_words = []
    for (_, data), index in zip(shape, deinterleave(values, shape), strict=True):
        corrected = correct_block(bytes(values[index]), sure[index], data)
        if corrected is None:
            return None
        data_words.append(corrected)
    return _read_clean(version, level, fmt & 0x7, b"".join(data_words))


def _read_clean(version: int, level: int, mask: int, data: bytes) -> str | None:
    """Write the corrected data into a clean symbol and let zxing-cpp parse it."""
    buffer = iso.Buffer()
    for byte in data:
        buffer.append_bits(byte, 8)
    message = iso.make_final_message(version, level, buffer)
    size = version * 4 + 17
    matrix = iso.make_matrix(size, size)
    iso.add_finder_patterns(matrix, size, size)
    iso.add_alignment_patterns(matrix, size, size)
    iso.add_codewords(matrix, message, version)
    _, matrix = iso.find_and_apply_best_mask(matrix, size, size, mask)
    iso.add_format_info(matrix, version, level, mask)
    iso.add_version_info(matrix, version)
    symbol = np.array([list(r) for r in matrix], dtype=np.uint8)
    picture = np.pad(np.where(symbol == 1, 0, 255).astype(np.uint8), 4, constant_values=255)
    picture = cv2.resize(picture, None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
    found = zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode, is_pure=True)
    return found[0].text if found and found[0].valid else None
