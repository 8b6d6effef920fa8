"""`scanner-app verify`: one code in, one verdict out (JSON or a short sentence)."""

from __future__ import annotations

import argparse
import json
import sys

from scanner_app.cli.common import (
    UsageError,
    fail,
    parse_moment,
    report_usage_error,
    strip_line_end,
)
from scanner_app.cli.trust_args import add_trust_arguments, setup_from_args
from scanner_app.core.checkpoint import CheckResult
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, Translate, pick_language, speaker, translator
from scanner_app.text.messages import (
    certificate_type_text,
    colour_text,
    decision_text,
    format_text,
    policy_rule_text,
    reason_text,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="verify one code offline and print the verdict",
        description="Verify one QR text offline. Exit status 0 whenever a verdict was produced.",
    )
    add_trust_arguments(parser)
    parser.add_argument("--at", metavar="ISO8601", help="check as of this time (default: now)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--image", metavar="FILE", help="decode the code from a picture first")
    parser.add_argument("text", nargs="?", metavar="TEXT", help="the QR text, or - for stdin")
    parser.set_defaults(func=run)


def _read_text(args: argparse.Namespace) -> str:
    say = speaker(getattr(args, "lang", None))
    if args.image and args.text:
        fail(say(QT_TRANSLATE_NOOP("Cli", "give either TEXT / - or --image, not both")))
    if args.image:
        from scanner_app.camera.decode import ImageFileError
        from scanner_app.camera.still import decode_file

        try:
            codes = decode_file(args.image)
        except ImageFileError as exc:
            fail(str(exc))
        if not codes:
            fail(say(QT_TRANSLATE_NOOP("Cli", "no QR code found in %1"), repr(args.image)))
        return codes[0].text
    if args.text is None:
        fail(say(QT_TRANSLATE_NOOP("Cli", "give the QR text, - to read it from stdin, or --image FILE")))
    if args.text == "-":
        return strip_line_end(sys.stdin.read())
    return args.text


def run(args: argparse.Namespace) -> int:
    try:
        text = _read_text(args)
        setup = setup_from_args(args)
        if args.at:
            result = setup.checker.check(text, parse_moment(args.at))  # explicit time: no floor
        else:
            app = setup.app
            result = setup.checker.check(text, app.clock.now(), app.trust.floor)
    except UsageError as exc:
        return report_usage_error("scanner-app verify", exc)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        language = pick_language(getattr(args, "lang", None))
        print(human_verdict(result, translator(language)))
    return 0


def human_verdict(result: CheckResult, translate: Translate) -> str:
    verdict = result.verdict
    lines = [
        f"{decision_text(result.decision.value, translate)} — {format_text(verdict.format.value, translate)}",
        f"{translate('Cli', 'Reason')}: {reason_text(result.reason, translate)}",
    ]
    if result.colour and result.valid:
        lines.append(f"{translate('Cli', 'Colour')}: {colour_text(result.colour.value, translate)}")
    if result.allowed is not None:
        allowed = [c.value for c in result.allowed]
        rule = policy_rule_text(result.level, result.checkpoint, allowed, translate)
        lines.append(f"{translate('Cli', 'Rule')}: {rule}")
    holder = verdict.holder if result.valid else None  # nothing from a card that failed
    if holder:
        name = " ".join(p for p in (holder.family_std, holder.given_std) if p).replace("<", " ")
        lines.append(f"{translate('Cli', 'Holder')}: {name or '?'} ({holder.dob or '?'})")
    if verdict.certificate_type:
        kind = certificate_type_text(verdict.certificate_type, translate)
        lines.append(f"{translate('Cli', 'Certificate')}: {kind}, {verdict.issuer or '?'}")
    return "\n".join(lines)


_LABELS = (
    QT_TRANSLATE_NOOP("Cli", "Reason"),
    QT_TRANSLATE_NOOP("Cli", "Colour"),
    QT_TRANSLATE_NOOP("Cli", "Holder"),
    QT_TRANSLATE_NOOP("Cli", "Certificate"),
    QT_TRANSLATE_NOOP("Cli", "Rule"),
)
