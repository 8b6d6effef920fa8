"""Translations without Qt, for the command line.

The UI translates through Qt (`.qm` files built from `assets/i18n/*.ts`). The CLI must start
without importing Qt, so it reads the same `.ts` source with ElementTree: one catalogue for
both, and the strings are marked in the code with `QT_TRANSLATE_NOOP` so that
`pyside6-lupdate` finds them.
"""

from __future__ import annotations

import locale
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache

from scanner_app.system.resources import asset

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"  # Vietnamese first

Translate = Callable[[str, str], str]


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    return text


def pick_language(explicit: str | None = None) -> str:
    """--lang wins; then the locale (English only when it says English); else Vietnamese."""
    if explicit:
        return explicit if explicit in LANGUAGES else DEFAULT_LANGUAGE
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANGUAGE
    current = locale.getlocale()[0] or ""
    return "en" if current.lower().startswith("en") else DEFAULT_LANGUAGE


@cache
def _catalogue(language: str) -> dict[tuple[str, str], str]:
    path = asset("i18n", f"scanner_{language}.ts")
    if not path.exists():
        return {}
    table: dict[tuple[str, str], str] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source")
            node = message.find("translation")
            if source is None or node is None or node.get("type") in {"unfinished", "obsolete"}:
                continue
            text = "".join(node.itertext())  # plain text, or the <numerusform> of plural messages
            if text:
                table[(name, source)] = text
    return table


def translator(language: str) -> Translate:
    if language == "en":
        return lambda context, text: text
    table = _catalogue(language)
    return lambda context, text: table.get((context, text), text)


class Say:
    """`say(source, *values)`: the sentence in the chosen language, `%1`, `%2`... filled in.
    Sources are marked `QT_TRANSLATE_NOOP(context, "...")` where they are written, so that
    lupdate collects them. `translate` is the plain (context, source) lookup."""

    def __init__(self, translate: Translate, context: str = "Cli") -> None:
        self.translate = translate
        self.context = context

    def __call__(self, source: str, *values: object) -> str:
        text = self.translate(self.context, source)
        return fill(text, *values)


def fill(text: str, *values: object) -> str:
    """`%1`, `%2`... replaced in one pass (a value that contains `%1` stays as it is)."""

    def value(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return str(values[number - 1]) if 0 < number <= len(values) else match.group(0)

    return re.sub(r"%(\d+)", value, text)


def speaker(language: str | None, context: str = "Cli") -> Say:
    """The sentences of the command line in the chosen language (--lang, else the locale)."""
    return Say(translator(pick_language(language)), context)
