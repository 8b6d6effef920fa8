"""The policy can require binding per checkpoint type and level; a mismatch always denies.
Through `Checker.bind` with real signed cards (HC1 and SMART Health Card) and a real CCCD."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scanner_app.core.binding import Binding, BindingResult, compare
from scanner_app.core.checkpoint import Checker, CheckpointSettings, TrustMaterial
from scanner_app.core.model import Reason
from scanner_app.core.pairing import Pairing
from scanner_app.core.policy import (
    CHECKPOINT_TYPES,
    LEVELS,
    Decision,
    PolicyError,
    decide_binding,
    policy_from_json,
)
from scanner_app.core.rules import profile_from_json
from scanner_app.core.trust import TrustStore
from scanner_app.devkit.cards import DEMO_PEOPLE, issue, vaccination
from scanner_app.system.resources import asset
from tests.conftest import FakeClock
from tests.shc_helpers import card, claims, immunization, new_issuer, patient

NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
POLICY_JSON = json.loads(asset("policies", "VN-EXAMPLE-POLICY.json").read_text(encoding="utf-8"))
PROFILE = profile_from_json(json.loads(asset("rules", "VN-KH-2021-10.json").read_text(encoding="utf-8")))
AN = DEMO_PEOPLE[0]  # Nguyễn Văn An, 1985-03-12
CCCD_AN = "079085001234|123456789|Nguyễn Văn An|12031985|Nam|Nha Trang|01072021"
CCCD_BINH = "079090004321||Trần Thị Bình|01071990|Nữ|Nha Trang|01072021"
MATCHED, MISMATCH, ABSENT = (BindingResult(b) for b in (Binding.MATCHED, Binding.MISMATCH, Binding.ABSENT))


def test_the_example_policy_requires_binding_for_events_at_levels_3_and_4_only() -> None:
    policy = policy_from_json(POLICY_JSON)
    required = {
        (level, cp) for level in LEVELS for cp in CHECKPOINT_TYPES if policy.requires_binding(cp, level)
    }
    assert required == {(3, "event"), (4, "event")}


def test_an_older_policy_without_the_setting_requires_it_nowhere() -> None:
    older = {k: v for k, v in POLICY_JSON.items() if k != "binding_required"}
    policy = policy_from_json(older)
    assert not any(policy.requires_binding(cp, level) for level in LEVELS for cp in CHECKPOINT_TYPES)


@pytest.mark.parametrize(
    "bad",
    [{"5": ["event"]}, {"3": ["stadium"]}, {"3": "event"}, ["event"], {"x": ["event"]}],
)
def test_a_malformed_setting_refuses_the_policy(bad: Any) -> None:
    with pytest.raises(PolicyError):
        policy_from_json({**POLICY_JSON, "binding_required": bad})


@pytest.mark.parametrize(
    ("decision", "binding", "required", "expected"),
    [
        (Decision.ALLOW, Binding.MATCHED, True, (Decision.ALLOW, "ok")),
        (Decision.ALLOW, Binding.ABSENT, True, (Decision.MANUAL, "identity_required")),
        (Decision.ALLOW, None, True, (Decision.MANUAL, "identity_required")),
        (Decision.ALLOW, Binding.ABSENT, False, (Decision.ALLOW, "ok")),
        (Decision.ALLOW, Binding.MISMATCH, False, (Decision.DENY, "identity_mismatch")),
        (Decision.ALLOW, Binding.MISMATCH, True, (Decision.DENY, "identity_mismatch")),
        (Decision.DENY, Binding.ABSENT, True, (Decision.DENY, "ok")),  # not allowed anyway
        (Decision.DENY, Binding.MISMATCH, True, (Decision.DENY, "identity_mismatch")),
        (Decision.MANUAL, Binding.MATCHED, True, (Decision.MANUAL, "ok")),
    ],
)
def test_decide_binding(decision: Decision, binding: Binding | None, required: bool, expected: Any) -> None:
    assert decide_binding(decision, "ok", binding, required=required, card_valid=True) == expected


def test_a_refused_card_keeps_its_own_reason_on_a_mismatch() -> None:
    assert decide_binding(
        Decision.DENY, "signature_invalid", Binding.MISMATCH, required=True, card_valid=False
    ) == (
        Decision.DENY,
        "signature_invalid",
    )


# -- through the Checker with real cards --------------------------------------------------


@pytest.fixture(scope="module")
def shc_key():  # type: ignore[no-untyped-def]
    return new_issuer()


def _checker(signer, shc_key, checkpoint: str, level: int) -> Checker:  # type: ignore[no-untyped-def]
    material = TrustMaterial(
        trust=TrustStore([signer.trusted()]),
        profiles={PROFILE.id: PROFILE},
        policies={"P": policy_from_json(POLICY_JSON)},
        default_profile=PROFILE.id,
        default_policy="P",
        shc_issuers=shc_key.issuers(),
    )
    return Checker(material, CheckpointSettings(checkpoint=checkpoint, level=level))


def _cards(signer, shc_key) -> dict[str, str]:  # type: ignore[no-untyped-def]
    hc1 = issue(vaccination(AN, 2, 2, (NOW - timedelta(days=30)).date()), signer, NOW - timedelta(days=1))
    resources = [
        patient("Nguyen", ["Van", "An"], AN.dob),
        immunization("208", (NOW - timedelta(days=60)).date().isoformat()),
        immunization("208", (NOW - timedelta(days=30)).date().isoformat()),
    ]
    return {"hc1": hc1, "shc": card(shc_key, claims(resources, NOW - timedelta(days=1)))}


@pytest.mark.parametrize("kind", ["hc1", "shc"])
def test_an_event_at_level_3_needs_the_cccd(signer, shc_key, kind: str) -> None:  # type: ignore[no-untyped-def]
    checker = _checker(signer, shc_key, "event", 3)
    health = checker.check(_cards(signer, shc_key)[kind], NOW)
    assert (health.colour.value if health.colour else None, health.decision) == ("green", Decision.ALLOW)
    identity_an = checker.check(CCCD_AN, NOW).verdict.holder
    identity_binh = checker.check(CCCD_BINH, NOW).verdict.holder
    assert identity_an is not None and identity_binh is not None

    absent = checker.bind(health, compare(identity_an, None))
    assert (absent.decision, absent.reason, absent.to_json()["identity"]) == (
        Decision.MANUAL,
        "identity_required",
        "absent",
    )
    matched = checker.bind(absent, compare(identity_an, health.verdict.holder))  # re-decided from `check`
    assert (matched.decision, matched.reason, matched.to_json()["identity"]) == (
        Decision.ALLOW,
        "ok",
        "matched",
    )
    mismatch = checker.bind(health, compare(identity_binh, health.verdict.holder))
    assert (mismatch.decision, mismatch.reason, mismatch.to_json()["identity"]) == (
        Decision.DENY,
        Reason.IDENTITY_MISMATCH,
        "mismatch",
    )


@pytest.mark.parametrize("kind", ["hc1", "shc"])
def test_a_market_does_not_require_it_but_a_mismatch_still_denies(signer, shc_key, kind: str) -> None:  # type: ignore[no-untyped-def]
    checker = _checker(signer, shc_key, "market", 3)
    health = checker.check(_cards(signer, shc_key)[kind], NOW)
    assert checker.bind(health, ABSENT).decision is Decision.ALLOW
    assert checker.bind(health, MATCHED).decision is Decision.ALLOW
    assert (checker.bind(health, MISMATCH).decision, checker.bind(health, MISMATCH).reason) == (
        Decision.DENY,
        "identity_mismatch",
    )


def test_identity_and_unknown_codes_are_not_rebound(signer, shc_key) -> None:  # type: ignore[no-untyped-def]
    checker = _checker(signer, shc_key, "event", 3)
    for text in (CCCD_AN, "https://example.com"):
        result = checker.check(text, NOW)
        assert checker.bind(result, MISMATCH) is result
    assert "identity" not in checker.check(CCCD_AN, NOW).to_json()  # only a bound check says it


def test_the_station_flow_with_pairing_either_order(signer, shc_key) -> None:  # type: ignore[no-untyped-def]
    """What the scan service will do: check each code, feed the pairing, bind the result."""
    checker = _checker(signer, shc_key, "event", 3)
    clock = FakeClock()
    pairing: Pairing[Any] = Pairing(clock)
    health = checker.check(_cards(signer, shc_key)["shc"], NOW)
    identity = checker.check(CCCD_AN, NOW).verdict.holder
    assert identity is not None

    # card first: manual until the CCCD arrives, then allowed
    first = checker.bind(health, pairing.health_read(health.verdict.holder, health))
    assert first.decision is Decision.MANUAL and pairing.awaiting_identity() is health
    clock.advance(8)
    paired = pairing.identity_read(identity)
    assert paired is not None
    assert checker.bind(paired.ticket, paired.binding).decision is Decision.ALLOW

    # CCCD first: allowed at once
    clock.advance(60)
    assert pairing.identity_read(identity) is None
    clock.advance(4)
    assert checker.bind(health, pairing.health_read(health.verdict.holder, health)).decision is Decision.ALLOW
