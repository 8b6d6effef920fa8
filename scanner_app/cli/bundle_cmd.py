"""`scanner-app bundle build | inspect | import`: make, read and install trust bundles."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from scanner_app.cli.common import UsageError, fail, read_bytes, report_usage_error
from scanner_app.core.bundle import BundleError, TrustBundle, open_bundle, sign_bundle
from scanner_app.local.bundle_store import app_anchors
from scanner_app.services.bundle_content import add_arguments, content_from_args


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("bundle", help="build, inspect or import a trust bundle")
    actions = parser.add_subparsers(dest="bundle_action", metavar="ACTION", required=True)

    build = actions.add_parser("build", help="issuer side: sign a new bundle")
    add_arguments(build, sequence_required=True)
    build.add_argument("--sign-key", required=True, metavar="KEY", help="anchor private key (PEM)")
    build.add_argument("--out", required=True, metavar="FILE")
    build.set_defaults(func=run_build)

    inspect = actions.add_parser("inspect", help="verify a bundle file and show what it holds")
    inspect.add_argument("file", metavar="FILE")
    inspect.add_argument("--json", action="store_true")
    inspect.set_defaults(func=run_inspect)

    install = actions.add_parser("import", help="install a bundle (e.g. from a USB stick)")
    install.add_argument("file", metavar="FILE")
    install.set_defaults(func=run_import)


def run_build(args: argparse.Namespace) -> int:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        key = serialization.load_pem_private_key(read_bytes(args.sign_key, "key"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            fail("--sign-key must be an EC P-256 private key")
        content = content_from_args(args)
        data = sign_bundle(content, key)
        open_bundle(data, [*app_anchors(), *_self_anchor(key, args.demo)])  # refuse bad content
    except (UsageError, ValueError) as exc:
        return report_usage_error("scanner-app bundle build", UsageError(str(exc)))
    except BundleError as exc:
        return report_usage_error("scanner-app bundle build", UsageError(f"refused: {exc}"))
    Path(args.out).write_bytes(data)
    print(f"wrote {args.out}: sequence {args.sequence}, {len(content['signers'])} signer(s)")
    return 0


def _self_anchor(key: Any, demo: bool) -> list[Any]:
    from scanner_app.core.bundle import Anchor

    return [Anchor("signing key", key.public_key(), demo=demo)]


def summary(bundle: TrustBundle) -> dict[str, Any]:
    return {
        "issuer": bundle.issuer,
        "sequence": bundle.sequence,
        "issued_at": bundle.issued_at.isoformat(),
        "not_after": bundle.not_after.isoformat(),
        "demo": bundle.demo,
        "anchor": bundle.anchor,
        "signers": len(bundle.signers),
        "signer_countries": sorted({s.country or "?" for s in bundle.signers}),
        "profiles": [
            {"id": p.id, "version": p.version, "title": p.title.get("en", "")}
            for p in bundle.profiles.values()
        ],
        "default_profile": bundle.default_profile,
        "policies": [
            {"id": p.id, "version": p.version, "example": p.example} for p in bundle.policies.values()
        ],
        "default_policy": bundle.default_policy,
        "value_sets": sorted(bundle.value_sets),
        "revoked": len(bundle.revoked),
        "suspended": len(bundle.suspended),
        "lifted": len(bundle.lifted),
        "blocked_keys": len(bundle.blocked_keys),
        "shc_issuers": len(bundle.shc_issuers),
        "shc_keys": bundle.shc_issuers.key_count(),
        "sha256": bundle.digest.hex(),
    }


def run_inspect(args: argparse.Namespace) -> int:
    try:
        data = read_bytes(args.file, "bundle")
    except UsageError as exc:
        return report_usage_error("scanner-app bundle inspect", exc)
    try:
        bundle = open_bundle(data, app_anchors())
    except BundleError as exc:
        print(f"REFUSED: {exc}")
        return 1
    info = summary(bundle)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        for key, value in info.items():
            print(f"{key:>16}: {value}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    try:
        data = read_bytes(args.file, "bundle")
    except UsageError as exc:
        return report_usage_error("scanner-app bundle import", exc)
    from scanner_app.app import App

    app = App.open(args.data_dir)
    try:
        bundle = app.trust.install(data, app.clock.now())
    except BundleError as exc:
        print(f"REFUSED, the installed bundle stays in use: {exc}")
        return 1
    print(f"installed: {bundle.issuer} sequence {bundle.sequence}, valid until {bundle.not_after}")
    return 0
