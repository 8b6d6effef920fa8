"""Where this installation keeps its data: the platform's data directory (platformdirs), or
`--data-dir` / `SCANNER_DATA_DIR` for tests, demos and several scanners on one machine."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "scanner-app"


class DataDirError(OSError):
    """The data folder cannot be created or is not a folder (a typo in --data-dir, a drive
    that is gone, a read-only parent): the command line says so instead of a traceback."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(cause.errno, f"{path}: {cause.strerror or type(cause).__name__}")
        self.path = path
        self.reason = cause.strerror or type(cause).__name__


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    chosen = explicit or os.environ.get("SCANNER_DATA_DIR")
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(path, exc) from exc
    return path
