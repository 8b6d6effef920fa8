"""The result, unmistakable at arm's length in full sun: a full-colour field, an icon and one
big word (ĐƯỢC PHÉP / KHÔNG ĐƯỢC PHÉP / KIỂM TRA THỦ CÔNG), then warnings, the card's colour,
the holder (only for a verified card) and the reason — which names the rule of the decision
table when the table decided, so a red card under a green ĐƯỢC PHÉP explains itself. It
returns to "scanning" by itself.

Laid out by Qt layouts: every line is a `FitLabel` that tells the layout the height it needs
at its width, and when the panel is too short for all of them at full size the whole stack
shrinks one step at a time until the layout's own height-for-width fits (`fit`). Nothing is
ever squeezed below the height its text needs; `tests/test_result_panel.py` renders every
outcome in both languages at laptop and kiosk sizes and checks each label against its
font metrics.

Two-code binding (issue 19): a badge under the word says whether the ID card (CCCD) read
with the health card names the same person — "Khớp CCCD" in green, "KHÔNG KHỚP CCCD" in red —
or asks for the CCCD when the policy requires it and none was read yet. Kiosk mode says only
"Khớp" / "Không khớp".

Kiosk mode discloses the decision and, for an allowed card, the first name; nothing else
about the holder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QSizePolicy, QVBoxLayout, QWidget

from scanner_app.core.model import Reason
from scanner_app.core.policy import Decision
from scanner_app.core.record import SHARING_FLAGS, Flag
from scanner_app.ui import texts
from scanner_app.ui.theme import CARD_COLOURS, OUTCOME_COLOURS, FitLabel, outcome_icon

if TYPE_CHECKING:  # types only: the window shows before numpy, OpenCV and SQLite load
    from scanner_app.services.scan import ScanOutcome

# Shrink steps when the panel is short: 100 % down to 45 % of the full sizes.
STEPS = tuple(round(1.0 - 0.05 * i, 2) for i in range(12))
# Full sizes in points (officer; kiosk ×1.3) and the smallest each line may shrink to.
SIZES = {
    "word": (40, 14),
    "notes": (15, 8),
    "identity": (20, 9),
    "card": (17, 8),
    "name": (22, 9),
    "details": (15, 8),
}
IDENTITY_COLOURS = {"matched": "#1B7F3A", "mismatch": "#B3261E", "prompt": "#111111"}  # on white
ICON = 84  # pixels at full size


def _invalidate(layout: QLayout) -> None:
    layout.invalidate()
    for index in range(layout.count()):
        child = layout.itemAt(index).layout()
        if child is not None:
            _invalidate(child)


class ResultPanel(QWidget):
    returned = Signal()  # back to the scanning state

    def __init__(self, *, kiosk: bool = False, result_seconds: float = 4.0) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.setObjectName("resultPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # let the style sheet paint it
        self.setMinimumSize(240, 200)  # what the window may shrink it to; the content adapts
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.base_scale = 1.5 if kiosk else 1.0
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.word = FitLabel(*SIZES["word"], lines=2, balance=True)
        self.notes = FitLabel(*SIZES["notes"], lines=4)
        self.identity = FitLabel(*SIZES["identity"], lines=2)
        self.identity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.identity.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.card = FitLabel(*SIZES["card"], lines=1)
        self.card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.name = FitLabel(*SIZES["name"], lines=2)
        self.name.setProperty("data", True)  # a person's name: never translated
        self.details = FitLabel(*SIZES["details"], lines=4, bold=False)
        self.flags = self.notes  # the name older tests and tools use
        self.kind = "idle"
        self.identity_state: str | None = None
        self.step = 0.0
        self.icon_size = ICON
        self._build()
        self._scale(1.0)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.show_idle)
        self.result_seconds = result_seconds
        self.outcome: ScanOutcome | None = None
        self.show_idle()

    def _build(self) -> None:
        header = QHBoxLayout()
        header.setSpacing(12)
        header.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.word, 1)
        bound = QHBoxLayout()
        bound.addStretch(1)
        bound.addWidget(self.identity)
        bound.addStretch(1)
        badge = QHBoxLayout()
        badge.addStretch(1)
        badge.addWidget(self.card)
        badge.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(8)
        layout.addStretch(1)
        layout.addLayout(header)
        layout.addWidget(self.notes)  # right under the word: a warning is never what gets squeezed out
        layout.addLayout(bound)
        layout.addLayout(badge)
        layout.addWidget(self.name)
        layout.addWidget(self.details)
        layout.addStretch(1)

    def sizeHint(self) -> QSize:
        return QSize(520, 420)

    # -- states --------------------------------------------------------------------------

    def _paint(self, kind: str) -> None:
        self.kind = kind
        background, foreground = OUTCOME_COLOURS[kind]
        self.setStyleSheet(f"#resultPanel {{ background: {background}; }} QLabel {{ color: {foreground}; }}")
        self._draw_icon()

    def _draw_icon(self) -> None:
        if self.kind == "idle":
            self.icon.clear()
            self.icon.setVisible(False)
        else:
            self.icon.setPixmap(outcome_icon(self.kind, self.icon_size, OUTCOME_COLOURS[self.kind][1]))
            self.icon.setFixedSize(self.icon_size, self.icon_size)
            self.icon.setVisible(True)

    # -- fitting -------------------------------------------------------------------------

    def _scale(self, step: float) -> None:
        if step == self.step:
            return
        self.step = step
        scale = self.base_scale * step
        self.icon_size = int(ICON * scale)
        for name, label in self._lines().items():
            label.set_largest(int(SIZES[name][0] * scale))
        self._draw_icon()

    def _lines(self) -> dict[str, FitLabel]:
        return {
            "word": self.word,
            "notes": self.notes,
            "identity": self.identity,
            "card": self.card,
            "name": self.name,
            "details": self.details,
        }

    def fit(self) -> None:
        """The largest step at which the layout's height for this width fits the panel."""
        layout = self.layout()
        for step in STEPS:
            self._scale(step)
            _invalidate(layout)  # sub-layouts cache their height for a width
            if layout.totalHeightForWidth(self.width()) <= self.height():
                break
        layout.activate()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self.fit()

    def _set(self, label: FitLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    def show_idle(self) -> None:
        self.outcome = None
        self._paint("idle")
        self._set(self.word, self.tr("Show the QR code to the camera"))
        self._set(self.name, "")
        self._set(self.details, self.tr("Thẻ Covid, vaccine passport, PC-COVID QR or chip ID card"))
        self._show_card(None)
        self._show_identity(None)
        self._set(self.notes, "")
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
        self._set(self.word, texts.decision(decision))
        self._set(self.notes, "\n".join(self._notes(outcome)))
        verified = result.valid  # holder data only from a card whose signature was verified
        colour = result.colour.value if result.colour is not None and verified else None
        self._show_card(None if self.kiosk else colour)
        self._show_identity(self._identity_state(outcome))
        self._set(self.name, self._holder(outcome) if verified else "")
        self._set(self.details, self._reason(outcome))
        self.fit()

    def _holder(self, outcome: ScanOutcome) -> str:
        holder = outcome.result.verdict.holder
        if holder is None:
            return ""
        if self.kiosk:  # a kiosk discloses a first name, and only to someone who may enter
            allowed = outcome.result.decision is Decision.ALLOW
            return holder.given.split()[-1] if holder.given and allowed else ""
        name = " ".join(p for p in (holder.family_std, holder.given_std) if p).replace("<", " ")
        return f"{name}  ·  {texts.birth_date(holder.dob)}" if name else ""

    def _reason(self, outcome: ScanOutcome) -> str:
        """Why: the rule of the decision table when the table decided, else what failed."""
        result = outcome.result
        if self.kiosk and result.decision is Decision.ALLOW:
            return ""
        lines = []
        if result.reason is not Reason.OK:
            lines.append(texts.reason(result.reason))
        if result.allowed is not None and result.reason is not Reason.STALE_BUNDLE:
            allowed = [c.value for c in result.allowed]
            lines.append(texts.policy_rule(result.level, result.checkpoint, allowed))
        if self.kiosk:
            lines.append(self.tr("Please ask the staff at the entrance."))
        return "\n".join(lines)

    def _notes(self, outcome: ScanOutcome) -> list[str]:
        result = outcome.result
        notes = []
        if outcome.store_problem is not None:
            notes.append(self.tr("NOT SAVED: the check log cannot be written"))
        if self.kiosk:  # the rest is for the officer or the supervisor, not the queue
            return notes
        if SHARING_FLAGS & set(outcome.flags):
            notes.append(self.tr("This card was seen too often: it may be a shared code"))
        if Flag.STALE_BUNDLE in result.warnings and result.reason is not Reason.STALE_BUNDLE:
            notes.append(self.tr("Trust data is out of date"))
        return notes

    @staticmethod
    def _identity_state(outcome: ScanOutcome) -> str | None:
        """matched / mismatch / prompt (the policy wants a CCCD and none matched yet) / None."""
        binding = outcome.result.binding
        if binding is not None and binding.outcome.value in ("matched", "mismatch"):
            return binding.outcome.value
        return "prompt" if outcome.awaiting_identity else None

    def _identity_text(self, state: str) -> str:
        if self.kiosk:  # the queue learns only whether the two cards agree
            return {
                "matched": self.tr("Matches"),
                "mismatch": self.tr("Does not match"),
                "prompt": self.tr("Please show your ID card (CCCD) too"),
            }[state]
        return {
            "matched": self.tr("ID card matches"),
            "mismatch": self.tr("ID CARD DOES NOT MATCH"),
            "prompt": self.tr("Now scan the ID card (CCCD)"),
        }[state]

    def _show_identity(self, state: str | None) -> None:
        self.identity_state = state
        if state is None:
            self._set(self.identity, "")
            self.identity.setStyleSheet("")
            self.identity.refit()
            return
        colour = IDENTITY_COLOURS[state]
        self.identity.setStyleSheet(
            f"background: #FFFFFF; color: {colour}; border: 4px solid {colour};"
            "border-radius: 8px; padding: 4px 14px;"
        )
        self._set(self.identity, self._identity_text(state))
        self.identity.refit()

    def _show_card(self, colour: str | None) -> None:
        if colour is None:
            self._set(self.card, "")
            self.card.setStyleSheet("")
            self.card.refit()
            return
        text_colour = "#111111" if colour == "yellow" else "#FFFFFF"
        self.card.setStyleSheet(
            f"background: {CARD_COLOURS[colour]}; color: {text_colour}; border: 3px solid white;"
            "border-radius: 8px; padding: 4px 14px;"
        )
        label = self.tr("Card colour")
        self._set(self.card, f"{label}: {texts.colour(colour)}")
        self.card.refit()  # the border and padding changed its room for text

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            if self.outcome is None:
                self.show_idle()
            else:
                self._fill(self.outcome)
        super().changeEvent(event)
