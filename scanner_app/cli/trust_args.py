"""The trust, rule and checkpoint options shared by `verify` and `gate`, and how they turn
into a `Checker` built by the composition root: --bundle, else --trust files (with the
installed rules), else the bundle installed in the data directory, else the embedded demo."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace

from scanner_app.app import App, CheckpointOverrides
from scanner_app.cli.common import fail, read_bytes
from scanner_app.core.bundle import BundleError, open_bundle
from scanner_app.core.checkpoint import Checker, SettingsError, TrustMaterial
from scanner_app.core.policy import CHECKPOINT_TYPES, LEVELS
from scanner_app.core.settings import SettingsProblem
from scanner_app.core.trust import TrustError, TrustStore, load_public_key, load_trust_source
from scanner_app.local.bundle_store import app_anchors
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, pick_language, translator


def add_trust_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="FILE",
        help="signer certificates (PEM/DER, one or many) or a signed DSC list; repeatable",
    )
    parser.add_argument("--trust-list-key", metavar="PEM", help="public key that signs the DSC list")
    parser.add_argument("--bundle", metavar="FILE", help="a signed trust bundle to use")
    parser.add_argument("--profile", metavar="ID", help="colour rule profile, e.g. VN-KH-2021-10")
    parser.add_argument("--checkpoint", choices=CHECKPOINT_TYPES, help="checkpoint type")
    parser.add_argument("--level", type=int, choices=LEVELS, help="epidemic level 1-4")


@dataclass(frozen=True)
class Setup:
    app: App
    checker: Checker
    source: str  # where the trust came from, for messages


def _extra_keys(args: argparse.Namespace) -> TrustStore:
    list_key = None
    if args.trust_list_key:
        try:
            list_key = load_public_key(read_bytes(args.trust_list_key, "trust-list key"))
        except TrustError as exc:
            fail(f"{args.trust_list_key}: {exc}")
    store = TrustStore()
    for path in args.trust:
        try:
            for key in load_trust_source(read_bytes(path, "trust file"), list_key):
                store.add(key)
        except TrustError as exc:
            fail(f"{path}: refused as a trust source: {exc}")
    return store


def _material(args: argparse.Namespace, app: App) -> tuple[TrustMaterial, str]:
    """--bundle, else --trust keys with the installed bundle's rules, else the installed
    bundle (or the embedded demo)."""
    extra = _extra_keys(args)
    if args.bundle:
        try:
            bundle = open_bundle(read_bytes(args.bundle, "bundle"), app_anchors())
        except BundleError as exc:
            fail(f"{args.bundle}: refused: {exc}")
        return TrustMaterial.from_bundle(bundle).with_extra_keys(extra), args.bundle
    material = app.trust.material
    if args.trust:  # --trust keys replace the bundle's keys, its rules stay
        return replace(material, trust=extra), "--trust files"
    return material, "installed bundle" if app.trust.installed else "embedded demo bundle"


TRUST_DAMAGED = QT_TRANSLATE_NOOP(
    "Cli",
    "TRUST DATA DAMAGED (%1): every decision is manual until `scanner-app bundle import FILE` "
    "or a sync installs the province's trust bundle again.",
)


def warn_if_damaged(app: App, language: str | None) -> None:
    """On stderr, before any check: the decisions that follow are all manual, and why."""
    if app.trust.damaged:
        text = translator(pick_language(language))("Cli", TRUST_DAMAGED).replace("%1", app.trust.damaged)
        print(f"scanner-app: {text}", file=sys.stderr, flush=True)


def setup_from_args(args: argparse.Namespace) -> Setup:
    try:
        app = App.open(getattr(args, "data_dir", None))
        settings = app.settings
    except SettingsProblem as exc:
        fail(f"settings: {exc}")
    material, source = _material(args, app)
    overrides = CheckpointOverrides(args.checkpoint, args.level, args.profile)
    try:
        checker = app.checker(settings, material=material, overrides=overrides)
    except SettingsError as exc:
        fail(str(exc))
    warn_if_damaged(app, getattr(args, "lang", None))
    return Setup(app, checker, source)
