"""`scanner-app enroll`, `scanner-app sync --once` and `scanner-app outbox export`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    enroll = subparsers.add_parser("enroll", help="register this scanner with a district hub")
    enroll.add_argument("--hub", required=True, metavar="URL")
    enroll.add_argument("--code", required=True, help="the one-time code from `scanner-hub enroll`")
    enroll.set_defaults(func=run_enroll)
    sync = subparsers.add_parser("sync", help="send queued checks and fetch trust data")
    sync.add_argument("--once", action="store_true", required=True, help="one cycle, then exit")
    sync.set_defaults(func=run_sync)
    outbox = subparsers.add_parser("outbox", help="the queue of checks not yet at the hub")
    actions = outbox.add_subparsers(dest="outbox_action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write queued checks to a file for a USB stick")
    export.add_argument("--out", required=True, metavar="FILE")
    export.set_defaults(func=run_outbox_export)


def run_enroll(args: argparse.Namespace) -> int:
    from scanner_app.device import load_device, save_enrollment
    from scanner_app.paths import data_dir
    from scanner_app.sync.client import HubClient, HubRefused, HubUnavailable

    folder = data_dir(args.data_dir)
    device = load_device(folder)
    client = HubClient(args.hub)
    try:
        answer = client.enroll(args.code, device.public_key_pem(), device.device_id)
    except (HubUnavailable, HubRefused) as exc:
        print(f"scanner-app enroll: failed: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    if answer.status != 200:
        print(f"scanner-app enroll: failed: {answer.status} {answer.body}", file=sys.stderr)
        return 1
    body = answer.body
    save_enrollment(
        folder,
        hub_url=args.hub,
        hmac_secret=bytes.fromhex(body["hmac_secret"]),
        hub_seal_key=bytes.fromhex(body["seal_public_key"]),
        checkpoint_id=body["checkpoint_id"],
    )
    if answer.hub_time:
        from scanner_app.bundle_store import BundleStore

        BundleStore(folder).raise_floor(answer.hub_time, "hub")
    print(f"enrolled as {device.device_id} at checkpoint {body['checkpoint_id']} ({body['checkpoint_type']})")
    return 0


def relay_for(folder: Path, store, client=None):  # type: ignore[no-untyped-def]
    from scanner_app.bundle_store import BundleStore
    from scanner_app.device import load_device
    from scanner_app.sync.client import HubClient
    from scanner_app.sync.relay import SyncRelay
    from scanner_app.system_clock import SystemClock

    device = load_device(folder)
    if not device.enrolled or not device.hub_url:
        return None
    return SyncRelay(store, device, client or HubClient(device.hub_url), BundleStore(folder), SystemClock())


def run_sync(args: argparse.Namespace) -> int:
    from scanner_app.app import open_check_store
    from scanner_app.paths import data_dir
    from scanner_app.settings_file import load_settings
    from scanner_app.sync.client import HubRefused, HubUnavailable

    folder = data_dir(args.data_dir)
    store = open_check_store(folder, load_settings(folder))
    try:
        relay = relay_for(folder, store)
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


def run_outbox_export(args: argparse.Namespace) -> int:
    from scanner_app.app import open_check_store
    from scanner_app.device import load_device
    from scanner_app.paths import data_dir
    from scanner_app.settings_file import load_settings
    from scanner_app.sync.wire import sign_batch

    folder = data_dir(args.data_dir)
    device = load_device(folder)
    store = open_check_store(folder, load_settings(folder), purge=False)
    try:
        pending = store.pending(10**9)
    finally:
        store.close()
    batches = [
        sign_batch(device.device_id, pending[i : i + 500], device.signing_key)
        for i in range(0, len(pending), 500)
    ]
    document = {"format": "scanner-outbox/1", "device_id": device.device_id, "batches": batches}
    Path(args.out).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    print(
        f"wrote {len(pending)} queued checks in {len(batches)} signed batch(es) to {args.out}; "
        "they stay queued here until a sync confirms the hub holds them"
    )
    return 0
