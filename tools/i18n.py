"""Translation workflow (Qt Linguist tools shipped with PySide6):

    uv run python tools/i18n.py update   # pyside6-lupdate: collect strings into assets/i18n/*.ts
    uv run python tools/i18n.py build    # pyside6-lrelease: compile .ts into .qm for the UI
    uv run python tools/i18n.py check    # fail if a Vietnamese translation is missing

Translators edit `assets/i18n/scanner_vi.ts` (Qt Linguist or any editor). The CLI reads the
.ts directly; the window loads the .qm.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "assets" / "i18n" / "scanner_vi.ts"


def sources() -> list[str]:
    return [str(p.relative_to(ROOT)) for p in sorted((ROOT / "scanner_app").rglob("*.py"))]


def update() -> None:
    subprocess.run(
        [
            "pyside6-lupdate",
            *sources(),
            "-no-obsolete",
            "-locations",
            "none",
            "-target-language",
            "vi_VN",
            "-ts",
            str(TS.relative_to(ROOT)),
        ],
        cwd=ROOT,
        check=True,
    )


def build() -> None:
    subprocess.run(["pyside6-lrelease", str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True)


def missing() -> list[tuple[str, str]]:
    gaps = []
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            node = message.find("translation")
            text = "".join(node.itertext()) if node is not None else ""
            if node is None or not text.strip() or node.get("type") == "unfinished":
                gaps.append((name, message.findtext("source") or ""))
    return gaps


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else ""
    if action == "update":
        update()
    elif action == "build":
        build()
    elif action == "check":
        gaps = missing()
        for context, source in gaps:
            print(f"untranslated [{context}] {source}")
        return 1 if gaps else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
