"""`scanner-app rules test PATH...`: run rule tests before a profile or rule is published.

Understands the EU business-rule layout (`<CC>/<RULE>/rule.json` with `tests/*.json`) and
the profile test format (`{"tests": [{payload, external, expected colour}]}`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner_app.cli.common import UsageError, fail, read_bytes, report_usage_error
from scanner_app.core.certlogic import CertLogicError, evaluate
from scanner_app.core.rules import Profile, ProfileError, classify_context, profile_from_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("rules", help="test rule profiles and business rules")
    actions = parser.add_subparsers(dest="rules_action", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="run rule tests and report failures")
    test.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a rules folder, a rule.json, or a profile test file",
    )
    test.add_argument("--profile-file", metavar="FILE", help="profile to test (JSON)")
    test.add_argument("--profile", metavar="ID", help="profile from the trust bundle")
    test.set_defaults(func=run)


@dataclass(frozen=True)
class Outcome:
    name: str
    passed: bool
    detail: str


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"{path}: {exc}")


def _rule_tests(rule_file: Path) -> Iterator[Outcome]:
    rule = _json(rule_file)
    logic = rule.get("Logic") if isinstance(rule, dict) else None
    rule_id = rule.get("Identifier", rule_file.parent.name) if isinstance(rule, dict) else rule_file
    for test_file in sorted((rule_file.parent / "tests").glob("*.json")):
        test = _json(test_file)
        data = {"payload": test.get("payload"), "external": test.get("external", {})}
        try:
            result: Any = evaluate(logic, data)
        except CertLogicError as exc:
            result = f"error: {exc}"
        passed = (result is True) == test.get("expected")
        yield Outcome(
            f"{rule_id}/{test_file.stem} {test.get('name', '')}".strip(),
            passed,
            f"expected {test.get('expected')}, got {result}",
        )


def _profile_tests(test_file: Path, profile: Profile) -> Iterator[Outcome]:
    for test in _json(test_file).get("tests", []):
        data = {"payload": test.get("payload"), "external": test.get("external", {})}
        outcome = classify_context(profile, data)
        passed = outcome.colour.value == test.get("expected")
        detail = f"expected {test.get('expected')}, got {outcome.colour.value} ({outcome.matched})"
        yield Outcome(f"{profile.id} {test.get('id', '')} {test.get('name', '')}", passed, detail)


def _profile(args: argparse.Namespace) -> Profile:
    if args.profile_file:
        try:
            return profile_from_json(_json(Path(args.profile_file)))
        except ProfileError as exc:
            fail(f"{args.profile_file}: {exc}")
    from scanner_app.app import App

    loaded = App.open(args.data_dir).trust.loaded
    profile_id = args.profile or loaded.bundle.default_profile
    if profile_id not in loaded.bundle.profiles:
        fail(f"no profile {profile_id!r} in the trust bundle")
    return loaded.bundle.profiles[profile_id]


def _outcomes(path: Path, args: argparse.Namespace) -> Iterator[Outcome]:
    if path.is_dir():
        rule_files = sorted(path.rglob("rule.json"))
        if not rule_files:
            fail(f"{path}: no rule.json found")
        for rule_file in rule_files:
            yield from _rule_tests(rule_file)
    elif path.name == "rule.json":
        yield from _rule_tests(path)
    else:
        read_bytes(str(path), "test file")
        yield from _profile_tests(path, _profile(args))


def run(args: argparse.Namespace) -> int:
    passed = failed = 0
    try:
        for path in args.paths:
            for outcome in _outcomes(Path(path), args):
                if outcome.passed:
                    passed += 1
                else:
                    failed += 1
                    print(f"FAIL {outcome.name}: {outcome.detail}")
    except UsageError as exc:
        return report_usage_error("scanner-app rules test", exc)
    print(f"{passed} passed, {failed} failed")
    if passed + failed == 0:
        return 2
    return 1 if failed else 0
