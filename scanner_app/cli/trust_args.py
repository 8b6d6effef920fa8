"""The trust, rule and checkpoint options shared by `verify` and `gate`, and how they turn
into a `Checker`: --bundle, else --trust files (with the embedded rules), else the bundle
installed in the data directory, else the embedded demo bundle."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from scanner_app.bundle_store import BundleStore, app_anchors
from scanner_app.cli.common import fail, read_bytes
from scanner_app.core.bundle import BundleError, open_bundle
from scanner_app.core.checkpoint import Checker, CheckpointSettings, SettingsError, TrustMaterial
from scanner_app.core.clock import TimeFloor
from scanner_app.core.policy import CHECKPOINT_TYPES, LEVELS
from scanner_app.core.settings import Settings, SettingsProblem
from scanner_app.core.trust import TrustError, TrustStore, load_public_key, load_trust_source
from scanner_app.paths import data_dir
from scanner_app.settings_file import load_settings


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
    checker: Checker
    floor: TimeFloor
    settings: Settings
    data_dir: Path
    source: str


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


def setup_from_args(args: argparse.Namespace) -> Setup:
    folder = data_dir(getattr(args, "data_dir", None))
    try:
        settings = load_settings(folder)
    except SettingsProblem as exc:
        fail(f"settings: {exc}")
    store = BundleStore(folder)
    extra = _extra_keys(args)
    if args.bundle:
        try:
            bundle = open_bundle(read_bytes(args.bundle, "bundle"), app_anchors())
        except BundleError as exc:
            fail(f"{args.bundle}: refused: {exc}")
        material, source = TrustMaterial.from_bundle(bundle).with_extra_keys(extra), args.bundle
    else:
        loaded = store.load()
        material = TrustMaterial.from_bundle(loaded.bundle, loaded.ratchet)
        source = "installed bundle" if loaded.installed else "embedded demo bundle"
        if args.trust:  # --trust keys replace the bundle's keys, its rules stay
            material, source = replace(material, trust=extra), "--trust files"
    checkpoint = CheckpointSettings(
        checkpoint=args.checkpoint or settings.checkpoint_type,
        level=args.level or settings.epidemic_level,
        profile_id=args.profile or settings.profile_id,
        policy_id=settings.policy_id,
        skew=timedelta(seconds=settings.clock_skew_seconds),
    )
    try:
        checker = Checker(material, checkpoint)
    except SettingsError as exc:
        fail(str(exc))
    return Setup(checker, store.time_floor(), settings, folder, source)
