"""What a scanner reports about itself is shown to people in the console: a right-to-left
override or a zero-width mark in its version must not make a cell read as something else."""

from __future__ import annotations

import pytest

from scanner_hub.status import _shown_text


@pytest.mark.parametrize(
    ("reported", "shown"),
    [
        ("1.4.2", "1.4.2"),
        ("1.4\u202e2.1", "1.42.1"),  # right-to-left override
        ("\u20661.4.2\u2069", "1.4.2"),  # isolates
        ("1.\u200b4.2", "1.4.2"),  # zero-width space
        ("\x001.4\x07.2", "1.4.2"),  # control characters (the record contract's cleaning)
        ("Phiên bản 2", "Phiên bản 2"),  # letters of any script stay
    ],
)
def test_reported_text_loses_what_could_disguise_it(reported: str, shown: str) -> None:
    assert _shown_text(reported, 32) == shown


def test_reported_text_is_cut_to_its_length() -> None:
    assert len(_shown_text("9" * 1_000_000, 32)) == 32
