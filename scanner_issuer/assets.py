"""The project's shared assets (fonts, the default rule profile), found the way the scanner
finds them: beside the package in a source checkout, `scanner_app/_assets` in a wheel, or
the PyInstaller folder. Looked up here, not imported from the scanner's app layer."""

from __future__ import annotations

import sys
from importlib.util import find_spec
from pathlib import Path

from scanner_issuer.errors import IssuerError


def asset(*parts: str) -> Path:
    candidates: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "assets")
    spec = find_spec("scanner_app")
    if spec is not None and spec.origin:
        package = Path(spec.origin).resolve().parent
        candidates += [package / "_assets", package.parent / "assets"]
    for folder in candidates:
        path = folder.joinpath(*parts)
        if path.exists():
            return path
    raise IssuerError(f"asset {'/'.join(parts)} not found; reinstall the program")


DEFAULT_PROFILE = ("rules", "VN-KH-2021-10.json")
FONT_REGULAR = ("fonts", "NotoSans-Regular.ttf")
FONT_BOLD = ("fonts", "NotoSans-Bold.ttf")
