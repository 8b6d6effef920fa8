"""Looks that survive full sun: high-contrast colours, large type, and an icon for every
outcome (never colour alone). The bundled Noto Sans renders Vietnamese diacritics on any
machine, and its line metrics leave room for the stacked marks of capitals (Ể, Ủ): DejaVu
Sans, used before, let Qt clip the hook of "THỦ" into what read as "THÚ"."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
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
    """A label whose type is as large as fits its width in at most `lines` lines, every word
    whole: ĐƯỢC PHÉP fills the panel, KHÔNG ĐƯỢC PHÉP still fits, in any language. With
    `balance`, a text that needs two lines breaks where the lines are most even ("KHÔNG /
    ĐƯỢC PHÉP", not "KHÔNG ĐƯỢC / PHÉP").

    It tells its layout the height it needs at a given width (`heightForWidth`, computed for
    the size it would choose at that width), so a Qt layout can place it without clipping and
    a container can ask its layout whether everything fits (`QLayout.totalHeightForWidth`).
    `set_largest` lets the container shrink the whole stack when the height is short."""

    def __init__(
        self, largest: int, smallest: int = 12, lines: int = 2, *, bold: bool = True, balance: bool = False
    ) -> None:
        super().__init__()
        self.largest, self.smallest, self.lines, self.bold = largest, smallest, lines, bold
        self.balance = balance
        self._logical = ""
        self._layouts: dict[int, tuple[int, str]] = {}
        self.setWordWrap(lines > 1)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFont(font(largest, bold=bold))

    def set_largest(self, points: int) -> None:
        points = max(points, self.smallest)
        if points != self.largest:
            self.largest = points
            self._changed()

    def setText(self, text: str) -> None:
        if text != self._logical:
            self._logical = text
            super().setText(text)
            self._changed()

    def logical_text(self) -> str:
        """The text as set, without the line break `balance` may have added."""
        return self._logical

    def refit(self) -> None:
        """After a change of margins (a style sheet's padding or border)."""
        self._changed()

    def _changed(self) -> None:
        self._layouts.clear()
        self._apply()
        self.updateGeometry()

    def _inner_width(self, width: int) -> int:
        margins = self.contentsMargins()
        return max(width - margins.left() - margins.right() - 2 * self.margin(), 1)

    def _flags(self) -> int:
        return int(Qt.TextFlag.TextWordWrap) if self.wordWrap() else 0

    def _candidates(self, text: str) -> list[str]:
        if not self.balance or "\n" in text or " " not in text:
            return [text]
        words = text.split(" ")
        metrics = QFontMetrics(font(self.largest, bold=self.bold))
        splits = [" ".join(words[:i]) + "\n" + " ".join(words[i:]) for i in range(1, len(words))]
        splits.sort(key=lambda t: max(metrics.horizontalAdvance(line) for line in t.split("\n")))
        return [text, *splits]

    def layout_for(self, width: int) -> tuple[int, str]:
        """(points, text as shown): the largest size down to `smallest` at which the text
        fits `width` in at most `lines` lines, every word whole."""
        if width not in self._layouts:
            inner, text = self._inner_width(width), self._logical or " "
            candidates = self._candidates(text)
            chosen = (self.smallest, text)
            for size in range(self.largest, self.smallest - 1, -1):
                metrics = QFontMetrics(font(size, bold=self.bold))
                room = metrics.lineSpacing() * max(self.lines, text.count("\n") + 1)
                # balancing: the text as set is taken only when it fits on one line
                first = metrics.lineSpacing() if len(candidates) > 1 else room
                fits = [
                    c
                    for i, c in enumerate(candidates)
                    if self._fits(metrics, inner, c, first if i == 0 else room)
                ]
                if fits:
                    chosen = (size, fits[0])
                    break
            self._layouts[width] = chosen
        return self._layouts[width]

    def _fits(self, metrics: QFontMetrics, inner: int, shown: str, room: int) -> bool:
        box = metrics.boundingRect(QRect(0, 0, inner, 100_000), self._flags(), shown)
        return box.width() <= inner and box.height() <= room

    def points_for(self, width: int) -> int:
        return self.layout_for(width)[0]

    def natural_width(self) -> int:
        """The width of the text on one line at the largest size, margins included."""
        margins = self.contentsMargins()
        metrics = QFontMetrics(font(self.largest, bold=self.bold))
        lines = (self._logical or " ").split("\n")
        return max(metrics.horizontalAdvance(line) for line in lines) + margins.left() + margins.right() + 2

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if not self._logical:
            return 0
        size, shown = self.layout_for(width)
        metrics = QFontMetrics(font(size, bold=self.bold))
        box = metrics.boundingRect(QRect(0, 0, self._inner_width(width), 100_000), self._flags(), shown)
        margins = self.contentsMargins()
        return box.height() + margins.top() + margins.bottom() + 2 * self.margin()

    def sizeHint(self) -> QSize:
        return QSize(self.natural_width(), self.heightForWidth(max(self.width(), 1)))

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self.heightForWidth(max(self.width(), 1)))

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._apply()

    def _apply(self) -> None:
        size, shown = self.layout_for(max(self.width(), 1))
        if self.font().pointSize() != size or self.font().bold() != self.bold:
            self.setFont(font(size, bold=self.bold))
        if shown != super().text() and self._logical:
            super().setText(shown)
