"""Console people: users with a role (the city team, or one ward's team), passwords hashed
with argon2id (argon2-cffi), sessions whose cookie holds a random token (the database keeps
only its SHA-256), a CSRF token per session, login attempts slowed after repeated failures,
and an audit table every console action is written to.

Fails closed: an unknown user costs the same hash as a known one; a locked login is refused
before its password is even checked; an attempt counts as a failure before its password is
checked (so simultaneous guesses cannot all pass the wait check), and only a few passwords are
checked at once (argon2id takes 64 MiB each), more are refused at once; a disabled user's
sessions stop working.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine

from scanner_app.core.record import clean_text
from scanner_hub.db import audit, console_sessions, console_users, login_failures, wards

ROLES = ("city", "ward")
NAME = r"^[A-Za-z0-9._@-]{2,64}$"
MIN_PASSWORD = 10
SESSION_HOURS = 12
FAILURE_WINDOW = timedelta(minutes=15)
FREE_FAILURES = 5  # then each attempt waits: 30 s, 60 s, 120 s ... up to 15 min
HASHER = PasswordHasher()  # argon2id, 64 MiB, 3 passes (RFC 9106's second recommendation)
_DUMMY = HASHER.hash("a password nobody has, for unknown user names")
CONCURRENT_CHECKS = 3  # passwords checked at once in this process; more get LoginBusy
_CHECKS = threading.BoundedSemaphore(CONCURRENT_CHECKS)
_COUNTING = threading.Lock()  # the wait check and the pending failure, one attempt at a time


class UserError(ValueError):
    """A user that cannot be made (bad name, role, ward or password)."""


class LoginBusy(Exception):
    """More logins at once than the hub checks: refused, not queued (try again in a second)."""


class LoginLocked(Exception):
    def __init__(self, wait_seconds: int) -> None:
        super().__init__(f"too many failed logins: wait {wait_seconds} s")
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class User:
    name: str
    role: str
    ward_id: str | None

    @property
    def is_city(self) -> bool:
        return self.role == "city"


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(engine: Engine, name: str, role: str, ward: str | None, password: str, now: datetime) -> User:
    import re

    if not re.fullmatch(NAME, name):
        raise UserError("a user name is 2-64 letters, digits or . _ @ -")
    if role not in ROLES:
        raise UserError(f"the role is one of {', '.join(ROLES)}")
    if (role == "ward") != (ward is not None):
        raise UserError("a ward user needs --ward; a city user has none")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password is at least {MIN_PASSWORD} characters")
    with engine.begin() as connection:
        if (
            ward is not None
            and connection.execute(select(wards).where(wards.c.ward_id == ward)).first() is None
        ):
            raise UserError(f"unknown ward {ward!r} (scanner-hub wards list)")
        if connection.execute(select(console_users).where(console_users.c.name == name)).first():
            raise UserError(f"user {name!r} exists")
        connection.execute(
            insert(console_users).values(
                name=name,
                role=role,
                ward_id=ward,
                password_hash=HASHER.hash(password),
                created_at=now,
                disabled=False,
            )
        )
    return User(name, role, ward)


def list_users(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        query = select(
            console_users.c.name, console_users.c.role, console_users.c.ward_id, console_users.c.disabled
        )
        return [dict(r) for r in connection.execute(query.order_by(console_users.c.name)).mappings()]


def disable_user(engine: Engine, name: str) -> bool:
    with engine.begin() as connection:
        done = connection.execute(
            update(console_users).where(console_users.c.name == name).values(disabled=True)
        )
        connection.execute(delete(console_sessions).where(console_sessions.c.user_name == name))
    return bool(done.rowcount)


def _wait(connection: Connection, name: str, address: str, now: datetime) -> int:
    """Seconds this login must still wait (0: go ahead): after FREE_FAILURES failures in the
    window, for this name or from this address, each attempt waits twice as long."""
    since = now - FAILURE_WINDOW
    waits = []
    for column, value in ((login_failures.c.user_name, name), (login_failures.c.address, address)):
        count, last = connection.execute(
            select(func.count(), func.max(login_failures.c.at)).where(
                column == value, login_failures.c.at > since
            )
        ).one()
        if count >= FREE_FAILURES and last is not None:
            last = last if last.tzinfo else last.replace(tzinfo=now.tzinfo)
            delay = min(30 * 2 ** (count - FREE_FAILURES), 900)
            waits.append(int((last + timedelta(seconds=delay) - now).total_seconds()) + 1)
    return max([0, *waits])


def login(
    engine: Engine, name: str, password: str, address: str, now: datetime
) -> tuple[str, Session] | None:
    """(cookie token, session) or None for a wrong name or password; LoginLocked while slowed."""
    name, address = clean_text(name, 64), clean_text(address, 64)
    if not _CHECKS.acquire(blocking=False):
        write_audit(engine, now, name, address, "login", None, "busy")
        raise LoginBusy
    try:
        return _login(engine, name, password, address, now)
    finally:
        _CHECKS.release()


def _count_attempt(engine: Engine, name: str, address: str, now: datetime) -> int:
    """The wait (see `_wait`); when there is none, the attempt is written as a failure at once,
    under a lock (a thread lock; on PostgreSQL also a transaction lock, for several hub
    processes), so that the next attempt already counts it. A good password removes it."""
    with _COUNTING, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('console_login_failures'))"))
        wait = _wait(connection, name, address, now)
        if wait == 0:
            connection.execute(insert(login_failures).values(user_name=name, address=address, at=now))
    return wait


def _login(
    engine: Engine, name: str, password: str, address: str, now: datetime
) -> tuple[str, Session] | None:
    wait = _count_attempt(engine, name, address, now)
    if wait > 0:
        write_audit(engine, now, name, address, "login", None, "locked")
        raise LoginLocked(wait)
    with engine.connect() as connection:
        row = connection.execute(select(console_users).where(console_users.c.name == name)).mappings().first()
    try:
        HASHER.verify(row["password_hash"] if row else _DUMMY, password)
        good = row is not None and not row["disabled"]
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        good = False
    if not good or row is None:
        with engine.begin() as connection:  # the failure is already written (_count_attempt)
            # bounded: failures older than the window no longer count (audit keeps the history)
            connection.execute(delete(login_failures).where(login_failures.c.at < now - 4 * FAILURE_WINDOW))
        write_audit(engine, now, name, address, "login", None, "refused")
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(
            insert(console_sessions).values(
                token_hash=_token_hash(token),
                user_name=name,
                csrf=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
            )
        )
        connection.execute(delete(login_failures).where(login_failures.c.user_name == name))
        connection.execute(delete(console_sessions).where(console_sessions.c.expires_at < now))
        if HASHER.check_needs_rehash(row["password_hash"]):
            connection.execute(
                update(console_users)
                .where(console_users.c.name == name)
                .values(password_hash=HASHER.hash(password))
            )
    write_audit(engine, now, name, address, "login", None, "ok")
    return token, Session(User(name, row["role"], row["ward_id"]), csrf)


def session(engine: Engine, token: str | None, now: datetime) -> Session | None:
    if not token or len(token) > 100:
        return None
    query = (
        select(console_sessions.c.csrf, console_sessions.c.expires_at, console_users)
        .join(console_users, console_users.c.name == console_sessions.c.user_name)
        .where(console_sessions.c.token_hash == _token_hash(token))
    )
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    if row is None or row["disabled"]:
        return None
    expires = row["expires_at"] if row["expires_at"].tzinfo else row["expires_at"].replace(tzinfo=now.tzinfo)
    if expires <= now:
        return None
    return Session(User(row["name"], row["role"], row["ward_id"]), row["csrf"])


def logout(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as connection:
            connection.execute(
                delete(console_sessions).where(console_sessions.c.token_hash == _token_hash(token))
            )


def write_audit(
    engine: Engine,
    now: datetime,
    user: str | None,
    address: str | None,
    action: str,
    target: object,
    outcome: str,
) -> None:
    detail = (
        None
        if target is None
        else clean_text(target if isinstance(target, str) else json.dumps(target), 2000)
    )
    with engine.begin() as connection:
        connection.execute(
            insert(audit).values(
                at=now,
                user_name=user,
                address=address,
                action=action[:32],
                target=detail,
                outcome=outcome[:16],
            )
        )
