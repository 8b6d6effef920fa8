"""The issuer's keys in a real SoftHSM2 token: generated there, never exported, and what the
issuer says when the token, the PIN or the folder is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass

from scanner_issuer.errors import IssuerError
from scanner_issuer.state import IssuerState
from scanner_issuer.token import TokenConfig, open_session, token_key
from tests.issuer_helpers import PIN, PIN_ENV, make_token, run_issuer

AT = "2021-09-01T00:00:00+07:00"


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One token for the module: a PKCS#11 library reads its configuration once per process."""
    made = make_token(tmp_path_factory.mktemp("token"))
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(made.config)
    yield made
    if previous is None:
        del os.environ["SOFTHSM2_CONF"]
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="module")
def issuer(token, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    state = tmp_path_factory.mktemp("issuer") / "state"
    run = run_issuer(
        "init", "--dir", str(state), *token.init_args(), "--dsc-per-type", "--at", AT, env=token.env()
    )
    assert run.code == 0, run.err
    return token, state


@pytest.fixture
def session(issuer):  # type: ignore[no-untyped-def]
    token, _ = issuer
    with open_session(TokenConfig(token.module, token.label, PIN_ENV), PIN) as opened:
        yield opened


def test_every_private_key_was_born_in_the_token_and_cannot_leave_it(session) -> None:  # type: ignore[no-untyped-def]
    keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
    assert len(keys) >= 4  # the CSCA and one DSC per certificate type (and the PS256 issuer's)
    for key in keys:
        assert key[Attribute.LOCAL] is True  # generated inside the token, not imported
        assert key[Attribute.SENSITIVE] is True and key[Attribute.ALWAYS_SENSITIVE] is True
        assert key[Attribute.EXTRACTABLE] is False and key[Attribute.NEVER_EXTRACTABLE] is True
        assert key[Attribute.DERIVE] is False
        with pytest.raises(pkcs11.exceptions.AttributeSensitive):
            key[Attribute.VALUE]  # the private scalar itself


def test_the_token_refuses_to_wrap_a_key_out(session) -> None:  # type: ignore[no-untyped-def]
    wrapping = session.generate_key(KeyType.AES, 256, store=False, capabilities=pkcs11.MechanismFlag.WRAP)
    key = next(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
    with pytest.raises((pkcs11.exceptions.KeyUnextractable, pkcs11.exceptions.KeyNotWrappable)):
        wrapping.wrap_key(key, mechanism=Mechanism.AES_KEY_WRAP_PAD)


def test_extractable_cannot_be_switched_on_afterwards(session) -> None:  # type: ignore[no-untyped-def]
    key = next(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
    with pytest.raises((pkcs11.exceptions.AttributeReadOnly, pkcs11.exceptions.AttributeValueInvalid)):
        key[Attribute.EXTRACTABLE] = True
    assert key[Attribute.EXTRACTABLE] is False


def test_the_signing_adapter_refuses_export_and_signs_what_the_certificate_says(issuer, session) -> None:  # type: ignore[no-untyped-def]
    _, folder = issuer
    state = IssuerState.load(folder)
    for record in state.signers:
        key = token_key(session, record.key_id_bytes)
        with pytest.raises(IssuerError, match="cannot be exported"):
            key.private_bytes(None, None, None)  # type: ignore[arg-type]
        certificate = state.certificate(record)
        assert certificate.public_key() == key.public_key()
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        signature = key.sign(b"data", ec.ECDSA(_sha256()))
        key.public_key().verify(signature, b"data", ec.ECDSA(_sha256()))
        certificate.verify_directly_issued_by(state.csca())  # the CSCA signed it through the token


def test_dsc_certificates_carry_their_usage(issuer) -> None:  # type: ignore[no-untyped-def]
    _, folder = issuer
    certificates = x509.load_pem_x509_certificates((folder / "dsc.pem").read_bytes())
    usages = {
        c.subject.rfc4514_string(): [
            o.dotted_string for o in c.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        ]
        for c in certificates
    }
    assert sorted(oid for oids in usages.values() for oid in oids) == [
        "1.3.6.1.4.1.1847.2021.1.1",
        "1.3.6.1.4.1.1847.2021.1.2",
        "1.3.6.1.4.1.1847.2021.1.3",
    ]
    assert all("DEMO" not in name for name in usages)


def test_ps256_keys_sign_pss_in_the_token(token, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    run = run_issuer(
        "init", "--dir", str(state), *token.init_args(), "--alg", "PS256", "--at", AT, env=token.env()
    )
    assert run.code == 0, run.err
    loaded = IssuerState.load(state)
    with open_session(TokenConfig(token.module, token.label, PIN_ENV), PIN) as opened:
        key = token_key(opened, loaded.signers[0].key_id_bytes)
        assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 3072
        pss = padding.PSS(mgf=padding.MGF1(_sha256()), salt_length=32)
        key.public_key().verify(key.sign(b"card", pss, _sha256()), b"card", pss, _sha256())
        query = {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: loaded.signers[0].key_id_bytes}
        rsa_key = next(opened.get_objects(query))
        assert rsa_key[Attribute.DECRYPT] is False and rsa_key[Attribute.UNWRAP] is False
        with pytest.raises(pkcs11.exceptions.AttributeSensitive):
            rsa_key[Attribute.PRIVATE_EXPONENT]


def test_wrong_pin_missing_pin_and_unknown_token_fail_clearly(token, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = ["init", "--dir", str(tmp_path / "state"), "--at", AT]
    wrong = run_issuer(*base, *token.init_args(), env={**token.env(), PIN_ENV: "000000"})
    assert wrong.code == 2 and "refused the PIN" in wrong.err
    missing = run_issuer(*base, *token.init_args(), env={"SOFTHSM2_CONF": str(token.config), PIN_ENV: ""})
    assert missing.code == 2 and f"{PIN_ENV}, which is not set" in missing.err
    args = ["--pkcs11-module", token.module, "--token-label", "nope", "--pin-env", PIN_ENV]
    unknown = run_issuer(*base, *args, env=token.env())
    assert unknown.code == 2 and "no token labelled 'nope'" in unknown.err
    assert not (tmp_path / "state" / "issuer.json").exists()


def test_init_refuses_an_existing_issuer_and_needs_one_key_store(issuer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    token, folder = issuer
    again = run_issuer("init", "--dir", str(folder), *token.init_args(), "--at", AT, env=token.env())
    assert again.code == 2 and "already holds an issuer" in again.err
    neither = run_issuer("init", "--dir", str(tmp_path / "x"))
    assert neither.code == 2 and "--file-keys" in neither.err


def _sha256():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()
