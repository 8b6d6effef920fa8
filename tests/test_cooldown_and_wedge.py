"""Repeat suppression and the USB-scanner keystroke buffer, on an injected clock."""

from __future__ import annotations

from scanner_app.core.cooldown import RepeatFilter
from scanner_app.core.keyboard_wedge import KeyboardWedge


def test_a_held_code_is_checked_once() -> None:
    repeats = RepeatFilter(cooldown_seconds=5)
    seen = [repeats.admit("A", t / 10) for t in range(0, 600)]  # held for a minute at 10 fps
    assert seen.count(True) == 1


def test_a_code_shown_again_after_the_cooldown_is_checked_again() -> None:
    repeats = RepeatFilter(cooldown_seconds=5)
    assert repeats.admit("A", 0.0)
    assert not repeats.admit("A", 4.9)
    assert repeats.admit("A", 10.0)
    assert repeats.admit("B", 10.1)  # another code is never held back


def test_keyboard_wedge_tells_a_scanner_from_a_person() -> None:
    wedge = KeyboardWedge()
    code = "HC1:NCFOXN%TS3DH3ZSUZK"
    result = None
    for i, char in enumerate(code + "\n"):
        result = wedge.key(char, 100 + i * 0.005)
    assert result == code
    typed = [wedge.key(c, 200 + i * 0.3) for i, c in enumerate("hello world\n")]
    assert typed[-1] is None  # slow typing never becomes a scan
