"""Where the program's own files (assets) live: the same lookup from a source checkout, an
installed wheel, or a PyInstaller build."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # scanner_app/


def assets_dir() -> Path:
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "assets")
    candidates += [_PACKAGE_DIR / "_assets", _PACKAGE_DIR.parent / "assets"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the program's assets folder is missing; reinstall the program")


def asset(*parts: str) -> Path:
    return assets_dir().joinpath(*parts)
