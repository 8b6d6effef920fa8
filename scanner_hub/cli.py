"""`scanner-hub`: serve, enroll, publish, ingest, export. Every command takes `--db URL`
(default: SQLite in the hub's data directory; production: postgresql://...)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from scanner_hub.keys import hub_data_dir, load_hub_keys


def _hub(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from scanner_hub.service import Hub

    folder = hub_data_dir(args.data_dir)
    return Hub.open(args.db or f"sqlite:///{folder / 'hub.db'}", load_hub_keys(folder))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from scanner_hub.api import create_app

    uvicorn.run(create_app(_hub(args)), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    try:
        with _hub(args) as hub:
            code = hub.new_enrollment(args.checkpoint, args.type)
    except ValueError as exc:
        print(f"scanner-hub enroll: error: {exc}", file=sys.stderr)
        return 2
    print(f"enrollment code for checkpoint {args.checkpoint} ({args.type}), valid 7 days: {code}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    with _hub(args) as hub:
        return _publish(args, hub)


def _publish(args: argparse.Namespace, hub) -> int:  # type: ignore[no-untyped-def]
    from scanner_app.core.bundle import Anchor, BundleError, sign_bundle
    from scanner_app.devkit.keys import demo_anchor_key
    from scanner_app.local.bundle_store import app_anchors
    from scanner_app.services.bundle_content import content_from_args
    from scanner_app.services.inputs import InputError

    key = hub.keys.anchor_key(args.anchor_key)
    if key is None:
        if not args.demo:
            print(
                "scanner-hub publish: error: no anchor key (put it at <hub data dir>/anchor-key.pem "
                "or pass --anchor-key; --demo signs with the published demo anchor)",
                file=sys.stderr,
            )
            return 2
        key = demo_anchor_key()
    args.sequence = args.sequence or hub.next_sequence()
    try:
        content = content_from_args(args)
        data = sign_bundle(content, key)
        sequence = hub.publish(data, [*app_anchors(), Anchor("hub", key.public_key(), demo=args.demo)])
    except (InputError, BundleError, ValueError) as exc:
        print(f"scanner-hub publish: error: {exc}", file=sys.stderr)
        return 2
    print(f"published trust bundle sequence {sequence}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from scanner_hub.ingest import IngestRefused

    try:
        with _hub(args) as hub:
            results = hub.ingest_file(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        print(f"scanner-hub ingest: error: {exc}", file=sys.stderr)
        return 2
    except IngestRefused as exc:
        print(f"scanner-hub ingest: refused: {exc.problem}: {exc.detail}", file=sys.stderr)
        return 1
    stored = sum(len(r.stored) for r in results)
    already = sum(len(r.already) for r in results)
    refused = [r.refused for r in results if r.refused]
    print(f"stored {stored}, already stored {already}, refused {len(refused)} batch(es)")
    for problem in refused:
        print(f"  refused: {problem}")
    return 1 if refused else 0


def cmd_export(args: argparse.Namespace) -> int:
    from scanner_hub.export import day_rows, write

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        print(f"scanner-hub export: error: --date {args.date!r} is not YYYY-MM-DD", file=sys.stderr)
        return 2
    zone = datetime.now().astimezone().tzinfo
    with _hub(args) as hub:
        rows = day_rows(hub.engine, day, zone, args.checkpoint)
    write(rows, Path(args.out), args.format)
    print(f"exported {len(rows)} checks of {day} to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from scanner_app.services.bundle_content import add_arguments as add_content_arguments

    parser = argparse.ArgumentParser(prog="scanner-hub", description="District hub for checkpoint scanners")
    data_dir_help = "the hub's keys and default SQLite database"
    parser.add_argument("--data-dir", help=data_dir_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, func) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--db", metavar="URL", help="sqlite:///path or postgresql://user@host/db")
        # also after the command name; SUPPRESS keeps a --data-dir given before it
        p.add_argument("--data-dir", default=argparse.SUPPRESS, help=data_dir_help)
        p.set_defaults(func=func)
        return p

    serve = command("serve", "run the HTTP API", cmd_serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    enroll = command("enroll", "make a one-time enrollment code for a device", cmd_enroll)
    enroll.add_argument("--checkpoint", required=True, metavar="ID")
    enroll.add_argument("--type", default="road", choices=("road", "market", "office", "event"))
    publish = command("publish", "sign and publish a new trust bundle", cmd_publish)
    add_content_arguments(publish, sequence_required=False)
    publish.add_argument("--anchor-key", metavar="KEY", help="default: <hub data dir>/anchor-key.pem")
    ingest = command("ingest", "ingest an outbox file carried from a site without network", cmd_ingest)
    ingest.add_argument("file", metavar="FILE")
    export = command("export", "export checks across checkpoints", cmd_export)
    export.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    export.add_argument("--checkpoint", metavar="ID")
    export.add_argument("--format", required=True, choices=("csv", "xlsx"))
    export.add_argument("--out", required=True, metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
