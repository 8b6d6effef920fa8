"""From a QR text to "may this person pass here, now": verify, classify, decide.

`Checker.check` is the whole decision for one scan, pure and given `now`. It combines the
verdict (is the code genuine and in date), the province's colour profile and the
checkpoint's policy, and records everything that produced the decision. HC1 cards and SMART
Health Cards are both classified (an SHC's facts arrive DCC-shaped, see `shc_fhir.py`).

`Checker.bind(result, binding)` is the second half of a two-code check: given the binding of
the health card to an identity code read at the station (`pairing.py`), it returns the result
with the policy's binding rule applied (`policy.decide_binding`) and the binding recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from scanner_app.core.binding import BindingResult
from scanner_app.core.bundle import Ratchet, TrustBundle, effective_blocklist
from scanner_app.core.clock import TimeFloor
from scanner_app.core.context import DEFAULT_SKEW, VerifyContext
from scanner_app.core.model import CodeFormat, Reason, Verdict
from scanner_app.core.policy import CHECKPOINT_TYPES, LEVELS, Decision, Policy, decide_binding
from scanner_app.core.record import Flag
from scanner_app.core.revocation import EMPTY_BLOCKLIST, Blocklist
from scanner_app.core.rules import Colour, Profile, classify
from scanner_app.core.shc_keys import EMPTY_SHC_ISSUERS, ShcIssuers
from scanner_app.core.trust import TrustStore
from scanner_app.core.verify import verify

IDENTITY_FORMATS = frozenset({CodeFormat.VN_CCCD, CodeFormat.VN_PERSONAL_QR})
HEALTH_FORMATS = frozenset({CodeFormat.HC1, CodeFormat.SHC})


class SettingsError(ValueError):
    """A checkpoint setting names a profile, policy, type or level that does not exist."""


@dataclass(frozen=True)
class TrustMaterial:
    """Everything a decision needs from the trust bundle (or from --trust files)."""

    trust: TrustStore
    profiles: Mapping[str, Profile]
    policies: Mapping[str, Policy]
    default_profile: str
    default_policy: str
    blocklist: Blocklist = field(default_factory=lambda: EMPTY_BLOCKLIST)
    value_sets: Mapping[str, Any] = field(default_factory=dict)
    bundle: TrustBundle | None = None
    # production trust was installed and is unusable now: every decision is manual
    damaged: str | None = None
    shc_issuers: ShcIssuers = field(default_factory=lambda: EMPTY_SHC_ISSUERS)

    @classmethod
    def from_bundle(cls, bundle: TrustBundle, ratchet: Ratchet | None = None) -> TrustMaterial:
        return cls(
            trust=bundle.trust_store(),
            profiles=bundle.profiles,
            policies=bundle.policies,
            default_profile=bundle.default_profile,
            default_policy=bundle.default_policy,
            blocklist=effective_blocklist(bundle, ratchet or Ratchet()),
            value_sets=bundle.value_sets,
            bundle=bundle,
            shc_issuers=bundle.shc_issuers,
        )

    def with_extra_keys(self, extra: TrustStore) -> TrustMaterial:
        merged = TrustStore([*self.trust, *extra])
        return replace(self, trust=merged)

    def with_shc_issuers(self, extra: ShcIssuers) -> TrustMaterial:
        return replace(self, shc_issuers=self.shc_issuers.merged(extra))


@dataclass(frozen=True)
class CheckpointSettings:
    checkpoint: str = "road"
    level: int = 1
    profile_id: str | None = None
    policy_id: str | None = None
    skew: timedelta = DEFAULT_SKEW


@dataclass(frozen=True)
class CheckResult:
    verdict: Verdict
    valid: bool
    reason: Reason
    colour: Colour | None
    decision: Decision
    profile_id: str
    profile_version: str
    policy_id: str
    policy_version: str
    checkpoint: str
    level: int
    warnings: tuple[Flag, ...] = ()
    rule_error: str | None = None
    binding: BindingResult | None = None  # set by Checker.bind for a two-code check
    before_binding: tuple[Decision, Reason] | None = None  # so that a later binding re-decides
    # the policy cell that decided (the colours allowed at this checkpoint and level); None
    # when the policy did not decide (invalid card, identity code, clock): the window names it
    allowed: frozenset[Colour] | None = None

    def to_json(self) -> dict[str, Any]:
        identity = {"identity": self.binding.outcome.value} if self.binding is not None else {}
        return {
            **self.verdict.to_json(),
            "valid": self.valid,
            "reason": self.reason.value,
            "colour": self.colour.value if self.colour else None,
            "decision": self.decision.value,
            "profile": self.profile_id,
            "profile_version": self.profile_version,
            "policy": self.policy_id,
            "policy_version": self.policy_version,
            "checkpoint": self.checkpoint,
            "level": self.level,
            "warnings": [w.value for w in self.warnings],
            **identity,
        }


class Checker:
    def __init__(self, material: TrustMaterial, settings: CheckpointSettings) -> None:
        self.material = material
        self.settings = settings
        self.profile = _pick(material.profiles, settings.profile_id or material.default_profile, "profile")
        self.policy = _pick(material.policies, settings.policy_id or material.default_policy, "policy")
        if settings.checkpoint not in CHECKPOINT_TYPES:
            raise SettingsError(f"checkpoint type must be one of {', '.join(CHECKPOINT_TYPES)}")
        if settings.level not in LEVELS:
            raise SettingsError("epidemic level must be 1, 2, 3 or 4")

    def context(self, now: datetime) -> VerifyContext:
        trust = self.material
        return VerifyContext(trust.trust, now, self.settings.skew, trust.blocklist, trust.shc_issuers)

    def stale(self, now: datetime) -> bool:
        bundle = self.material.bundle
        hours = self.policy.stale_after_hours
        if bundle is None or bundle.demo:  # the embedded demo is never updated; it is labelled DEMO
            return False
        if bundle.expired(now):
            return True
        return hours is not None and now - bundle.issued_at > timedelta(hours=hours)

    def check(self, text: str, now: datetime, floor: TimeFloor | None = None) -> CheckResult:
        verdict = verify(text, self.context(now))
        if self.material.damaged is not None:
            return self._result(verdict, False, Reason.TRUST_DAMAGED, None, Decision.MANUAL)
        if floor is not None and not floor.allows(now, self.settings.skew):
            return self._result(verdict, False, Reason.CLOCK_UNTRUSTED, None, Decision.MANUAL)
        if verdict.format in IDENTITY_FORMATS:
            return self._result(verdict, False, verdict.reason, None, self.policy.identity_only)
        if verdict.format not in HEALTH_FORMATS:
            return self._result(verdict, False, verdict.reason, None, Decision.DENY)
        if not verdict.valid:
            return self._result(verdict, False, verdict.reason, Colour.RED, Decision.DENY)
        return self._classified(verdict, now)

    def bind(self, result: CheckResult, binding: BindingResult) -> CheckResult:
        """`result` (a health-card check from `check`) once its binding to an identity code
        is known; identity-code and unrecognised checks are returned unchanged. Binding an
        already bound result again (absent, then the CCCD arrives) re-decides from the
        decision `check` made, not from the earlier binding's."""
        return apply_binding(result, binding, self.policy)

    def _classified(self, verdict: Verdict, now: datetime) -> CheckResult:
        outcome = classify(self.profile, verdict.payload, now, self.material.value_sets)
        decision = self.policy.decide_colour(outcome.colour, self.settings.checkpoint, self.settings.level)
        reason = Reason.PROFILE_NOT_IN_FORCE if outcome.matched == "not_in_force" else Reason.OK
        warnings: tuple[Flag, ...] = ()
        if self.stale(now):
            warnings = (Flag.STALE_BUNDLE,)
            if decision is Decision.ALLOW and self.policy.stale_action is not Decision.ALLOW:
                decision, reason = self.policy.stale_action, Reason.STALE_BUNDLE
        result = self._result(verdict, True, reason, outcome.colour, decision)
        allowed = self.policy.allowed(self.settings.checkpoint, self.settings.level)
        return replace(result, warnings=warnings, rule_error=outcome.error, allowed=allowed)

    def _result(
        self, verdict: Verdict, valid: bool, reason: Reason, colour: Colour | None, decision: Decision
    ) -> CheckResult:
        return CheckResult(
            verdict=verdict,
            valid=valid,
            reason=reason,
            colour=colour,
            decision=decision,
            profile_id=self.profile.id,
            profile_version=self.profile.version,
            policy_id=self.policy.id,
            policy_version=self.policy.version,
            checkpoint=self.settings.checkpoint,
            level=self.settings.level,
        )


def apply_binding(result: CheckResult, binding: BindingResult, policy: Policy) -> CheckResult:
    """Pure: the policy's binding rule applied to one health-card check (see `Checker.bind`)."""
    if result.verdict.format not in HEALTH_FORMATS:
        return result
    unbound = result.before_binding or (result.decision, result.reason)
    decision, reason = decide_binding(
        *unbound,
        binding.outcome,
        required=policy.requires_binding(result.checkpoint, result.level),
        card_valid=result.verdict.valid,
    )
    return replace(result, decision=decision, reason=reason, binding=binding, before_binding=unbound)


def _pick(table: Mapping[str, Any], key: str, what: str) -> Any:
    try:
        return table[key]
    except KeyError:
        known = ", ".join(sorted(table)) or "none"
        raise SettingsError(f"no {what} {key!r} in the trust data (known: {known})") from None
