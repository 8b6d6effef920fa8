"""A finder pattern painted back where glare (or a finger) erased it.

zxing-cpp needs all three finder patterns; a highlight over one of them loses the code even
when the data modules it covers are within the error correction. When exactly two finders
are found in a crop (squares nested three deep, found on a few binarisations), the third is
where the QR geometry puts it: beside either one, at their distance, on either side (the two
are neighbours), or across their diagonal (the two are opposite corners). Each of those six
places gets a finder (7 x 7 modules and its light separator, the two finders' size and the
crop's dark and light levels) and zxing-cpp tries the result: a wrong place gives no read,
and the code's own error correction guards the text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import cv2
import numpy as np

from scanner_app.camera.enhance import Gray
from scanner_app.camera.zxread import Corners

Finder = tuple[float, float, float]  # centre x, centre y, side in pixels


def finders(image: Gray) -> list[Finder]:
    """Dark squares holding a light square holding a dark square, on the first of a few
    binarisations that shows at least two of them."""
    found: list[Finder] = []
    for block, offset in ((31, 6), (61, 6), (15, 4)):
        binary = cv2.adaptiveThreshold(
            image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, offset
        )
        contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
        if hierarchy is None:
            continue
        links = hierarchy[0]
        for index, contour in enumerate(contours):
            child = links[index][2]
            grandchild = links[child][2] if child >= 0 else -1
            if grandchild < 0:
                continue
            outer, inner = cv2.contourArea(contour), cv2.contourArea(contours[grandchild])
            (x, y), (width, height), _ = cv2.minAreaRect(contour)
            if outer < 60 or inner <= 0 or not 3 < outer / inner < 12:  # 7x7 over 3x3 is 5.4
                continue
            if min(width, height) <= 0 or max(width, height) / min(width, height) > 1.6:
                continue
            if abs(outer - width * height) > 0.35 * width * height:  # a square, not a blob
                continue
            side = math.sqrt(outer)
            if all(math.hypot(x - fx, y - fy) >= 0.5 * fs for fx, fy, fs in found):
                found.append((x, y, side))
        if len(found) >= 2:
            break
    return found


def third_places(a: Finder, b: Finder) -> Iterator[tuple[float, float, float]]:
    """(x, y, angle in degrees of the finder's sides) for each place the third can be."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    angle = math.degrees(math.atan2(dy, dx))
    for sign in (1, -1):
        px, py = -dy * sign, dx * sign
        yield a[0] + px, a[1] + py, angle
        yield b[0] + px, b[1] + py, angle
        yield a[0] + (dx + px) / 2, a[1] + (dy + py) / 2, angle + 45


def paint_finder(image: Gray, x: float, y: float, side: float, angle: float, dark: int, light: int) -> Gray:
    pattern = np.full((9, 9), light, np.uint8)  # the separator ring is light too
    pattern[1:8, 1:8] = dark
    pattern[2:7, 2:7] = light
    pattern[3:6, 3:6] = dark
    module = side / 7.0
    radians = math.radians(angle)
    ux, uy = math.cos(radians) * module, math.sin(radians) * module
    vx, vy = -uy, ux
    source = np.float32([[0, 0], [9, 0], [0, 9]])
    target = np.float32(
        [
            [x - 4.5 * (ux + vx), y - 4.5 * (uy + vy)],
            [x + 4.5 * (ux - vx), y + 4.5 * (uy - vy)],
            [x - 4.5 * (ux - vx), y - 4.5 * (uy - vy)],
        ]
    )
    transform = cv2.getAffineTransform(source, target)
    height, width = image.shape
    warped = cv2.warpAffine(pattern, transform, (width, height), flags=cv2.INTER_NEAREST)
    mask = cv2.warpAffine(np.ones((9, 9), np.uint8), transform, (width, height), flags=cv2.INTER_NEAREST)
    out = image.copy()
    out[mask > 0] = warped[mask > 0]
    return out


def read_restored(
    image: Gray, read: Callable[[Gray], list[tuple[str, Corners]]]
) -> list[tuple[str, Corners]]:
    found = finders(image)
    if len(found) != 2:
        return []
    a, b = found
    side = (a[2] + b[2]) / 2
    dark, light = int(np.percentile(image, 5)), int(np.percentile(image, 75))
    height, width = image.shape
    for x, y, angle in third_places(a, b):
        if 0 <= x < width and 0 <= y < height:
            result = read(paint_finder(image, x, y, side, angle, dark, light))
            if result:
                return result
    return []
