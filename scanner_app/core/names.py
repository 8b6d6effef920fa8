"""Holder names: the ICAO 9303 style standardised form used on DCCs (fnt/gnt)."""

from __future__ import annotations

import unicodedata

# Letters that do not decompose into a base letter plus marks.
_SPECIAL = {"Đ": "D", "đ": "D", "Æ": "AE", "Ø": "OE", "ß": "SS", "Þ": "TH", "Ł": "L"}


def standardise(name: str) -> str:
    """'Nguyễn Văn Đức' -> 'NGUYEN<VAN<DUC' (uppercase A-Z, '<' between words)."""
    out = []
    for original in name:
        char = _SPECIAL.get(original, original)
        for base in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(base):
                continue
            upper = base.upper()
            if "A" <= upper <= "Z" or upper.isdigit():
                out.append(upper)
            elif upper in " -'":
                out.append("<")
    return "<".join(part for part in "".join(out).split("<") if part)
