"""Reading a QR symbol module by module (camera/soft_qr.py, camera/symbol_grid.py): what it
reads that zxing-cpp cannot (glare over more codewords than plain correction recovers, blur
over more than a module), and that it gives no text rather than a wrong one."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import reedsolo
import segno
import zxingcpp

from scanner_app.camera import soft_qr, symbol_grid

QUIET = 4


def render(
    text: str, error: str, scale: int, version: int | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """A clean symbol (dark on light), its outer corners and its version."""
    code = segno.make_qr(text, error=error, version=version, boost_error=False)
    matrix = np.array(code.matrix, dtype=np.uint8)
    n = matrix.shape[0]
    # paper as a webcam exposes it: white well below the sensor's clipping, where glare is
    picture = np.pad(np.where(matrix == 1, 35, 185).astype(np.uint8), QUIET, constant_values=185)
    picture = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    a, b = QUIET * scale, (QUIET + n) * scale
    corners = np.float32([[a, a], [b, a], [b, b], [a, b]])
    return picture, corners, code.version


def zxing_reads(picture: np.ndarray) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)]


TEXT = (
    "HC1:" + "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0B3KL6QM5/OVGA/MAT%ZSGO-0M+4B5IJ9*5B4A*3"
)


@pytest.mark.parametrize("error", ["l", "m", "q", "h"])
def test_a_clean_symbol_reads_at_every_level(error: str) -> None:
    picture, corners, version = render(TEXT, error, 5)
    assert soft_qr.decode_symbol(picture, corners, version) == TEXT


def glare(picture: np.ndarray, corners: np.ndarray, centre: tuple[float, float], radius: float) -> np.ndarray:
    """A highlight that washes the print out: near white, a fifth of the contrast left."""
    x0, y0 = corners[0]
    side = corners[1, 0] - corners[0, 0]
    mask = np.zeros(picture.shape, np.uint8)
    cv2.circle(mask, (int(x0 + centre[0] * side), int(y0 + centre[1] * side)), int(radius * side), 255, -1)
    washed = (0.2 * picture + 0.8 * 250).astype(np.uint8)
    return np.where(mask > 0, washed, picture)


def test_glare_over_more_than_plain_correction_reads_with_erasures() -> None:
    picture, corners, version = render(TEXT, "m", 5)
    glared = glare(picture, corners, (0.58, 0.6), 0.2)
    assert zxing_reads(glared) == []
    assert soft_qr.decode_symbol(glared, corners, version) == TEXT


def test_blur_over_more_than_a_module_reads_after_equalisation() -> None:
    picture, corners, version = render(TEXT, "q", 4)
    blurred = cv2.GaussianBlur(picture, (0, 0), 0.75 * 4)  # sigma 0.75 module
    noisy = np.clip(blurred + np.random.default_rng(5).normal(0, 3, blurred.shape), 0, 255).astype(np.uint8)
    assert zxing_reads(noisy) == []
    assert soft_qr.decode_symbol(noisy, corners, version) == TEXT


def test_too_much_glare_gives_no_text_rather_than_a_wrong_one() -> None:
    picture, corners, version = render(TEXT, "m", 5)
    glared = glare(picture, corners, (0.5, 0.5), 0.4)
    assert soft_qr.decode_symbol(glared, corners, version) is None


def test_noise_and_a_wrong_version_give_nothing() -> None:
    noise = np.random.default_rng(7).integers(0, 256, (400, 400), dtype=np.uint8)
    corners = np.float32([[20, 20], [380, 20], [380, 380], [20, 380]])
    for version in (5, 10, 15):
        assert soft_qr.decode_symbol(noise, corners, version) is None
    picture, corners, version = render(TEXT, "m", 5)
    assert soft_qr.decode_symbol(picture, corners, version + 1) is None


def test_a_block_is_refused_without_spare_correction() -> None:
    """reedsolo corrects up to nsym/2 errors; the margin keeps MARGIN symbols unused so that
    a word past the code's reach is refused, not 'corrected' into another one."""
    nsym, data = 10, bytes(range(1, 21))
    word = bytearray(reedsolo.RSCodec(nsym).encode(data))
    sure = np.ones(len(word), dtype=np.float32)
    limit = (nsym - soft_qr.MARGIN) // 2
    for count, expected in ((limit, data), (limit + 1, None)):
        damaged = bytearray(word)
        for i in range(count):
            damaged[3 * i] ^= 0x5A
        assert soft_qr.correct_block(bytes(damaged), sure, len(data)) == expected


def test_erasures_double_what_a_block_can_take() -> None:
    nsym, data = 10, bytes(range(1, 21))
    word = bytearray(reedsolo.RSCodec(nsym).encode(data))
    sure = np.ones(len(word), dtype=np.float32)
    for i in range(nsym - soft_qr.MARGIN):  # twice what errors alone allow
        word[2 * i] ^= 0xFF
        sure[2 * i] = 0.0  # and the reader knows they are unsure
    assert soft_qr.correct_block(bytes(word), sure, len(data)) == data


def crop_of(picture: np.ndarray, angle: float, tilt: float, blur: float) -> np.ndarray:
    """The symbol turned, seen at an angle, blurred, on a 450-px crop like cnn_locate's."""
    h, w = picture.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    centre = np.float32([225, 225])
    half = 180.0
    theta = np.radians(angle)
    rot = np.float32([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    square = np.float32([[-half, -half], [half, -half], [half, half], [-half, half]])
    square[:, 0] *= np.float32([1 - tilt, 1 + tilt, 1 + tilt, 1 - tilt])
    dst = square @ rot.T + centre
    warped = cv2.warpPerspective(picture, cv2.getPerspectiveTransform(src, dst), (450, 450), borderValue=185)
    return cv2.GaussianBlur(warped, (0, 0), blur) if blur else warped


@pytest.mark.parametrize(
    ("angle", "tilt", "blur"), [(0, 0.0, 0), (20, 0.1, 0), (-35, 0.05, 3.0), (90, 0.0, 3.5)]
)
def test_the_grid_is_found_turned_tilted_and_blurred(angle: float, tilt: float, blur: float) -> None:
    picture, _, _ = render(TEXT, "m", 5)
    crop = crop_of(picture, angle, tilt, blur)
    found = symbol_grid.read(crop)
    assert [text for text, _ in found] == [TEXT]


def test_the_grid_reads_light_on_dark() -> None:
    picture, _, _ = render(TEXT, "m", 5)
    crop = 255 - crop_of(picture, 10, 0.0, 2.0)
    assert [text for text, _ in symbol_grid.read(crop)] == [TEXT]


def test_no_code_no_grid() -> None:
    rng = np.random.default_rng(11)
    noise = cv2.GaussianBlur(rng.integers(0, 256, (450, 450), dtype=np.uint8), (0, 0), 2.0)
    stripes = np.tile(np.where(np.arange(450) % 24 < 12, 40, 210).astype(np.uint8), (450, 1))
    for picture in (noise, stripes, np.full((450, 450), 128, np.uint8)):
        assert symbol_grid.read(picture) == []


def test_wild_corners_give_nothing_at_once() -> None:
    """A false alignment match can throw a homography anywhere: corners that no symbol in
    the picture can have are refused before any sampling (smoothing for a module of 50,000
    pixels took minutes)."""
    noise = np.random.default_rng(3).integers(0, 256, (300, 300), dtype=np.uint8)
    wild = (
        [[0, 0], [0, 0], [0, 0], [0, 0]],
        [[0, 0], [100, 0], [200, 0], [300, 0]],
        [[10, 10], [290, 10], [290, 290], [float("nan"), 290]],
        [[-1e6, -1e6], [1e6, -1e6], [1e6, 1e6], [-1e6, 1e6]],
        [[10, 10], [290, 290], [290, 10], [10, 290]],  # crossed
    )
    for corners in wild:
        for version in (1, 7, 40):
            assert soft_qr.decode_symbol(noise, np.float32(corners), version) is None
            assert soft_qr.pattern_score(noise, np.float32(corners), version) == -1.0
