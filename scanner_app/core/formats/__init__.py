"""The card-format registry: each format module says whether it `matches` a text and turns
it into a `Verdict`. Unknown input becomes an "unsupported" verdict, never an exception."""

from __future__ import annotations

from types import ModuleType

from scanner_app.core.formats import hc1, identity_vn, shc

# Order matters only between overlapping formats; HC1 and SHC have unique prefixes.
REGISTRY: tuple[ModuleType, ...] = (hc1, shc, identity_vn)
