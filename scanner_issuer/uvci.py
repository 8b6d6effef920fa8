"""Unique vaccination certificate identifiers: `URN:UVCI:01:VN:<province><random>#<check>`.

The check character is Luhn mod N over the identifier before '#', with the alphabet of the
eHealth Network's UVCI guideline (A-Z, 0-9, '/', ':'), computed by python-stdnum.
"""

from __future__ import annotations

import secrets

from stdnum import luhn

CHECK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"
# Random part without 0/O and 1/I, for people who read an identifier aloud on the phone.
RANDOM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RANDOM_LENGTH = 12  # 60 bits: collisions are checked against the register anyway


def new_uvci(country: str, province: str) -> str:
    opaque = province + "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(RANDOM_LENGTH))
    body = f"URN:UVCI:01:{country}:{opaque}"
    return f"{body}#{luhn.calc_check_digit(body, alphabet=CHECK_ALPHABET)}"
