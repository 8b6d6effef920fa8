"""What a printed card says, in Vietnamese first and English second, built once and drawn by
both the PDF sheet and the phone picture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from scanner_issuer.sources import VN_TIME

COLOUR_WORDS = {"green": ("THẺ XANH", "GREEN"), "yellow": ("THẺ VÀNG", "YELLOW"), "red": ("THẺ ĐỎ", "RED")}
COLOUR_RGB = {"green": (0.12, 0.56, 0.24), "yellow": (0.98, 0.78, 0.05), "red": (0.80, 0.16, 0.16)}
COLOUR_INK = {"green": (1.0, 1.0, 1.0), "yellow": (0.0, 0.0, 0.0), "red": (1.0, 1.0, 1.0)}


@dataclass(frozen=True)
class CardText:
    full_name: str  # with diacritics, as the records spell it
    birth: str
    colour: str
    facts: str  # what the certificate states
    valid_until: str | None  # printed on test certificates
    uvci: str
    issuer: str
    demo: bool

    @property
    def colour_words(self) -> tuple[str, str]:
        return COLOUR_WORDS[self.colour]


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def local_time(moment: datetime) -> str:
    return moment.astimezone(VN_TIME).strftime("%d/%m/%Y %H:%M")


def facts_line(dcc: dict[str, Any]) -> str:
    if "v" in dcc:
        entry = dcc["v"][0]
        dose = f"{entry['dn']}/{entry['sd']}"
        return f"Tiêm chủng · Vaccinated {dose} · {day(date.fromisoformat(entry['dt']))}"
    if "t" in dcc:
        entry = dcc["t"][0]
        kind = "PCR" if entry["tt"] == "LP6464-4" else "Test nhanh · RAT"
        sampled = datetime.fromisoformat(entry["sc"].replace("Z", "+00:00"))
        return f"Xét nghiệm {kind} âm tính · negative · {local_time(sampled)}"
    entry = dcc["r"][0]
    return f"Đã khỏi bệnh · Recovered · dương tính / positive: {day(date.fromisoformat(entry['fr']))}"
