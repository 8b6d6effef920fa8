"""Helpers shared by the commands: usage errors, reading input, parsing times."""

from __future__ import annotations

import sys

# A usage error is bad input: the same exception the use cases raise, exit status 2.
from scanner_app.services.inputs import InputError as UsageError
from scanner_app.services.inputs import fail, parse_moment, read_bytes

__all__ = ["UsageError", "fail", "parse_moment", "read_bytes", "report_usage_error", "strip_line_end"]

USAGE_ERROR = 2


def report_usage_error(prog: str, error: UsageError) -> int:
    print(f"{prog}: error: {error}", file=sys.stderr)
    return USAGE_ERROR


def strip_line_end(text: str) -> str:
    """A code read from stdin or a file ends with the line terminator of its transport."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text
