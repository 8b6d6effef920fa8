"""A SMART Health Card's FHIR bundle as the facts the scanner uses: who (the Patient) and
which COVID-19 doses (Immunizations by CVX code), expressed as a DCC-shaped payload.

Why DCC-shaped: the colour profiles are CertLogic over `payload.v.0.{dn,sd,dt,mp,...}`. Mapping
the card to the same shape means one profile colours a SMART Health Card exactly as it colours
a DCC with the same facts, with no SHC-specific rules to write or keep in step.

The mapping, per DCC conventions (a certificate states the latest dose):
- counted doses: Immunizations with status `completed`, not `isSubpotent`, a CVX code in
  `cvx.PRODUCTS` and a full occurrence date; others are listed in `ignored`, never counted;
- `dn` = number of counted doses; `sd` = primary-series length of the first dose's product
  (a booster after a completed series reads e.g. 3/2, a mixed AstraZeneca + Pfizer series 2/2);
- `dt`, `mp`, `ma`, `vp` = the latest dose's date and product; `tg` = COVID-19;
- no counted dose: no `v` at all (the profile then says red, as for a DCC without facts).
Lab results and recoveries are not mapped (the issue asks for immunizations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanner_app.core.cvx import COVID_19, CVX_SYSTEM, PRODUCTS, CvxProduct
from scanner_app.core.model import Holder
from scanner_app.core.names import standardise

MAX_ENTRIES = 1000  # bounded work; the spec's largest example has 55
MAX_TEXT = 200  # a name or a date longer than this is not one
DCC_VERSION = "1.3.0"
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FHIR_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class FhirError(ValueError):
    """The bundle is not the FHIR a health card must carry."""


@dataclass(frozen=True)
class Dose:
    when: date
    product: CvxProduct


@dataclass(frozen=True)
class CardFacts:
    holder: Holder | None
    doses: tuple[Dose, ...]  # in date order
    ignored: tuple[str, ...]  # why some Immunizations were not counted


def read_bundle(bundle: Any) -> CardFacts:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirError("fhirBundle is not a FHIR Bundle")
    entries = bundle.get("entry")
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise FhirError("Bundle.entry is not a list of entries")
    resources = [_resource(entry) for entry in entries]
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    if len(patients) > 1:
        raise FhirError("more than one Patient")
    doses, ignored = [], []
    for resource in resources:
        if resource.get("resourceType") == "Immunization":
            dose = _dose(resource)
            if isinstance(dose, Dose):
                doses.append(dose)
            else:
                ignored.append(dose)
    doses.sort(key=lambda d: d.when)
    holder = _holder(patients[0]) if patients else None
    return CardFacts(holder, tuple(doses), tuple(ignored))


def _resource(entry: Any) -> dict[str, Any]:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(resource, dict):
        raise FhirError("a Bundle entry without a resource")
    return resource


def _dose(resource: dict[str, Any]) -> Dose | str:
    """A counted dose, or why not."""
    if resource.get("status") != "completed":
        return f"status {str(resource.get('status'))[:20]}"
    if resource.get("isSubpotent") is True:
        return "subpotent"
    code = _cvx_code(resource.get("vaccineCode"))
    if code is None:
        return "no CVX code"
    product = PRODUCTS.get(code)
    if product is None:
        return f"CVX {code[:10]} not a known COVID-19 product"
    when = _full_date(resource.get("occurrenceDateTime"))
    if when is None:
        return f"CVX {code} without a full date"
    return Dose(when, product)


def _cvx_code(concept: Any) -> str | None:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    if not isinstance(codings, list):
        return None
    for coding in codings:
        if isinstance(coding, dict) and coding.get("system") == CVX_SYSTEM:
            code = coding.get("code")
            return code if isinstance(code, str) else None
    return None


def _full_date(value: Any) -> date | None:
    """The date of a FHIR dateTime that names a day ('2021-01-29', '2021-01-29T10:00:00Z')."""
    if not isinstance(value, str):
        return None
    match = _FULL_DATE.match(value)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _holder(patient: dict[str, Any]) -> Holder:
    family, given = _name(patient.get("name"))
    birth = _text(patient.get("birthDate"))
    return Holder(
        family=family,
        given=given,
        family_std=_standardised(family),
        given_std=_standardised(given),
        dob=birth if birth is not None and _FHIR_DATE.fullmatch(birth) else None,
    )


def _standardised(name: str | None) -> str | None:
    return (standardise(name) or None) if name else None


def _name(names: Any) -> tuple[str | None, str | None]:
    """(family, given) of the official name, else the first; `text` when nothing else."""
    if not isinstance(names, list) or not names:
        return None, None
    candidates = [n for n in names if isinstance(n, dict)]
    official = [n for n in candidates if n.get("use") == "official"]
    name = (official or candidates or [{}])[0]
    family = _text(name.get("family"))
    parts = name.get("given")
    given_parts = [t for t in map(_text, parts) if t] if isinstance(parts, list) else []
    given = " ".join(given_parts) or None
    if family is None and given is None:
        given = _text(name.get("text"))
    return family, given


def _text(value: Any) -> str | None:
    """A string we may copy into a verdict: bounded, and printable as UTF-8 (JSON allows
    lone surrogates such as "\\ud800" that no output stream can write)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value.strip()


def dcc_payload(facts: CardFacts, *, issuer: str, certificate_id: str) -> dict[str, Any]:
    """The facts as a DCC payload (schema 1.3 shape) for the colour profiles."""
    holder = facts.holder or Holder()
    payload: dict[str, Any] = {
        "ver": DCC_VERSION,
        "nam": {
            key: value
            for key, value in (
                ("fn", holder.family),
                ("fnt", holder.family_std),
                ("gn", holder.given),
                ("gnt", holder.given_std),
            )
            if value is not None
        },
        "dob": holder.dob or "",
    }
    if facts.doses:
        last = facts.doses[-1]
        payload["v"] = [
            {
                "tg": COVID_19,
                "vp": last.product.vp,
                "mp": last.product.mp,
                "ma": last.product.ma,
                "dn": len(facts.doses),
                "sd": facts.doses[0].product.series,
                "dt": last.when.isoformat(),
                "is": issuer[:80],
                "ci": certificate_id,
            }
        ]
    return payload


def summary(facts: CardFacts) -> str:
    counted = ", ".join(f"{d.product.code}@{d.when.isoformat()}" for d in facts.doses) or "none"
    text = f"doses: {counted}"
    if facts.ignored:
        text += f"; not counted: {'; '.join(facts.ignored[:5])}"
    return text
