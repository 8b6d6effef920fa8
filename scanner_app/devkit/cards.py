"""Signed demo cards: DCC payloads (vaccination, test, recovery) in the HC1 container.

The encoder mirrors the verifier's decoder so that tests exercise real bytes: CWT claims,
COSE_Sign1 (ES256 or PS256; kid protected, unprotected or both; tag 18, 61+18 or none),
ZLIB, Base45.
"""

from __future__ import annotations

import secrets
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import base45
import cbor2

from scanner_app.core.cose import sign1
from scanner_app.core.names import standardise
from scanner_app.devkit.keys import Signer


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    dob: str

    def nam(self) -> dict[str, str]:
        return {
            "fn": self.family,
            "fnt": standardise(self.family),
            "gn": self.given,
            "gnt": standardise(self.given),
        }


DEMO_PEOPLE = (
    Person("Nguyễn", "Văn An", "1985-03-12"),
    Person("Trần", "Thị Bình", "1990-07-01"),
    Person("Lê", "Hoàng Cường", "1978-11-23"),
    Person("Phạm", "Thu Dung", "2001-02-14"),
    Person("Đặng", "Quốc Huy", "1969-09-30"),
)


def new_uvci(country: str = "VN") -> str:
    return f"URN:UVCI:01:{country}:DEMO{secrets.token_hex(8).upper()}#{secrets.choice('ABCDEFGH')}"


def _entry_base(country: str, ci: str | None) -> dict[str, Any]:
    return {
        "tg": "840539006",
        "co": country,
        "is": "DEMO Ministry of Health",
        "ci": ci or new_uvci(country),
    }


def vaccination(
    person: Person,
    dose: int,
    doses: int,
    when: date,
    *,
    country: str = "VN",
    product: str = "EU/1/20/1528",
    ci: str | None = None,
) -> dict[str, Any]:
    entry = {
        **_entry_base(country, ci),
        "vp": "1119349007",
        "mp": product,
        "ma": "ORG-100030215",
        "dn": dose,
        "sd": doses,
        "dt": when.isoformat(),
    }
    return {"ver": "1.3.0", "nam": person.nam(), "dob": person.dob, "v": [entry]}


def lab_test(
    person: Person,
    sampled: datetime,
    *,
    detected: bool = False,
    pcr: bool = True,
    country: str = "VN",
    ci: str | None = None,
) -> dict[str, Any]:
    entry = {
        **_entry_base(country, ci),
        "tt": "LP6464-4" if pcr else "LP217198-3",
        "sc": sampled.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tr": "260373001" if detected else "260415000",
        "tc": "DEMO testing centre",
    }
    if pcr:
        entry["nm"] = "DEMO PCR"
    else:
        entry["ma"] = "1232"
    return {"ver": "1.3.0", "nam": person.nam(), "dob": person.dob, "t": [entry]}


def recovery(
    person: Person,
    first_positive: date,
    *,
    valid_days: int = 180,
    country: str = "VN",
    ci: str | None = None,
) -> dict[str, Any]:
    entry = {
        **_entry_base(country, ci),
        "fr": first_positive.isoformat(),
        "df": (first_positive + timedelta(days=11)).isoformat(),
        "du": (first_positive + timedelta(days=valid_days)).isoformat(),
    }
    return {"ver": "1.3.0", "nam": person.nam(), "dob": person.dob, "r": [entry]}


def sign_cose(
    payload: bytes,
    signer: Signer,
    *,
    kid_in: str = "protected",
    tag: str = "18",
    kid: bytes | None = None,
) -> bytes:
    """COSE_Sign1 bytes. kid_in: protected | unprotected | both | none; tag: 18 | 61 | none."""
    return sign1(
        payload,
        signer.private_key,
        kid=kid if kid is not None else signer.kid,
        kid_in=kid_in,
        tag=tag,
    )


def cwt_payload(dcc: dict[str, Any], issued_at: datetime, expires_at: datetime, issuer: str = "VN") -> bytes:
    claims = {
        1: issuer,
        4: int(expires_at.timestamp()),
        6: int(issued_at.timestamp()),
        -260: {1: dcc},
    }
    return cbor2.dumps(claims)


def hc1_text(cose: bytes) -> str:
    return "HC1:" + base45.b45encode(zlib.compress(cose, 9)).decode()


def issue(
    dcc: dict[str, Any],
    signer: Signer,
    issued_at: datetime,
    *,
    valid_days: int = 365,
    issuer: str = "VN",
    **cose_options: Any,
) -> str:
    """A signed HC1 card text."""
    payload = cwt_payload(dcc, issued_at, issued_at + timedelta(days=valid_days), issuer)
    return hc1_text(sign_cose(payload, signer, **cose_options))


def tamper(text: str) -> str:
    """The same card with one payload byte changed after signing (a forged edit)."""
    cose = zlib.decompress(base45.b45decode(text[4:]))
    item = cbor2.loads(cose)
    message = list(item.value if isinstance(item, cbor2.CBORTag) else item)
    claims = cbor2.loads(message[2])
    nam = claims[-260][1]["nam"]
    nam["gnt"] = nam["gnt"][:-1] + ("X" if nam["gnt"][-1] != "X" else "Y")
    message[2] = cbor2.dumps(claims)
    return hc1_text(cbor2.dumps(cbor2.CBORTag(18, message)))
