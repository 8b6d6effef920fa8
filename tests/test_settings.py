"""Every setting is declared once (core/settings.py), parsed strictly, and documented in the
README's settings table."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner_app.core.settings import Settings, SettingsProblem, declared, parse_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [f.name for f in declared()])
def test_each_setting_is_documented(name: str) -> None:
    assert f"| `{name}` |" in README


def test_defaults_and_parsing() -> None:
    assert parse_settings({}) == Settings()
    parsed = parse_settings({"checkpoint_type": "market", "epidemic_level": 3, "kiosk": True})
    assert (parsed.checkpoint_type, parsed.epidemic_level, parsed.sounds_on()) == ("market", 3, False)


@pytest.mark.parametrize(
    "bad",
    [
        {"epidemic_level": 5},
        {"checkpoint_type": "airport"},
        {"kiosk": "yes"},
        {"retention_days": 0},
        {"no_such_setting": 1},
    ],
)
def test_bad_settings_are_refused_with_a_reason(bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(SettingsProblem):
        parse_settings(bad)
