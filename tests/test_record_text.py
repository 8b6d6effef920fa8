"""The record contract's text cleaning (`core/record.py:clean_text`): what it removes, over
every code point, since its fast path trusts `str.isprintable()` to flag all of it."""

from __future__ import annotations

import sys
import unicodedata

from scanner_app.core.record import clean_text


def test_every_control_character_and_lone_surrogate_is_cleaned_and_nothing_else() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        cleaned = clean_text(f"a{char}b", None)
        if category == "Cc":
            assert cleaned == "ab", hex(code)
        elif category == "Cs":
            assert cleaned == "a\ufffdb", hex(code)
        else:
            assert cleaned == f"a{char}b", hex(code)


def test_text_is_cut_to_its_length() -> None:
    assert clean_text("Nguyễn Văn An", 6) == "Nguyễn"
    assert clean_text("x" * 100, None) == "x" * 100
