"""`scanner-app export --date D --format csv|xlsx|pdf --out FILE`: the supervisor's export,
with a progress bar on long runs and a signed manifest beside the file."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("export", help="export a day's checks (CSV, XLSX, PDF report)")
    parser.add_argument(
        "--date",
        required=True,
        metavar="YYYY-MM-DD",
        help="the local day (this computer's time zone)",
    )
    parser.add_argument("--format", required=True, choices=("csv", "xlsx", "pdf"))
    parser.add_argument("--out", required=True, metavar="FILE")
    parser.set_defaults(func=run)
    verify = subparsers.add_parser("verify-export", help="check an export against its manifest")
    verify.add_argument("manifest", metavar="MANIFEST")
    verify.set_defaults(func=run_verify)


def progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.store.db import DB_NAME

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        print(f"scanner-app export: error: --date {args.date!r} is not YYYY-MM-DD", file=sys.stderr)
        return 2
    app = App.open(args.data_dir)
    folder = app.data_dir
    if not (folder / DB_NAME).exists():
        print(f"scanner-app export: error: no check log in {folder}", file=sys.stderr)
        return 2
    from scanner_app.services.export_day import export_day

    try:
        out, manifest, rows = export_day(
            folder,
            app.device,
            app.station().checkpoint_id,
            day,
            args.format,
            Path(args.out),
            language=args.lang,
            progress=progress_bar,
        )
    except OSError as exc:
        print(f"scanner-app export: error: cannot write {args.out}: {exc}", file=sys.stderr)
        return 2
    print(f"exported {rows} checks of {day} to {out} (manifest: {manifest.name})")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from scanner_app.services.export_day import verify_manifest

    ok, message = verify_manifest(Path(args.manifest))
    print(("OK: " if ok else "TAMPERED: ") + message)
    return 0 if ok else 1
