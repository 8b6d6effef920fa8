"""The `scanner-app` command line. With no command it starts the window.

Each command lives in its own module and imports its heavy dependencies only when it runs,
so that `scanner-app verify` starts without Qt or OpenCV.
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Iterator, Sequence

from scanner_app import __version__
from scanner_app.cli import (
    audit_cmd,
    bundle_cmd,
    decode_cmd,
    devkit_cmd,
    export_cmd,
    gate_cmd,
    rules_cmd,
    sync_cmd,
    verify_cmd,
)
from scanner_app.cli.common import UsageError, report_usage_error
from scanner_app.local.paths import DataDirError
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, speaker

COMMANDS = (
    verify_cmd,
    decode_cmd,
    gate_cmd,
    bundle_cmd,
    rules_cmd,
    audit_cmd,
    export_cmd,
    sync_cmd,
    devkit_cmd,
)


# Options every command accepts, before or after its name: the contracts spell out
# `scanner-app gate --source SRC --data-dir DIR` as well as `scanner-app --data-dir DIR gate`.
SHARED_OPTIONS = (
    (("--data-dir",), {"help": "where settings, the check log and trust data live"}),
    (("--lang",), {"choices": ("vi", "en"), "help": "interface language"}),
)


def add_shared_options(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    """Below the top level the default is SUPPRESS, so that an option given before the
    command name is not overwritten by the subcommand's default."""
    for flags, options in SHARED_OPTIONS:
        parser.add_argument(*flags, **options, **({} if top_level else {"default": argparse.SUPPRESS}))


def leaf_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parsers that end a command line (`gate`, `audit verify`, `bundle import`...).
    argparse has no public way to list subparsers; `_actions` and `_SubParsersAction` are
    private but unchanged since Python 3.2, and the contract tests would catch a change."""
    children = [
        child
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for child in dict.fromkeys(action.choices.values())
    ]
    if not children:
        yield parser
    for child in children:
        yield from leaf_parsers(child)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scanner-app",
        description="Offline checkpoint scanner for signed COVID cards (Thẻ Covid / EU DCC). "
        "Without a command it opens the scanning window.",
    )
    parser.add_argument("--version", action="version", version=f"scanner-app {__version__}")
    add_shared_options(parser, top_level=True)
    parser.add_argument("--demo", action="store_true", help="use the simulated camera")
    parser.add_argument("--camera", help="camera index, video file, image folder or stream URL")
    parser.add_argument("--kiosk", action="store_true", help="start in kiosk mode")
    parser.add_argument("--self-test", action="store_true", help="check this installation and print a report")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    for leaf in leaf_parsers(parser):
        add_shared_options(leaf, top_level=False)
    return parser


_DATA_DIR_REASONS = {
    errno.ENOENT: QT_TRANSLATE_NOOP("Cli", "a folder above it does not exist"),
    errno.EEXIST: QT_TRANSLATE_NOOP("Cli", "it is a file, not a folder"),
    errno.ENOTDIR: QT_TRANSLATE_NOOP("Cli", "it is a file, not a folder"),
    errno.EACCES: QT_TRANSLATE_NOOP("Cli", "no permission to write there"),
    errno.EPERM: QT_TRANSLATE_NOOP("Cli", "no permission to write there"),
    errno.EROFS: QT_TRANSLATE_NOOP("Cli", "the drive is read-only"),
    errno.ENOSPC: QT_TRANSLATE_NOOP("Cli", "the drive is full"),
}


def main(argv: Sequence[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # the frozen build starts the decoder process from itself
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from scanner_app.cli.selftest_cmd import run_self_test

        return run_self_test(args)
    try:
        if args.command is None:
            from scanner_app.ui.launch import launch

            return launch(args)
        return int(args.func(args))
    except DataDirError as exc:
        say = speaker(getattr(args, "lang", None))
        reason = say(_DATA_DIR_REASONS[exc.errno]) if exc.errno in _DATA_DIR_REASONS else exc.reason
        problem = say(QT_TRANSLATE_NOOP("Cli", "the data folder %1 cannot be used: %2"), exc.path, reason)
        return report_usage_error(f"scanner-app {args.command or ''}".rstrip(), UsageError(problem))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
