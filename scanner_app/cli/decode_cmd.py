"""`scanner-app decode [--json] FILE...`: decode still images with the full decoder chain."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("decode", help="decode QR codes in still images")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="one JSON line per file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from scanner_app.camera.decode import Decoder, ImageFileError, load_gray

    decoder = Decoder()  # a fixed ladder of repairs: the same answer on a busy machine
    status = 0
    for name in args.files:
        try:
            image = load_gray(Path(name))
        except ImageFileError as exc:
            print(f"scanner-app decode: error: {exc}", file=sys.stderr)
            status = 2
            continue
        result = decoder.decode(image)
        codes = [{"text": c.text, "format": c.format} for c in result.codes]
        if args.json:
            print(
                json.dumps(
                    {"file": name, "codes": codes, "ms": round(result.elapsed_ms, 3)},
                    ensure_ascii=False,
                )
            )
        else:
            texts = "; ".join(c["text"] for c in codes) or "(no code)"
            print(f"{name}: {texts}")
    return status
