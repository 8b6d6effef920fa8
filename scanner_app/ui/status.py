"""What an officer glances at besides the result: today's counters, the latest checks
(no personal data), and the status line (camera, trust data, sync, clock, checkpoint)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from scanner_app.ui import texts
from scanner_app.ui.theme import OUTCOME_COLOURS, font

if TYPE_CHECKING:  # types only: the window shows before numpy, OpenCV and SQLite load
    from scanner_app.services.scan import ScanOutcome


class Counters(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.values = {"allow": 0, "deny": 0, "manual": 0}
        self.labels = {key: QLabel() for key in self.values}
        self.total = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for key, label in self.labels.items():
            background, foreground = OUTCOME_COLOURS[key]
            label.setStyleSheet(
                f"background: {background}; color: {foreground}; padding: 6px 12px; border-radius: 6px;"
            )
            label.setFont(font(14, bold=True))
            layout.addWidget(label)
        self.total.setFont(font(14, bold=True))
        layout.addWidget(self.total)
        layout.addStretch(1)
        self.refresh()

    def set_values(self, values: dict[str, int]) -> None:
        self.values = {key: int(values.get(key, 0)) for key in self.values}
        self.refresh()

    def refresh(self) -> None:
        for key, label in self.labels.items():
            label.setText(f"{texts.decision(key)}: {self.values[key]}")
        self.total.setText(self.tr("Today: %n check(s)", "", sum(self.values.values())))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)


@dataclass(frozen=True)
class Row:
    """One line of the latest checks: no personal data."""

    moment: datetime
    decision: str
    colour: str | None
    code_format: str
    reason: str
    level: int | None = None
    checkpoint: str | None = None

    def why(self, table_words: str) -> str:
        """The reason; for a valid card, which table decided (never "valid" beside a deny).
        `table_words` is "Valid; the decision table at level %1, %2" in the reader's language."""
        if self.reason != "ok" or self.level is None or not self.checkpoint:
            return texts.reason(self.reason)
        return table_words.replace("%1", str(self.level)).replace("%2", texts.checkpoint(self.checkpoint))


class RecentChecks(QTableWidget):
    """Today's latest checks, newest first: time, decision, colour, code kind, reason. Filled
    from the log (the same day the counters count) and kept current with each new check."""

    LIMIT = 30

    def __init__(self) -> None:
        super().__init__(0, 5)
        self.rows: list[Row] = []
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.setFont(font(11))
        self.retranslate()

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Decision"),
                self.tr("Colour"),
                self.tr("Code"),
                self.tr("Reason"),
            ]
        )
        self._fill()

    def add(self, outcome: ScanOutcome) -> None:
        result = outcome.result
        colour = result.colour.value if result.colour and result.valid else None  # as the panel
        row = Row(
            datetime.now().astimezone(),
            result.decision.value,
            colour,
            result.verdict.format.value,
            result.reason.value,
            result.level,
            result.checkpoint,
        )
        self.rows = [row, *self.rows][: self.LIMIT]
        self._fill()

    def load(self, records: list[dict[str, str]]) -> None:
        """Today's latest checks as the log has them (oldest first), replacing the table."""
        rows = [
            Row(
                datetime.fromisoformat(r["wall_time"]).astimezone(),
                r["decision"],
                (r["colour"] or None) if r.get("valid", 1) else None,  # no colour for a failed card
                r["format"],
                r["reason"],
                r.get("level"),  # type: ignore[arg-type]
                r.get("checkpoint_type"),
            )
            for r in records
        ]
        self.rows = rows[::-1][: self.LIMIT]
        self._fill()

    def _fill(self) -> None:
        table_words = self.tr("Valid; the decision table at level %1, %2")
        self.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            cells = [
                row.moment.strftime("%H:%M:%S"),
                texts.decision(row.decision),
                texts.colour(row.colour),
                texts.code_format(row.code_format),
                row.why(table_words),
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 1 and row.decision in OUTCOME_COLOURS:
                    background, foreground = OUTCOME_COLOURS[row.decision]
                    item.setBackground(_brush(background))
                    item.setForeground(_brush(foreground))
                self.setItem(number, column, item)
        for column in range(4):
            self.resizeColumnToContents(column)
        self.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _brush(colour: str):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(colour))


class StatusLine(QWidget):
    """camera · trust data · sync · clock · checkpoint and level, in words."""

    def __init__(self) -> None:
        super().__init__()
        self.camera = ("starting", "")
        self.trust = None
        self.sync = None
        self.outbox: tuple[int, datetime | None] | None = None  # from the log: queued, last confirmed
        self.clock_problem = False
        self.clock_tolerance_seconds = 300.0  # the settings' clock_skew_seconds
        self.checkpoint = ("road", 1)
        self.labels = [QLabel() for _ in range(5)]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for label in self.labels:
            label.setFont(font(10))
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        camera_words = {
            "starting": self.tr("starting"),
            "ok": self.tr("working"),
            "lost": self.tr("LOST"),
            "ended": self.tr("video ended"),
        }
        camera = self.tr("Camera")
        self.labels[0].setText(f"{camera}: {camera_words.get(self.camera[0], self.camera[0])}")
        self.labels[1].setText(self._trust_text())
        self.labels[2].setText(self._sync_text())
        self.labels[3].setText(self._clock_text())
        kind, level = self.checkpoint
        level_word = self.tr("level")
        self.labels[4].setText(f"{texts.checkpoint(kind)} · {level_word} {level}")

    def _clock_text(self) -> str:
        if self.clock_problem:
            return self.tr("CLOCK IS BEHIND TRUSTED TIME")
        status = self.sync
        if status is not None and status.clock_off(self.clock_tolerance_seconds):
            offset = status.clock_offset_seconds
            size = self._duration(abs(offset))
            if offset > 0:
                return self.tr("CLOCK %1 AHEAD OF THE HUB").replace("%1", size)
            return self.tr("CLOCK %1 BEHIND THE HUB").replace("%1", size)
        return self.tr("Clock OK")

    def _duration(self, seconds: float) -> str:
        if seconds < 90 * 60:
            return self.tr("%n min", "", round(seconds / 60))
        if seconds < 48 * 3600:
            return self.tr("%n h", "", round(seconds / 3600))
        return self.tr("%n day(s)", "", round(seconds / 86400))

    def _trust_text(self) -> str:
        trust = self.trust
        if trust is None:
            return self.tr("Trust data: loading")
        if trust.damaged is not None:
            return self.tr("Trust data: DAMAGED, every check is manual")
        now = datetime.now(UTC)
        hours = int((now - trust.issued_at).total_seconds() // 3600)
        state = self.tr("EXPIRED") if now > trust.not_after else self.tr("valid")
        demo = " · " + self.tr("DEMO") if trust.demo else ""
        title = self.tr("Trust data")
        age = self.tr("%n hour(s) old", "", hours)
        return f"{title} #{trust.sequence}: {state}, {age}{demo}"

    def _sync_text(self) -> str:
        """This window's sync thread, joined with what the log says: a command-line sync
        confirms checks in the same log, so its time and the queue show here too."""
        status = self.sync
        queued_in_log, confirmed = self.outbox if self.outbox is not None else (None, None)
        if status is None and confirmed is None:
            return self.tr("Sync: not enrolled")
        moments = [m for m in (status.last_success if status else None, confirmed) if m is not None]
        last = max(moments).astimezone().strftime("%H:%M") if moments else "—"
        online = {True: self.tr("online"), False: self.tr("offline"), None: "…"}[
            status.online if status else None
        ]
        count = queued_in_log if queued_in_log is not None else (status.queued if status else 0)
        title = self.tr("Sync")
        queued = self.tr("%n queued", "", count)
        last_word = self.tr("last")
        return f"{title}: {online}, {queued}, {last_word} {last}"

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
