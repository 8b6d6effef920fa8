"""`scanner-app audit verify`: both hash chains, the anchor file and the hub's signed receipt
(`services/audit.py`), in the chosen language. Exit status: 0 intact, 1 not, 2 no check log."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from scanner_app.cli.common import USAGE_ERROR
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, Say, speaker
from scanner_app.text.messages import chain_problem_text

if TYPE_CHECKING:
    from scanner_app.services.audit import AuditReport


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="check the check log for tampering")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="verify the hash chain of the check log")
    verify.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.core.wire import AnswerError
    from scanner_app.local.device import load_receipt
    from scanner_app.services.audit import audit_folder

    say = speaker(args.lang)
    app = App.open(args.data_dir)
    problems = []
    try:
        receipt = load_receipt(app.data_dir, app.device)
    except AnswerError as exc:
        receipt = None
        message = QT_TRANSLATE_NOOP("Cli", "the stored receipt from the hub does not verify: %1")
        problems.append(say(message, exc))
    report = audit_folder(app.data_dir, receipt)
    if report.problems and report.problems[0].startswith("no check log"):
        message = say(QT_TRANSLATE_NOOP("Cli", "there is no check log in %1"), app.data_dir)
        print(f"scanner-app audit: {message}", file=sys.stderr)
        return USAGE_ERROR
    print(describe(report, say, problems))
    return 0 if report.ok and not problems else 1


def describe(report: AuditReport, say: Say, more: list[str]) -> str:
    """The report in the reader's language (the technical details stay as they are)."""
    lines = []
    for chain, ok_text, broken_text in (
        (report.checks, OK_RECORDS, BROKEN_RECORD),
        (report.events, OK_EVENTS, BROKEN_EVENT),
    ):
        if chain is None:
            continue
        if chain.ok:
            lines.append(say(ok_text, chain.checked))
        else:
            lines.append(
                say(broken_text, chain.first_bad_seq, chain_problem_text(chain.problem, say.translate))
            )
    lines += [say(PROBLEM, p) for p in [*report.problems, *more]]
    lines += [say(NOTE, n) for n in report.notes]
    if report.checked_against:
        lines.append(say(CHECKED_AGAINST, "; ".join(report.checked_against)))
    lines.append(say(INTACT if report.ok and not more else NOT_INTACT))
    return "\n".join(lines)


OK_RECORDS = QT_TRANSLATE_NOOP("Cli", "chain ok: %1 records verified")
OK_EVENTS = QT_TRANSLATE_NOOP("Cli", "events chain ok: %1 events verified")
BROKEN_RECORD = QT_TRANSLATE_NOOP("Cli", "chain BROKEN at record %1: %2")
BROKEN_EVENT = QT_TRANSLATE_NOOP("Cli", "events chain BROKEN at event %1: %2")
PROBLEM = QT_TRANSLATE_NOOP("Cli", "PROBLEM: %1")
NOTE = QT_TRANSLATE_NOOP("Cli", "note: %1")
CHECKED_AGAINST = QT_TRANSLATE_NOOP("Cli", "checked against: %1")
INTACT = QT_TRANSLATE_NOOP("Cli", "log intact")
NOT_INTACT = QT_TRANSLATE_NOOP("Cli", "LOG NOT INTACT")
