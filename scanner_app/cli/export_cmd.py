"""`scanner-app export [--date today|yesterday|YYYY-MM-DD] [--format csv|xlsx|pdf] [--out FILE]`:
the supervisor's export, with a progress bar on long runs and a signed manifest beside the
file (by default `checks-<checkpoint>-<day>.<format>` in the current folder), and
`scanner-app verify-export MANIFEST`: does an export still match its manifest?

Messages in the chosen language (--lang, else the locale). Exit status: 0 done (or the
export matches), 1 the export or its manifest was changed, 2 bad input (a day that is not a
day, no check log, an unreadable or wrong file, an export missing beside its manifest).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from scanner_app.cli.common import USAGE_ERROR
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, Say, speaker


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("export", help="export a day's checks (CSV, XLSX, PDF report)")
    parser.add_argument(
        "--date",
        default="today",
        metavar="today|yesterday|YYYY-MM-DD",
        help="the local day (this computer's time zone); default: today",
    )
    parser.add_argument("--format", default="csv", choices=("csv", "xlsx", "pdf"), help="default: csv")
    parser.add_argument(
        "--out", metavar="FILE", help="default: checks-<checkpoint>-<day>.<format> in the current folder"
    )
    parser.set_defaults(func=run)
    verify = subparsers.add_parser("verify-export", help="check an export against its manifest")
    verify.add_argument("manifest", metavar="MANIFEST", help="the FILE.manifest.json beside an export")
    verify.set_defaults(func=run_verify)


def progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _error(say: Say, source: str, *values: object) -> int:
    print(f"scanner-app export: {say(source, *values)}", file=sys.stderr)
    return USAGE_ERROR


def run(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.services.export_day import DayError, default_name, export_day, parse_day
    from scanner_app.store.db import DB_NAME

    say = speaker(args.lang)
    try:
        day = parse_day(args.date, date.today())
    except DayError:
        return _error(
            say, QT_TRANSLATE_NOOP("Cli", "%1 is not a day: give today, yesterday or YYYY-MM-DD"), args.date
        )
    app = App.open(args.data_dir)
    folder = app.data_dir
    if not (folder / DB_NAME).exists():
        return _error(say, QT_TRANSLATE_NOOP("Cli", "there is no check log in %1"), folder)
    checkpoint = app.station().checkpoint_id
    out = Path(args.out) if args.out else Path.cwd() / default_name(checkpoint, day, args.format)
    try:
        out, manifest, rows = export_day(
            folder, app.device, checkpoint, day, args.format, out, language=args.lang, progress=progress_bar
        )
    except OSError as exc:
        return _error(say, QT_TRANSLATE_NOOP("Cli", "cannot write %1: %2"), out, exc.strerror or exc)
    print(
        say(
            QT_TRANSLATE_NOOP("Cli", "Exported %1 check(s) of %2 to %3 (signed manifest: %4)."),
            rows,
            day,
            out,
            manifest.name,
        )
    )
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from scanner_app.services.export_day import ExportCheck, ManifestError, ManifestProblem, check_export

    say = speaker(args.lang)
    path = Path(args.manifest)
    try:
        verdict = check_export(path)
    except ManifestError as error:
        source = {
            ManifestProblem.UNREADABLE: QT_TRANSLATE_NOOP("Cli", "cannot read %1: %2"),
            ManifestProblem.IS_AN_EXPORT: QT_TRANSLATE_NOOP(
                "Cli", "%1 is an export, not its manifest: run scanner-app verify-export %1.manifest.json"
            ),
            ManifestProblem.NOT_A_MANIFEST: QT_TRANSLATE_NOOP(
                "Cli", "%1 is not an export manifest (the FILE.manifest.json written beside each export)"
            ),
        }[error.problem]
        print(f"scanner-app verify-export: {say(source, path, error.detail)}", file=sys.stderr)
        return USAGE_ERROR
    words = {
        ExportCheck.OK: QT_TRANSLATE_NOOP("Cli", "OK: %1 matches its manifest (%2 check(s))."),
        ExportCheck.EXPORT_CHANGED: QT_TRANSLATE_NOOP("Cli", "TAMPERED: %1 was changed after export."),
        ExportCheck.MANIFEST_CHANGED: QT_TRANSLATE_NOOP(
            "Cli", "TAMPERED: the manifest's signature does not match: the manifest was changed."
        ),
        ExportCheck.EXPORT_MISSING: QT_TRANSLATE_NOOP(
            "Cli", "MISSING: %1 is not beside its manifest: put the export next to it and check again."
        ),
    }
    print(say(words[verdict.check], verdict.export, verdict.rows))
    return {ExportCheck.OK: 0, ExportCheck.EXPORT_MISSING: USAGE_ERROR}.get(verdict.check, 1)
