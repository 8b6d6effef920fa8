"""Signing a DCC into the HC1 container: CWT claims -> COSE_Sign1 (through the token) ->
ZLIB -> Base45 -> `HC1:`, then reading it back with the scanner's own verifier before the
card may leave the issuer (a card the scanner would refuse is an error, never output)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import base45
import cbor2

from scanner_app.core.context import VerifyContext
from scanner_app.core.cose import sign1
from scanner_app.core.trust import SignerKey, TrustStore
from scanner_app.core.verify import verify
from scanner_issuer.errors import IssuerError
from scanner_issuer.keys import PrivateKey

CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_HCERT = 1, 4, 6, -260


@dataclass(frozen=True)
class SigningKey:
    """A document signer ready to sign: its token (or DEMO file) key and its trust entry."""

    private_key: PrivateKey
    signer: SignerKey


def cwt_payload(dcc: dict[str, Any], *, country: str, issued_at: datetime, expires_at: datetime) -> bytes:
    claims = {
        CLAIM_ISS: country,
        CLAIM_EXP: int(expires_at.timestamp()),
        CLAIM_IAT: int(issued_at.timestamp()),
        CLAIM_HCERT: {1: dcc},
    }
    return cbor2.dumps(claims)


def sign_card(payload: bytes, key: SigningKey) -> str:
    cose = sign1(payload, key.private_key, kid=key.signer.kid)
    encoded: bytes = base45.b45encode(zlib.compress(cose, 9))
    return "HC1:" + encoded.decode("ascii")


def check_card(text: str, trust: TrustStore, issued_at: datetime) -> None:
    """The scanner's verifier must accept the card, signed by this signer, as of its issue time."""
    verdict = verify(text, VerifyContext(trust, issued_at))
    if not verdict.valid:
        raise IssuerError(f"a freshly signed card does not verify ({verdict.reason}); nothing was issued")
