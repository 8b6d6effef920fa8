"""Reading what a user hands the program (a file, a time) with a clear error instead of a
traceback: every use case and both command lines share these."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn


class InputError(ValueError):
    """Bad arguments or an unreadable file; the command lines exit with status 2."""


def fail(message: str) -> NoReturn:
    raise InputError(message)


def read_bytes(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        fail(f"cannot read {what} {path!r}: {exc.strerror or exc}")


def parse_moment(text: str, option: str = "--at") -> datetime:
    """ISO-8601 with `Z` or an offset; a time without a zone is refused (ambiguous)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not an ISO-8601 time (e.g. 2021-10-20T10:00:00+07:00)")
    if moment.tzinfo is None:
        fail(f"{option} {text!r} has no time zone: add Z or an offset such as +07:00")
    return moment.astimezone(UTC)
