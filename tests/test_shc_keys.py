"""SMART Health Card issuer keys in the trust bundle: importing a JWK set or a directory
snapshot (VCI's format), the checks that keep bad or private keys out, the bundle field that
old bundles do without, and `bundle build --shc-jwks`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
from scanner_app.core.shc_codec import b64url_encode
from scanner_app.core.shc_keys import (
    EMPTY_SHC_ISSUERS,
    ShcIssuers,
    ShcKeyError,
    crl_from_json,
    import_directory,
    import_jwks,
    import_shc_keys,
    jwk_thumbprint,
    key_from_jwk,
)
from scanner_app.devkit.keys import new_ec_key
from scanner_app.system.resources import asset
from tests.cli_helpers import cli
from tests.conftest import shared_path
from tests.shc_helpers import IssuerKey, card, claims, immunization, new_issuer, patient

NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
PROFILE = json.loads(asset("rules", "VN-KH-2021-10.json").read_text(encoding="utf-8"))
POLICY = json.loads(asset("policies", "VN-EXAMPLE-POLICY.json").read_text(encoding="utf-8"))


def _rsa_jwk() -> dict[str, str]:
    return {"kty": "RSA", "kid": "r1", "n": "AQAB", "e": "AQAB", "use": "sig", "alg": "RS256"}


def test_kid_is_the_rfc7638_thumbprint() -> None:
    key = new_issuer()
    assert key_from_jwk(key.jwk).kid == key.kid == jwk_thumbprint(key.jwk)
    # member order and extra members do not change a thumbprint
    shuffled = {
        "y": key.jwk["y"],
        "x": key.jwk["x"],
        "kty": "EC",
        "crv": "P-256",
        "kid": key.kid,
        "ext": True,
    }
    assert jwk_thumbprint(shuffled) == key.kid


def test_published_example_kids_are_thumbprints() -> None:
    jwks = json.loads(shared_path("shc", "examples", "issuer", ".well-known", "jwks.json").read_text())
    assert [jwk_thumbprint(k) for k in jwks["keys"]] == [k["kid"] for k in jwks["keys"]]


def _with(jwk: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**jwk, **changes}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kid": "not-the-thumbprint"}, "thumbprint"),
        ({"crv": "P-384"}, "P-256"),
        ({"kty": "OKP"}, "P-256"),
        ({"alg": "ES384"}, "ES256"),
        ({"use": "enc"}, "ES256"),
        ({"x": "AAAA"}, "32 bytes"),
        ({"y": b64url_encode(b"\x01" * 32)}, "point"),
        ({"x": "not base64!"}, "base64url"),
    ],
)
def test_a_bad_key_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ShcKeyError, match=message):
        key_from_jwk(_with(new_issuer().jwk, **change))


def test_a_non_canonical_coordinate_is_refused() -> None:
    jwk = new_issuer().jwk
    x = jwk["x"]  # 32 bytes = 43 characters: the last one carries 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sibling = x[:-1] + alphabet[alphabet.index(x[-1]) ^ 1]
    with pytest.raises(ShcKeyError):
        key_from_jwk({**jwk, "x": sibling})


def test_private_key_material_refuses_the_whole_import() -> None:
    key = new_issuer()
    private = {
        **key.jwk,
        "d": b64url_encode(key.private_key.private_numbers().private_value.to_bytes(32, "big")),
    }
    with pytest.raises(ShcKeyError, match="private"):
        import_jwks({"keys": [new_issuer().jwk, private]}, "https://a.example")
    with pytest.raises(ShcKeyError, match="private"):
        import_directory([{"iss": "https://a.example", "keys": [private]}])


def test_import_skips_what_it_cannot_use_and_says_so() -> None:
    good, other = new_issuer(), new_issuer()
    imported = import_jwks({"keys": [good.jwk, _rsa_jwk(), {**other.jwk, "kid": "wrong"}]}, good.iss)
    assert list(imported.issuers.get(good.iss).keys) == [good.kid]  # type: ignore[union-attr]
    assert len(imported.skipped) == 2 and any("thumbprint" in note for note in imported.skipped)


def _snapshot(*keys: IssuerKey, crls: list[Any] | None = None) -> dict[str, Any]:
    """The VCI directory snapshot's shape (vci-directory logs/vci_snapshot.json)."""
    return {
        "directory": "https://raw.githubusercontent.com/the-commons-project/vci-directory/main/vci-issuers.json",
        "time": "2021-11-20 12:00:00",
        "issuerInfo": [
            {
                "issuer": {"iss": key.iss, "name": f"Issuer {i}", "website": "https://example.org"},
                "keys": [key.jwk],
                "crls": crls if i == 0 and crls else [],
                "lastRetrieved": "2021-11-20T12:00:00Z",
            }
            for i, key in enumerate(keys)
        ],
    }


def test_a_vci_directory_snapshot_imports_every_issuer() -> None:
    first, second = new_issuer("https://one.example/shc"), new_issuer("https://two.example")
    crl = {"kid": first.kid, "method": "rid", "ctr": 2, "rids": ["abc", "def.1636977600"]}
    imported = import_directory(_snapshot(first, second, crls=[crl]))
    assert imported.skipped == ()
    assert sorted(imported.issuers.issuers) == [first.iss, second.iss]
    assert imported.issuers.get(first.iss).name == "Issuer 0"  # type: ignore[union-attr]
    assert imported.issuers.get(first.iss).crls[first.kid].rids == {"abc": None, "def": 1636977600}  # type: ignore[union-attr]
    assert import_shc_keys(_snapshot(first, second)).issuers.key_count() == 2


def test_a_plain_list_of_issuers_imports_too() -> None:
    key = new_issuer()
    imported = import_directory([{"iss": key.iss, "name": "Plain", "keys": [key.jwk]}])
    assert imported.issuers.get(key.iss).name == "Plain"  # type: ignore[union-attr]


def test_an_issuer_without_a_usable_key_is_left_out_and_named() -> None:
    key = new_issuer("https://good.example")
    document = [{"iss": key.iss, "keys": [key.jwk]}, {"iss": "https://bad.example", "keys": [_rsa_jwk()]}]
    imported = import_directory(document)
    assert list(imported.issuers.issuers) == [key.iss]
    assert any("https://bad.example: no usable ES256 key" in note for note in imported.skipped)


@pytest.mark.parametrize(
    ("document", "iss", "message"),
    [
        ({"keys": []}, None, "issuer URL"),
        ({"issuerInfo": []}, "https://a.example", "names its issuers"),
        ({"participating_issuers": [{"iss": "https://a.example", "name": "A"}]}, None, "without keys"),
        ([{"iss": "http://plain.example", "keys": []}], None, "https://"),
        ([{"iss": "https://slash.example/", "keys": []}], None, "end with"),
        ("not json at all", None, "snapshot"),
    ],
)
def test_wrong_documents_are_refused(document: Any, iss: str | None, message: str) -> None:
    with pytest.raises(ShcKeyError, match=message):
        import_shc_keys(document, iss)


def test_crl_entries_and_merging() -> None:
    crl = crl_from_json({"kid": "k", "method": "rid", "ctr": 1, "rids": ["a.100", "a.200", "b", "b.50"]})
    assert crl.rids == {"a": 200, "b": None}  # the later cut-off; no cut-off beats any
    for bad in (
        {"kid": "k", "method": "other", "ctr": 1, "rids": []},
        {"kid": "k", "method": "rid", "ctr": -1, "rids": []},
    ):
        with pytest.raises(ShcKeyError):
            crl_from_json(bad)
    with pytest.raises(ShcKeyError, match="not a rid"):
        crl_from_json({"kid": "k", "method": "rid", "ctr": 1, "rids": ["has space"]})
    key = new_issuer()
    old = key.issuers([{"kid": key.kid, "method": "rid", "ctr": 1, "rids": ["x"]}])
    new = key.issuers([{"kid": key.kid, "method": "rid", "ctr": 2, "rids": ["y"]}])
    assert set(old.merged(new).get(key.iss).crls[key.kid].rids) == {"y"}  # type: ignore[union-attr]
    assert set(new.merged(old).get(key.iss).crls[key.kid].rids) == {"y"}  # type: ignore[union-attr]


# -- the bundle ---------------------------------------------------------------------------


def _bundle_bytes(
    anchor: Any, *, shc: ShcIssuers = EMPTY_SHC_ISSUERS, drop: str | None = None, **over: Any
) -> bytes:
    content = build_content(
        issuer="TEST",
        sequence=1,
        issued_at=NOW,
        not_after=NOW + timedelta(days=14),
        signers=[],
        profiles=[PROFILE],
        policies=[POLICY],
        shc_issuers=shc,
    )
    if drop:
        del content[drop]
    content.update(over)
    return sign_bundle(content, anchor)


def test_a_bundle_carries_issuer_keys_to_the_checker() -> None:
    anchor, key = new_ec_key(), new_issuer()
    crl = {"kid": key.kid, "method": "rid", "ctr": 4, "rids": ["gone"]}
    bundle = open_bundle(_bundle_bytes(anchor, shc=key.issuers([crl])), [Anchor("t", anchor.public_key())])
    assert bundle.shc_issuers.to_json() == key.issuers([crl]).to_json()
    checker = Checker(TrustMaterial.from_bundle(bundle), CheckpointSettings())
    people = [patient("Nguyễn", ["An"], "1985-03-12"), immunization("212", "2021-09-01")]
    result = checker.check(card(key, claims(people, NOW - timedelta(days=1))), NOW)
    assert (result.valid, result.colour.value if result.colour else None, result.decision.value) == (
        True,
        "green",
        "allow",
    )
    revoked = checker.check(card(key, claims(people, NOW - timedelta(days=1), rid="gone")), NOW)
    assert (revoked.valid, revoked.reason) == (False, "revoked")


def _shc_card(key: IssuerKey) -> str:
    people = [patient("Nguyễn", ["An"], "1985-03-12"), immunization("212", "2021-09-01")]
    return card(key, claims(people, NOW - timedelta(days=1)))


def test_a_bundle_from_before_shc_still_loads_and_trusts_no_issuer() -> None:
    anchor = new_ec_key()
    bundle = open_bundle(_bundle_bytes(anchor, drop="shc_issuers"), [Anchor("t", anchor.public_key())])
    assert len(bundle.shc_issuers) == 0
    result = Checker(TrustMaterial.from_bundle(bundle), CheckpointSettings()).check(
        _shc_card(new_issuer()), NOW
    )
    assert (result.valid, result.reason, result.decision.value) == (False, "shc_issuer_unknown", "deny")


def test_extra_issuer_keys_can_be_added_to_the_trust_material() -> None:
    anchor, key = new_ec_key(), new_issuer()
    bundle = open_bundle(_bundle_bytes(anchor), [Anchor("t", anchor.public_key())])
    material = TrustMaterial.from_bundle(bundle).with_shc_issuers(key.issuers())
    assert Checker(material, CheckpointSettings()).check(_shc_card(key), NOW).valid


def test_the_embedded_demo_bundle_still_loads() -> None:
    from scanner_app.local.bundle_store import app_anchors

    bundle = open_bundle(asset("demo-bundle.cose").read_bytes(), app_anchors())
    assert bundle.demo and len(bundle.shc_issuers) == 0


@pytest.mark.parametrize(
    "bad",
    [
        "a string",
        {"https://a.example": {"keys": "none"}},
        {"https://a.example": {"keys": [{"kty": "EC"}]}},
        {"http://a.example": {"keys": []}},
    ],
)
def test_a_bundle_with_malformed_issuer_keys_is_refused_whole(bad: Any) -> None:
    anchor = new_ec_key()
    with pytest.raises(BundleError) as error:
        open_bundle(_bundle_bytes(anchor, shc_issuers=bad), [Anchor("t", anchor.public_key())])
    assert error.value.problem is BundleProblem.CONTENT_INVALID


def test_the_bundle_never_stores_private_members() -> None:
    key = new_issuer()
    stored = key.issuers().to_json()[key.iss]["keys"][0]
    assert set(stored) <= {"kty", "crv", "x", "y", "kid", "alg", "use", "crlVersion"}


# -- bundle build --shc-jwks --------------------------------------------------------------


def _build(tmp_path: Path, *shc: str) -> tuple[int, str, dict[str, Any]]:
    out = tmp_path / "b.cose"
    run = cli(
        "bundle",
        "build",
        "--demo",
        "--profile-file",
        str(asset("rules", "VN-KH-2021-10.json")),
        "--policy-file",
        str(asset("policies", "VN-EXAMPLE-POLICY.json")),
        *[arg for value in shc for arg in ("--shc-jwks", value)],
        "--sequence",
        "3",
        "--sign-key",
        str(asset("devkit", "demo-anchor-key.pem")),
        "--out",
        str(out),
    )
    info = json.loads(cli("bundle", "inspect", "--json", str(out)).out) if run.code == 0 else {}
    return run.code, run.err, info


def test_cli_builds_a_bundle_from_a_snapshot_and_a_jwks(tmp_path: Path) -> None:
    first, second = new_issuer("https://one.example"), new_issuer("https://two.example")
    (tmp_path / "snapshot.json").write_text(json.dumps(_snapshot(first)))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [second.jwk, _rsa_jwk()]}))
    code, err, info = _build(
        tmp_path, str(tmp_path / "snapshot.json"), f"{second.iss}={tmp_path / 'jwks.json'}"
    )
    assert code == 0, err
    assert (info["shc_issuers"], info["shc_keys"]) == (2, 2)
    assert "skipped" in err  # the RSA key, named on stderr


def test_cli_refuses_a_jwks_without_its_issuer_and_a_private_key(tmp_path: Path) -> None:
    key = new_issuer()
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [key.jwk]}))
    code, err, _ = _build(tmp_path, str(tmp_path / "jwks.json"))
    assert code == 2 and "issuer URL" in err
    private = {**key.jwk, "d": "AAAA"}
    (tmp_path / "private.json").write_text(json.dumps({"keys": [private]}))
    code, err, _ = _build(tmp_path, f"{key.iss}={tmp_path / 'private.json'}")
    assert code == 2 and "private" in err


def test_cli_reads_an_issuer_folder_and_verify_uses_the_bundle(tmp_path: Path) -> None:
    """The spec's example issuer folder (.well-known/jwks.json and crl/): build, then verify
    its examples through the CLI with that bundle."""
    folder = shared_path("shc", "examples", "issuer")
    iss = "https://spec.smarthealth.cards/examples/issuer"
    code, err, info = _build(tmp_path, f"{iss}={folder}")
    assert code == 0, err
    assert (info["shc_issuers"], info["shc_keys"]) == (1, 2)
    examples = shared_path("shc", "examples")
    for name, expected in (("example-00", "ok"), ("example-03", "revoked")):
        text = (examples / f"{name}-f-qr-code-numeric-value-0.txt").read_text().strip()
        out = cli(
            "verify", "--bundle", str(tmp_path / "b.cose"), "--at", "2023-06-23T12:00:00Z", "--json", text
        )
        assert out.code == 0, out.err
        assert (out.json()["format"], out.json()["reason"]) == ("shc", expected)
