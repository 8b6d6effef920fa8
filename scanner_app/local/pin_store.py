"""The admin PIN, stored hashed with scrypt (hashlib) in `<data dir>/security.json`, with its
lockout state and a recovery code; every attempt is logged as a chained event by the caller.

PIN state that holds against the person holding the laptop:
- the lockout counts down on the monotonic clock, persisted with the boot it belongs to:
  moving the wall clock forward does not shorten it, a restart does not lift it (after a
  reboot the remaining time counts again from the start of the program);
- the file carries a MAC under a key kept beside the device identity, so an edited file is
  noticed; a missing, altered or unreadable file on a device that already has a check log
  means "PIN state lost": no PIN is accepted, the default one least of all, until the
  one-time recovery code (shown at set-up; for an enrolled scanner also obtainable from the
  hub) sets a new PIN;
- a brand-new installation gets the default PIN 123456 and a recovery code, and the window
  asks to change the PIN.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from scanner_app.core.pin_policy import PinLockout
from scanner_app.local.atomic import write_atomic

DEFAULT_PIN = "123456"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


class PinResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    STATE_LOST = "state_lost"  # use the recovery code


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)


def _boot() -> str | None:
    try:
        return BOOT_ID.read_text().strip() or None
    except OSError:
        return None  # no boot id on this system: every start counts as a new boot


def recovery_code() -> str:
    """12 digits in groups of four, easy to read out over a phone."""
    digits = f"{secrets.randbelow(10**12):012d}"
    return "-".join(digits[i : i + 4] for i in range(0, 12, 4))


@dataclass(frozen=True)
class PinState:
    salt: str
    hash: str
    default: bool
    recovery_salt: str
    recovery_hash: str
    failures: int = 0
    lockouts: int = 0
    remaining: float = 0.0  # lockout seconds left when saved...
    boot: str | None = None  # ...on this boot...
    saved_at: float = 0.0  # ...at this monotonic time


class PinStore:
    def __init__(
        self,
        data_dir: Path,
        monotonic: Callable[[], float],
        *,
        boot: Callable[[], str | None] = _boot,
        other_recovery: Callable[[], list[tuple[str, str]]] = list,
        has_history: Callable[[], bool] | None = None,
    ) -> None:
        """`other_recovery`: (salt, hash) of recovery codes kept elsewhere — the hub's code for
        an enrolled scanner, copies in the check log — tried when the file's own is gone.
        `has_history`: does this device already have records (then a missing file is a lost
        state, not a new installation)? Default: a check log exists."""
        self.path = data_dir / "security.json"
        self.monotonic = monotonic
        self.boot = boot
        self.other_recovery = other_recovery
        self._data_dir = data_dir
        self.new_recovery_code: str | None = None  # shown once, at set-up or after a recovery
        self.lost = False
        try:
            self._key = self._mac_key(data_dir / "device" / "pin-mac.key")
            history = has_history or self._device_has_history
            if not self.path.exists() and not history():
                self._create(DEFAULT_PIN, default=True)
            elif self._load() is None:
                self.lost = True
        except OSError:  # a read-only or full medium: nothing can be set up, nothing is accepted
            self._key = secrets.token_bytes(32)
            self.lost = self._load() is None

    # -- the file ------------------------------------------------------------------------

    @staticmethod
    def _mac_key(path: Path) -> bytes:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, secrets.token_bytes(32))
            os.chmod(path, 0o600)
        return path.read_bytes()

    def _device_has_history(self) -> bool:
        """A check log exists: this is not a new installation."""
        return (self._data_dir / "checks.db").exists() or (
            self._data_dir / "device" / "log-anchor.json"
        ).exists()

    def _mac(self, state: dict[str, Any]) -> str:
        body = json.dumps(state, sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def _load(self) -> PinState | None:
        """The state, or None when it is missing, unreadable or was altered."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            mac = data.pop("mac")
            if not hmac.compare_digest(str(mac), self._mac(data)):
                return None
            return PinState(**data)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save(self, state: PinState) -> None:
        data = asdict(state)
        write_atomic(self.path, json.dumps({**data, "mac": self._mac(data)}).encode())
        os.chmod(self.path, 0o600)

    def _create(self, pin: str, *, default: bool) -> None:
        code = recovery_code()
        salt, recovery_salt = secrets.token_bytes(16), secrets.token_bytes(16)
        self._save(
            PinState(
                salt=salt.hex(),
                hash=_hash(pin, salt).hex(),
                default=default,
                recovery_salt=recovery_salt.hex(),
                recovery_hash=_hash(code, recovery_salt).hex(),
            )
        )
        self.new_recovery_code = code
        self.lost = False

    # -- the PIN -------------------------------------------------------------------------

    @property
    def is_default(self) -> bool:
        state = self._load()
        return bool(state and state.default)

    def set_pin(self, pin: str) -> None:
        """A new PIN (4 to 12 digits). Leaving the default PIN also makes the recovery code
        (`new_recovery_code`, to show once); after that the recovery code stays the same."""
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            raise ValueError("the PIN must be 4 to 12 digits")
        state = self._load()
        if state is None:
            raise PermissionError("PIN state lost: unlock with the recovery code first")
        salt = secrets.token_bytes(16)
        changes: dict[str, Any] = {"salt": salt.hex(), "hash": _hash(pin, salt).hex(), "default": False}
        if state.default:
            # the code made with the default PIN was never shown to anyone: a fresh one, shown now
            code, recovery_salt = recovery_code(), secrets.token_bytes(16)
            changes["recovery_salt"] = recovery_salt.hex()
            changes["recovery_hash"] = _hash(code, recovery_salt).hex()
            self.new_recovery_code = code
        self._save(PinState(**{**asdict(state), **changes}))

    def lockout(self) -> tuple[PinLockout, float]:
        """The lockout rule's state and the seconds left on it, on the monotonic clock."""
        state = self._load()
        if state is None:
            return PinLockout(), 0.0
        remaining = state.remaining
        if state.boot is not None and state.boot == self.boot():
            remaining -= max(0.0, self.monotonic() - state.saved_at)  # only time that really passed
        now = self.monotonic()
        left = max(0.0, remaining)
        return PinLockout(failures=state.failures, lockouts=state.lockouts, locked_until=now + left), left

    def check(self, pin: str) -> PinResult:
        state = self._load()
        if state is None:
            self.lost = True
            return PinResult.STATE_LOST
        lockout, _ = self.lockout()
        now = self.monotonic()
        if lockout.locked(now):
            self._save_lockout(state, lockout, now)  # the countdown survives a restart from here
            return PinResult.LOCKED
        ok = hmac.compare_digest(_hash(pin, bytes.fromhex(state.salt)), bytes.fromhex(state.hash))
        lockout.record(ok, now)
        self._save_lockout(state, lockout, now)
        if ok:
            return PinResult.OK
        return PinResult.LOCKED if lockout.locked(now) else PinResult.WRONG

    def _save_lockout(self, state: PinState, lockout: PinLockout, now: float) -> None:
        self._save(
            PinState(
                **{
                    **asdict(state),
                    "failures": lockout.failures,
                    "lockouts": lockout.lockouts,
                    "remaining": lockout.seconds_left(now),
                    "boot": self.boot(),
                    "saved_at": now,
                }
            )
        )

    def recover(self, code: str, new_pin: str) -> bool:
        """Set `new_pin` with a recovery code: this device's own (from the state file) or one
        kept elsewhere (`other_recovery`). A new local recovery code is made (shown once)."""
        if not (new_pin.isdigit() and 4 <= len(new_pin) <= 12):
            raise ValueError("the PIN must be 4 to 12 digits")
        state = self._load()
        known = [(state.recovery_salt, state.recovery_hash)] if state else []
        known += self.other_recovery()
        entered = code.strip()
        if not any(hmac.compare_digest(_hash(entered, bytes.fromhex(s)).hex(), h) for s, h in known if s):
            return False
        self._create(new_pin, default=False)
        return True

    def recovery_hash(self) -> tuple[str, str] | None:
        """(salt, hash) of the current recovery code, for keeping a copy in the check log."""
        state = self._load()
        return (state.recovery_salt, state.recovery_hash) if state else None


def recovery_hash(code: str) -> tuple[str, str]:
    """(salt, hash) of a recovery code, as `other_recovery` gives them."""
    salt = secrets.token_bytes(16)
    return salt.hex(), _hash(code.strip(), salt).hex()


def save_hub_recovery(data_dir: Path, code: str) -> None:
    """Keep the hash of the hub's recovery code for this device (`device/hub-recovery.json`)."""
    path = data_dir / "device" / "hub-recovery.json"
    write_atomic(path, json.dumps(recovery_hash(code)).encode())
    os.chmod(path, 0o600)


def load_hub_recovery(data_dir: Path) -> list[tuple[str, str]]:
    path = data_dir / "device" / "hub-recovery.json"
    try:
        salt, digest = json.loads(path.read_text(encoding="utf-8"))
        return [(str(salt), str(digest))]
    except (OSError, ValueError, TypeError):
        return []


__all__ = ["DEFAULT_PIN", "PinResult", "PinStore", "recovery_code", "recovery_hash"]
