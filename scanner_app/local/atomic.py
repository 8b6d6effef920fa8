"""Crash-safe file replacement: write a temporary file beside the target, fsync it, rename
it over the target, fsync the directory. A reader sees the old file or the new one, never
a torn mix, even if power fails in between."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; NTFS journals renames
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_staged(path: Path, data: bytes) -> Path:
    """Write `data` durably to `<path>.new` and return that staging path."""
    staged = path.with_name(path.name + ".new")
    with open(staged, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return staged


def commit_staged(staged: Path, path: Path) -> None:
    os.replace(staged, path)
    fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes) -> None:
    commit_staged(write_staged(path, data), path)
