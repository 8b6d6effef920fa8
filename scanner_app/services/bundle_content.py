"""What goes into a trust bundle, read from the files an issuer keeps (signer certificates,
signed DSC lists, rule profiles, decision policies, value sets, revocation lists, blocked
keys): shared by `scanner-app bundle build` and `scanner-hub publish`.

`add_arguments` declares the inputs once for both command lines; `content_from_args` reads
them into the bundle's content. An unreadable or invalid input raises `InputError` with the
file and the reason.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner_app.core.bundle import build_content
from scanner_app.core.revocation import HASH_BYTES, certificate_hash
from scanner_app.core.shc_keys import (
    EMPTY_SHC_ISSUERS,
    ShcImport,
    ShcIssuers,
    ShcKeyError,
    import_jwks,
    import_shc_keys,
)
from scanner_app.core.trust import TrustError, load_certificates, load_public_key, load_trust_source
from scanner_app.services.inputs import fail, parse_moment, read_bytes


def add_arguments(parser: argparse.ArgumentParser, *, sequence_required: bool) -> None:
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
    issued_at = parse_moment(args.issued_at, "--issued-at") if args.issued_at else datetime.now(UTC)
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
