"""Build checks the way the program does: dev-kit cards through the real Checker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner_app.core.checkpoint import Checker, CheckpointSettings, CheckResult, TrustMaterial
from scanner_app.core.record import Station
from scanner_app.core.trust import TrustStore
from scanner_app.devkit.cards import Person, issue, vaccination
from scanner_app.devkit.keys import Signer
from scanner_app.local.bundle_store import BundleStore
from scanner_app.local.day_keys import DayKeys
from scanner_app.store.checks import CheckStore, StoreConfig

NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
STATION = Station("CP-1")


def checker_for(signer: Signer, tmp: Path) -> Checker:
    demo = BundleStore(tmp).embedded()
    material = TrustMaterial.from_bundle(demo)
    material = TrustMaterial(
        TrustStore([signer.trusted()]),
        material.profiles,
        material.policies,
        material.default_profile,
        material.default_policy,
    )
    return Checker(material, CheckpointSettings())


def card(signer: Signer, person: Person, ci: str | None = None) -> str:
    return issue(
        vaccination(person, 2, 2, (NOW - timedelta(days=30)).date(), ci=ci),
        signer,
        NOW - timedelta(days=1),
    )


def config(**overrides: object) -> StoreConfig:
    values: dict[str, object] = {
        "device_id": "dev-test",
        "pseudonyms": DayKeys(Path("/nonexistent-day-keys"), b"k" * 32),
    }
    values.update(overrides)
    return StoreConfig(**values)  # type: ignore[arg-type]


def fill(
    store: CheckStore,
    checker: Checker,
    texts: list[str],
    start: datetime = NOW,
    step_seconds: float = 60,
) -> list[CheckResult]:
    results = []
    for number, text in enumerate(texts):
        moment = start + timedelta(seconds=step_seconds * number)
        result = checker.check(text, moment)
        store.record(result, text, STATION, wall_time=moment, monotonic=float(number))
        results.append(result)
    return results
