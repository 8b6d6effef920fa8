"""`scanner-app audit verify`: check the log's hash chain and name the first bad record."""

from __future__ import annotations

import argparse


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

    app = App.open(args.data_dir)
    problems = []
    try:
        receipt = load_receipt(app.data_dir, app.device)
    except AnswerError as exc:
        receipt, problems = None, [f"the stored receipt from the hub does not verify: {exc}"]
    report = audit_folder(app.data_dir, receipt)
    print(report.describe())
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if report.problems and report.problems[0].startswith("no check log"):
        return 2
    return 0 if report.ok and not problems else 1
