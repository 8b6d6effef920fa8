"""SMART Health Cards signed in the tests with fresh P-256 keys, encoded exactly as issuers do
(JWS compact, raw DEFLATE, numeric `shc:/`), so that tests exercise real bytes; every layer
can be replaced to build hostile cards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from scanner_app.core.shc_codec import b64url_encode, deflate_raw, numeric_encode
from scanner_app.core.shc_keys import ShcIssuers, import_jwks, jwk_thumbprint

ISS = "https://issuer.example.org/shc"
HEALTH_CARD = "https://smarthealth.cards#health-card"


@dataclass(frozen=True)
class IssuerKey:
    iss: str
    private_key: ec.EllipticCurvePrivateKey

    @property
    def jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": b64url_encode(numbers.y.to_bytes(32, "big")),
        }
        return {**jwk, "kid": jwk_thumbprint(jwk), "use": "sig", "alg": "ES256"}

    @property
    def kid(self) -> str:
        return self.jwk["kid"]

    def issuers(self, crls: list[Any] | None = None) -> ShcIssuers:
        return import_jwks({"keys": [self.jwk]}, self.iss, crls=crls or []).issuers


def new_issuer(iss: str = ISS) -> IssuerKey:
    return IssuerKey(iss, ec.generate_private_key(ec.SECP256R1()))


def patient(family: str | None, given: list[str], birth: str | None) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "name": [{"family": family, "given": given}]}
    if family is None:
        resource["name"] = [{"given": given}]
    if birth is not None:
        resource["birthDate"] = birth
    return resource


def immunization(cvx: str, when: str, *, status: str = "completed", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Immunization",
        "status": status,
        "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": cvx}]},
        "patient": {"reference": "resource:0"},
        "occurrenceDateTime": when,
        **extra,
    }


def claims(
    resources: list[dict[str, Any]],
    nbf: datetime,
    *,
    iss: str = ISS,
    exp: datetime | None = None,
    rid: str | None = None,
) -> dict[str, Any]:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"resource:{i}", "resource": r} for i, r in enumerate(resources)],
    }
    vc: dict[str, Any] = {
        "type": [HEALTH_CARD, "https://smarthealth.cards#immunization"],
        "credentialSubject": {"fhirVersion": "4.0.1", "fhirBundle": bundle},
    }
    if rid is not None:
        vc["rid"] = rid
    payload: dict[str, Any] = {"iss": iss, "nbf": nbf.timestamp(), "vc": vc}
    if exp is not None:
        payload["exp"] = exp.timestamp()
    return payload


def minified(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def raw_signature(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign_jws(
    key: IssuerKey,
    body: bytes,
    *,
    header: dict[str, Any] | None = None,
    compressed: bool = False,
    signer: ec.EllipticCurvePrivateKey | None = None,
) -> str:
    """A compact JWS over `body` (DEFLATE-d here unless `compressed`)."""
    head = {"zip": "DEF", "alg": "ES256", "kid": key.kid} if header is None else header
    header_b64 = b64url_encode(minified(head))
    payload_b64 = b64url_encode(body if compressed else deflate_raw(body))
    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    signature = raw_signature(signer or key.private_key, signing_input)
    return f"{header_b64}.{payload_b64}.{b64url_encode(signature)}"


def qr_text(jws: str) -> str:
    return "shc:/" + numeric_encode(jws)


def card(key: IssuerKey, payload: dict[str, Any], **options: Any) -> str:
    return qr_text(sign_jws(key, minified(payload), **options))


def chunks(jws: str, parts: int) -> list[str]:
    """The deprecated multi-part form, balanced as the spec recommends."""
    size = -(-len(jws) // parts)
    pieces = [jws[i : i + size] for i in range(0, len(jws), size)]
    return [f"shc:/{i}/{len(pieces)}/{numeric_encode(p)}" for i, p in enumerate(pieces, 1)]
