"""The signed trust bundle: refusals keep the previous bundle, the blocklist only grows,
installation is atomic under a crash, and a leaked key stops working with the next bundle."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner_app.core.bundle import (
    Anchor,
    BundleError,
    BundleProblem,
    build_content,
    open_bundle,
    sign_bundle,
)
from scanner_app.core.checkpoint import Checker, CheckpointSettings, TrustMaterial
from scanner_app.core.model import Reason
from scanner_app.core.policy import Decision
from scanner_app.core.revocation import certificate_hash
from scanner_app.devkit.cards import DEMO_PEOPLE, issue, vaccination
from scanner_app.devkit.keys import demo_anchor_key, new_ec_key
from scanner_app.local.bundle_store import BundleStore, app_anchors
from scanner_app.system.resources import asset

NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
PROFILE = json.loads(asset("rules", "VN-KH-2021-10.json").read_text())
POLICY = json.loads(asset("policies", "VN-EXAMPLE-POLICY.json").read_text())


@pytest.fixture(scope="module")
def anchor_key():  # type: ignore[no-untyped-def]
    return new_ec_key()


@pytest.fixture
def anchors(anchor_key) -> list[Anchor]:  # type: ignore[no-untyped-def]
    return [Anchor("test-production", anchor_key.public_key()), *app_anchors()]


def make_bundle(
    key,
    sequence: int,
    signers,
    *,
    issued_at: datetime = NOW,
    days: float = 14,  # type: ignore[no-untyped-def]
    demo: bool = False,
    **lists,
) -> bytes:
    content = build_content(
        issuer="TEST",
        sequence=sequence,
        issued_at=issued_at,
        not_after=issued_at + timedelta(days=days),
        signers=[s.der for s in signers],
        profiles=[PROFILE],
        policies=[POLICY],
        demo=demo,
        **lists,
    )
    return sign_bundle(content, key)


def _card(signer, ci: str | None = None) -> str:  # type: ignore[no-untyped-def]
    dcc = vaccination(DEMO_PEOPLE[0], 2, 2, (NOW - timedelta(days=30)).date(), ci=ci)
    return issue(dcc, signer, NOW - timedelta(days=1))


def _check(store: BundleStore, text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
    loaded = store.load()
    return Checker(TrustMaterial.from_bundle(loaded.bundle, loaded.ratchet), CheckpointSettings()).check(
        text, now
    )


def test_embedded_demo_bundle_verifies_against_the_pinned_demo_anchor() -> None:
    bundle = open_bundle(asset("demo-bundle.cose").read_bytes(), app_anchors())
    assert bundle.demo and bundle.default_profile == "VN-KH-2021-10"
    assert {"VN-KH-2021-10", "VN-HCM-2021-10"} <= set(bundle.profiles)


def test_committed_demo_bundle_matches_its_sources() -> None:
    from scanner_app.devkit.demo_bundle import demo_content

    bundle = open_bundle(asset("demo-bundle.cose").read_bytes(), app_anchors())
    assert dict(bundle.content) == json.loads(json.dumps(demo_content())), (
        "assets changed: run `uv run python -m scanner_app.devkit.demo_bundle`"
    )


def test_install_then_use(data_dir: Path, anchors, anchor_key, signer) -> None:  # type: ignore[no-untyped-def]
    store = BundleStore(data_dir, anchors)
    store.install(make_bundle(anchor_key, 1, [signer]), NOW)
    result = _check(store, _card(signer))
    assert (result.valid, result.colour, result.decision) == (True, "green", Decision.ALLOW)
    assert store.time_floor().floor == NOW


@pytest.mark.parametrize("damage", ["flip", "truncate", "unsigned", "empty"])
def test_damaged_bundles_are_refused_and_the_old_one_kept(
    damage: str, data_dir: Path, anchors, anchor_key, signer
) -> None:  # type: ignore[no-untyped-def]
    store = BundleStore(data_dir, anchors)
    store.install(make_bundle(anchor_key, 1, [signer]), NOW)
    good = make_bundle(anchor_key, 2, [signer])
    bad = {
        "flip": good[:200] + bytes([good[200] ^ 1]) + good[201:],
        "truncate": good[: len(good) // 2],
        "unsigned": json.dumps({"format": "scanner-trust-bundle"}).encode(),
        "empty": b"",
    }[damage]
    with pytest.raises(BundleError):
        store.install(bad, NOW)
    assert store.load().bundle.sequence == 1


def test_wrong_signer_is_refused(data_dir: Path, anchors, signer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BundleError) as error:
        BundleStore(data_dir, anchors).install(make_bundle(new_ec_key(), 1, [signer]), NOW)
    assert error.value.problem is BundleProblem.UNKNOWN_ANCHOR


def test_older_or_equal_sequence_is_refused(data_dir: Path, anchors, anchor_key, signer) -> None:  # type: ignore[no-untyped-def]
    store = BundleStore(data_dir, anchors)
    store.install(make_bundle(anchor_key, 5, [signer]), NOW)
    for sequence in (4, 5):
        with pytest.raises(BundleError) as error:
            store.install(make_bundle(anchor_key, sequence, [signer]), NOW)
        assert error.value.problem is BundleProblem.NOT_NEWER
    assert store.load().bundle.sequence == 5


def test_expired_bundle_is_refused(data_dir: Path, anchors, anchor_key, signer) -> None:  # type: ignore[no-untyped-def]
    old = make_bundle(anchor_key, 1, [signer], issued_at=NOW - timedelta(days=30), days=14)
    with pytest.raises(BundleError) as error:
        BundleStore(data_dir, anchors).install(old, NOW)
    assert error.value.problem is BundleProblem.EXPIRED


def test_demo_anchor_cannot_sign_a_production_bundle(data_dir: Path, signer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BundleError) as error:
        BundleStore(data_dir).install(make_bundle(demo_anchor_key(), 1, [signer], demo=False), NOW)
    assert error.value.problem is BundleProblem.DEMO_ANCHOR_MISUSE


def test_no_demo_bundle_after_a_production_one(data_dir: Path, anchors, anchor_key, signer) -> None:  # type: ignore[no-untyped-def]
    store = BundleStore(data_dir, anchors)
    store.install(make_bundle(anchor_key, 1, [signer]), NOW)
    with pytest.raises(BundleError) as error:
        store.install(make_bundle(demo_anchor_key(), 2, [signer], demo=True), NOW)
    assert error.value.problem is BundleProblem.DEMO_AFTER_PRODUCTION


def test_blocklist_cannot_be_undone_by_omission(data_dir: Path, anchors, anchor_key, signer) -> None:  # type: ignore[no-untyped-def]
    store = BundleStore(data_dir, anchors)
    ci = "URN:UVCI:01:VN:LEAKEDCARD0001#A"
    card = _card(signer, ci)
    store.install(make_bundle(anchor_key, 1, [signer], revoked=[certificate_hash(ci)]), NOW)
    assert _check(store, card).reason == Reason.REVOKED
    store.install(make_bundle(anchor_key, 2, [signer]), NOW)  # omits the entry
    assert _check(store, card).reason == Reason.REVOKED
    store.install(make_bundle(anchor_key, 3, [signer]), NOW)
    assert (_check(store, card).valid, _check(store, card).colour) == (False, "red")


def test_suspension_ends_only_when_lifted(data_dir: Path, anchors, anchor_key, signer) -> None:  # type: ignore[no-untyped-def]
    store = BundleStore(data_dir, anchors)
    ci = "URN:UVCI:01:VN:ISOLATED00001#B"
    card = _card(signer, ci)
    store.install(make_bundle(anchor_key, 1, [signer], suspended=[certificate_hash(ci)]), NOW)
    assert (_check(store, card).reason, _check(store, card).colour) == (Reason.SUSPENDED, "red")
    store.install(make_bundle(anchor_key, 2, [signer]), NOW)
    assert _check(store, card).reason == Reason.SUSPENDED
    store.install(make_bundle(anchor_key, 3, [signer], lifted=[certificate_hash(ci)]), NOW)
    assert _check(store, card).valid


def test_leaked_key_drill(data_dir: Path, anchors, anchor_key, signer, rsa_signer) -> None:  # type: ignore[no-untyped-def]
    """Key removed in bundle N+1: its cards are rejected from then on; blocklisted, a later
    bundle that lists the key again still cannot re-admit it."""
    store = BundleStore(data_dir, anchors)
    leaked_card = _card(rsa_signer)
    store.install(make_bundle(anchor_key, 1, [signer, rsa_signer]), NOW)
    assert _check(store, leaked_card).valid
    store.install(make_bundle(anchor_key, 2, [signer]), NOW)
    assert _check(store, leaked_card).reason == Reason.KID_UNKNOWN
    assert _check(store, _card(signer)).valid
    store.install(make_bundle(anchor_key, 3, [signer], blocked_keys=[rsa_signer.trusted().fingerprint]), NOW)
    store.install(make_bundle(anchor_key, 4, [signer, rsa_signer]), NOW)  # re-listed by mistake
    assert _check(store, leaked_card).reason == Reason.KEY_BLOCKED


@pytest.mark.parametrize("crash_after", ["staged", "bundle_renamed"])
def test_atomic_replacement_under_a_crash(
    crash_after: str, data_dir: Path, anchors, anchor_key, signer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Power fails between writing and renaming: the next start sees the old bundle or the
    new one, each with its own ratchet, never a mix."""
    store = BundleStore(data_dir, anchors)
    store.install(make_bundle(anchor_key, 1, [signer]), NOW)
    import scanner_app.local.bundle_store as module

    real_commit = module.commit_staged
    commits = []

    def crashing_commit(staged: Path, path: Path) -> None:
        if crash_after == "staged" or len(commits) == 1:
            raise OSError("power failure")
        commits.append(path)
        real_commit(staged, path)

    monkeypatch.setattr(module, "commit_staged", crashing_commit)
    with pytest.raises(OSError):
        store.install(make_bundle(anchor_key, 2, [signer]), NOW)
    monkeypatch.setattr(module, "commit_staged", real_commit)
    reopened = BundleStore(data_dir, anchors).load()
    assert reopened.installed and reopened.problem is None
    assert reopened.bundle.sequence == (1 if crash_after == "staged" else 2)
    assert reopened.ratchet.sequence == reopened.bundle.sequence
    assert not [p for p in os.listdir(data_dir / "trust") if p.endswith(".new")]


def test_stale_bundle_turns_allow_into_manual(data_dir: Path, anchors, anchor_key, signer) -> None:  # type: ignore[no-untyped-def]
    """Reliability row 3: trust data older than the policy allows (72 h) is never a silent green."""
    store = BundleStore(data_dir, anchors)
    store.install(make_bundle(anchor_key, 1, [signer], days=30), NOW)
    later = NOW + timedelta(hours=73)
    result = _check(store, _card(signer), later)
    assert (result.colour, result.decision, result.reason) == (
        "green",
        Decision.MANUAL,
        "stale_bundle",
    )
    assert "stale_bundle" in result.warnings


def test_time_floor_refuses_a_clock_set_back(data_dir: Path, anchors, anchor_key, signer) -> None:  # type: ignore[no-untyped-def]
    store = BundleStore(data_dir, anchors)
    store.install(make_bundle(anchor_key, 1, [signer]), NOW)
    loaded = store.load()
    checker = Checker(TrustMaterial.from_bundle(loaded.bundle, loaded.ratchet), CheckpointSettings())
    back = checker.check(_card(signer), NOW - timedelta(days=365), store.time_floor())
    assert (back.valid, back.reason, back.decision, back.colour) == (
        False,
        "clock_behind_trusted_time",
        Decision.MANUAL,
        None,
    )
    assert checker.check(_card(signer), NOW + timedelta(minutes=1), store.time_floor()).valid
    store.raise_floor(NOW - timedelta(days=9), "hub")  # an older time never lowers the floor
    assert store.time_floor().floor == NOW


def test_bundle_cli_build_inspect_import(tmp_path: Path, data_dir: Path, signer) -> None:  # type: ignore[no-untyped-def]
    from tests.cli_helpers import cli

    (tmp_path / "dsc.pem").write_bytes(signer.certificate_pem())
    (tmp_path / "revoked.txt").write_text("# revoked\nURN:UVCI:01:VN:X1#A\nhash:" + "ab" * 16 + "\n")
    out = tmp_path / "b.cose"
    run = cli(
        "bundle",
        "build",
        "--demo",
        "--signer",
        str(tmp_path / "dsc.pem"),
        "--profile-file",
        str(asset("rules", "VN-KH-2021-10.json")),
        "--policy-file",
        str(asset("policies", "VN-EXAMPLE-POLICY.json")),
        "--revoked",
        str(tmp_path / "revoked.txt"),
        "--sequence",
        "7",
        "--sign-key",
        str(asset("devkit", "demo-anchor-key.pem")),
        "--out",
        str(out),
    )
    assert run.code == 0, run.err
    info = json.loads(cli("bundle", "inspect", "--json", str(out)).out)
    assert (info["sequence"], info["revoked"], info["signers"], info["demo"]) == (7, 2, 1, True)
    assert cli("--data-dir", str(data_dir), "bundle", "import", str(out)).code == 0
    assert cli("--data-dir", str(data_dir), "bundle", "import", str(out)).code == 1  # not newer
    damaged = tmp_path / "damaged.cose"
    damaged.write_bytes(out.read_bytes()[:-10])
    assert "REFUSED" in cli("bundle", "inspect", str(damaged)).out
