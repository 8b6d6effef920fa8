"""Translations: every user-visible string in the code is in the Vietnamese catalogue with a
finished translation, and the compiled .qm the window loads matches its .ts source."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from scanner_app.system.resources import asset
from scanner_app.text.i18n import pick_language, translator

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "assets" / "i18n" / "scanner_vi.ts"


def _sources(path: Path) -> set[tuple[str, str]]:
    found = set()
    for context in ET.parse(path).getroot().iter("context"):
        for message in context.iter("message"):
            found.add((context.findtext("name") or "", message.findtext("source") or ""))
    return found


def test_every_string_in_the_code_is_translated(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    sources = [str(p) for p in sorted((ROOT / "scanner_app").rglob("*.py"))]
    subprocess.run(
        ["pyside6-lupdate", *sources, "-no-obsolete", "-locations", "none", "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    assert _sources(fresh) == _sources(TS), "run `uv run python tools/i18n.py update` and translate"
    unfinished = [
        (context.findtext("name"), message.findtext("source"))
        for context in ET.parse(TS).getroot().iter("context")
        for message in context.iter("message")
        if (
            message.find("translation").get("type") == "unfinished"
            or not "".join(message.find("translation").itertext()).strip()
        )
    ]
    assert unfinished == []


def test_the_compiled_catalogue_is_up_to_date(tmp_path: Path) -> None:
    built = tmp_path / "scanner_vi.qm"
    subprocess.run(["pyside6-lrelease", str(TS), "-qm", str(built)], check=True, capture_output=True)
    assert built.read_bytes() == asset("i18n", "scanner_vi.qm").read_bytes(), "run tools/i18n.py build"


def test_the_cli_reads_the_same_catalogue(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    vietnamese = translator("vi")
    assert vietnamese("Decision", "ALLOWED") == "ĐƯỢC PHÉP"
    assert translator("en")("Decision", "ALLOWED") == "ALLOWED"
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert pick_language(None) == "en"
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert pick_language(None) == "vi"
    assert pick_language("en") == "en"
