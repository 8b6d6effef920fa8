"""QR images of card texts (segno), as a checkpoint camera or a phone screen would show them."""

from __future__ import annotations

import io
from pathlib import Path

import segno


def qr_png_bytes(text: str, *, scale: int = 4, border: int = 4, dark_mode: bool = False) -> bytes:
    """Alphanumeric-mode QR when the text allows it (HC1 does: Base45 was built for it)."""
    code = segno.make_qr(text, error="q" if len(text) < 600 else "m", boost_error=False)
    out = io.BytesIO()
    dark, light = ("#ffffff", "#000000") if dark_mode else ("#000000", "#ffffff")
    code.save(out, kind="png", scale=scale, border=border, dark=dark, light=light)
    return out.getvalue()


def write_qr_png(text: str, path: Path, **options: object) -> Path:
    path.write_bytes(qr_png_bytes(text, **options))  # type: ignore[arg-type]
    return path
