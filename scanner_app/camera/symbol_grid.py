"""Where a QR symbol's modules lie in a picture too blurred or glared for zxing-cpp's detector.

zxing-cpp finds finder patterns by scanning rows for the 1:1:3:1:1 run lengths, which blur
erases. A blurred finder is still a dark blob in a light ring in a dark ring, so here finders
are found by normalised correlation with a blurred, upright template at a few module sizes
(a symbol turned by 20 to 70 degrees matches it less well; such symbols are read by the
earlier rungs unless blurred too); the three
that form a right angle with equal legs are the symbol's corner; their spacing gives the
candidate versions, and each version's alignment patterns, searched the same way where the
finders predict them, refine the affine map into a homography; a climb on how well the timing
and alignment patterns fit then settles the corners and ranks the versions. The result is the
symbol's outer corners for `soft_qr.decode_symbol`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np
from segno import consts

from scanner_app.camera import soft_qr
from scanner_app.camera.frames import Gray
from scanner_app.camera.zxread import Corners

# px per module in the rescaled crop (cnn_locate.CROP_SIDE 450 px for the box: HC1 codes of
# 45-117 modules, straight or turned up to 45 degrees)
MODULE_SIZES = (3.0, 3.7, 4.5, 5.5, 6.7, 8.2)
MODULE_RANGE = (2.4, 12.0)  # px per module the finders' size is measured over
MIN_PEAK = 0.3  # normalised correlation a finder or alignment pattern must reach
MAX_PEAKS = 10
# how many hypotheses are followed (on the tuning split every read came from the first box's
# best triple; climbing three versions read 2 frames more than two, four no more than three)
TRIPLES_TRIED = 1
VERSIONS_CLIMBED = 3
VERSIONS_TRIED = 1
POLISH_ROUNDS = 2
CLIMB_STEPS = (1.0, 0.5, 0.25)  # modules
CLIMB_SWEEPS = 4
BLUR_LENGTHS = (1.5, 2.5, 3.5)  # modules of motion blur tried
BLUR_SPREADS = (0.3, 0.6, 1.0)  # modules of round blur tried


@dataclass(frozen=True)
class Peak:
    x: float
    y: float
    module: float
    score: float


@dataclass(frozen=True)
class Grid:
    """A symbol hypothesis: its version and its outer corners (TL, TR, BR, BL) in pixels."""

    version: int
    corners: np.ndarray


FINDER, ALIGNMENT = (0, 1, 3), (0, 2)  # dark rings, counted from the centre module
SUPERSAMPLE = 8  # template pixels per module before scaling


def _template(
    dark_rings: tuple[int, ...],
    module: float,
    angle: float,
    blur: float = 0.6,
    kernel: np.ndarray | None = None,
) -> np.ndarray:
    """The pattern with a light module around it, as the picture shows it (light = 1), turned
    by `angle`, at `module` px per module, blurred by `blur` modules (the picture's blur and
    sampling) or by `kernel`."""
    reach = max(dark_rings) + 1
    steps = (np.arange((2 * reach + 1) * SUPERSAMPLE) + 0.5) / SUPERSAMPLE - (reach + 0.5)
    u, v = np.meshgrid(steps, steps)
    cos, sin = math.cos(angle), math.sin(angle)
    ring = np.floor(np.maximum(np.abs(cos * u + sin * v), np.abs(-sin * u + cos * v)) + 0.5)
    light = (~np.isin(ring, dark_rings)).astype(np.float32)
    side = max(5, round((2 * reach + 1) * module))
    drawn = cv2.resize(light, (side, side), interpolation=cv2.INTER_AREA)
    if kernel is not None:
        return cv2.filter2D(drawn, -1, kernel, borderType=cv2.BORDER_REPLICATE)
    return cv2.GaussianBlur(drawn, (0, 0), blur * module)


def finder_peaks(image: Gray) -> list[Peak]:
    picture = image.astype(np.float32)
    peaks: list[Peak] = []
    for module in MODULE_SIZES:
        template = _template(FINDER, module, 0.0)
        if template.shape[0] >= min(picture.shape):
            continue
        response = cv2.matchTemplate(picture, template, cv2.TM_CCOEFF_NORMED)
        peaks += _local_maxima(response, template.shape[0] // 2, module)
    peaks.sort(key=lambda p: -p.score)
    kept: list[Peak] = []
    for peak in peaks:
        if all(math.hypot(peak.x - k.x, peak.y - k.y) > 3 * min(peak.module, k.module) for k in kept):
            kept.append(peak)
        if len(kept) == MAX_PEAKS:
            break
    return kept


def _local_maxima(response: np.ndarray, offset: int, module: float) -> list[Peak]:
    size = max(3, int(4 * module) | 1)
    top = cv2.dilate(response, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    ys, xs = np.nonzero((response >= top) & (response >= MIN_PEAK))
    found = []
    for y, x in zip(ys, xs, strict=True):
        dx, dy = _subpixel(response, int(y), int(x))
        found.append(Peak(x + dx + offset, y + dy + offset, module, float(response[y, x])))
    return found


def _subpixel(response: np.ndarray, y: int, x: int) -> tuple[float, float]:
    def vertex(a: float, b: float, c: float) -> float:
        bend = a - 2 * b + c
        return 0.0 if bend >= 0 else float(np.clip(0.5 * (a - c) / bend, -0.5, 0.5))

    h, w = response.shape
    dx = vertex(response[y, x - 1], response[y, x], response[y, x + 1]) if 0 < x < w - 1 else 0.0
    dy = vertex(response[y - 1, x], response[y, x], response[y + 1, x]) if 0 < y < h - 1 else 0.0
    return dx, dy


def corner_triples(peaks: list[Peak]) -> list[tuple[Peak, Peak, Peak]]:
    """(top-left, top-right, bottom-left) finder triples, most likely first."""
    scored = []
    for a, b, c in itertools.permutations(peaks, 3):
        if id(b) > id(c):
            continue
        ab, ac = np.subtract((b.x, b.y), (a.x, a.y)), np.subtract((c.x, c.y), (a.x, a.y))
        lab, lac = float(np.hypot(*ab)), float(np.hypot(*ac))
        module = min(a.module, b.module, c.module)
        if min(lab, lac) < 14 * module or not 0.7 < lab / lac < 1.43:
            continue
        cos = float(np.dot(ab, ac)) / (lab * lac)
        if abs(cos) > 0.35:
            continue
        right, left = (b, c) if ab[0] * ac[1] - ab[1] * ac[0] >= 0 else (c, b)
        scored.append((a.score + b.score + c.score - abs(cos) - abs(math.log(lab / lac)), (a, right, left)))
    scored.sort(key=lambda s: -s[0])
    return [t for _, t in scored]


def grids(image: Gray, triple: tuple[Peak, Peak, Peak]) -> list[Grid]:
    """The symbol for the likely versions, each refined on its alignment patterns, best first:
    for the right version the alignment patterns are where it says (under blur the timing
    pattern's single-module alternation is gone, the 5-module alignment patterns are not)."""
    tl, tr, bl = triple
    spacing = (math.hypot(tr.x - tl.x, tr.y - tl.y) + math.hypot(bl.x - tl.x, bl.y - tl.y)) / 2
    finders = np.float32([[tl.x, tl.y], [tr.x, tr.y], [bl.x, bl.y]])
    module = _module_of(image, finders)
    versions = {
        v
        for m in np.linspace(module / 1.35, module * 1.35, 24)
        if 2 <= (v := round((spacing / m + 7 - 17) / 4)) <= 40
    }
    kernel = _blur_of(image, finders, module)
    # false alignment matches can bend the far corner by many modules while the finders stay
    # put: the finders' own parallelogram competes with every refined grid
    candidates = [
        g for v in sorted(versions) for g in (_refine(image, finders, v, kernel), _affine(finders, v))
    ]
    scored = sorted(
        ((soft_qr.pattern_score(image, g.corners, g.version), g) for g in candidates), key=lambda c: -c[0]
    )
    best: dict[int, Grid] = {}
    for _, grid in scored:
        best.setdefault(grid.version, grid)
    fitted = list(best.values())
    climbed = sorted((_climb(image, grid) for grid in fitted[:VERSIONS_CLIMBED]), key=lambda c: -c[1])
    return [grid for grid, _ in climbed[:VERSIONS_TRIED]]


def _affine(finders: np.ndarray, version: int) -> Grid:
    """The grid the three finders alone give (a parallelogram)."""
    size = 4 * version + 17
    affine = cv2.getAffineTransform(_finder_modules(size), finders)
    square = np.float32([[[0, 0], [size, 0], [size, size], [0, size]]])
    return Grid(version, cv2.transform(square, affine)[0])


def _climb(image: Gray, grid: Grid) -> tuple[Grid, float]:
    """Move each corner a module, half, a quarter at a time while the timing and alignment
    patterns fit better (soft_qr.pattern_score): under motion blur the alignment patterns'
    matches drift along the blur and the far corner with them."""
    if not soft_qr.plausible(image, grid.corners, grid.version):
        return grid, -1.0
    size = 4 * grid.version + 17
    module = (
        float(np.mean([np.linalg.norm(grid.corners[i] - grid.corners[(i + 1) % 4]) for i in range(4)])) / size
    )
    smooth = soft_qr.smoothed(image, module)

    def score(corners: np.ndarray) -> float:
        if not soft_qr.plausible(image, corners, grid.version):
            return -1.0
        return soft_qr.score_of(soft_qr.darkness_of(smooth, corners, grid.version), grid.version)

    corners, best = grid.corners.copy(), score(grid.corners)
    for step in CLIMB_STEPS:
        for _ in range(CLIMB_SWEEPS):
            moved = False
            for corner, axis, sign in itertools.product(range(4), range(2), (1, -1)):
                trial = corners.copy()
                trial[corner, axis] += sign * step * module
                if (value := score(trial)) > best + 1e-4:
                    corners, best, moved = trial, value, True
            if not moved:
                break
    return Grid(grid.version, corners), best


def _module_of(image: Gray, finders: np.ndarray) -> float:
    """The module size that makes the three finders look most like finders, turned as the
    symbol is, sharp or blurred (the search's blurred, upright template favours too small a
    size on sharp squares)."""
    angle = _angle(finders)
    best = (-2.0, MODULE_SIZES[0])
    for module, blur in itertools.product(np.geomspace(MODULE_RANGE[0], MODULE_RANGE[1], 24), (0.3, 0.6)):
        template = _template(FINDER, float(module), angle, blur)
        score = float(np.mean([_search(image, template, point, 2.0)[1] for point in finders]))
        best = max(best, (score, float(module)))
    return best[1]


def _blur_of(image: Gray, finders: np.ndarray, module: float) -> np.ndarray:
    """The blur kernel (px) that makes the three finders look most like finders: round
    (defocus) or along a line in one of eight directions (motion), a few sizes. The
    alignment patterns are then searched with it: a template blurred round matches a
    motion-blurred alignment pattern a module or two off along the blur."""
    angle = _angle(finders)
    best = (-2.0, _kernel(module, 0.0, 0.0))
    for length, direction in [(0.0, 0.0)] + [(n, d * math.pi / 8) for n in BLUR_LENGTHS for d in range(8)]:
        for spread in BLUR_SPREADS if length == 0 else BLUR_SPREADS[:1]:
            kernel = _kernel(module, length, direction, spread)
            template = _template(FINDER, module, angle, kernel=kernel)
            score = float(np.mean([_search(image, template, point, 2.0)[1] for point in finders]))
            best = max(best, (score, kernel), key=lambda b: b[0])
    return best[1]


def _kernel(module: float, length: float, direction: float, spread: float = 0.3) -> np.ndarray:
    """A line `length` modules long in `direction`, blurred round by `spread` modules."""
    reach = math.ceil((length / 2 + 3 * spread) * module) + 1
    canvas = np.zeros((2 * reach + 1, 2 * reach + 1), np.float32)
    half = length * module / 2
    dx, dy = half * math.cos(direction), half * math.sin(direction)
    scale = 16  # sub-pixel line ends
    cv2.line(
        canvas,
        (round((reach - dx) * scale), round((reach - dy) * scale)),
        (round((reach + dx) * scale), round((reach + dy) * scale)),
        1.0,
        1,
        cv2.LINE_AA,
        4,
    )
    canvas = cv2.GaussianBlur(canvas, (0, 0), max(0.3, spread * module))
    return canvas / canvas.sum()


def _angle(finders: np.ndarray) -> float:
    """The symbol's turn: the top edge's direction."""
    dx, dy = finders[1] - finders[0]
    return math.atan2(float(dy), float(dx))


def _finder_modules(size: int) -> np.ndarray:
    return np.float32([[3.5, 3.5], [size - 3.5, 3.5], [3.5, size - 3.5]])


def _refine(image: Gray, finders: np.ndarray, version: int, kernel: np.ndarray | None = None) -> Grid:
    """The grid fitted to the finders and the alignment patterns found, working outwards
    from the top-left, each searched where the fit of those before it puts it."""
    size = 4 * version + 17
    source, target = list(_finder_modules(size)), list(finders)
    transform = np.vstack([cv2.getAffineTransform(_finder_modules(size), finders), [0, 0, 1]])
    module = math.dist(finders[0], finders[1]) / (size - 7)
    template = _template(ALIGNMENT, module, _angle(finders), kernel=kernel)
    for centre in _alignment_centres(version):
        guess = cv2.perspectiveTransform(np.float32([[centre]]), transform)[0, 0]
        found, _ = _search(image, template, guess, 2.0 * module)
        if found is None:
            continue
        source.append(centre)
        target.append(found)
        transform = _fit(np.float32(source), np.float32(target), finders, module, transform)
    transform = _polish(image, template, finders, version, transform)
    square = np.float32([[[0, 0], [size, 0], [size, size], [0, size]]])
    return Grid(version, cv2.perspectiveTransform(square, transform)[0])


def _polish(
    image: Gray, template: np.ndarray, finders: np.ndarray, version: int, transform: np.ndarray
) -> np.ndarray:
    """Search every alignment pattern again, close to where the whole fit puts it, and fit
    all of them at once (the outward search fitted each on those before it only)."""
    size = 4 * version + 17
    centres = _alignment_centres(version)
    module = math.dist(finders[0], finders[1]) / (size - 7)
    for _ in range(POLISH_ROUNDS):
        predicted = cv2.perspectiveTransform(np.float32([centres]), transform)[0] if centres else []
        pairs = [
            (centre, found)
            for centre, guess in zip(centres, predicted, strict=True)
            if (found := _search(image, template, guess, 0.7 * module)[0]) is not None
        ]
        if len(pairs) < 3:
            break
        source = np.vstack([_finder_modules(size), np.float32([c for c, _ in pairs])])
        target = np.vstack([finders, np.float32([f for _, f in pairs])])
        transform = _fit(source, target, finders, module, transform)
    return transform


def _fit(
    source: np.ndarray, target: np.ndarray, finders: np.ndarray, module: float, last: np.ndarray
) -> np.ndarray:
    """An affine fit until enough points pin a perspective one; a fit that moves a finder
    by more than a module is refused (a false alignment match)."""
    if len(source) >= 6:
        fitted, _ = cv2.findHomography(source, target, cv2.RANSAC, module)
    else:
        affine, _ = cv2.estimateAffine2D(source, target, method=cv2.LMEDS)
        fitted = None if affine is None else np.vstack([affine, [0, 0, 1]])
    if fitted is None:
        return last
    moved = cv2.perspectiveTransform(source[None, :3], fitted)[0] - finders
    return fitted if float(np.abs(moved).max()) < module else last


def _alignment_centres(version: int) -> list[tuple[float, float]]:
    """Alignment pattern centres in module coordinates, nearest the top-left first."""
    if version < 2:
        return []
    places = consts.ALIGNMENT_POS[version - 2]
    first, last = places[0], places[-1]
    corners = {(first, first), (first, last), (last, first)}
    centres = [(x + 0.5, y + 0.5) for x in places for y in places if (x, y) not in corners]
    return sorted(centres, key=max)


def _search(
    image: Gray, template: np.ndarray, guess: np.ndarray, reach: float
) -> tuple[np.ndarray | None, float]:
    half = template.shape[0] // 2
    x0, y0 = int(guess[0] - reach - half), int(guess[1] - reach - half)
    x1, y1 = int(guess[0] + reach + half + 2), int(guess[1] + reach + half + 2)
    if x0 < 0 or y0 < 0 or x1 > image.shape[1] or y1 > image.shape[0]:
        return None, 0.0
    window = image[y0:y1, x0:x1].astype(np.float32)
    response = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
    _, best, _, (bx, by) = cv2.minMaxLoc(response)
    if best < MIN_PEAK:
        return None, float(best)
    dx, dy = _subpixel(response, by, bx)
    return np.float32([x0 + bx + dx + half, y0 + by + dy + half]), float(best)


def read(crop: Gray) -> list[tuple[str, Corners]]:
    """The symbol in a crop around one code (cnn_locate's rescaled box), read module by
    module: dark on light, then light on dark."""
    for picture in (crop, 255 - crop):
        for triple in corner_triples(finder_peaks(picture))[:TRIPLES_TRIED]:
            for grid in grids(picture, triple):
                text = soft_qr.decode_symbol(picture, grid.corners, grid.version)
                if text is not None:
                    return [(text, tuple((float(x), float(y)) for x, y in grid.corners))]
    return []
