"""The admin PIN, stored hashed with scrypt (hashlib) in `<data dir>/security.json`, with its
lockout state; every attempt is logged as an event in the check log by the caller.

The default PIN on a new installation is 123456, and the window asks to change it; a
deployment sets its own with `scanner-app` settings before handing out kiosks."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from scanner_app.core.pin_policy import PinLockout
from scanner_app.local.atomic import write_atomic

DEFAULT_PIN = "123456"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


class PinResult:
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


class PinStore:
    def __init__(
        self,
        data_dir: Path,
        monotonic: Callable[[], float],
        wall: Callable[[], float] | None = None,
    ) -> None:
        self.path = data_dir / "security.json"
        self.monotonic = monotonic
        self.wall = wall or __import__("time").time
        if not self.path.exists():
            self.set_pin(DEFAULT_PIN, default=True)

    def _load(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.path.read_text())

    def _save(self, data: dict) -> None:  # type: ignore[type-arg]
        write_atomic(self.path, json.dumps(data).encode())
        os.chmod(self.path, 0o600)

    def set_pin(self, pin: str, *, default: bool = False) -> None:
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            raise ValueError("the PIN must be 4 to 12 digits")
        salt = secrets.token_bytes(16)
        self._save(
            {
                "salt": salt.hex(),
                "hash": _hash(pin, salt).hex(),
                "default": default,
                "lockout": asdict(PinLockout()),
            }
        )

    @property
    def is_default(self) -> bool:
        return bool(self._load().get("default"))

    def lockout(self) -> PinLockout:
        data = self._load()["lockout"]
        # locked_until is kept as wall time on disk (a restart must not lift a lockout)
        state = PinLockout(**{k: v for k, v in data.items() if k != "locked_until"})
        remaining = data["locked_until"] - self.wall()
        state.locked_until = self.monotonic() + max(0.0, remaining)
        return state

    def check(self, pin: str) -> str:
        data = self._load()
        state = self.lockout()
        now = self.monotonic()
        if state.locked(now):
            return PinResult.LOCKED
        ok = hmac.compare_digest(_hash(pin, bytes.fromhex(data["salt"])), bytes.fromhex(data["hash"]))
        state.record(ok, now)
        saved = asdict(state)
        saved["locked_until"] = self.wall() + state.seconds_left(now)
        data["lockout"] = saved
        self._save(data)
        if ok:
            return PinResult.OK
        return PinResult.LOCKED if state.locked(now) else PinResult.WRONG
