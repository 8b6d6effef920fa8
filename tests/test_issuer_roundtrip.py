"""The issuer end to end with a real SoftHSM2 token and the real scanner: CSV exports ->
signed cards -> export-trust -> a signed bundle -> `scanner-app verify` gives each card the
profile's colour; `gate` reads every card from the printed sheets (pdftoppm); revocation,
reissue, idempotence and key rotation reach the scanner with the next bundle.

Times are relative to now, not fixed: `gate` checks at the system clock (it takes no --at),
so the cards must be in date today. Every boundary is hours or days away from the checks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import base45
import cbor2
import pytest
from jsonschema import Draft202012Validator
from stdnum import luhn

from tests.conftest import shared_path
from tests.issuer_helpers import (
    Exports,
    cccd_for,
    dmy,
    make_token,
    read_cards,
    read_rejects,
    run_issuer,
    run_scanner,
)

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
AT = NOW.isoformat()
PROFILE = ROOT / "assets" / "rules" / "VN-KH-2021-10.json"
POLICY = ROOT / "assets" / "policies" / "VN-EXAMPLE-POLICY.json"
ANCHOR_KEY = ROOT / "assets" / "devkit" / "demo-anchor-key.pem"
VN = timedelta(hours=7)


def days_ago(days: int) -> str:
    return dmy((NOW + VN - timedelta(days=days)).date())


def hours_ago(hours: float) -> str:
    return (NOW + VN - timedelta(hours=hours)).strftime("%d/%m/%Y %H:%M")


# name -> (birth year, expected cards {type: colour})
PEOPLE = {
    "Nguyễn Văn Xanh": (1980, {"v": "green"}),
    "Trần Thị Một Mũi": (1985, {"v": "yellow"}),
    "Lê Hoàng Mũi Hai": (1990, {"v": "yellow"}),
    "Phạm Thu PCR": (1995, {"t": "yellow"}),
    "Hoàng Đức Nhanh": (1975, {"t": "red"}),
    "Huỳnh Ngọc Cũ": (1970, {"t": "red"}),
    "Đặng Quốc Khỏi": (1965, {"r": "green"}),
    "Bùi Thị Hai Nguồn": (2001, {"r": "green", "v": "yellow"}),
}


def _identity(name: str, serial: int) -> list[str]:
    family, _, given = name.partition(" ")
    year = PEOPLE[name][0]
    birth = datetime(year, 3, 12)
    return [cccd_for(serial, birth.date()), family, given, dmy(birth.date())]


def exports() -> Exports:
    people = {name: _identity(name, serial) for serial, name in enumerate(PEOPLE, start=1)}
    made = Exports()
    made.vaccinations += [
        [*people["Nguyễn Văn Xanh"], "Pfizer", "1", "2", days_ago(60)],
        [*people["Nguyễn Văn Xanh"], "Pfizer", "2", "2", days_ago(30)],
        [*people["Trần Thị Một Mũi"], "AstraZeneca", "1", "2", days_ago(20)],
        [*people["Lê Hoàng Mũi Hai"], "Vero Cell", "1", "2", days_ago(40)],
        [*people["Lê Hoàng Mũi Hai"], "Sinopharm", "2", "2", days_ago(5)],
        [*people["Bùi Thị Hai Nguồn"], "Moderna", "1", "2", days_ago(25)],
    ]
    made.tests += [
        [*people["Phạm Thu PCR"], "PCR", "negative", hours_ago(10), "CDC Khánh Hòa"],
        [*people["Hoàng Đức Nhanh"], "RAT", "negative", hours_ago(5), "Trạm Y tế phường Vĩnh Hải"],
        [*people["Huỳnh Ngọc Cũ"], "PCR", "negative", hours_ago(80), "Bệnh viện Đa khoa tỉnh"],
    ]
    made.recoveries += [
        [*people["Đặng Quốc Khỏi"], days_ago(40), days_ago(25)],
        [*people["Bùi Thị Hai Nguồn"], days_ago(60), days_ago(45)],
    ]
    return made


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An issuer in a token, the first issue run and the first bundle."""
    folder = tmp_path_factory.mktemp("roundtrip")
    token = make_token(folder)
    state = folder / "state"
    init = run_issuer(
        "init",
        "--dir",
        str(state),
        *token.init_args(),
        "--at",
        (NOW - timedelta(days=2)).isoformat(),
        env=token.env(),
    )
    assert init.code == 0, init.err
    sources = exports().write(folder, bom=True)
    out = folder / "out"
    issued = issue(state, sources, out, token.env())
    assert issued.code == 0, issued.err
    bundle = build_bundle(state, folder, sequence=1, env=token.env())
    return {
        "token": token,
        "state": state,
        "sources": sources,
        "out": out,
        "folder": folder,
        "bundle": bundle,
    }


def issue(state: Path, sources: dict[str, Path], out: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    options = [f"--{kind}={path}" for kind, path in sources.items()]
    return run_issuer("issue", "--dir", str(state), *options, "--at", AT, "--out", str(out), env=env)


def build_bundle(state: Path, folder: Path, *, sequence: int, env: dict[str, str]) -> Path:
    trust = folder / f"trust-{sequence}"
    exported = run_issuer("export-trust", "--dir", str(state), "--out", str(trust), "--at", AT, env=env)
    assert exported.code == 0, exported.err
    bundle = folder / f"bundle-{sequence}.cose"
    built = run_scanner(
        "bundle", "build", "--signer", str(trust / "signers.pem"), "--revoked", str(trust / "revoked.txt"),
        "--profile-file", str(PROFILE), "--policy-file", str(POLICY), "--issuer", "Sở Y tế Khánh Hòa",
        "--sequence", str(sequence), "--issued-at", AT, "--demo", "--sign-key", str(ANCHOR_KEY), "--out", str(bundle),
    )  # fmt: skip
    assert built.code == 0, built.err
    return bundle


def verify(card_text: str, bundle: Path, at: str = AT) -> dict[str, Any]:
    run = run_scanner("verify", "--bundle", str(bundle), "--at", at, "--json", card_text)
    assert run.code == 0, run.err
    result: dict[str, Any] = json.loads(run.out)
    return result


def dcc_of(card_text: str) -> dict[str, Any]:
    message = cbor2.loads(zlib.decompress(base45.b45decode(card_text[4:])))
    claims = cbor2.loads(message.value[2])
    dcc: dict[str, Any] = claims[-260][1]
    return dcc


def test_each_person_gets_the_cards_of_the_profile_colour(world: dict[str, Any]) -> None:
    cards = read_cards(world["out"])
    assert read_rejects(world["out"]) == []
    got: dict[str, dict[str, str]] = {}
    for card in cards:
        got.setdefault(card["name"], {})[card["type"]] = card["colour_at_issue"]
    assert got == {name: expected for name, (_, expected) in PEOPLE.items()}


def test_the_scanner_verifies_every_card_with_the_same_colour(world: dict[str, Any]) -> None:
    for card in read_cards(world["out"]):
        verdict = verify(card["hc1"], world["bundle"])
        assert (verdict["valid"], verdict["reason"]) == (True, "ok"), card["name"]
        assert verdict["colour"] == card["colour_at_issue"], card["name"]
        assert verdict["certificate_type"] == card["type"]
        family, _, given = card["name"].partition(" ")
        assert (verdict["holder"]["family"], verdict["holder"]["given"]) == (family, given)


def test_cards_are_schema_valid_dccs_with_checked_uvcis_and_icao_names(world: dict[str, Any]) -> None:
    schema = json.loads(shared_path("dgc", "schemas", "dcc", "1.3.0.json").read_text())
    validator = Draft202012Validator(schema)
    for card in read_cards(world["out"]):
        dcc = dcc_of(card["hc1"])
        assert list(validator.iter_errors(dcc)) == []
        assert dcc["ver"] == "1.3.0"
        entry = dcc[card["type"]][0]
        assert entry["ci"] == card["uvci"] and entry["ci"].startswith("URN:UVCI:01:VN:KH")
        assert luhn.is_valid(entry["ci"].replace("#", ""), alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:")
    by_name = {c["name"]: dcc_of(c["hc1"]) for c in read_cards(world["out"])}
    assert by_name["Đặng Quốc Khỏi"]["nam"] == {
        "fn": "Đặng",
        "fnt": "DANG",
        "gn": "Quốc Khỏi",
        "gnt": "QUOC<KHOI",
    }
    assert by_name["Lê Hoàng Mũi Hai"]["v"][0]["mp"] == "BBIBP-CorV"  # "Sinopharm" and "Vero Cell" agree
    rat = by_name["Hoàng Đức Nhanh"]["t"][0]
    assert (rat["tt"], rat["tr"]) == ("LP217198-3", "260415000")


def test_gate_reads_and_checks_every_card_on_the_printed_sheets(
    world: dict[str, Any], tmp_path: Path
) -> None:
    out = world["out"]
    pages = tmp_path / "pages"
    pages.mkdir()
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(out / "cards.pdf"), str(pages / "sheet")], check=True
    )
    cards = read_cards(out)
    decoded = run_scanner("decode", "--json", *sorted(str(p) for p in pages.iterdir()))
    texts = {code["text"] for line in decoded.out.splitlines() for code in json.loads(line)["codes"]}
    assert texts == {card["hc1"] for card in cards}  # every card, exactly as signed
    gate = run_scanner(
        "gate",
        "--source",
        str(pages),
        "--bundle",
        str(world["bundle"]),
        "--data-dir",
        str(tmp_path / "data"),
        "--json",
    )
    assert gate.code == 0, gate.err
    checks = [json.loads(line) for line in gate.out.splitlines()]
    assert all(c["valid"] and c["reason"] == "ok" and c["saved"] for c in checks), checks
    assert Counter(c["colour"] for c in checks) == Counter(card["colour_at_issue"] for card in cards)


def test_each_card_has_a_phone_picture_that_reads(world: dict[str, Any]) -> None:
    out = world["out"]
    cards = read_cards(out)
    decoded = run_scanner("decode", "--json", *(str(out / card["png"]) for card in cards))
    for card, line in zip(cards, decoded.out.splitlines(), strict=True):
        assert [code["text"] for code in json.loads(line)["codes"]] == [card["hc1"]]


def test_the_same_inputs_again_issue_nothing(world: dict[str, Any], tmp_path: Path) -> None:
    again = issue(world["state"], world["sources"], tmp_path / "again", world["token"].env())
    assert again.code == 0, again.err
    assert "0 card(s) issued" in again.out and f"{len(read_cards(world['out']))} unchanged" in again.out
    assert read_cards(tmp_path / "again") == [] and not (tmp_path / "again" / "cards.pdf").exists()


def test_revoked_card_is_revoked_at_the_scanner_after_the_next_bundle(
    world: dict[str, Any], tmp_path: Path
) -> None:
    folder, state, env = world["folder"], world["state"], world["token"].env()
    lost = next(c for c in read_cards(world["out"]) if c["name"] == "Nguyễn Văn Xanh")
    revoked = run_issuer(
        "revoke", "--dir", str(state), "--uvci", lost["uvci"], "--reason", "lost", "--at", AT, env=env
    )
    assert revoked.code == 0, revoked.err
    assert verify(lost["hc1"], world["bundle"])["reason"] == "ok"  # the scanner knows only after a bundle
    bundle = build_bundle(state, folder, sequence=2, env=env)
    verdict = verify(lost["hc1"], bundle)
    assert (verdict["valid"], verdict["reason"], verdict["decision"]) == (False, "revoked", "deny")
    assert lost["uvci"] not in (folder / "trust-2" / "revoked.txt").read_text()  # hashes only
    twice = run_issuer("revoke", "--dir", str(state), "--uvci", lost["uvci"], "--reason", "lost", env=env)
    assert twice.code == 2 and "already revoked" in twice.err
    # a new card for the same person: the register has no active card with that content any more
    reissued = issue(state, world["sources"], tmp_path / "reissue", env)
    assert reissued.code == 0, reissued.err
    assert [c["name"] for c in read_cards(tmp_path / "reissue")] == ["Nguyễn Văn Xanh"]


def test_a_changed_record_reissues_and_revokes_the_previous_card(
    world: dict[str, Any], tmp_path: Path
) -> None:
    folder, state, env = world["folder"], world["state"], world["token"].env()
    before = next(c for c in read_cards(world["out"]) if c["name"] == "Trần Thị Một Mũi")
    sources = {kind: tmp_path / path.name for kind, path in world["sources"].items()}
    for kind, path in world["sources"].items():
        shutil.copy(path, sources[kind])
    with sources["vaccinations"].open("a", encoding="utf-8") as handle:
        handle.write(f"{before['cccd']},Trần,Thị Một Mũi,12/03/1985,AstraZeneca,2,2,{days_ago(1)}\n")
    reissued = issue(state, sources, tmp_path / "out", env)
    assert reissued.code == 0, reissued.err
    assert "1 previous card(s) revoked as superseded" in reissued.out
    (after,) = [c for c in read_cards(tmp_path / "out") if c["name"] == "Trần Thị Một Mũi"]
    assert (after["type"], after["colour_at_issue"]) == ("v", "yellow")  # 2/2 within 14 days
    assert dcc_of(after["hc1"])["v"][0]["dn"] == 2 and after["uvci"] != before["uvci"]
    bundle = build_bundle(state, folder, sequence=3, env=env)
    assert verify(before["hc1"], bundle)["reason"] == "revoked"
    assert verify(after["hc1"], bundle)["colour"] == "yellow"


def test_rotation_keeps_old_cards_until_their_signer_is_withdrawn(
    world: dict[str, Any], tmp_path: Path
) -> None:
    folder, state, env = world["folder"], world["state"], world["token"].env()
    old = next(c for c in read_cards(world["out"]) if c["name"] == "Đặng Quốc Khỏi")
    rotated = run_issuer(
        "rotate", "--dir", str(state), "--at", (NOW - timedelta(days=1)).isoformat(), env=env
    )
    assert rotated.code == 0, rotated.err
    newcomer = Exports()
    birth = datetime(1999, 1, 2).date()
    newcomer.vaccinations.append(
        [cccd_for(900, birth), "Võ", "Thị Mới", dmy(birth), "Pfizer", "2", "2", days_ago(20)]
    )
    issued = issue(state, newcomer.write(tmp_path), tmp_path / "out", env)
    assert issued.code == 0, issued.err
    (new,) = read_cards(tmp_path / "out")
    assert new["kid"] != old["kid"]
    bundle = build_bundle(state, folder, sequence=4, env=env)
    assert verify(old["hc1"], bundle)["reason"] == "ok" and verify(new["hc1"], bundle)["reason"] == "ok"
    status = json.loads((state / "issuer.json").read_text())
    retired = next(s for s in status["signers"] if s["status"] == "retired")
    withdrawn = run_issuer("withdraw", "--dir", str(state), "--kid", retired["kid"], env=env)
    assert withdrawn.code == 0, withdrawn.err
    bundle = build_bundle(state, folder, sequence=5, env=env)
    assert verify(old["hc1"], bundle)["reason"] == "kid_unknown"
    assert verify(new["hc1"], bundle)["reason"] == "ok"

    # the DSC that signed `new` leaks: rotate it out and block it in every scanner
    assert run_issuer("rotate", "--dir", str(state), "--at", AT, env=env).code == 0
    status = json.loads((state / "issuer.json").read_text())
    leaked = next(s for s in status["signers"] if s["kid"] != retired["kid"] and s["status"] == "retired")
    compromised = run_issuer(
        "withdraw", "--dir", str(state), "--kid", leaked["kid"], "--compromised", env=env
    )
    assert compromised.code == 0, compromised.err
    trust = folder / "trust-leak"
    exported = run_issuer("export-trust", "--dir", str(state), "--out", str(trust), "--at", AT, env=env)
    assert "--block-key" in exported.out and (trust / "blocked-signers.pem").exists()
    leaked_pem = state / "certs" / f"{leaked['label']}.pem"
    bundle = folder / "bundle-leak.cose"
    built = run_scanner(
        "bundle", "build", "--signer", str(trust / "signers.pem"), "--signer", str(leaked_pem),
        "--block-key", str(trust / "blocked-signers.pem"), "--revoked", str(trust / "revoked.txt"),
        "--profile-file", str(PROFILE), "--policy-file", str(POLICY), "--sequence", "6", "--issued-at", AT,
        "--demo", "--sign-key", str(ANCHOR_KEY), "--out", str(bundle),
    )  # fmt: skip
    assert built.code == 0, built.err
    assert (
        verify(new["hc1"], bundle)["reason"] == "key_blocked"
    )  # even where an old signer file still lists it


def test_a_wrong_pin_issues_nothing_and_leaves_the_register_alone(
    world: dict[str, Any], tmp_path: Path
) -> None:
    env = {**world["token"].env(), "TEST_ISSUER_PIN": "999999"}
    before = (world["state"] / "register.sqlite").stat().st_size
    failed = issue(world["state"], exports().write(tmp_path), tmp_path / "out", env)
    assert failed.code == 2 and "refused the PIN" in failed.err
    assert not (tmp_path / "out" / "cards.jsonl").exists()
    assert list((tmp_path / "out").iterdir()) == []  # no staging folder left behind
    assert (world["state"] / "register.sqlite").stat().st_size == before
