"""Birth dates are shown as the reader writes dates, and never guessed at."""

from __future__ import annotations

import pytest

from scanner_app.text.i18n import translator
from scanner_app.text.messages import birth_date_text


def english(context: str, text: str) -> str:
    return text


@pytest.mark.parametrize(
    ("dob", "vietnamese", "english_text"),
    [
        ("1978-11-23", "23/11/1978", "1978-11-23"),
        ("1978-11", "11/1978", "1978-11"),
        ("1978", "1978", "1978"),
        ("1978-11-23T00:00:00", "23/11/1978", "1978-11-23"),
        ("", "?", "?"),
        (None, "?", "?"),
        ("23.11.1978", "23.11.1978", "23.11.1978"),
        ("1978-XX-XX", "1978-XX-XX", "1978-XX-XX"),
    ],
)
def test_birth_dates(dob: str | None, vietnamese: str, english_text: str) -> None:
    assert birth_date_text(dob, translator("vi")) == vietnamese
    assert birth_date_text(dob, english) == english_text
