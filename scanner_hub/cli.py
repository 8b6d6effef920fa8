"""`scanner-hub`: serve, enroll, publish, ingest, export. Every command takes `--db URL`
(default: SQLite in the hub's data directory; production: postgresql://...)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from scanner_hub.keys import hub_data_dir, load_hub_keys

SERVED = "served.json"  # how `serve` is reached: read by `enroll` for the link it prints


def _hub(args: argparse.Namespace, config: object = None):  # type: ignore[no-untyped-def]
    from scanner_hub.service import Hub

    folder = hub_data_dir(args.data_dir)
    return Hub.open(args.db or f"sqlite:///{folder / 'hub.db'}", load_hub_keys(folder), config)  # type: ignore[arg-type]


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from scanner_hub.api import create_app
    from scanner_hub.keys import tls_fingerprint
    from scanner_hub.service import HubConfig

    tls = bool(args.tls_cert or args.tls_key)
    if tls and not (args.tls_cert and args.tls_key):
        print("scanner-hub serve: error: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    scheme = "https" if tls else "http"
    urls = tuple(args.public_url) or (f"{scheme}://{args.host}:{args.port}",)
    config = HubConfig(public_urls=urls, tls_sha256=tls_fingerprint(Path(args.tls_cert)) if tls else None)
    folder = hub_data_dir(args.data_dir)
    (folder / SERVED).write_text(json.dumps({"public_urls": list(urls)}), encoding="utf-8")
    app = create_app(_hub(args, config), body_limit=args.max_body)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        ssl_certfile=args.tls_cert,
        ssl_keyfile=args.tls_key,
    )
    return 0


def cmd_tls_cert(args: argparse.Namespace) -> int:
    from scanner_hub.keys import make_tls_certificate, tls_fingerprint

    cert, key = make_tls_certificate(hub_data_dir(args.data_dir), args.host)
    print(f"wrote {cert} and {key} (SHA-256 {tls_fingerprint(cert)})")
    print(f"serve with: scanner-hub serve --tls-cert {cert} --tls-key {key}")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    try:
        with _hub(args) as hub:
            code = hub.new_enrollment(args.checkpoint, args.type, ward=args.ward)
    except ValueError as exc:
        print(f"scanner-hub enroll: error: {exc}", file=sys.stderr)
        return 2
    served = hub_data_dir(args.data_dir) / SERVED
    urls = tuple(args.url) or (
        tuple(json.loads(served.read_text(encoding="utf-8"))["public_urls"]) if served.exists() else ()
    )
    print(f"enrollment code for checkpoint {args.checkpoint} ({args.type}), valid 7 days:")
    print(f"  {code}")
    print(f"  (the part after the dash is this hub's fingerprint: {code.fingerprint})")
    if not urls:
        print("  no hub address known yet: start `scanner-hub serve` or pass --url to print a QR code")
        return 0
    link = hub.enrollment_link(code, urls)
    print(f"on the scanner: scanner-app enroll --hub {urls[0]} --code {code}")
    print(f"or show it this QR code (supervisor view, Hub, Enroll by QR): {link}")
    import segno

    qr = segno.make(str(link), error="m")
    if args.qr_out:
        qr.save(args.qr_out, scale=8, border=4)
        print(f"QR code written to {args.qr_out}")
    else:
        qr.terminal(compact=True)
    return 0


def cmd_day_keys(args: argparse.Namespace) -> int:
    try:
        with _hub(args) as hub:
            envelope = hub.day_keys_file(args.device, args.days)
    except ValueError as exc:
        print(f"scanner-hub day-keys: error: {exc}", file=sys.stderr)
        return 2
    Path(args.out).write_text(json.dumps(envelope), encoding="utf-8")
    print(f"wrote {args.days} day keys for {args.device} to {args.out} (sealed to it, signed by this hub)")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    with _hub(args) as hub:
        if args.devices_action == "recovery-code":
            print(f"PIN recovery code of {args.device_id}: {hub.recovery_code(args.device_id)}")
            return 0
        if args.devices_action == "revoke":
            if not hub.revoke(args.device_id, args.reason):
                print(f"scanner-hub devices revoke: no active device {args.device_id!r}", file=sys.stderr)
                return 1
            print(f"revoked {args.device_id}: its batches are refused from now on")
            return 0
        for device in hub.device_list():
            state = (
                f"REVOKED {device['revoked_at']:%Y-%m-%d} ({device['revoked_reason']})"
                if device["revoked_at"]
                else "active"
            )
            seen = f"{device['last_seen_at']:%Y-%m-%d %H:%M}" if device["last_seen_at"] else "never"
            print(
                f"{device['device_id']}  {device['checkpoint_id']} ({device['checkpoint_type']})  "
                f"head {device['head_seq'] or 0}  last seen {seen}  {state}"
            )
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


def cmd_users(args: argparse.Namespace) -> int:
    import os
    from getpass import getpass

    from scanner_hub.console import auth
    from scanner_hub.console.queries import seed_wards

    with _hub(args) as hub:
        seed_wards(hub.engine)
        if args.users_action == "list":
            for user in auth.list_users(hub.engine):
                state = " (disabled)" if user["disabled"] else ""
                print(f"{user['name']}  {user['role']}  {user['ward_id'] or '-'}{state}")
            return 0
        if args.users_action == "disable":
            if not auth.disable_user(hub.engine, args.name):
                print(f"scanner-hub users disable: no user {args.name!r}", file=sys.stderr)
                return 1
            print(f"disabled {args.name}; its sessions end now")
            return 0
        password = os.environ.get(args.password_env) if args.password_env else None
        if password is None:
            password = getpass(f"password for {args.name}: ")
            if getpass("again: ") != password:
                print("scanner-hub users add: error: the passwords differ", file=sys.stderr)
                return 2
        try:
            user = auth.add_user(hub.engine, args.name, args.role, args.ward, password, hub.now())
        except auth.UserError as exc:
            print(f"scanner-hub users add: error: {exc}", file=sys.stderr)
            return 2
    print(f"added {user.name} ({user.role}{', ' + user.ward_id if user.ward_id else ''})")
    return 0


def cmd_wards(args: argparse.Namespace) -> int:
    from scanner_hub.console.queries import CITY, load_wards, seed_wards, ward_list

    with _hub(args) as hub:
        seed_wards(hub.engine)
        if args.wards_action == "load":
            try:
                entries = json.loads(Path(args.file).read_text(encoding="utf-8"))["wards"]
                with hub.engine.begin() as connection:
                    count = load_wards(connection, entries, replace=True)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                print(f"scanner-hub wards load: error: {exc}", file=sys.stderr)
                return 2
            print(f"loaded {count} wards from {args.file}")
            return 0
        for ward in ward_list(hub.engine, CITY):
            print(f"{ward['ward_id']}  {ward['name']}  ({ward['kind']})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from scanner_hub.console import reports
    from scanner_hub.console.queries import Scope, seed_wards, ward_names

    try:
        monday = reports.parse_week(args.week)
    except ValueError as exc:
        print(f"scanner-hub report: error: {exc}", file=sys.stderr)
        return 2
    with _hub(args) as hub:
        seed_wards(hub.engine)
        names = ward_names(hub.engine)
        if args.ward and args.ward not in names:
            print(f"scanner-hub report: error: unknown ward {args.ward!r}", file=sys.stderr)
            return 2
        report = reports.week_report(hub.engine, Scope(args.ward), monday, args.language)
        out = Path(args.out)
        if args.format == "xlsx":
            reports.write_xlsx(report, out, args.language, names)
        else:
            reports.write_pdf(report, out, args.language, names, hub.now().astimezone(hub.config.day_zone))
    print(f"wrote the {report.week} report ({report.total.checks} checks) to {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915
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
    serve.add_argument(
        "--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (pinned by scanners)"
    )
    serve.add_argument("--tls-key", metavar="PEM", help="its private key")
    serve.add_argument(
        "--public-url",
        action="append",
        default=[],
        metavar="URL",
        help="how scanners reach this hub; repeatable",
    )
    serve.add_argument(
        "--max-body", type=int, default=8 * 1024 * 1024, metavar="BYTES", help="request body limit"
    )
    tls = command("tls-cert", "make a self-signed TLS certificate in the hub's data directory", cmd_tls_cert)
    tls.add_argument(
        "--host", action="append", required=True, help="a name or address scanners use; repeatable"
    )
    enroll = command("enroll", "make a one-time enrollment code for a device", cmd_enroll)
    enroll.add_argument("--checkpoint", required=True, metavar="ID")
    enroll.add_argument("--type", default="road", choices=("road", "market", "office", "event"))
    enroll.add_argument(
        "--ward", metavar="WARD", help="the ward the checkpoint belongs to (scanner-hub wards list)"
    )
    enroll.add_argument(
        "--url", action="append", default=[], metavar="URL", help="hub address for the QR code"
    )
    enroll.add_argument(
        "--qr-out", metavar="PNG", help="write the QR code to a picture instead of the terminal"
    )
    keys = command("day-keys", "day keys for a scanner without network, for a USB stick", cmd_day_keys)
    keys.add_argument("--device", required=True, metavar="DEVICE_ID")
    keys.add_argument("--days", type=int, default=30, help="today and the next days (default 30)")
    keys.add_argument("--out", required=True, metavar="FILE")
    devices = command("devices", "list or revoke enrolled scanners", cmd_devices)
    actions = devices.add_subparsers(dest="devices_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every enrolled device, its checkpoint and last contact")
    revoke = actions.add_parser("revoke", help="refuse a device from now on (lost or stolen laptop)")
    recovery = actions.add_parser(
        "recovery-code", help="the code that unlocks a scanner whose PIN state was lost"
    )
    recovery.add_argument("device_id", metavar="DEVICE_ID")
    for leaf in (listing, revoke, recovery):  # --db and --data-dir after the action name too
        leaf.add_argument("--db", default=argparse.SUPPRESS, metavar="URL")
        leaf.add_argument("--data-dir", default=argparse.SUPPRESS, help=data_dir_help)
    revoke.add_argument("device_id", metavar="DEVICE_ID")
    revoke.add_argument("--reason", default="revoked by the operator")
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
    users = command("users", "console users: the city team and the ward teams", cmd_users)
    user_actions = users.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    add = user_actions.add_parser("add", help="add a user (password from a prompt or --password-env)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=("city", "ward"))
    add.add_argument("--ward", metavar="WARD", help="a ward user's ward")
    add.add_argument("--password-env", metavar="VAR", help="read the password from this environment variable")
    disable = user_actions.add_parser("disable", help="stop a user (its sessions end)")
    disable.add_argument("name", metavar="NAME")
    user_list = user_actions.add_parser("list", help="every user, role and ward")
    wards_cmd = command("wards", "the district's wards and communes", cmd_wards)
    ward_actions = wards_cmd.add_subparsers(dest="wards_action", metavar="ACTION", required=True)
    ward_list = ward_actions.add_parser("list", help="the wards the console knows")
    ward_load = ward_actions.add_parser(
        "load", help="replace the wards with a JSON file like the packaged one"
    )
    ward_load.add_argument("file", metavar="FILE")
    for leaf in (add, disable, user_list, ward_list, ward_load):
        leaf.add_argument("--db", default=argparse.SUPPRESS, metavar="URL")
        leaf.add_argument("--data-dir", default=argparse.SUPPRESS, help=data_dir_help)
    report = command(
        "report", "the weekly report (as on the console's Week page), for a scheduled task", cmd_report
    )
    report.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2021-W41")
    report.add_argument("--ward", metavar="WARD", help="one ward (default: the whole city)")
    report.add_argument("--format", required=True, choices=("pdf", "xlsx"))
    report.add_argument("--language", default="vi", choices=("vi", "en"))
    report.add_argument("--out", required=True, metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
