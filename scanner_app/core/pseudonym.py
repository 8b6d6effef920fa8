"""Pseudonyms of certificate identifiers, with keys that change every day.

A record keeps `HMAC-SHA256(day key, identifier)`: enough to count, to find the same card
shown too often or at two places at once, and to audit, but not the identifier. The hub
derives each day's key from the deployment's master secret (`day_key`) and hands a scanner
only the keys for today and the next few days; the scanner erases a day's key once the day
is over (plus the shared-code window, so that checks across midnight still match). A
stolen laptop holds no key that produced an older pseudonym, so a small identifier space
(a 12-digit CCCD number) cannot be searched for past days.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta, timezone

from scanner_app.core.revocation import normalise_certificate_id

DAY_KEY_LABEL = b"scanner day key v1|"
DEFAULT_ZONE = timezone(timedelta(hours=7))  # Viet Nam: one zone, no daylight saving


def day_key(master: bytes, day: date) -> bytes:
    """Hub side: the key of one day, derived from the deployment's master secret."""
    return hmac.new(master, DAY_KEY_LABEL + day.isoformat().encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, certificate_id: str) -> str:
    message = normalise_certificate_id(certificate_id).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def day_of(moment: datetime, zone: timezone = DEFAULT_ZONE) -> date:
    return moment.astimezone(zone).date()


def parse_zone(text: str) -> timezone:
    """'+07:00' -> UTC+7 (ValueError for anything else)."""
    sign = {"+": 1, "-": -1}[text[0]]
    hours, minutes = (int(part) for part in text[1:].split(":"))
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def zone_text(zone: timezone) -> str:
    offset = zone.utcoffset(None)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
