"""One PNG per card, for the holder's phone: the colour at issue, the QR code (6 pixels per
module, quiet zone included), and the name, birth date and facts under it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from scanner_issuer.assets import FONT_BOLD, FONT_REGULAR, asset
from scanner_issuer.card_text import COLOUR_INK, COLOUR_RGB, CardText
from scanner_issuer.qr import Symbol

SCALE = 6
BAND = 64
PAD = 18


@cache
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(asset(*(FONT_BOLD if bold else FONT_REGULAR))), size)


def _rgb(colour: tuple[float, float, float]) -> tuple[int, int, int]:
    return (round(colour[0] * 255), round(colour[1] * 255), round(colour[2] * 255))


def write_picture(path: Path, text: CardText, symbol: Symbol) -> None:
    qr = Image.fromarray(symbol.grey(SCALE), mode="L").convert("RGB")
    width = qr.width
    lines = _caption(text)
    height = BAND + qr.height + PAD + sum(size + 8 for _, _, size in lines) + PAD
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, width, BAND), fill=_rgb(COLOUR_RGB[text.colour]))
    vietnamese, english = text.colour_words
    draw.text(
        (width / 2, BAND / 2),
        f"{vietnamese} · {english}",
        font=_font(True, 30),
        fill=_rgb(COLOUR_INK[text.colour]),
        anchor="mm",
    )
    picture.paste(qr, (0, BAND))
    cursor = BAND + qr.height + PAD // 2
    for line, bold, size in lines:
        draw.text(
            (PAD, cursor),
            _fit(draw, line, _font(bold, size), width - 2 * PAD),
            font=_font(bold, size),
            fill=(0, 0, 0),
        )
        cursor += size + 8
    picture.save(path, format="PNG", optimize=False, compress_level=6)


def _caption(text: CardText) -> list[tuple[str, bool, int]]:
    lines = [
        (text.full_name.upper(), True, 30),
        (f"Ngày sinh / Born: {text.birth}", False, 22),
        (text.facts, False, 20),
    ]
    if text.valid_until:
        lines.append((f"Hiệu lực đến / Valid until: {text.valid_until}", True, 22))
    lines.append((text.uvci, False, 16))
    if text.demo:
        lines.append(("DEMO · KHÔNG CÓ GIÁ TRỊ / NOT VALID", True, 22))
    return lines


def _fit(draw: ImageDraw.ImageDraw, line: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    while line and draw.textlength(line, font=font) > width:
        line = line[:-2] + "…"
    return line
