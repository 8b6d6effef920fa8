"""`scanner-app bundle build | inspect | import`: make, read and install trust bundles."""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner_app.bundle_store import BundleStore, app_anchors
from scanner_app.cli.common import UsageError, fail, parse_moment, read_bytes, report_usage_error
from scanner_app.core.bundle import (
    BundleError,
    TrustBundle,
    build_content,
    open_bundle,
    sign_bundle,
)
from scanner_app.core.revocation import HASH_BYTES, certificate_hash
from scanner_app.core.shc_keys import (
    EMPTY_SHC_ISSUERS,
    ShcImport,
    ShcIssuers,
    ShcKeyError,
    import_jwks,
    import_shc_keys,
)
from scanner_app.core.trust import (
    TrustError,
    load_certificates,
    load_public_key,
    load_trust_source,
)
from scanner_app.paths import data_dir


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("bundle", help="build, inspect or import a trust bundle")
    actions = parser.add_subparsers(dest="bundle_action", metavar="ACTION", required=True)

    build = actions.add_parser("build", help="issuer side: sign a new bundle")
    add_content_arguments(build, sequence_required=True)
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


def add_content_arguments(parser: argparse.ArgumentParser, *, sequence_required: bool) -> None:
    """What goes into a bundle; shared with `scanner-hub publish`."""
    parser.add_argument(
        "--signer",
        action="append",
        default=[],
        metavar="FILE",
        help="DSC certificates (PEM/DER); repeatable",
    )
    parser.add_argument(
        "--trust-list",
        action="append",
        default=[],
        metavar="FILE",
        help="a signed DSC list whose certificates to include; repeatable",
    )
    parser.add_argument("--trust-list-key", metavar="PEM")
    parser.add_argument(
        "--profile-file",
        action="append",
        required=True,
        metavar="FILE",
        help="a rule profile (JSON); the first is the default",
    )
    parser.add_argument(
        "--policy-file",
        action="append",
        required=True,
        metavar="FILE",
        help="a decision policy (JSON); the first is the default",
    )
    parser.add_argument("--value-sets", metavar="FILE", help="value sets (JSON object)")
    parser.add_argument(
        "--revoked",
        metavar="FILE",
        help="revoked certificate identifiers, one per line (or hash:<32 hex>)",
    )
    parser.add_argument("--suspended", metavar="FILE", help="people in isolation, same format")
    parser.add_argument("--lifted", metavar="FILE", help="suspensions that end, same format")
    parser.add_argument(
        "--block-key",
        action="append",
        default=[],
        metavar="FILE",
        help="a signer certificate to block for good; repeatable",
    )
    parser.add_argument(
        "--block-kid",
        action="append",
        default=[],
        metavar="B64",
        help="a kid to block for good; repeatable",
    )
    parser.add_argument(
        "--shc-jwks",
        action="append",
        default=[],
        metavar="[ISS=]FILE|DIR",
        help="SMART Health Card issuer keys: a directory snapshot (e.g. VCI's), or ISS=a JWK set, "
        "or ISS=a folder holding .well-known/jwks.json and .well-known/crl/*.json; repeatable",
    )
    parser.add_argument("--issuer", default="DEMO issuer", help="who issues the bundle")
    parser.add_argument(
        "--sequence",
        type=int,
        required=sequence_required,
        help="must rise with each bundle" + ("" if sequence_required else " (default: next)"),
    )
    parser.add_argument("--issued-at", metavar="ISO8601", help="default: now")
    parser.add_argument("--valid-days", type=float, default=14.0, help="until not_after (default 14)")
    parser.add_argument("--demo", action="store_true", help="mark as a demo bundle")


def content_from_args(args: argparse.Namespace) -> dict[str, Any]:
    issued_at = parse_moment(args.issued_at) if args.issued_at else datetime.now(UTC)
    return build_content(
        issuer=args.issuer,
        sequence=args.sequence,
        issued_at=issued_at,
        not_after=issued_at + timedelta(days=args.valid_days),
        signers=_signer_ders(args),
        profiles=[_json_file(p, "profile") for p in args.profile_file],
        policies=[_json_file(p, "policy") for p in args.policy_file],
        value_sets=_json_file(args.value_sets, "value sets") if args.value_sets else {},
        revoked=_hash_lines(args.revoked),
        suspended=_hash_lines(args.suspended),
        lifted=_hash_lines(args.lifted),
        blocked_keys=_blocked_keys(args),
        demo=args.demo,
        shc_issuers=_shc_issuers(args),
    )


def _shc_issuers(args: argparse.Namespace) -> ShcIssuers:
    issuers = EMPTY_SHC_ISSUERS
    for spec in args.shc_jwks:
        head, sep, tail = spec.partition("=")
        iss, path = (head, tail) if sep and head.startswith("https://") else (None, spec)
        try:
            found = _read_shc_source(iss, Path(path))
        except ShcKeyError as exc:
            fail(f"--shc-jwks {spec}: {exc}")
        for note in found.skipped:
            print(f"--shc-jwks {path}: skipped {note}", file=sys.stderr)
        issuers = issuers.merged(found.issuers)
    return issuers


def _read_shc_source(iss: str | None, path: Path) -> ShcImport:
    if not path.is_dir():
        return import_shc_keys(_json_file(str(path), "SHC keys"), iss)
    if iss is None:
        fail(f"--shc-jwks {path}: a folder does not say whose keys it holds: ISS={path}")
    well_known = path / ".well-known"
    crls = [_json_file(str(crl), "CRL") for crl in sorted((well_known / "crl").glob("*.json"))]
    return import_jwks(_json_file(str(well_known / "jwks.json"), "JWK set"), iss, crls=crls)


def _hash_lines(path: str | None) -> list[bytes]:
    if not path:
        return []
    hashes = []
    for number, raw in enumerate(read_bytes(path, "list").decode("utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("hash:"):
            try:
                digest = bytes.fromhex(line[5:])
            except ValueError:
                digest = b""
            if len(digest) != HASH_BYTES:
                fail(f"{path}:{number}: hash: needs {HASH_BYTES * 2} hex digits")
            hashes.append(digest)
        else:
            hashes.append(certificate_hash(line))
    return hashes


def _signer_ders(args: argparse.Namespace) -> list[bytes]:
    ders: list[bytes] = []
    try:
        for path in args.signer:
            ders += [c.public_bytes(_der()) for c in load_certificates(read_bytes(path, "signer"))]
        list_key = load_public_key(read_bytes(args.trust_list_key, "key")) if args.trust_list_key else None
        for path in args.trust_list:
            ders += [k.der for k in load_trust_source(read_bytes(path, "trust list"), list_key)]
    except TrustError as exc:
        fail(str(exc))
    return list(dict.fromkeys(ders))


def _der() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _blocked_keys(args: argparse.Namespace) -> list[bytes]:
    keys = []
    for path in args.block_key:
        try:
            keys += [k.fingerprint for k in load_trust_source(read_bytes(path, "certificate"))]
        except TrustError as exc:
            fail(f"{path}: {exc}")
    for text in args.block_kid:
        try:
            keys.append(base64.b64decode(text, validate=True))
        except binascii.Error:
            fail(f"--block-kid {text!r} is not base64")
    return keys


def _json_file(path: str, what: str) -> Any:
    try:
        return json.loads(read_bytes(path, what).decode("utf-8"))
    except ValueError as exc:
        fail(f"{path}: not valid JSON: {exc}")


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
    store = BundleStore(data_dir(args.data_dir))
    try:
        bundle = store.install(data, datetime.now(UTC))
    except BundleError as exc:
        print(f"REFUSED, the installed bundle stays in use: {exc}")
        return 1
    print(f"installed: {bundle.issuer} sequence {bundle.sequence}, valid until {bundle.not_after}")
    return 0
