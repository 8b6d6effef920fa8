"""Settings on disk: `<data dir>/settings.json`, parsed by `core.settings.parse_settings`."""

from __future__ import annotations

import json
from pathlib import Path

from scanner_app.core.settings import Settings, SettingsProblem, parse_settings
from scanner_app.local.atomic import write_atomic


def settings_path(data_dir: Path) -> Path:
    return data_dir / "settings.json"


def load_settings(data_dir: Path) -> Settings:
    path = settings_path(data_dir)
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SettingsProblem(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SettingsProblem(f"{path} must hold a JSON object")
    return parse_settings(data)


def save_settings(data_dir: Path, settings: Settings) -> None:
    text = json.dumps(settings.to_json(), ensure_ascii=False, indent=1)
    write_atomic(settings_path(data_dir), text.encode("utf-8"))
