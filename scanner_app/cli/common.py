"""Helpers shared by the commands: usage errors, reading input, parsing times."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

USAGE_ERROR = 2


class UsageError(Exception):
    """Bad arguments or an unreadable file: message on stderr, exit status 2."""


def fail(message: str) -> NoReturn:
    raise UsageError(message)


def report_usage_error(prog: str, error: UsageError) -> int:
    print(f"{prog}: error: {error}", file=sys.stderr)
    return USAGE_ERROR


def read_bytes(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        fail(f"cannot read {what} {path!r}: {exc.strerror or exc}")


def parse_moment(text: str) -> datetime:
    """ISO-8601 with `Z` or an offset; a time without a zone is refused (ambiguous)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at {text!r} is not an ISO-8601 time (e.g. 2021-10-20T10:00:00+07:00)")
    if moment.tzinfo is None:
        fail(f"--at {text!r} has no time zone: add Z or an offset such as +07:00")
    return moment.astimezone(UTC)


def strip_line_end(text: str) -> str:
    """A code read from stdin or a file ends with the line terminator of its transport."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text
