"""`scanner-app devkit cards --out DIR`: demo cards as QR images and texts, for training,
demos and trying a camera. Every card is signed by a published DEMO key."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from scanner_app.cli.common import UsageError, parse_moment, report_usage_error


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("devkit", help="demo cards for training and tests")
    actions = parser.add_subparsers(dest="devkit_action", metavar="ACTION", required=True)
    cards = actions.add_parser("cards", help="write demo cards (PNG + text) to a folder")
    cards.add_argument("--out", required=True, metavar="DIR")
    cards.add_argument("--at", metavar="ISO8601", help="issue the cards as of this time")
    cards.set_defaults(func=run_cards)


def run_cards(args: argparse.Namespace) -> int:
    from scanner_app.devkit.catalog import demo_cards
    from scanner_app.devkit.render import write_qr_png

    try:
        now = parse_moment(args.at) if args.at else datetime.now(UTC)
    except UsageError as exc:
        return report_usage_error("scanner-app devkit cards", exc)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for number, card in enumerate(demo_cards(now), 1):
        png = write_qr_png(card.text, out / f"{number:02d}-{card.name}.png")
        manifest.append({"file": png.name, "name": card.name, "expect": card.expect, "text": card.text})
    (out / "cards.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    print(f"wrote {len(manifest)} DEMO cards to {out}")
    return 0
