"""Vietnamese identity QR codes: the chip ID card (CCCD) and the PC-COVID personal QR.

Neither is signed nor carries health facts, so they are recognised as identity only: the
officer decides (policy `manual`), and the scanner never shows them green.

CCCD: `12 digits|9 digits or empty|FULL NAME|DDMMYYYY|sex|address|DDMMYYYY` (UTF-8).
PC-COVID personal QR (national QR standard, Sep 2021):
`SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT`.
"""

from __future__ import annotations

import re
from datetime import date

from scanner_app.core.model import CodeFormat, Holder, Reason, Step, StepResult, Verdict
from scanner_app.core.names import standardise

FORMAT = CodeFormat.VN_CCCD  # the registry reads FORMAT for documentation only
_CCCD_ID = re.compile(r"\d{12}")
_OLD_ID = re.compile(r"(\d{9})?")
_DDMMYYYY = re.compile(r"\d{8}")
_MAX_FIELD = 200


def _cccd_fields(text: str) -> list[str] | None:
    fields = text.split("|")
    if len(fields) != 7 or any(len(f) > _MAX_FIELD for f in fields):
        return None
    if not (_CCCD_ID.fullmatch(fields[0]) and _OLD_ID.fullmatch(fields[1])):
        return None
    if not (fields[2].strip() and _DDMMYYYY.fullmatch(fields[3])):
        return None
    return fields


def _personal_fields(text: str) -> list[str] | None:
    fields = text.split("|")
    if len(fields) != 6 or any(len(f) > _MAX_FIELD for f in fields):
        return None
    if not (fields[0].strip().isalnum() and fields[1].strip()):
        return None
    return fields


def matches(text: str) -> bool:
    return _cccd_fields(text) is not None or _personal_fields(text) is not None


def _iso_dob(raw: str) -> str | None:
    digits = re.sub(r"\D", "", raw)
    if len(digits) != 8:
        return None
    try:
        if raw[:4].isdigit() and len(raw) >= 8 and raw[4] in "-/":
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
        return date(int(digits[4:]), int(digits[2:4]), int(digits[:2])).isoformat()
    except ValueError:
        return None


def _holder(full_name: str, dob_raw: str) -> Holder:
    # Vietnamese names are written family name first: "Nguyễn Văn An".
    family, _, given = full_name.strip().partition(" ")
    return Holder(
        family=family or None,
        given=given.strip() or None,
        family_std=standardise(family) or None,
        given_std=standardise(given) or None,
        dob=_iso_dob(dob_raw),
    )


def evaluate(text: str, context: object) -> Verdict:
    cccd = _cccd_fields(text)
    if cccd is not None:
        code_format, holder = CodeFormat.VN_CCCD, _holder(cccd[2], cccd[3])
        identifier = cccd[0]
    else:
        personal = _personal_fields(text) or ["", "", ""]
        code_format, holder = CodeFormat.VN_PERSONAL_QR, _holder(personal[1], personal[2])
        identifier = personal[0]
    return Verdict(
        format=code_format,
        valid=False,
        reason=Reason.IDENTITY_ONLY,
        steps=(StepResult(Step.DETECT, True, "identity only, no health status offline"),),
        holder=holder,
        certificate_id=identifier,  # hashed before it is stored; used for duplicate flags
    )
