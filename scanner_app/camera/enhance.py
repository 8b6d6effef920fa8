"""Cheap image repairs tried when a frame does not decode: sharpening, contrast, and
Wiener deconvolution for defocus and motion blur (the blur direction estimated from the
image's gradient structure tensor). Each takes and returns an 8-bit grey image."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
from numpy.typing import NDArray

Gray = NDArray[np.uint8]


def sharpen(image: Gray, amount: float = 1.0, sigma: float = 1.5) -> Gray:
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return cv2.addWeighted(image, 1 + amount, blurred, -amount, 0)


def local_contrast(image: Gray) -> Gray:
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(image)


def upscale(image: Gray, factor: float = 2.0) -> Gray:
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def open_dark(image: Gray) -> Gray:
    """A 2x2 opening: thins dark modules that blur, bloom or a bright screen spread into
    each other, and removes dark speckle noise smaller than a module."""
    return cv2.morphologyEx(image, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def smooth(image: Gray, sigma: float = 1.0) -> Gray:
    """Sensor noise and screen-pixel texture finer than a module blurred away."""
    return cv2.GaussianBlur(image, (0, 0), sigma)


def adaptive_binarise(image: Gray) -> Gray:
    return cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 51, 5)


def binarisations(image: Gray) -> Iterator[Gray]:
    """Mean-adaptive thresholds at several neighbourhood sizes and offsets: glare, uneven
    light and low contrast defeat one local threshold in different places."""
    for block in (15, 31, 61):
        for offset in (-6, 0, 6, 12):
            yield cv2.adaptiveThreshold(
                image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, offset
            )


def _spectrum(image: Gray) -> NDArray[np.float32]:
    return cv2.dft(image.astype(np.float32) / 255.0, flags=cv2.DFT_COMPLEX_OUTPUT)


def _wiener(spectrum: NDArray[np.float32], otf: NDArray[np.float32], nsr: float) -> Gray:
    kr, ki = otf[..., 0], otf[..., 1]
    fr, fi = spectrum[..., 0], spectrum[..., 1]
    denominator = kr * kr + ki * ki + nsr
    restored = np.dstack(((fr * kr + fi * ki) / denominator, (fi * kr - fr * ki) / denominator))
    out = cv2.idft(restored, flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)
    return np.clip(out * 255.0, 0, 255).astype(np.uint8)


def deblur_defocus(image: Gray, sigma: float, nsr: float = 0.02) -> Gray:
    height, width = image.shape
    fy = np.fft.fftfreq(height).astype(np.float32)[:, None]
    fx = np.fft.fftfreq(width).astype(np.float32)[None, :]
    gain = np.exp(-2 * np.pi**2 * sigma**2 * (fx * fx + fy * fy)).astype(np.float32)
    otf = np.dstack((gain, np.zeros_like(gain)))
    return _wiener(_spectrum(image), otf, nsr)


def blur_direction(image: Gray) -> float:
    """Direction of motion blur in degrees: the orientation with the least gradient energy
    among the strongest edges (a QR code alone has no preferred gradient direction)."""
    values = image.astype(np.float32)
    gx = cv2.Sobel(values, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(values, cv2.CV_32F, 0, 1, ksize=3)
    energy = gx * gx + gy * gy
    strong = energy > np.percentile(energy, 90)
    jxx, jyy, jxy = (gx * gx)[strong].sum(), (gy * gy)[strong].sum(), (gx * gy)[strong].sum()
    return float(np.rad2deg(0.5 * np.arctan2(2 * jxy, jxx - jyy)) + 90.0)


def _motion_otf(shape: tuple[int, int], length: float, angle: float) -> NDArray[np.float32]:
    height, width = shape
    steps = np.linspace(-length / 2, length / 2, max(int(length * 4), 2))
    radians = np.deg2rad(angle)
    rows = np.rint(steps * np.sin(radians)).astype(int) % height
    cols = np.rint(steps * np.cos(radians)).astype(int) % width
    kernel = np.zeros(shape, np.float32)
    np.add.at(kernel, (rows, cols), 1.0)
    kernel /= kernel.sum()
    return cv2.dft(kernel, flags=cv2.DFT_COMPLEX_OUTPUT)


def deblur_motion(image: Gray, lengths: tuple[float, ...], nsr: float = 0.02) -> list[Gray]:
    """One restored image per candidate blur length, along the estimated direction."""
    spectrum = _spectrum(image)
    angle = blur_direction(image)
    return [_wiener(spectrum, _motion_otf(image.shape, length, angle), nsr) for length in lengths]
