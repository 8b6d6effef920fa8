"""Decoding still images from files (the `verify --image` and `decode` paths)."""

from __future__ import annotations

from pathlib import Path

from scanner_app.camera.decode import DecodedCode, Decoder, load_gray


def decode_file(path: str | Path, decoder: Decoder | None = None) -> list[DecodedCode]:
    image = load_gray(Path(path))
    return (decoder or Decoder()).decode(image).codes
