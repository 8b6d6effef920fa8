"""`scanner-app enroll`, `scanner-app sync --once` and `scanner-app outbox export`, each
speaking the chosen language (--lang, else the locale). Exit status: 0 done, 1 the hub did
not answer or refused, 2 not enrolled."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scanner_app.cli.common import USAGE_ERROR
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, Say, speaker

if TYPE_CHECKING:
    from scanner_app.sync.relay import SyncStatus


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    enroll = subparsers.add_parser("enroll", help="register this scanner with a district hub")
    enroll.add_argument("--hub", metavar="URL", help="the hub's address")
    enroll.add_argument("--code", help="CODE-FINGERPRINT as `scanner-hub enroll` printed it")
    enroll.add_argument(
        "--link", metavar="TEXT", help="the scanner-enroll: link (the text of the hub's QR code)"
    )
    enroll.set_defaults(func=run_enroll)
    sync = subparsers.add_parser("sync", help="send queued checks and fetch trust data")
    sync.add_argument("--once", action="store_true", required=True, help="one cycle, then exit")
    sync.set_defaults(func=run_sync)
    keys = subparsers.add_parser("day-keys", help="pseudonym keys carried from the hub on a USB stick")
    keys_actions = keys.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    keys_import = keys_actions.add_parser("import", help="install the file `scanner-hub day-keys` wrote")
    keys_import.add_argument("file", metavar="FILE")
    keys_import.set_defaults(func=run_day_keys_import)
    outbox = subparsers.add_parser("outbox", help="the queue of checks not yet at the hub")
    actions = outbox.add_subparsers(dest="outbox_action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write queued checks to a file for a USB stick")
    export.add_argument("--out", required=True, metavar="FILE")
    export.set_defaults(func=run_outbox_export)


def run_enroll(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.core.wire import EnrollmentLink
    from scanner_app.services.enroll import EnrollError, EnrollProblem, enroll

    say = speaker(args.lang)
    if args.link:
        try:
            link = EnrollmentLink.parse(args.link)
        except ValueError as exc:
            message = say(NOT_A_LINK, exc)
            print(f"scanner-app enroll: {message}", file=sys.stderr)
            return USAGE_ERROR
        urls, code = list(link.hubs), str(link.code)
    elif args.hub and args.code:
        urls, code = [args.hub], args.code
    else:
        message = QT_TRANSLATE_NOOP("Cli", "give --hub URL --code CODE, or --link TEXT")
        print(f"scanner-app enroll: {say(message)}", file=sys.stderr)
        return USAGE_ERROR
    app = App.open(args.data_dir)
    try:
        enrolled = enroll(app.data_dir, app.device, app.trust, app.clock, urls, code)
    except EnrollError as error:
        reason = {
            EnrollProblem.BAD_CODE: QT_TRANSLATE_NOOP(
                "Cli", "type the code with its fingerprint, as the hub printed it (CODE-FINGERPRINT)"
            ),
            EnrollProblem.UNREACHABLE: QT_TRANSLATE_NOOP(
                "Cli", "the hub at %1 did not answer: check the address and the network"
            ),
            EnrollProblem.REFUSED: QT_TRANSLATE_NOOP(
                "Cli", "the hub refused the code: it is unknown, used or expired"
            ),
            EnrollProblem.IMPOSTOR: QT_TRANSLATE_NOOP(
                "Cli", "whoever answers at %1 is NOT the hub the code names; nothing was saved"
            ),
            EnrollProblem.BAD_ANSWER: QT_TRANSLATE_NOOP("Cli", "the hub's answer could not be used"),
        }[error.problem]
        failed = say(QT_TRANSLATE_NOOP("Cli", "Enrollment failed: %1."), say(reason, urls[0]))
        print(f"scanner-app enroll: {failed}\n  ({error.detail})", file=sys.stderr)
        return 1
    print(
        say(
            QT_TRANSLATE_NOOP("Cli", "Enrolled as %1 at checkpoint %2 (%3); hub %4 pinned."),
            enrolled.device_id,
            enrolled.checkpoint_id,
            enrolled.checkpoint_type,
            enrolled.hub_fingerprint,
        )
    )
    return 0


NOT_A_LINK = QT_TRANSLATE_NOOP("Cli", "not an enrollment link: %1")


def run_sync(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.sync.client import HubRefused, HubUnavailable

    say = speaker(args.lang)
    app = App.open(args.data_dir)
    store = app.open_store()
    try:
        relay = app.relay(store)
        if relay is None:
            message = QT_TRANSLATE_NOOP(
                "Cli", "this scanner is not enrolled: run scanner-app enroll --hub URL --code CODE first"
            )
            print(f"scanner-app sync: {say(message)}", file=sys.stderr)
            return USAGE_ERROR
        try:
            status = relay.cycle()
        except (HubUnavailable, HubRefused) as exc:
            problem = (
                QT_TRANSLATE_NOOP("Cli", "the hub did not answer; %1 check(s) stay queued")
                if isinstance(exc, HubUnavailable)
                else QT_TRANSLATE_NOOP("Cli", "the hub refused the request; %1 check(s) stay queued")
            )
            print(f"scanner-app sync: {say(problem, store.queued_count())}\n  ({exc})", file=sys.stderr)
            return 1
        finally:
            relay.client.close()
    finally:
        store.close()
    print(say(QT_TRANSLATE_NOOP("Cli", "sent %1 checks, %2 queued"), status.sent_this_cycle, status.queued))
    print(bundle_sentence(say, status, app.trust.loaded.bundle.sequence))
    return 0


def run_day_keys_import(args: argparse.Namespace) -> int:
    import json

    from cryptography.exceptions import InvalidTag

    from scanner_app.app import App
    from scanner_app.core.wire import AnswerError, open_answer

    app = App.open(args.data_dir)
    if app.device.hub is None:
        print(
            "scanner-app day-keys import: not enrolled: the keys come from the hub you enroll with",
            file=sys.stderr,
        )
        return 2
    try:
        envelope = json.loads(Path(args.file).read_text(encoding="utf-8"))
        payload = open_answer(
            envelope, app.device.hub.identity, kind="day_keys", device_id=app.device.device_id
        )
        count = app.day_keys.install(str(payload["day_keys"]), app.device.seal_key, app.clock.now())
    except (OSError, ValueError, KeyError, InvalidTag, AnswerError) as exc:
        print(f"scanner-app day-keys import: refused: {exc}", file=sys.stderr)
        return 2
    print(f"installed {count} new day key(s); keys held until {max(app.day_keys.keys, default='-')}")
    return 0


def bundle_sentence(say: Say, status: SyncStatus, in_use: int) -> str:
    """What the sync did about trust data, including "the hub has none yet"."""
    if status.bundle_problem:
        return say(
            QT_TRANSLATE_NOOP(
                "Cli", "The hub's trust data was refused (%1); the trust data in use (#%2) stays."
            ),
            status.bundle_problem,
            in_use,
        )
    if status.bundle_answer == 200 and status.bundle_sequence is not None:
        return say(QT_TRANSLATE_NOOP("Cli", "New trust data #%1 installed."), status.bundle_sequence)
    if status.bundle_answer == 404:
        return say(
            QT_TRANSLATE_NOOP(
                "Cli", "The hub has no trust data yet (nothing published); the trust data in use (#%1) stays."
            ),
            in_use,
        )
    return say(QT_TRANSLATE_NOOP("Cli", "Trust data unchanged (#%1)."), in_use)


def run_outbox_export(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.services.outbox_file import write_outbox_file

    app = App.open(args.data_dir)
    store = app.open_store(purge=False)
    try:
        count, batches = write_outbox_file(store, app.device, Path(args.out))
    finally:
        store.close()
    message = QT_TRANSLATE_NOOP(
        "Cli",
        "Wrote %1 queued check(s) in %2 signed batch(es) to %3; they stay queued here until a sync "
        "confirms the hub holds them.",
    )
    print(speaker(args.lang)(message, count, batches, args.out))
    return 0
