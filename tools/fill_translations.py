"""Fill translations into the .ts from a JSON table {"Context": {"source": "translation"}}.
A helper for batch translation; Qt Linguist does the same interactively."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TS = Path(__file__).resolve().parent.parent / "assets" / "i18n" / "scanner_vi.ts"


def main(table_path: str) -> int:
    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    tree = ET.parse(TS)
    filled = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            text = table.get(name, {}).get(source)
            node = message.find("translation")
            if text and node is not None:
                if message.get("numerus") == "yes":  # Vietnamese has one plural form
                    for child in list(node):
                        node.remove(child)
                    ET.SubElement(node, "numerusform").text = text
                    node.text = None
                else:
                    node.text = text
                node.attrib.pop("type", None)
                filled += 1
    ET.indent(tree)
    TS.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
        + ET.tostring(tree.getroot(), encoding="unicode")
        + "\n",
        encoding="utf-8",
    )
    print(f"filled {filled} translations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
