"""`scanner-app enroll`, `scanner-app sync --once` and `scanner-app outbox export`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    from scanner_app.services.enroll import EnrollError, enroll

    if args.link:
        try:
            link = EnrollmentLink.parse(args.link)
        except ValueError as exc:
            print(f"scanner-app enroll: error: {exc}", file=sys.stderr)
            return 2
        urls, code = list(link.hubs), str(link.code)
    elif args.hub and args.code:
        urls, code = [args.hub], args.code
    else:
        print("scanner-app enroll: error: give --hub URL --code CODE, or --link TEXT", file=sys.stderr)
        return 2
    app = App.open(args.data_dir)
    try:
        enrolled = enroll(app.data_dir, app.device, app.trust, app.clock, urls, code)
    except EnrollError as exc:
        print(f"scanner-app enroll: failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"enrolled as {enrolled.device_id} at checkpoint {enrolled.checkpoint_id} "
        f"({enrolled.checkpoint_type}); hub {enrolled.hub_fingerprint} pinned"
    )
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.sync.client import HubRefused, HubUnavailable

    app = App.open(args.data_dir)
    store = app.open_store()
    try:
        relay = app.relay(store)
        if relay is None:
            print(
                "scanner-app sync: not enrolled: run `scanner-app enroll --hub URL --code CODE` first",
                file=sys.stderr,
            )
            return 2
        try:
            status = relay.cycle()
        except (HubUnavailable, HubRefused) as exc:
            print(
                f"scanner-app sync: {exc}; {store.queued_count()} checks stay queued",
                file=sys.stderr,
            )
            return 1
        finally:
            relay.client.close()
    finally:
        store.close()
    bundle = f", trust bundle #{status.bundle_sequence} installed" if status.bundle_sequence else ""
    problem = f"; bundle refused: {status.bundle_problem}" if status.bundle_problem else ""
    print(f"sent {status.sent_this_cycle} checks, {status.queued} queued{bundle}{problem}")
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


def run_outbox_export(args: argparse.Namespace) -> int:
    from scanner_app.app import App
    from scanner_app.services.outbox_file import write_outbox_file

    app = App.open(args.data_dir)
    store = app.open_store(purge=False)
    try:
        count, batches = write_outbox_file(store, app.device, Path(args.out))
    finally:
        store.close()
    print(
        f"wrote {count} queued checks in {batches} signed batch(es) to {args.out}; "
        "they stay queued here until a sync confirms the hub holds them"
    )
    return 0
