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
    from scanner_app.store.db import DB_NAME

    app = App.open(args.data_dir)
    if not (app.data_dir / DB_NAME).exists():
        print(f"no check log in {app.data_dir}")
        return 2
    from scanner_app.core.wire import AnswerError
    from scanner_app.local.device import load_receipt
    from scanner_app.services.audit import audit

    try:
        receipt = load_receipt(app.data_dir, app.device)
    except AnswerError as exc:
        print(f"the stored receipt does not verify: {exc}")
        return 1
    store = app.open_store(purge=False)
    try:
        report = audit(store, receipt)
    finally:
        store.close()
    print(report.describe())
    return 0 if report.ok else 1
