"""Looks that survive full sun: high-contrast colours, large type, and an icon for every
outcome (never colour alone). The bundled Noto Sans renders Vietnamese diacritics on any
machine, and its line metrics leave room for the stacked marks of capitals (Ể, Ủ): DejaVu
Sans, used before, let Qt clip the hook of "THỦ" into what read as "THÚ"."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QLabel, QSizePolicy

from scanner_app.system.resources import asset

OUTCOME_COLOURS = {  # background, text
    "allow": ("#1B7F3A", "#FFFFFF"),
    "deny": ("#B3261E", "#FFFFFF"),
    "manual": ("#F2A900", "#111111"),
    "idle": ("#263238", "#FFFFFF"),
}
CARD_COLOURS = {"green": "#1B7F3A", "yellow": "#F2C200", "red": "#B3261E"}
FAMILY = "Noto Sans"


@cache
def load_fonts() -> str:
    """Register the bundled fonts; a missing or corrupt font file is an installation fault."""
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        if QFontDatabase.addApplicationFont(str(asset("fonts", name))) < 0:
            raise RuntimeError(f"bundled font {name} could not be loaded: reinstall the program")
    return FAMILY


def font(points: int, bold: bool = False) -> QFont:
    result = QFont(load_fonts(), points)
    result.setBold(bold)
    return result


def outcome_icon(kind: str, size: int, colour: str = "#FFFFFF") -> QPixmap:
    """A tick, a cross or a raised hand (a question) drawn as vectors: sharp at any size."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(
        QColor(colour),
        size * 0.11,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
    painter.setPen(pen)
    ring = QRectF(size * 0.06, size * 0.06, size * 0.88, size * 0.88)
    painter.drawEllipse(ring)
    path = QPainterPath()
    if kind == "allow":
        path.moveTo(QPointF(size * 0.28, size * 0.52))
        path.lineTo(QPointF(size * 0.44, size * 0.68))
        path.lineTo(QPointF(size * 0.73, size * 0.34))
    elif kind == "deny":
        path.moveTo(QPointF(size * 0.32, size * 0.32))
        path.lineTo(QPointF(size * 0.68, size * 0.68))
        path.moveTo(QPointF(size * 0.68, size * 0.32))
        path.lineTo(QPointF(size * 0.32, size * 0.68))
    else:  # manual: an exclamation mark, "look at this one"
        path.moveTo(QPointF(size * 0.5, size * 0.26))
        path.lineTo(QPointF(size * 0.5, size * 0.58))
        path.moveTo(QPointF(size * 0.5, size * 0.73))
        path.lineTo(QPointF(size * 0.5, size * 0.74))
    painter.drawPath(path)
    painter.end()
    return pixmap


class FitLabel(QLabel):
    """A label whose (bold) type is as large as fits its width in at most `lines` lines:
    ĐƯỢC PHÉP fills the panel, KHÔNG ĐƯỢC PHÉP still fits, in any language."""

    def __init__(self, largest: int, smallest: int = 12, lines: int = 2) -> None:
        super().__init__()
        self.largest, self.smallest, self.lines = largest, smallest, lines
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = max(self.width() - 8, 50)
        text = self.text() or " "
        size = self.largest
        while size > self.smallest:
            metrics = QFontMetrics(font(size, bold=True))
            box = metrics.boundingRect(0, 0, width, 10_000, int(Qt.TextFlag.TextWordWrap), text)
            words_fit = all(metrics.horizontalAdvance(w) <= width for w in text.split())
            if words_fit and box.height() <= metrics.lineSpacing() * self.lines:
                break
            size -= 2
        if self.font().pointSize() != size:
            self.setFont(font(size, bold=True))
