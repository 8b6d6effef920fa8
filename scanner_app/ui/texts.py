"""Code -> translated sentence in the window (Qt's translation system), one module."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from scanner_app.text import messages


def tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def reason(code: str) -> str:
    return messages.reason_text(code, tr)


def decision(code: str | None) -> str:
    return messages.decision_text(code, tr)


def colour(code: str | None) -> str:
    return messages.colour_text(code, tr)


def code_format(code: str) -> str:
    return messages.format_text(code, tr)


def certificate_type(code: str | None) -> str:
    return messages.certificate_type_text(code, tr)


def checkpoint(code: str | None) -> str:
    return messages.checkpoint_text(code, tr)


def birth_date(dob: str | None) -> str:
    return messages.birth_date_text(dob, tr)


def flags(stored: str | None) -> str:
    return messages.flags_text(stored, tr)


def policy_rule(level: int, checkpoint: str, allowed: Iterable[str]) -> str:
    return messages.policy_rule_text(level, checkpoint, allowed, tr)
