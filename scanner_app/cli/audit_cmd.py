"""`scanner-app audit verify`: check the log's hash chain and name the first bad record, in
the chosen language. Exit status: 0 intact, 1 broken, 2 no check log."""

from __future__ import annotations

import argparse
import sys

from scanner_app.cli.common import USAGE_ERROR
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, speaker


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="check the check log for tampering")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="verify the hash chain of the check log")
    verify.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.store.db import DB_NAME
    from scanner_app.text.messages import chain_problem_text

    say = speaker(args.lang)
    app = App.open(args.data_dir)
    if not (app.data_dir / DB_NAME).exists():
        message = say(QT_TRANSLATE_NOOP("Cli", "there is no check log in %1"), app.data_dir)
        print(f"scanner-app audit: {message}", file=sys.stderr)
        return USAGE_ERROR
    store = app.open_store(purge=False)
    try:
        report = store.verify()
    finally:
        store.close()
    if report.ok:
        print(say(QT_TRANSLATE_NOOP("Cli", "chain ok: %1 records verified"), report.checked))
        return 0
    problem = chain_problem_text(report.problem, say.translate)
    print(say(QT_TRANSLATE_NOOP("Cli", "chain BROKEN at seq %1: %2"), report.first_bad_seq, problem))
    return 1
