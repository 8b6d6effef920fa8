"""`scanner-issuer`: init, rotate, withdraw, issue, revoke, export-trust, status.

Exit status 0 when the command did its work, 2 when it refused (the reason on stderr);
nothing is half-done in either case.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scanner_issuer.errors import IssuerError
from scanner_issuer.token import TokenConfig

if TYPE_CHECKING:
    from scanner_issuer.state import IssuerState

PROG = "scanner-issuer"


def _moment(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise IssuerError(f"--at {text!r} is not an ISO-8601 time") from None
    if moment.tzinfo is None:
        raise IssuerError(f"--at {text!r} needs a time zone (Z or +07:00)")
    return moment


def _state(args: argparse.Namespace) -> IssuerState:
    from scanner_issuer.state import IssuerState

    return IssuerState.load(Path(args.dir))


def run_init(args: argparse.Namespace) -> int:
    from scanner_issuer.assets import DEFAULT_PROFILE, asset
    from scanner_issuer.ceremony import InitOptions, init_issuer

    if args.file_keys == bool(args.pkcs11_module):
        raise IssuerError(
            "give either --pkcs11-module with --token-label and --pin-env, or --file-keys (DEMO)"
        )
    token = None
    if args.pkcs11_module:
        if not args.token_label or not args.pin_env:
            raise IssuerError("--pkcs11-module needs --token-label and --pin-env")
        token = TokenConfig(args.pkcs11_module, args.token_label, args.pin_env)
    state = init_issuer(
        InitOptions(
            folder=Path(args.dir),
            token=token,
            country=args.country,
            province=args.province,
            issuer_name=args.issuer_name,
            alg=args.alg,
            per_type=args.dsc_per_type,
            profile=Path(args.profile) if args.profile else asset(*DEFAULT_PROFILE),
            at=_moment(args.at),
        )
    )
    where = f"token {token.token_label!r}" if token else "DEMO FILES (not for production)"
    print(f"issuer created in {args.dir}; keys in {where}")
    for signer in state.signers:
        print(f"  DSC {signer.label}: kid {signer.kid}, types {signer.types}, until {signer.not_after}")
    print(f"  CSCA: {args.dir}/csca.pem   DSCs: {args.dir}/dsc.pem")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    from scanner_issuer.ceremony import rotate

    _, active = rotate(_state(args), _moment(args.at))
    for signer in active:
        print(f"new DSC {signer.label}: kid {signer.kid}, types {signer.types}")
    print("the previous DSCs are retired: their cards verify until you withdraw them")
    return 0


def run_withdraw(args: argparse.Namespace) -> int:
    state = _state(args)
    record = next((s for s in state.signers if s.kid == args.kid), None)
    if record is None:
        raise IssuerError(f"no document signer with kid {args.kid}")
    if record.status == "active":
        raise IssuerError("this DSC still signs new cards: rotate first")
    status = "compromised" if args.compromised else "withdrawn"
    state.with_status(args.kid, status).save()
    print(
        f"DSC {record.label} {status}: the next export-trust leaves it out"
        + (" and blocks it" if args.compromised else "")
    )
    return 0


def run_issue(args: argparse.Namespace) -> int:
    from scanner_issuer.issuing import IssueRequest, issue

    sources = {
        kind: Path(path)
        for kind, path in (
            ("vaccinations", args.vaccinations),
            ("tests", args.tests),
            ("recoveries", args.recoveries),
        )
        if path
    }
    if not sources:
        raise IssuerError("give at least one of --vaccinations, --tests, --recoveries")
    at = _moment(args.at)
    state = _state(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    request = IssueRequest(sources, at, out, Path(args.profile) if args.profile else None)
    report = issue(state, request)
    print(report.summary())
    print(f"outputs in {out}: cards.jsonl, rejects.csv" + (", cards.pdf, png/" if report.sheets else ""))
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from scanner_issuer.revoking import revoke

    revoked = revoke(_state(args), uvci=args.uvci, cccd=args.cccd, reason=args.reason, at=_moment(args.at))
    for uvci in revoked:
        print(f"revoked {uvci} ({args.reason})")
    print("run export-trust and publish a bundle to reach the scanners")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from scanner_issuer.trust_export import export_trust

    exported = export_trust(_state(args), Path(args.out), _moment(args.at))
    counts = f"{exported.signers} signer(s), {exported.revoked} revoked card(s)"
    print(f"{counts}, {exported.blocked} blocked signer(s)")
    print(f"bundle options: {exported.bundle_arguments()}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from scanner_issuer.register import Register

    state = _state(args)
    keys = f"token {state.token.token_label!r}" if state.token else "DEMO files"
    print(f"{state.issuer_name} ({state.country}-{state.province}), {state.alg}, keys in {keys}")
    for signer in state.signers:
        print(f"  {signer.label:14} kid {signer.kid}  types {signer.types}  {signer.status}")
    path = state.folder / "register.sqlite"
    if path.exists():
        register = Register(path)
        try:
            print(f"  register: {register.counts()}")
        finally:
            register.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="The province's Thẻ Covid issuer")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser("init", help="create the issuer: CSCA and DSC keys, certificates")
    init.add_argument("--dir", required=True, help="the issuer's state folder")
    init.add_argument(
        "--pkcs11-module", metavar="PATH", help="PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so"
    )
    init.add_argument("--token-label", metavar="L")
    init.add_argument("--pin-env", metavar="VAR", help="environment variable that holds the token's user PIN")
    init.add_argument("--file-keys", action="store_true", help="DEMO/tests only: keys in unencrypted files")
    init.add_argument("--country", default="VN")
    init.add_argument("--province", default="KH", help="short code in UVCIs and certificate names")
    init.add_argument("--issuer-name", default="Sở Y tế Khánh Hòa", help="the DCC 'is' field")
    init.add_argument("--alg", choices=("ES256", "PS256"), default="ES256")
    init.add_argument("--dsc-per-type", action="store_true", help="one DSC each for v, t and r (with EKU)")
    init.add_argument(
        "--profile", metavar="FILE", help="rule profile that chooses cards (default VN-KH-2021-10)"
    )
    init.add_argument("--at", metavar="ISO8601", help="certificates valid from (default now)")
    init.set_defaults(func=run_init)

    rotate = commands.add_parser("rotate", help="new DSC(s); the old ones retire")
    rotate.add_argument("--dir", required=True)
    rotate.add_argument("--at", metavar="ISO8601")
    rotate.set_defaults(func=run_rotate)

    withdraw = commands.add_parser("withdraw", help="take a retired DSC out of the trust export")
    withdraw.add_argument("--dir", required=True)
    withdraw.add_argument("--kid", required=True, metavar="B64")
    withdraw.add_argument("--compromised", action="store_true", help="also block it in every scanner")
    withdraw.set_defaults(func=run_withdraw)

    issue_ = commands.add_parser("issue", help="issue cards from the platforms' CSV exports")
    issue_.add_argument("--dir", required=True)
    issue_.add_argument("--vaccinations", metavar="F")
    issue_.add_argument("--tests", metavar="F")
    issue_.add_argument("--recoveries", metavar="F")
    issue_.add_argument("--at", metavar="ISO8601", help="the moment of issue (default now)")
    issue_.add_argument("--profile", metavar="FILE", help="default: the profile saved at init")
    issue_.add_argument("--out", required=True, metavar="OUTDIR")
    issue_.set_defaults(func=run_issue)

    revoke = commands.add_parser("revoke", help="revoke a card or every card of a person")
    revoke.add_argument("--dir", required=True)
    target = revoke.add_mutually_exclusive_group(required=True)
    target.add_argument("--uvci", metavar="U")
    target.add_argument("--cccd", metavar="N")
    revoke.add_argument(
        "--reason", required=True, metavar="R", help="lost, issued_in_error, withdrawn_by_holder, other"
    )
    revoke.add_argument("--at", metavar="ISO8601")
    revoke.set_defaults(func=run_revoke)

    export = commands.add_parser("export-trust", help="DSCs and revocations for the trust bundle")
    export.add_argument("--dir", required=True)
    export.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder for signers.pem, revoked.txt (and blocked-signers.pem)",
    )
    export.add_argument("--at", metavar="ISO8601")
    export.set_defaults(func=run_export)

    status = commands.add_parser("status", help="signers and register counts")
    status.add_argument("--dir", required=True)
    status.set_defaults(func=run_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except IssuerError as exc:
        print(f"{PROG} {args.command}: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
