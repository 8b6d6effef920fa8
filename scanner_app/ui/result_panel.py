"""The result, unmistakable at arm's length in full sun: a full-colour field, an icon, one
big word (ĐƯỢC PHÉP / KHÔNG ĐƯỢC PHÉP / KIỂM TRA THỦ CÔNG), then the name and birth date to
compare with an ID card, the colour class and the reason. It returns to "scanning" by itself."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from scanner_app.core.record import SHARING_FLAGS, Flag
from scanner_app.services.scan import ScanOutcome
from scanner_app.ui import texts
from scanner_app.ui.theme import CARD_COLOURS, OUTCOME_COLOURS, FitLabel, font, outcome_icon


class ResultPanel(QWidget):
    returned = Signal()  # back to the scanning state

    def __init__(self, *, kiosk: bool = False, result_seconds: float = 4.0) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.setObjectName("resultPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # let the style sheet paint it
        self.base_scale = 1.3 if kiosk else 1.0
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.word = FitLabel(int(36 * self.base_scale), lines=2)
        self.name = QLabel()
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name.setWordWrap(True)
        self.name.setProperty("data", True)  # a person's name: never translated
        self.details = QLabel()
        self.details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details.setWordWrap(True)
        self.card = QLabel()
        self.card.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.flags = QLabel()
        self.flags.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.flags.setWordWrap(True)
        self.kind = "idle"
        self.step = 0.0
        self._scale(1.0)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.icon)
        layout.addWidget(self.word)
        layout.addWidget(self.flags)  # right under the word: a warning is never what gets squeezed out
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.name)
        layout.addWidget(self.details)
        layout.addStretch(1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.show_idle)
        self.result_seconds = result_seconds
        self.outcome: ScanOutcome | None = None
        self.show_idle()

    # -- states --------------------------------------------------------------------------

    def _paint(self, kind: str) -> None:
        self.kind = kind
        background, foreground = OUTCOME_COLOURS[kind]
        self.setStyleSheet(f"#resultPanel {{ background: {background}; }} QLabel {{ color: {foreground}; }}")
        self._draw_icon()

    def _draw_icon(self) -> None:
        if self.kind == "idle":
            self.icon.clear()
        else:
            self.icon.setPixmap(outcome_icon(self.kind, self.icon_size, OUTCOME_COLOURS[self.kind][1]))

    # -- fitting -------------------------------------------------------------------------
    # A long name, a warning and a wrapped reason do not all fit a laptop's panel at full
    # size; rather than let the layout squeeze (and clip) a line, everything but the big word
    # shrinks in steps until the whole result fits. The big word sizes itself to the width.

    def _scale(self, step: float) -> None:
        if step == self.step:
            return
        self.step = step
        scale = self.base_scale * step
        self.icon_size = int(90 * scale)
        self.icon.setMinimumHeight(self.icon_size + 4)  # never clip the sign
        self.name.setFont(font(int(22 * scale), bold=True))
        self.details.setFont(font(int(14 * scale)))
        self.card.setFont(font(int(17 * scale), bold=True))
        self.card.setMinimumHeight(int(44 * scale))
        self.flags.setFont(font(int(14 * scale), bold=True))
        self._draw_icon()

    def _needed_height(self) -> int:
        layout = self.layout()
        margins = layout.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        shown = [
            w
            for w in (self.icon, self.word, self.flags, self.card, self.name, self.details)
            if w.text() or w is self.icon
        ]
        heights = [w.heightForWidth(width) if w.hasHeightForWidth() else w.sizeHint().height() for w in shown]
        heights[0] = self.icon.minimumHeight() if self.kind != "idle" else 0
        return sum(heights) + layout.spacing() * len(shown) + margins.top() + margins.bottom()

    def fit(self) -> None:
        for step in (1.0, 0.9, 0.8, 0.7, 0.6):
            self._scale(step)
            if self._needed_height() <= self.height():
                return

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self.fit()

    def show_idle(self) -> None:
        self.outcome = None
        self._paint("idle")
        self.word.setText(self.tr("Show the QR code to the camera"))
        self.name.setText("")
        self.details.setText(self.tr("Thẻ Covid, vaccine passport, PC-COVID QR or chip ID card"))
        self.card.setText("")
        self.card.setStyleSheet("")
        self.flags.setText("")
        self.fit()
        self.returned.emit()

    def show_outcome(self, outcome: ScanOutcome) -> None:
        self.outcome = outcome
        self._fill(outcome)
        self.timer.start(int(self.result_seconds * 1000))

    def _fill(self, outcome: ScanOutcome) -> None:
        result = outcome.result
        decision = result.decision.value
        self._paint(decision)
        self.word.setText(texts.decision(decision))
        holder = result.verdict.holder
        if holder is not None and self.kiosk:  # kiosks disclose the decision and a first name only
            self.name.setText(holder.given.split()[-1] if holder.given else "")
        elif holder is not None:
            name = " ".join(p for p in (holder.family_std, holder.given_std) if p).replace("<", " ")
            self.name.setText(f"{name}  ·  {texts.birth_date(holder.dob)}" if name else "")
        else:
            self.name.setText("")
        reason = texts.reason(result.reason)
        if self.kiosk:
            self.details.setText(reason if decision != "allow" else "")
        else:
            self.details.setText(reason)  # the code's kind is in the table row below
        if result.colour is not None:
            colour = result.colour.value
            text_colour = "#111111" if colour == "yellow" else "#FFFFFF"
            label = self.tr("Card colour")
            self.card.setText(f"  {label}: {texts.colour(colour)}  ")
            self.card.setStyleSheet(
                f"background: {CARD_COLOURS[colour]}; color: {text_colour}; border: 3px solid white;"
                "border-radius: 8px; padding: 4px 14px;"
            )
        else:
            self.card.setText("")
            self.card.setStyleSheet("")
        notes = []
        if outcome.store_problem is not None:
            notes.append(self.tr("NOT SAVED: the check log cannot be written"))
        if SHARING_FLAGS & set(outcome.flags):
            notes.append(self.tr("This card was seen too often: it may be a shared code"))
        if Flag.STALE_BUNDLE in result.warnings:
            notes.append(self.tr("Trust data is out of date"))
        self.flags.setText("\n".join(notes))
        self.fit()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            if self.outcome is None:
                self.show_idle()
            else:
                self._fill(self.outcome)
        super().changeEvent(event)
