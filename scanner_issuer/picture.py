"""One PNG per card, for the holder's phone: a band in the colour at issue, the QR code (4
pixels per module, quiet zone included), and the name, birth date and facts under it.

Drawn as an 8-bit palette picture: greys 0-253 for the QR and the anti-aliased caption,
index 254 the band colour and 255 its lettering. One byte a pixel instead of three makes
the PNG three times cheaper to compress. The caption is set from cached glyph images
(`_Glyphs`): Pillow's text drawing costs ~1 ms a line because it lays out and rasterises
every glyph on every call, which was the largest cost of issuing 10,000 cards; names are
NFC text from a few hundred distinct letters, so each glyph is drawn once per font. (No
kerning: the difference is invisible at these sizes.)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from scanner_issuer.assets import FONT_BOLD, FONT_REGULAR, asset
from scanner_issuer.card_text import COLOUR_INK, COLOUR_RGB, CardText
from scanner_issuer.qr import QUIET_ZONE, Symbol

SCALE = 4
BAND = 48
PAD = 12
WHITE, BAND_FILL, BAND_INK = 253, 254, 255


@cache
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    path = str(asset(*(FONT_BOLD if bold else FONT_REGULAR)))
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


class _Glyphs:
    """Anti-aliased glyph masks of one font, rasterised once each, blended per character."""

    def __init__(self, font: ImageFont.FreeTypeFont) -> None:
        self.font = font
        self.cache: dict[str, tuple[np.ndarray | None, int, int, float]] = {}

    def glyph(self, char: str) -> tuple[np.ndarray | None, int, int, float]:
        found = self.cache.get(char)
        if found is None:
            left, top, right, bottom = (int(v) for v in self.font.getbbox(char))
            keep = None
            if right > left and bottom > top:
                mask = Image.new("L", (right - left, bottom - top), 0)
                ImageDraw.Draw(mask).text((-left, -top), char, font=self.font, fill=255)
                keep = 255 - np.asarray(mask, dtype=np.uint16)  # how much of the paper stays
            found = (keep, left, top, self.font.getlength(char))
            self.cache[char] = found
        return found

    def width(self, text: str) -> float:
        return sum(self.glyph(char)[3] for char in text)

    def draw(self, canvas: np.ndarray, x: float, y: int, text: str) -> None:
        """Black ink over the canvas: paper * (255 - coverage) / 255, as Pillow blends."""
        for char in text:
            keep, left, top, advance = self.glyph(char)
            if keep is not None:
                column, row = round(x) + left, y + top
                area = canvas[row : row + keep.shape[0], column : column + keep.shape[1]]
                area[...] = area * keep[: area.shape[0], : area.shape[1]] // 255
            x += advance


@cache
def _glyphs(bold: bool, size: int) -> _Glyphs:
    return _Glyphs(_font(bold, size))


def _rgb(colour: tuple[float, float, float]) -> list[int]:
    return [round(channel * 255) for channel in colour]


@cache
def _palette(colour: str) -> list[int]:
    greys = [round(level * 255 / WHITE) for level in range(WHITE + 1) for _ in range(3)]
    return greys + _rgb(COLOUR_RGB[colour]) + _rgb(COLOUR_INK[colour])


@cache
def _band(colour: str, width: int, vietnamese: str, english: str) -> np.ndarray:
    band = Image.new("L", (width, BAND), BAND_FILL)
    draw = ImageDraw.Draw(band)
    draw.fontmode = "1"  # two palette entries only: no anti-aliasing between them
    draw.text(
        (width / 2, BAND / 2), f"{vietnamese} · {english}", font=_font(True, 22), fill=BAND_INK, anchor="mm"
    )
    return np.asarray(band)


def write_picture(path: Path, text: CardText, symbol: Symbol) -> None:
    modules = np.pad(symbol.modules, QUIET_ZONE)
    qr = np.where(modules, np.uint8(0), np.uint8(WHITE)).repeat(SCALE, axis=0).repeat(SCALE, axis=1)
    width = qr.shape[1]
    lines = _caption(text)
    height = BAND + qr.shape[0] + PAD + sum(size + 7 for _, _, size in lines) + PAD
    canvas = np.full((height, width), WHITE, dtype=np.uint16)
    canvas[:BAND] = _band(text.colour, width, *text.colour_words)
    canvas[BAND : BAND + qr.shape[0]] = qr
    cursor = BAND + qr.shape[0] + PAD // 2
    for words, bold, size in lines:
        glyphs = _glyphs(bold, size)
        glyphs.draw(canvas, PAD, cursor, _fit(glyphs, words, width - 2 * PAD))
        cursor += size + 7
    picture = Image.frombytes("P", (width, height), canvas.astype(np.uint8).tobytes())
    picture.putpalette(_palette(text.colour))
    picture.save(path, format="PNG", optimize=False, compress_level=1)


def _caption(text: CardText) -> list[tuple[str, bool, int]]:
    lines = [(text.full_name.upper(), True, 22), (f"Ngày sinh / Born: {text.birth}", False, 16)]
    lines += [(part, False, 14) for part in _parts(text.facts, 44)]
    if text.valid_until:
        lines.append((f"Hiệu lực đến / Valid until: {text.valid_until}", True, 16))
    if text.demo:
        lines.append(("DEMO · KHÔNG CÓ GIÁ TRỊ / NOT VALID", True, 16))
    return lines


def _parts(text: str, limit: int) -> list[str]:
    """Join ' · '-separated phrases into lines of at most about `limit` characters."""
    lines: list[str] = []
    for phrase in text.split(" · "):
        if lines and len(lines[-1]) + 3 + len(phrase) <= limit:
            lines[-1] += " · " + phrase
        else:
            lines.append(phrase)
    return lines


def _fit(glyphs: _Glyphs, line: str, width: float) -> str:
    if len(line) * glyphs.font.size * 0.62 <= width:  # surely fits: no need to measure
        return line
    while line and glyphs.width(line) > width:
        line = line[:-2] + "…"
    return line
