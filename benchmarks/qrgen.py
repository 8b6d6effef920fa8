"""A synthetic checkpoint-camera generator: long HC1-style QR codes on paper or a phone,
seen by a webcam, with parameters drawn from wider distributions than
../shared/testdata/qrframes (which it never reads).

Every frame is a pure function of (split seed, category, index): the benchmark renders its
sets at run time, nothing large is committed. The physical model, in order:

  scene  card (paper with text, or a phone: bezel, status bar, light or dark screen) in 3-D
         (distance, tilt about both axes, roll) projected by a pinhole camera of a random
         field of view; a defocused background of shapes and stripes
  screen phone pixels as a grid of lit cells sampled at each camera pixel (moiré appears
         wherever the grid pitch beats the sensor's), glass reflections of a window or a lamp
  light  exposure (under/over), specular glare of several shapes (spots, streaks, tube-light
         bands, several at once) placed anywhere on the code, vignetting, a finger in front
  optics defocus (disk), motion blur (straight or a hand-shake trajectory), lens PSF
  sensor shot and read noise times analog gain, gamma, the ISP's denoise and sharpening,
         JPEG at the camera's quality or a heavy re-compression

`frame(split, category, index)` returns (grey image, metadata); `approach_clip(...)` renders a
phone moving into view for the time-to-first-read benchmark (benchmarks/approach.py).
Ranges are written once in `CATEGORIES` / `base_params`, before any decoding result was seen.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field, replace
from functools import lru_cache

import cv2
import numpy as np
import segno

SPLITS = {"tuning": 1000, "test": 2000}  # seeds: the test split is never used to tune
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
S = 8  # card texture: pixels per module
CATEGORIES = (
    "nominal",
    "small",
    "perspective",
    "rotation",
    "motion_blur",
    "shake",
    "defocus_blur",
    "low_light",
    "overexposed",
    "glare",
    "reflection",
    "low_contrast",
    "screen_moire",
    "jpeg",
    "inverted",
    "partial_occlusion",
    "empty",
)


@dataclass
class Scene:
    payload: str | None
    ecc: str = "Q"
    size: tuple[int, int] = (1280, 720)
    obj: str = "phone"  # phone | paper
    dark: bool = False  # phone in dark mode: light modules on a dark screen
    quiet: int = 4
    module_px: float = 4.0  # wanted module size at the code's centre, camera pixels
    roll: float = 0.0
    tilt_x: float = 0.0
    tilt_y: float = 0.0
    centre: tuple[float, float] = (0.5, 0.5)  # where the code's centre lands, frame fractions
    hfov: float = 65.0
    psf: float = 0.6
    defocus: float = 0.0  # disk radius, in modules (camera px = this x module_px after fitting)
    motion: float = 0.0  # blur length, in modules
    motion_angle: float = 0.0
    shake: bool = False  # a curved hand-shake path instead of a straight line
    exposure: float = 1.0
    contrast: float = 1.0  # 1: full black-to-white modules
    vignette: float = 0.2
    glares: list[tuple[str, float, float, float, float, float, float]] = field(default_factory=list)
    reflection: float = 0.0
    moire_pitch: float = 0.0  # screen pixels per module (0: no grid drawn)
    moire_angle: float = 0.0
    moire_depth: float = 0.0
    finger: tuple[float, float, float, float] | None = None  # side, offset, depth, width (modules)
    shot: float = 0.004
    read: float = 0.004
    gain: float = 1.0
    denoise: float = 0.0
    sharpen: float = 0.3
    jpeg: int = 85
    bg_seed: int = 0
    text_seed: int = 0


@lru_cache(maxsize=4)
def _grid(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return xx, yy


def _rng(split: str, category: str, index: int) -> np.random.Generator:
    key = zlib.crc32(f"{category}/{index}".encode())
    return np.random.default_rng([SPLITS[split], key])


def _u(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def base_params(rng: np.random.Generator, with_code: bool = True) -> Scene:
    """Mild everyday conditions every category starts from."""
    length = int(rng.integers(250, 760))
    payload = "HC1:" + "".join(rng.choice(list(BASE45), length)) if with_code else None
    size = (1280, 720) if rng.random() < 0.6 else (640, 480)
    obj = "phone" if rng.random() < 0.7 else "paper"
    return Scene(
        payload=payload,
        ecc=str(rng.choice(["L", "M", "Q"], p=[0.15, 0.45, 0.4])),
        size=size,
        obj=obj,
        quiet=int(rng.integers(2, 5)),
        module_px=_u(rng, 2.4, 6.5),
        roll=_u(rng, -15, 15),
        tilt_x=_u(rng, -12, 12),
        tilt_y=_u(rng, -12, 12),
        centre=(_u(rng, 0.3, 0.7), _u(rng, 0.35, 0.65)),
        hfov=_u(rng, 50, 80),
        psf=_u(rng, 0.4, 1.0),
        exposure=_u(rng, 0.75, 1.25),
        contrast=_u(rng, 0.8, 1.0),
        vignette=_u(rng, 0.0, 0.4),
        shot=_u(rng, 0.0003, 0.003),
        read=_u(rng, 0.002, 0.006),
        sharpen=_u(rng, 0.0, 0.8),
        denoise=_u(rng, 0.0, 0.6),
        jpeg=int(rng.integers(60, 96)),
        bg_seed=int(rng.integers(1 << 30)),
        text_seed=int(rng.integers(1 << 30)),
    )


def _glare(rng: np.random.Generator, strong: bool) -> tuple[str, float, float, float, float, float, float]:
    """(shape, x, y in code fractions, size a, size b in code fractions, angle, peak)."""
    shape = str(rng.choice(["spot", "ellipse", "band", "ring"]))
    a = _u(rng, 0.06, 0.3)
    b = a * (_u(rng, 0.15, 0.5) if shape in ("ellipse", "band") else 1.0)
    peak = _u(rng, 1.0, 4.0) if strong else _u(rng, 0.3, 1.0)
    return (shape, _u(rng, -0.1, 1.1), _u(rng, -0.1, 1.1), a, b, _u(rng, 0, 180), peak)


def category_params(rng: np.random.Generator, category: str) -> Scene:
    p = base_params(rng, with_code=category != "empty")
    if category == "small":
        p.module_px = _u(rng, 1.3, 2.6)
    elif category == "perspective":
        big = _u(rng, 20, 50) * rng.choice([-1, 1])
        p.tilt_x, p.tilt_y = (big, p.tilt_y) if rng.random() < 0.5 else (p.tilt_x, big)
    elif category == "rotation":
        p.roll = _u(rng, 0, 360)
    elif category == "motion_blur":
        p.motion, p.motion_angle = _u(rng, 0.5, 3.0), _u(rng, 0, 180)
    elif category == "shake":
        p.motion, p.motion_angle, p.shake = _u(rng, 0.8, 3.0), _u(rng, 0, 180), True
    elif category == "defocus_blur":
        p.defocus = _u(rng, 0.4, 1.3)
    elif category == "low_light":
        p.exposure, p.gain = _u(rng, 0.03, 0.2), _u(rng, 2.0, 8.0)
        p.denoise = _u(rng, 0.3, 1.0)
    elif category == "overexposed":
        p.exposure = _u(rng, 1.6, 4.0)
    elif category == "glare":
        p.glares = [_glare(rng, True) for _ in range(int(rng.integers(1, 4)))]
    elif category == "reflection":
        p.obj = "phone"
        p.reflection = _u(rng, 0.15, 0.6)
        p.glares = [_glare(rng, False) for _ in range(int(rng.integers(0, 3)))]
    elif category == "low_contrast":
        p.contrast = _u(rng, 0.1, 0.35)
    elif category == "screen_moire":
        p.obj = "phone"
        p.moire_pitch, p.moire_angle = _u(rng, 2.0, 12.0), _u(rng, -4, 4)
        p.moire_depth = _u(rng, 0.2, 0.6)
    elif category == "jpeg":
        p.jpeg = int(rng.integers(5, 30))
    elif category == "inverted":
        p.obj, p.dark = "phone", True
    elif category == "partial_occlusion":
        p.finger = (float(rng.integers(4)), _u(rng, 0.15, 0.85), _u(rng, 0.05, 0.25), _u(rng, 0.12, 0.22))
    elif category == "empty":
        p.obj = str(rng.choice(["phone", "paper", "none"]))
    if category != "inverted" and p.obj == "phone":
        p.dark = bool(rng.random() < 0.1)
    return p


@lru_cache(maxsize=64)
def _matrix(payload: str, ecc: str) -> np.ndarray:
    code = segno.make_qr(payload, error=ecc.lower(), boost_error=False)
    return np.array(code.matrix, dtype=np.uint8)


def _card(p: Scene, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, ...]]:
    """The card's reflectance (float32, 0..1), its opacity, a screen mask, and the code's box
    (x0, y0, x1, y1) in card pixels."""
    n = _matrix(p.payload, p.ecc).shape[0] if p.payload else 61
    side = (n + 2 * p.quiet) * S
    if p.obj == "paper":
        w, h = side + 6 * S, int(side * 1.5)
        top = int(side * 0.35)
    else:
        w, h = side + 4 * S, int(side * 2.05)
        top = int(side * 0.55)
    paper, ink = (0.12, 0.9) if p.dark else (0.88, 0.06)
    mid = (paper + ink) / 2
    paper, ink = mid + (paper - mid) * p.contrast, mid + (ink - mid) * p.contrast
    ink_layer = np.zeros((h, w), np.uint8)  # OpenCV draws text on 8-bit images only
    x0, y0 = (w - side) // 2, top
    text_rng = np.random.default_rng(p.text_seed)
    for row in range(6):  # lines of name / dates / issuer text above and below the code
        y = (top // 2 + row * S * 4) if row < 2 else (top + side + S * 4 + (row - 2) * S * 5)
        if y > h - S * 2:
            break
        words = "".join(text_rng.choice(list("ABCDEFGHIKLMNOPQRSTUVXY0123456789 /:"), 22))
        cv2.putText(ink_layer, words, (x0 + S, y), cv2.FONT_HERSHEY_SIMPLEX, S / 9, 255, max(1, S // 4))
    if p.obj == "phone":
        bar = int(side * 0.12)
        ink_layer[:bar] = 128  # the app's title bar
        cv2.putText(ink_layer, "COVID", (S * 2, bar - S * 2), cv2.FONT_HERSHEY_SIMPLEX, S / 6, 0, S // 3)
    card = paper + (ink - paper) * ink_layer.astype(np.float32) / 255
    if p.payload:
        module = _matrix(p.payload, p.ecc).astype(np.float32)
        code = np.kron(module, np.ones((S, S), np.float32))
        card[y0 + p.quiet * S : y0 + (p.quiet + n) * S, x0 + p.quiet * S : x0 + (p.quiet + n) * S] = (
            paper + (ink - paper) * code
        )
    screen = np.ones((h, w), np.float32)
    alpha = np.ones((h, w), np.float32)
    box = (x0 + p.quiet * S, y0 + p.quiet * S, x0 + (p.quiet + n) * S, y0 + (p.quiet + n) * S)
    if p.obj == "phone":  # the bezel: a dark rounded body around the screen
        pad = int(S * _u(rng, 2.5, 6))
        body = np.full((h + 2 * pad, w + 2 * pad), 0.03, np.float32)
        body[pad:-pad, pad:-pad] = card
        mask = np.zeros_like(body)
        mask[pad:-pad, pad:-pad] = 1.0
        corner = np.zeros(body.shape, np.uint8)
        cv2.rectangle(corner, (pad * 2, 0), (body.shape[1] - pad * 2, body.shape[0]), 1, -1)
        cv2.rectangle(corner, (0, pad * 2), (body.shape[1], body.shape[0] - pad * 2), 1, -1)
        for cx in (pad * 2, body.shape[1] - pad * 2):
            for cy in (pad * 2, body.shape[0] - pad * 2):
                cv2.circle(corner, (cx, cy), pad * 2, 1, -1)
        card, screen, alpha = body, mask, corner.astype(np.float32)  # rounded corners: background
        box = (box[0] + pad, box[1] + pad, box[2] + pad, box[3] + pad)
    return card, alpha, screen, box


def _background(p: Scene) -> np.ndarray:
    return _background_of(p.bg_seed, p.size).copy()


@lru_cache(maxsize=2)
def _background_of(seed: int, size: tuple[int, int]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w, h = size
    xx, yy = _grid(w, h)
    angle = _u(rng, 0, 2 * math.pi)
    bg = _u(rng, 0.2, 0.6) + _u(rng, -0.25, 0.25) * ((xx * math.cos(angle) + yy * math.sin(angle)) / w)
    bg = bg.astype(np.float32)
    for _ in range(int(rng.integers(3, 12))):
        colour = _u(rng, 0.05, 0.95)
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (int(rng.integers(20, w // 3)), int(rng.integers(20, h // 3)))
        if rng.random() < 0.5:
            cv2.ellipse(bg, centre, axes, _u(rng, 0, 180), 0, 360, colour, -1)
        else:
            cv2.rectangle(bg, centre, (centre[0] + axes[0], centre[1] + axes[1]), colour, -1)
    if rng.random() < 0.4:  # blinds, shelves, tiles
        period = _u(rng, 8, 40)
        bg *= (
            0.85 + 0.15 * np.sign(np.sin(2 * math.pi * (yy if rng.random() < 0.5 else xx) / period))
        ).astype(np.float32)
    return cv2.GaussianBlur(bg, (0, 0), _u(rng, 1.5, 6.0))


def _homography(p: Scene, card_shape: tuple[int, int], box: tuple[float, float, float, float]) -> np.ndarray:
    """Card pixels -> camera pixels: the card in 3-D, tilted and rolled, at the distance that
    gives `module_px` at the code's centre, moved so the code's centre lands on `centre`."""
    w, h = p.size
    f = (w / 2) / math.tan(math.radians(p.hfov) / 2)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    ax, ay, az = (math.radians(v) for v in (p.tilt_x, p.tilt_y, p.roll))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    rot = rz @ ry @ rx
    depth = f * S / p.module_px  # one card pixel is 1 unit; S units per module
    u, v = (p.centre[0] - 0.5) * w, (p.centre[1] - 0.5) * h
    t = np.array([u * depth / f, v * depth / f, depth])
    k = np.array([[f, 0, w / 2], [0, f, h / 2], [0, 0, 1]])
    shift = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    return k @ np.column_stack((rot[:, 0], rot[:, 1], t)) @ shift


def _project(hom: np.ndarray, points: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), hom).reshape(-1, 2)


def _fit(p: Scene, hom_of: object, box: tuple[float, float, float, float]) -> tuple[Scene, np.ndarray]:
    """Shrink or move the code until all of it is inside the frame with a small margin."""
    corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]])
    w, h = p.size
    for _ in range(30):
        hom = hom_of(p)  # type: ignore[operator]
        quad = _project(hom, corners)
        margin = 4 * p.module_px
        over_x = max(0.0, margin - quad[:, 0].min(), quad[:, 0].max() - (w - margin))
        over_y = max(0.0, margin - quad[:, 1].min(), quad[:, 1].max() - (h - margin))
        if over_x == 0 and over_y == 0:
            return p, hom
        span_x, span_y = np.ptp(quad[:, 0]), np.ptp(quad[:, 1])
        if span_x > w - 2 * margin or span_y > h - 2 * margin:
            p = replace(p, module_px=p.module_px * 0.9)
        else:
            cx = p.centre[0] + (0.5 - p.centre[0]) * 0.3
            cy = p.centre[1] + (0.5 - p.centre[1]) * 0.3
            p = replace(p, centre=(cx, cy))
    return p, hom_of(p)  # type: ignore[operator]


def _kernel(p: Scene, rng: np.random.Generator) -> np.ndarray | None:
    kernels = []
    radius, length = p.defocus * p.module_px, p.motion * p.module_px
    if radius > 0.3:
        r = radius
        size = int(2 * math.ceil(r) + 1)
        disk = np.zeros((size, size), np.float32)
        yy, xx = np.mgrid[0:size, 0:size] - size // 2
        disk = np.clip(r + 0.5 - np.hypot(xx, yy), 0, 1).astype(np.float32)
        kernels.append(disk / disk.sum())
    if length > 0.5:
        size = int(math.ceil(length) * 2 + 3)
        k = np.zeros((size * 4, size * 4), np.float32)
        steps = 64
        t = np.linspace(-0.5, 0.5, steps)
        a = math.radians(p.motion_angle)
        xs, ys = t * length * math.cos(a), t * length * math.sin(a)
        if p.shake:  # a hand's path: a random smooth curve of the same length
            walk = np.cumsum(rng.normal(0, 1, (steps, 2)), axis=0)
            walk = cv2.GaussianBlur(walk.astype(np.float32), (1, 0), 6).astype(np.float64)
            walk -= walk.mean(axis=0)
            walk *= length * 0.5 / (np.abs(walk).max() + 1e-6)
            xs, ys = xs * 0.4 + walk[:, 0], ys * 0.4 + walk[:, 1]
        for x, y in zip(xs, ys, strict=True):
            cv2.circle(k, (round((x + size / 2) * 4), round((y + size / 2) * 4)), 1, 1.0, -1)
        k = cv2.resize(k, (size, size), interpolation=cv2.INTER_AREA)
        kernels.append(k / k.sum())
    if not kernels:
        return None
    out = kernels[0]
    for extra in kernels[1:]:
        out = cv2.filter2D(np.pad(out, extra.shape[0]), -1, extra)
    return out / out.sum()


def _glare_light(p: Scene, quad: np.ndarray) -> np.ndarray:
    """Specular light added to the scene; each shape computed only where it is above ~1e-7."""
    w, h = p.size
    light = np.zeros((h, w), np.float32)
    origin = quad[0]
    ex, ey = quad[1] - quad[0], quad[3] - quad[0]
    span = float(np.hypot(*ex))
    xx, yy = _grid(w, h)
    for shape, gx, gy, a, b, angle, peak in p.glares:
        cx, cy = origin + gx * ex + gy * ey
        reach = span * (6 * 3 * a if shape == "band" else 2 * a + 3 * max(a, b))
        x0, x1 = max(0, int(cx - reach)), min(w, int(cx + reach) + 1)
        y0, y1 = max(0, int(cy - reach)), min(h, int(cy + reach) + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        dx, dy = xx[y0:y1, x0:x1] - cx, yy[y0:y1, x0:x1] - cy
        u, v = (dx * c + dy * s) / (a * span), (-dx * s + dy * c) / (b * span)
        if shape == "band":  # a tube light: long along u
            r2 = (u / 6) ** 2 + v**2
        elif shape == "ring":  # a ring light's reflection
            r2 = (np.sqrt(u * u + v * v) - 1.0) ** 2 * 9
        else:
            r2 = u * u + v * v
        light[y0:y1, x0:x1] += peak * np.exp(-r2 * 2).astype(np.float32)
    return light


def _finger(p: Scene, image: np.ndarray, quad: np.ndarray) -> None:
    side, offset, depth, width = p.finger  # type: ignore[misc]
    edges = [
        (quad[0], quad[1], quad[3]),
        (quad[1], quad[2], quad[0]),
        (quad[2], quad[3], quad[1]),
        (quad[3], quad[0], quad[2]),
    ]
    a, b, inward_to = edges[int(side)]
    start = a + (b - a) * offset
    inward = (inward_to - a) / np.linalg.norm(inward_to - a)
    span = float(np.linalg.norm(b - a))
    tip = start + inward * depth * span
    tail = start - inward * span * 0.8
    thickness = max(3, int(width * span))
    mask = np.zeros(image.shape, np.float32)
    cv2.line(mask, tuple(int(v) for v in tail), tuple(int(v) for v in tip), 1.0, thickness)
    cv2.circle(mask, tuple(int(v) for v in tip), thickness // 2, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)
    image[:] = image * (1 - mask) + 0.45 * mask


def _screen(
    p: Scene, rng: np.random.Generator, sampled: np.ndarray, on_screen: np.ndarray, maps: tuple
) -> np.ndarray:
    map_x, map_y = maps
    if p.moire_pitch > 0:  # lit cells of the screen, point-sampled by the sensor
        pitch = S / p.moire_pitch
        c, s = math.cos(math.radians(p.moire_angle)), math.sin(math.radians(p.moire_angle))
        gx, gy = (map_x * c + map_y * s) / pitch, (-map_x * s + map_y * c) / pitch
        grid = (0.5 + 0.5 * np.cos(2 * np.pi * gx)) * (0.5 + 0.5 * np.cos(2 * np.pi * gy))
        sampled = np.where(on_screen > 0.5, sampled * (1 - p.moire_depth + p.moire_depth * 2 * grid), sampled)
    if p.reflection > 0:  # the glass mirrors a bright window: a soft slanted band
        xx, yy = _grid(*p.size)
        slant = _u(rng, 0, math.pi)
        band = 0.5 + 0.5 * np.sin(
            (xx * math.cos(slant) + yy * math.sin(slant)) / (p.size[0] / _u(rng, 3, 10)) + _u(rng, 0, 6)
        )
        sampled = np.where(on_screen > 0.5, sampled + p.reflection * band.astype(np.float32) ** 2, sampled)
    return sampled


def compose(p: Scene, rng: np.random.Generator, fit: bool = True) -> tuple[np.ndarray, dict, Scene]:
    """The scene's radiance as the lens sees it (before blur and the sensor), the code's
    corners, and the scene as placed (fitting may shrink or move the code into the frame)."""
    w, h = p.size
    linear = _background(p)
    meta: dict = {}
    if p.obj == "none":
        return linear, meta, p
    card, alpha, screen, box = _card(p, rng)
    if fit:
        p, hom = _fit(p, lambda q: _homography(q, card.shape, box), box)
    else:
        hom = _homography(p, card.shape, box)
    corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]])
    quad = _project(hom, corners)
    xx, yy = _grid(w, h)
    pts = np.stack([xx, yy, np.ones_like(xx)], axis=-1) @ np.linalg.inv(hom).T.astype(np.float32)
    map_x, map_y = pts[..., 0] / pts[..., 2], pts[..., 1] / pts[..., 2]
    scale = S / p.module_px  # card pixels per camera pixel: the sensor's pixel aperture
    prefiltered = cv2.GaussianBlur(card, (0, 0), max(0.3, 0.45 * scale))
    sampled = cv2.remap(prefiltered, map_x, map_y, cv2.INTER_LINEAR)
    opacity = cv2.remap(alpha, map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)
    on_screen = cv2.remap(screen, map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)
    sampled = _screen(p, rng, sampled, on_screen, (map_x, map_y))
    linear = (opacity * sampled + (1 - opacity) * linear).astype(np.float32)
    if p.glares:
        linear += _glare_light(p, quad)
    if p.finger:
        _finger(p, linear, quad)
    meta["qr_corners"] = [[round(float(x), 1), round(float(y), 1)] for x, y in quad]
    meta["module_px"] = round(p.module_px, 3)
    return linear, meta, p


def camera(p: Scene, linear: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Lens blur, exposure, sensor noise, the ISP and the JPEG encoder."""
    w, h = p.size
    kernel = _kernel(p, rng)
    if kernel is not None:
        linear = cv2.filter2D(linear, -1, kernel, borderType=cv2.BORDER_REFLECT)
    linear = cv2.GaussianBlur(linear, (0, 0), p.psf)
    xx, yy = _grid(w, h)
    falloff = 1 - p.vignette * (((xx - w / 2) / w) ** 2 + ((yy - h / 2) / h) ** 2) * 2
    signal = np.clip(linear * p.exposure * falloff, 0, None)
    noise = rng.normal(0, 1, signal.shape).astype(np.float32) * np.sqrt(p.shot * signal + p.read**2)
    signal = np.clip((signal + noise) * p.gain, 0, 1)
    image = (255 * signal ** (1 / 2.2)).astype(np.float32)
    if p.denoise > 0:  # the ISP's noise reduction follows its own noise estimate (gain)
        level = 255 * p.gain * math.sqrt(p.shot * 0.25 + p.read**2) / (2.2 * 0.5 ** (1 - 1 / 2.2))
        image = cv2.bilateralFilter(image, 5, max(4.0, 3 * level * p.denoise), 2)
    if p.sharpen > 0:
        image = cv2.addWeighted(image, 1 + p.sharpen, cv2.GaussianBlur(image, (0, 0), 1.2), -p.sharpen, 0)
    grey = np.clip(image, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, p.jpeg])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def render(p: Scene, rng: np.random.Generator, fit: bool = True) -> tuple[np.ndarray, dict]:
    linear, meta, p = compose(p, rng, fit)
    grey = camera(p, linear, rng)
    meta.update(
        resolution=f"{p.size[0]}x{p.size[1]}",
        payload=p.payload,
        ecc=p.ecc,
        object=p.obj,
        dark=p.dark,
        jpeg=p.jpeg,
        defocus_modules=round(p.defocus, 2),
        motion_modules=round(p.motion, 2),
        glares=len(p.glares),
    )
    return grey, meta


def frame(split: str, category: str, index: int) -> tuple[np.ndarray, dict]:
    rng = _rng(split, category, index)
    scene = category_params(rng, category)
    image, meta = render(scene, rng)
    meta.update(category=category, split=split, index=index)
    return image, meta


def frames(split: str, per_category: int, categories: tuple[str, ...] = CATEGORIES):  # type: ignore[no-untyped-def]
    for category in categories:
        for index in range(per_category):
            yield frame(split, category, index)


CLIP_SEEDS = {"tuning": 3500, "test": 3000}  # approach clips: SceneDecoder tuned on the first only
# the conditions a clip is filmed in (motion comes from the movement itself)
CLIP_CONDITIONS = (
    "nominal",
    "small",
    "defocus_blur",
    "low_light",
    "glare",
    "low_contrast",
    "screen_moire",
    "inverted",
)


def approach_clip(index: int, frames: int = 45, fps: float = 30.0, split: str = "test"):  # type: ignore[no-untyped-def]
    """A phone (or paper) brought in front of the webcam: it enters from a side, coming
    closer, and settles with an exponential ease; motion blur follows the code's speed on the
    sensor times the exposure time (so it falls as the phone settles), a hand tremor stays,
    a glare spot drifts across it, and sensor noise is new in every frame. Yields
    (frame index, media time in seconds, grey 1280x720 image, metadata)."""
    seed = CLIP_SEEDS[split]
    rng = np.random.default_rng([seed, index])
    condition = str(rng.choice(CLIP_CONDITIONS))
    base = category_params(rng, condition)
    base.size = (1280, 720)
    glare = _glare(rng, True) if rng.random() < 0.5 else None
    glare_drift = (_u(rng, -0.02, 0.02), _u(rng, -0.02, 0.02))
    card_shape_probe = _card(base, np.random.default_rng(0))
    final, _ = _fit(
        base, lambda q: _homography(q, card_shape_probe[0].shape, card_shape_probe[3]), card_shape_probe[3]
    )
    side = _u(rng, 0, 2 * math.pi)
    start_centre = (final.centre[0] + 0.7 * math.cos(side), final.centre[1] + 0.7 * math.sin(side))
    start_scale = _u(rng, 0.55, 0.85)
    tau = _u(rng, 0.12, 0.35) * fps  # frames: settled (~5 % left) after about 3 tau
    exposure_fraction = _u(rng, 0.25, 0.9)  # of the frame interval: indoor webcams expose long
    tremor = _u(rng, 0.5, 2.5)  # camera px of hand tremor per frame once settled
    roll0, tilt0 = _u(rng, -20, 20), _u(rng, -15, 15)
    walk = np.cumsum(rng.normal(0, tremor, (frames + 1, 2)), axis=0) * 0.5

    def pose(t: float) -> tuple[tuple[float, float], float, float, float]:
        ease = math.exp(-t / tau)
        cx = final.centre[0] + (start_centre[0] - final.centre[0]) * ease + walk[int(t), 0] / 1280
        cy = final.centre[1] + (start_centre[1] - final.centre[1]) * ease + walk[int(t), 1] / 720
        module = final.module_px * (1 + (start_scale - 1) * ease)
        return (cx, cy), module, final.roll + roll0 * ease, final.tilt_y + tilt0 * ease

    for i in range(frames):
        centre, module, roll, tilt = pose(i)
        following, _, _, _ = pose(i + 1)
        speed = math.hypot((following[0] - centre[0]) * 1280, (following[1] - centre[1]) * 720)
        blur_px = speed * exposure_fraction
        scene = replace(
            final,
            centre=centre,
            module_px=module,
            roll=roll,
            tilt_y=tilt,
            motion=blur_px / module,
            motion_angle=math.degrees(
                math.atan2((following[1] - centre[1]) * 720, (following[0] - centre[0]) * 1280)
            ),
            glares=[]
            if glare is None
            else [(glare[0], glare[1] + glare_drift[0] * i, glare[2] + glare_drift[1] * i, *glare[3:])],
        )
        frame_rng = np.random.default_rng([seed, index, i])
        image, meta = render(scene, frame_rng, fit=False)
        meta.update(clip=index, frame=i, blur_px=round(blur_px, 2), condition=condition)
        yield i, i / fps, image, meta


def contact_sheet(split: str = "tuning", index: int = 0, width: int = 320) -> np.ndarray:
    """One frame of every category side by side, labelled: for looking at the generator."""
    tiles = []
    for category in CATEGORIES:
        image, _ = frame(split, category, index)
        tile = cv2.resize(
            image, (width, round(width * image.shape[0] / image.shape[1])), interpolation=cv2.INTER_AREA
        )
        tile = cv2.copyMakeBorder(
            tile, 0, round(width * 0.75) - tile.shape[0], 0, 0, cv2.BORDER_CONSTANT, value=0
        )
        cv2.putText(tile, category, (5, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 255, 3)
        cv2.putText(tile, category, (5, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)
        tiles.append(tile)
    while len(tiles) % 6:
        tiles.append(np.zeros_like(tiles[0]))
    return np.vstack([np.hstack(tiles[i : i + 6]) for i in range(0, len(tiles), 6)])


if __name__ == "__main__":
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else "qrgen-sheet.png"
    cv2.imwrite(out, contact_sheet(index=int(sys.argv[2]) if len(sys.argv) > 2 else 0))
    print(out)
