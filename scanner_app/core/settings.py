"""Every setting declared once, in `Settings`: type, default, help and a validity check in
the field metadata. `parse_settings` is the pure function from a settings file's JSON to
`Settings`; tests/test_settings.py checks that the README documents each one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from typing import Any

from scanner_app.core.policy import CHECKPOINT_TYPES, LEVELS

Check = Callable[[Any], bool]


def _one_of(*choices: Any) -> Check:
    return lambda value: value in choices


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _optional_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _optional_boolean(value: Any) -> bool:
    return value is None or isinstance(value, bool)


def setting(default: Any, help_text: str, check: Check) -> Any:
    return field(default=default, metadata={"help": help_text, "check": check})


@dataclass(frozen=True)
class Settings:
    checkpoint_type: str = setting("road", "road, market, office or event", _one_of(*CHECKPOINT_TYPES))
    epidemic_level: int = setting(1, "epidemic level 1-4 (Resolution 128/NQ-CP)", _one_of(*LEVELS))
    checkpoint_id: str = setting("CP-DEMO", "this checkpoint's name in logs and at the hub", _text)
    operator: str = setting("", "who is on duty (kept in each check record)", _text)
    profile_id: str | None = setting(None, "colour rule profile; empty: the bundle's default", _optional_text)
    policy_id: str | None = setting(None, "decision policy; empty: the bundle's default", _optional_text)
    language: str = setting("vi", "interface language: vi or en", _one_of("vi", "en"))
    camera: str | None = setting(
        None,
        "camera index, video file, image folder or stream URL; "
        "empty: the first webcam, else the simulated camera",
        _optional_text,
    )
    kiosk: bool = setting(False, "start in kiosk mode", _boolean)
    sounds: bool | None = setting(
        None, "a sound per outcome; empty: on for officers, off in kiosk mode", _optional_boolean
    )
    cooldown_seconds: float = setting(5.0, "ignore the same code for this long after a check", _positive)
    binding_window_seconds: float = setting(
        20.0, "an ID card (CCCD) and a health card read this close together are compared", _positive
    )
    result_seconds: float = setting(4.0, "how long a result stays on screen", _positive)
    retention_days: int = setting(21, "checks older than this many days are purged", _positive)
    identity_logging: bool = setting(False, "store names and birth dates, sealed to the hub's key", _boolean)
    clock_skew_seconds: int = setting(300, "tolerated clock difference for issue/expiry times", _positive)
    duplicate_window_minutes: float = setting(30.0, "window for the shared-code check", _positive)
    duplicate_max_per_checkpoint: int = setting(
        3, "same card more often than this in the window at one checkpoint: flag", _positive
    )
    duplicate_min_travel_minutes: float = setting(
        20.0, "same card at two checkpoints less than this apart: flag", _positive
    )

    def sounds_on(self) -> bool:
        return (not self.kiosk) if self.sounds is None else self.sounds

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def declared() -> tuple[Field[Any], ...]:
    return fields(Settings)


class SettingsProblem(ValueError):
    """A settings value is unknown, of the wrong type or out of range."""


def parse_settings(data: Mapping[str, Any]) -> Settings:
    by_name = {f.name: f for f in declared()}
    problems = []
    values: dict[str, Any] = {}
    for name, value in data.items():
        declared_field = by_name.get(name)
        if declared_field is None:
            problems.append(f"unknown setting {name!r}")
        elif not declared_field.metadata["check"](value):
            problems.append(f"{name}: {value!r} is not valid ({declared_field.metadata['help']})")
        else:
            values[name] = value
    if problems:
        raise SettingsProblem("; ".join(problems))
    return replace(Settings(), **values)
