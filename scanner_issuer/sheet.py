"""Printable A4 sheets of ID-1 cards (85.6 x 54 mm), ten to a sheet, with crop marks.

Each card: the QR code filling the card's height on the left (its quiet zone inside the
card), on the right a band in the colour at issue, the holder's full name with diacritics,
birth date, what the certificate states, the valid-until time of a test certificate, and
the UVCI. The QR is drawn as a one-pixel-per-module image that the PDF scales without
smoothing, so every module prints as a sharp square at any printer resolution.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from scanner_issuer.assets import FONT_BOLD, FONT_REGULAR, asset
from scanner_issuer.card_text import COLOUR_INK, COLOUR_RGB, CardText
from scanner_issuer.qr import QUIET_ZONE, Symbol

CARD_W, CARD_H = 85.6 * mm, 54.0 * mm
COLUMNS, ROWS = 2, 5
GUTTER = 3 * mm
CARDS_PER_SHEET = COLUMNS * ROWS
PAGE_W, PAGE_H = A4
MARGIN_X = (PAGE_W - COLUMNS * CARD_W - (COLUMNS - 1) * GUTTER) / 2
MARGIN_Y = (PAGE_H - ROWS * CARD_H - (ROWS - 1) * GUTTER) / 2
MARK_LENGTH, MARK_OFFSET = 4 * mm, 1 * mm
TEXT_PAD = 2.2 * mm
REGULAR, BOLD = "NotoSans", "NotoSans-Bold"


def register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(asset(*FONT_REGULAR))))
        pdfmetrics.registerFont(TTFont(BOLD, str(asset(*FONT_BOLD))))


def card_origin(index: int) -> tuple[float, float]:
    """Bottom-left corner of card `index` (0-9) on its sheet, row by row from the top."""
    row, column = divmod(index % CARDS_PER_SHEET, COLUMNS)
    x = MARGIN_X + column * (CARD_W + GUTTER)
    y = PAGE_H - MARGIN_Y - (row + 1) * CARD_H - row * GUTTER
    return x, y


class SheetWriter:
    """Cards go onto A4 sheets in the order they are added; `close()` writes the PDF."""

    def __init__(self, path: Path, *, title: str, footer: str) -> None:
        register_fonts()
        self.canvas = Canvas(str(path), pagesize=A4, pageCompression=1, invariant=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("scanner-issuer")
        self.footer = footer
        self.cards = 0
        self.sheets = 0

    def add(self, text: CardText, symbol: Symbol) -> None:
        if self.cards % CARDS_PER_SHEET == 0:
            if self.cards:
                self.canvas.showPage()
            self.sheets += 1
            _sheet_furniture(self.canvas, f"{self.footer} · tờ / sheet {self.sheets}")
        with _binary_streams():
            draw_card(self.canvas, *card_origin(self.cards), text, symbol)
        self.cards += 1

    def close(self) -> int:
        """Write the file (only if it has a card); returns the number of sheets."""
        if self.cards:
            self.canvas.showPage()
            with _binary_streams():
                self.canvas.save()
        return self.sheets


@contextmanager
def _binary_streams() -> Iterator[None]:
    """reportlab's pure-Python ASCII85 encoding of every QR image was a quarter of the PDF's
    cost; binary streams are as valid. The setting is global, so it is restored at once."""
    previous, rl_config.useA85 = rl_config.useA85, 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def write_sheets(path: Path, cards: Iterable[tuple[CardText, Symbol]], *, title: str, footer: str) -> int:
    writer = SheetWriter(path, title=title, footer=footer)
    for text, symbol in cards:
        writer.add(text, symbol)
    return writer.close()


def _sheet_furniture(canvas: Canvas, footer: str) -> None:
    canvas.setLineWidth(0.25)
    canvas.setStrokeGray(0)
    xs = sorted({MARGIN_X + c * (CARD_W + GUTTER) + dx for c in range(COLUMNS) for dx in (0, CARD_W)})
    ys = sorted({card_origin(r * COLUMNS)[1] + dy for r in range(ROWS) for dy in (0, CARD_H)})
    top, bottom = PAGE_H - MARGIN_Y, MARGIN_Y
    left, right = MARGIN_X, PAGE_W - MARGIN_X
    for x in xs:  # crop marks in the margins, on every cut line
        canvas.line(x, top + MARK_OFFSET, x, top + MARK_OFFSET + MARK_LENGTH)
        canvas.line(x, bottom - MARK_OFFSET, x, bottom - MARK_OFFSET - MARK_LENGTH)
    for y in ys:
        canvas.line(left - MARK_OFFSET, y, left - MARK_OFFSET - MARK_LENGTH, y)
        canvas.line(right + MARK_OFFSET, y, right + MARK_OFFSET + MARK_LENGTH, y)
    canvas.setFont(REGULAR, 5.5)
    canvas.setFillGray(0.35)
    canvas.drawString(left + 6 * mm, bottom - 4.2 * mm, footer)


def draw_card(canvas: Canvas, x: float, y: float, text: CardText, symbol: Symbol) -> None:
    canvas.saveState()
    canvas.setFillGray(1)
    canvas.rect(x, y, CARD_W, CARD_H, stroke=0, fill=1)
    qr_side = CARD_H  # the quiet zone is inside the card: nothing else prints there
    picture = Image.fromarray(symbol.grey(1, QUIET_ZONE), mode="L")
    canvas.drawImage(ImageReader(picture), x, y, qr_side, qr_side)
    _text_column(canvas, x + qr_side, y, CARD_W - qr_side, text)
    canvas.setStrokeGray(0.8)  # a faint edge for scissors; the crop marks guide a guillotine
    canvas.setLineWidth(0.3)
    canvas.rect(x, y, CARD_W, CARD_H, stroke=1, fill=0)
    canvas.restoreState()


def _text_column(canvas: Canvas, x: float, y: float, width: float, text: CardText) -> None:
    band_h = 10.5 * mm
    top = y + CARD_H
    canvas.setFillColorRGB(*COLOUR_RGB[text.colour])
    canvas.rect(x, top - band_h, width, band_h, stroke=0, fill=1)
    canvas.setFillColorRGB(*COLOUR_INK[text.colour])
    vietnamese, english = text.colour_words
    canvas.setFont(BOLD, 9.5)
    canvas.drawCentredString(x + width / 2, top - 5.0 * mm, vietnamese)
    canvas.setFont(REGULAR, 5.2)
    canvas.drawCentredString(x + width / 2, top - 8.6 * mm, f"{english} · màu khi cấp / at issue")

    inner = width - 2 * TEXT_PAD
    left = x + TEXT_PAD
    canvas.setFillGray(0)
    cursor = top - band_h - 4.2 * mm
    canvas.setFont(REGULAR, 5.0)
    canvas.drawString(left, cursor, _fit(f"THẺ COVID · {text.issuer}", REGULAR, 5.0, inner))
    cursor -= 4.0 * mm
    for line in _wrap(text.full_name.upper(), BOLD, 8.0, inner, 3):
        canvas.setFont(BOLD, 8.0)
        canvas.drawString(left, cursor, line)
        cursor -= 3.4 * mm
    cursor -= 0.4 * mm
    canvas.setFont(REGULAR, 6.0)
    canvas.drawString(left, cursor, f"Ngày sinh / Born: {text.birth}")
    cursor -= 3.4 * mm
    for line in _wrap(text.facts, REGULAR, 5.6, inner, 3):
        canvas.setFont(REGULAR, 5.6)
        canvas.drawString(left, cursor, line)
        cursor -= 2.6 * mm
    if text.valid_until:
        cursor -= 0.6 * mm
        canvas.setFont(BOLD, 5.8)
        canvas.drawString(left, cursor, "Hiệu lực đến / Valid until:")
        cursor -= 2.8 * mm
        canvas.drawString(left, cursor, text.valid_until)
    canvas.setFont(REGULAR, 3.9)
    canvas.setFillGray(0.3)
    for number, line in enumerate(_split(text.uvci, REGULAR, 3.9, inner)):
        canvas.drawString(left, y + 3.6 * mm - number * 1.8 * mm, line)
    if text.demo:
        canvas.setFillColorRGB(0.85, 0.1, 0.1)
        canvas.setFont(BOLD, 5.6)
        canvas.drawString(left, y + 6.6 * mm, "DEMO · KHÔNG CÓ GIÁ TRỊ")


def _split(text: str, font: str, size: float, width: float) -> list[str]:
    """Cut an identifier (no spaces) into lines that fit, character by character."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return [text]
    lines = [""]
    for char in text:
        if pdfmetrics.stringWidth(lines[-1] + char, font, size) > width:
            lines.append("")
        lines[-1] += char
    return lines


def _fit(text: str, font: str, size: float, width: float) -> str:
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap; a word longer than the line is cut; the last line is shortened."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(trial, font, size) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return [_fit(line, font, size, width) for line in lines]
