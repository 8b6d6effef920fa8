"""`verify(text, context) -> Verdict`: the one function that decides what a code is worth.

It never raises for any input text: an unknown code is an "unsupported" verdict, and an
unforeseen error inside a format module becomes `internal_error` (a bug to fix, logged by
the caller) rather than an exception reaching the UI.
"""

from __future__ import annotations

from scanner_app.core.context import VerifyContext
from scanner_app.core.formats import REGISTRY
from scanner_app.core.model import CodeFormat, Reason, Step, StepResult, Verdict


def verify(text: str, context: VerifyContext) -> Verdict:
    if not text:
        return _unrecognised(Reason.EMPTY)
    for module in REGISTRY:
        if module.matches(text):
            try:
                verdict: Verdict = module.evaluate(text, context)
            except Exception as exc:  # a bug, never a verdict about the card
                return Verdict(
                    format=module.FORMAT,
                    valid=False,
                    reason=Reason.INTERNAL_ERROR,
                    steps=(StepResult(Step.DETECT, False, f"{type(exc).__name__}: {exc}"),),
                )
            return verdict
    return _unrecognised(Reason.UNSUPPORTED_FORMAT)


def _unrecognised(reason: Reason) -> Verdict:
    return Verdict(
        format=CodeFormat.UNKNOWN,
        valid=False,
        reason=reason,
        steps=(StepResult(Step.DETECT, False, "not a code this scanner knows"),),
    )
