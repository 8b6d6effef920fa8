"""The day keys this scanner holds (`<data dir>/device/day-keys.json`), and the pseudonym of a
certificate identifier at a moment.

An enrolled scanner receives the keys for today and the next days from the hub, sealed to
its own key, in signed answers (enrollment, every sync) or on a USB stick
(`scanner-app day-keys import FILE`). A key is erased once its day is over plus `grace` (the
shared-code window: a check just after midnight still finds the same card just before).
A scanner that never enrolled, or one offline so long that it has no key for today, uses
its own random local secret and says so (`local`): its pseudonyms match nothing elsewhere.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import x25519

from scanner_app.core.pseudonym import DEFAULT_ZONE, day_of, parse_zone, pseudonym, zone_text
from scanner_app.core.sealing import open_json
from scanner_app.core.wire import DAY_KEYS_INFO
from scanner_app.local.atomic import write_atomic

log = logging.getLogger(__name__)
DEFAULT_GRACE = timedelta(minutes=30)


class DayKeys:
    def __init__(self, data_dir: Path, local_secret: bytes, grace: timedelta = DEFAULT_GRACE) -> None:
        self.path = data_dir / "device" / "day-keys.json"
        self.local_secret = local_secret
        self.grace = grace
        self._lock = threading.Lock()
        self.zone, self.keys = self._read()

    def _read(self) -> tuple[timezone, dict[date, bytes]]:
        if not self.path.exists():
            return DEFAULT_ZONE, {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            keys = {date.fromisoformat(d): bytes.fromhex(k) for d, k in data["keys"].items()}
            return parse_zone(data["zone"]), keys
        except (OSError, ValueError, KeyError, TypeError):
            log.error("%s is unreadable: the day keys are gone until the next sync", self.path)
            return DEFAULT_ZONE, {}

    def _write(self) -> None:
        data = {
            "zone": zone_text(self.zone),
            "keys": {d.isoformat(): k.hex() for d, k in sorted(self.keys.items())},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(data).encode())
        os.chmod(self.path, 0o600)

    def install(self, sealed: str, seal_key: x25519.X25519PrivateKey, now: datetime) -> int:
        """Keys sealed to this device by the hub; returns how many are new. Keys for days
        already over are never taken."""
        data: Any = open_json(seal_key, sealed, DAY_KEYS_INFO)
        zone = parse_zone(str(data["zone"]))
        received = {date.fromisoformat(d): bytes.fromhex(k) for d, k in data["keys"].items()}
        with self._lock:
            today = day_of(now, zone)
            new = {d: k for d, k in received.items() if d >= today and self.keys.get(d) != k}
            self.zone = zone
            self.keys.update(new)
            self._erase(now)
            self._write()
        return len(new)

    def erase_past(self, now: datetime) -> int:
        """Forget every key whose day (plus the grace) is over; returns how many."""
        with self._lock:
            gone = self._erase(now)
            if gone:
                self._write()
            return gone

    def _erase(self, now: datetime) -> int:
        past = [
            d
            for d in self.keys
            if now.astimezone(self.zone) >= _start(d + timedelta(days=1), self.zone) + self.grace
        ]
        for day in past:
            del self.keys[day]
        return len(past)

    def key_for(self, moment: datetime) -> bytes | None:
        return self.keys.get(day_of(moment, self.zone))

    @property
    def local(self) -> bool:
        """True when pseudonyms come from this device's own secret (no hub key for today)."""
        return not self.keys

    def pseudonym(self, certificate_id: str | None, moment: datetime) -> str | None:
        if not certificate_id:
            return None
        self.erase_past(moment)
        return pseudonym(self.key_for(moment) or self.local_secret, certificate_id)

    def candidates(self, certificate_id: str | None, moment: datetime) -> list[str]:
        """The pseudonyms the same card may have in recent records: today's, and during the
        grace after midnight also yesterday's (its key is still held then)."""
        if not certificate_id:
            return []
        keys = [self.key_for(moment), self.key_for(moment - self.grace)]
        chosen = [k for k in dict.fromkeys(keys) if k is not None] or [self.local_secret]
        return [pseudonym(k, certificate_id) for k in chosen]


def _start(day: date, zone: timezone) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)
