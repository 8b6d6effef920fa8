"""DCC 1.3.0 payloads built from merged records, checked against the official JSON schema
(shipped in `schema/`, Apache-2.0, from ehn-dcc-development/eu-dcc-schema) before signing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, timedelta
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema

from scanner_issuer.sources import Identity, LabTest, Record, Recovery, Vaccination, standard_name

SCHEMA_VERSION = "1.3.0"
COVID_19 = "840539006"
TEST_TYPES = {True: "LP6464-4", False: "LP217198-3"}  # PCR (NAAT), rapid antigen
NOT_DETECTED = "260415000"
RECOVERY_DAYS = 180  # du = first positive + 180 days, the EU's maximum


def schema() -> dict[str, Any]:
    path = resources.files("scanner_issuer").joinpath("schema", "DCC.combined-schema-1.3.0.json")
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


@cache
def validator() -> Callable[[Any], Any]:
    """The schema compiled to Python by fastjsonschema (the schema names draft 2020-12 but
    uses only keywords draft 7 has; tests/test_issuer_inputs.py checks that it agrees with the
    reference validator on every DCC of the EU's conformance data)."""
    compiled: Callable[[Any], Any] = fastjsonschema.compile(schema())
    return compiled


def schema_problems(dcc: dict[str, Any]) -> list[str]:
    """[] when the DCC is valid, else the first problem found."""
    try:
        validator()(dcc)
    except fastjsonschema.JsonSchemaException as problem:
        return [str(problem)]
    return []


def _base(identity: Identity) -> dict[str, Any]:
    return {
        "ver": SCHEMA_VERSION,
        "nam": {
            "fn": identity.family,
            "fnt": standard_name(identity.family),
            "gn": identity.given,
            "gnt": standard_name(identity.given),
        },
        "dob": identity.dob.isoformat(),
    }


def vaccination_dcc(record: Vaccination, *, country: str, issuer: str, ci: str) -> dict[str, Any]:
    entry = {
        "tg": COVID_19,
        "vp": record.product.vp,
        "mp": record.product.mp,
        "ma": record.product.ma,
        "dn": record.dose,
        "sd": record.doses,
        "dt": record.when.isoformat(),
        "co": country,
        "is": issuer,
        "ci": ci,
    }
    return {**_base(record.identity), "v": [entry]}


def test_dcc(record: LabTest, *, country: str, issuer: str, ci: str) -> dict[str, Any]:
    entry = {
        "tg": COVID_19,
        "tt": TEST_TYPES[record.pcr],
        "sc": record.sampled.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tr": NOT_DETECTED,
        "tc": record.facility,
        "co": country,
        "is": issuer,
        "ci": ci,
    }
    return {**_base(record.identity), "t": [entry]}


def recovery_dcc(record: Recovery, *, country: str, issuer: str, ci: str) -> dict[str, Any]:
    entry = {
        "tg": COVID_19,
        "fr": record.first_positive.isoformat(),
        "co": country,
        "is": issuer,
        "df": record.recovered.isoformat(),
        "du": (record.first_positive + timedelta(days=RECOVERY_DAYS)).isoformat(),
        "ci": ci,
    }
    return {**_base(record.identity), "r": [entry]}


def build_dcc(record: Record, *, country: str, issuer: str, ci: str) -> dict[str, Any]:
    if isinstance(record, Vaccination):
        return vaccination_dcc(record, country=country, issuer=issuer, ci=ci)
    if isinstance(record, LabTest):
        return test_dcc(record, country=country, issuer=issuer, ci=ci)
    return recovery_dcc(record, country=country, issuer=issuer, ci=ci)


def certificate_type(dcc: dict[str, Any]) -> str:
    return next(kind for kind in ("v", "t", "r") if kind in dcc)


def content_key(dcc: dict[str, Any]) -> str:
    """The DCC without its identifier, canonically: equal keys mean the same card content."""
    kind = certificate_type(dcc)
    entry = {k: v for k, v in dcc[kind][0].items() if k != "ci"}
    return json.dumps({**dcc, kind: [entry]}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
