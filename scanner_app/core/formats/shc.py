"""SMART Health Cards (`shc:/` + digits): recognised, not verified yet."""

from __future__ import annotations

import re

from scanner_app.core.model import CodeFormat, Reason, Step, StepResult, Verdict

FORMAT = CodeFormat.SHC
_SHC = re.compile(r"shc:/(\d+/\d+/)?\d+")


def matches(text: str) -> bool:
    return text.startswith("shc:/")


def evaluate(text: str, context: object) -> Verdict:
    well_formed = _SHC.fullmatch(text) is not None
    return Verdict(
        format=FORMAT,
        valid=False,
        reason=Reason.FORMAT_NOT_SUPPORTED_YET,
        steps=(StepResult(Step.DETECT, well_formed, "SMART Health Card"),),
    )
