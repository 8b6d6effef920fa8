"""The live camera picture: the detected code outlined, a hint when a code is in view but
does not read (too small, blurred, glare), a clear "camera lost" state, and a DEMO badge
when the demo trust bundle or the simulated camera is in use."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from scanner_app.ui.theme import font


class Preview(QWidget):
    def __init__(self, *, mirrored: bool = False) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.mirrored = mirrored
        self.image: QImage | None = None
        self.corners: list[tuple[float, float]] = []
        self.hint = ""
        self.camera_state = "starting"
        self.demo = False
        self.painted = 0  # frames painted (the UI benchmark reads it)

    def show_frame(self, image: QImage, corners: list[tuple[float, float]], hint: str) -> None:
        self.image = image
        self.corners = corners
        self.hint = hint
        self.update()

    def set_camera_state(self, state: str) -> None:
        self.camera_state = state
        self.update()

    def hint_text(self) -> str:
        return {
            "too_small": self.tr("Bring the code closer to the camera"),
            "blurred": self.tr("Hold the phone still"),
            "glare": self.tr("Tilt the phone: there is glare on the screen"),
        }.get(self.hint, "")

    def state_text(self) -> str:
        return {
            "starting": self.tr("Starting the camera…"),
            "lost": self.tr("Camera lost: reconnecting…"),
            "ended": self.tr("The video has ended"),
        }.get(self.camera_state, "")

    def paintEvent(self, event: QEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()
        self.painted += 1

    def _paint(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), QColor("#111111"))
        target = QRectF(self.rect())
        if self.image is not None and self.camera_state != "lost":
            scale = min(target.width() / self.image.width(), target.height() / self.image.height())
            width, height = self.image.width() * scale, self.image.height() * scale
            frame = QRectF((target.width() - width) / 2, (target.height() - height) / 2, width, height)
            image = self.image.flipped(Qt.Orientation.Horizontal) if self.mirrored else self.image
            painter.drawImage(frame, image)
            self._outline(painter, frame, scale)
        self._overlay(painter, target)

    def _outline(self, painter: QPainter, frame: QRectF, scale: float) -> None:
        if len(self.corners) < 4:
            return
        points = []
        width = self.image.width() if self.image is not None else 0
        for x, y in self.corners:
            shown_x = width - x if self.mirrored else x
            points.append(QPointF(frame.x() + shown_x * scale, frame.y() + y * scale))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = "#FFC107" if self.hint else "#00E676"
        painter.setPen(QPen(QColor(colour), 5))
        painter.drawPolygon(QPolygonF(points))

    def _overlay(self, painter: QPainter, target: QRectF) -> None:
        message = self.state_text() or self.hint_text()
        if message:
            painter.setFont(font(20, bold=True))
            band = QRectF(0, target.height() - 70, target.width(), 70)
            painter.fillRect(band, QColor(0, 0, 0, 170))
            painter.setPen(QColor("#FFC107" if self.camera_state != "lost" else "#FF5252"))
            painter.drawText(band, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, message)
        if self.demo:
            painter.setFont(font(16, bold=True))
            badge = QRectF(12, 12, 200, 36)
            painter.fillRect(badge, QColor("#D500F9"))
            painter.setPen(QColor("#FFFFFF"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, self.tr("DEMO DATA"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.update()
        super().changeEvent(event)
