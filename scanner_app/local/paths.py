"""Where this installation keeps its data: the platform's data directory (platformdirs), or
`--data-dir` / `SCANNER_DATA_DIR` for tests, demos and several scanners on one machine."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "scanner-app"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    chosen = explicit or os.environ.get("SCANNER_DATA_DIR")
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
