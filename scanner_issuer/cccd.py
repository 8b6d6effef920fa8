"""Citizen identity numbers (CCCD, 12 digits; Circular 07/2016/TT-BCA): digits 1-3 the
province of birth registration, digit 4 sex and century, digits 5-6 the birth year's last two
digits. A number that contradicts its holder's birth date is a data error, not a person."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources

# digit 4: 0/1 born 1900-1999, 2/3 2000-2099, 4/5 2100-2199 (men/women)
_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100}


@cache
def province_codes() -> dict[str, str]:
    text = resources.files("scanner_issuer").joinpath("data", "cccd-provinces.json").read_text("utf-8")
    codes: dict[str, str] = json.loads(text)["codes"]
    return codes


def cccd_problem(number: str, birth: date | None) -> str | None:
    """None when the number is plausible for someone born on `birth`; else what is wrong."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return "a CCCD has exactly 12 digits"
    if number[:3] not in province_codes():
        return f"no province has code {number[:3]}"
    century = _CENTURY.get(int(number[3]))
    if century is None:
        return f"digit 4 ({number[3]}) is no sex/century code"
    if birth is not None and century + int(number[4:6]) != birth.year:
        return f"the number says born {century + int(number[4:6])}, the record says {birth.year}"
    return None
