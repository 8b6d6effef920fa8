"""The hub's operations, independent of HTTP: enrollment, devices, publishing, ingest, heads,
signed answers. Used by the API, the CLI and tests.

Every answer that changes a scanner's state is signed with the hub's identity key
(`core/wire.py`); a request is checked (signature, enrollment, revocation) before the hub
does any work for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric import x25519
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from scanner_app.core.bundle import open_bundle
from scanner_app.core.policy import CHECKPOINT_TYPES
from scanner_app.core.pseudonym import DEFAULT_ZONE, day_key, day_of, zone_text
from scanner_app.core.sealing import seal_json
from scanner_app.core.wire import (
    DAY_KEYS_INFO,
    OUTBOX_FORMAT,
    RECOVERY_INFO,
    EnrollmentCode,
    EnrollmentLink,
    public_key_raw,
    request_signature_ok,
    sign_answer,
    without_signature,
)
from scanner_hub.db import (
    bundles,
    create_schema,
    database_busy,
    database_gone,
    devices,
    enrollments,
    ensure_partitions,
    is_postgres,
    make_engine,
)
from scanner_hub.ingest import (
    IngestRefused,
    IngestResult,
    IngestRules,
    authenticate,
    ingest_batch,
    partition_days,
)
from scanner_hub.keys import HubKeys
from scanner_hub.status import assign_ward, record_status

log = logging.getLogger(__name__)
T = TypeVar("T")
FAILOVER_RETRY_AFTER = 2  # seconds a scanner waits after "database unavailable"


class DatabaseUnavailable(IngestRefused):
    """The database lost its primary mid-request (a failover): nothing was acknowledged;
    the scanner resends the same request later (HTTP 503 with Retry-After)."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, "database_unavailable", detail)


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over a phone


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@dataclass(frozen=True)
class HubConfig:
    """How this hub is reached and what it tolerates."""

    public_urls: tuple[str, ...] = ()  # announced to scanners at enrollment (several: they try each)
    day_zone: timezone = DEFAULT_ZONE  # where a "day" of pseudonym keys begins and ends
    day_keys_ahead: int = 8  # today and the next 7 days: a scanner may go a week without sync
    tls_sha256: str | None = None  # the certificate `serve --tls-cert` presents, pinned by scanners
    rules: IngestRules = field(default_factory=IngestRules)


@dataclass
class Hub:
    engine: Engine
    keys: HubKeys
    config: HubConfig = field(default_factory=HubConfig)

    @classmethod
    def open(cls, url: str, keys: HubKeys, config: HubConfig | None = None) -> Hub:
        from scanner_hub.console.queries import seed_wards

        engine = make_engine(url)
        create_schema(engine)
        seed_wards(engine)
        return cls(engine, keys, config or HubConfig())

    def now(self) -> datetime:
        return datetime.now(UTC)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def sign(
        self, kind: str, nonce: object = None, device_id: str | None = None, **content: Any
    ) -> dict[str, str]:
        """A signed answer: the kind, the device and the request's nonce it answers, the
        hub's time, and what it says."""
        payload = {
            "kind": kind,
            "device_id": device_id,
            "nonce": nonce if isinstance(nonce, str) else None,
            "hub_time": self.now().isoformat(),
            **content,
        }
        return sign_answer(self.keys.identity_key, payload)

    def _database(self, work: Callable[[], T], *, idempotent: bool) -> T:
        """Run `work` against the current primary. When the database was lost under it (a
        failover), every pooled connection is dropped (they lead to the old primary); when it
        was only busy (a deadlock, a lock wait, SQLite's busy file) the pool stays. Either way
        an idempotent request is tried once more at once, anything else is refused as
        unavailable, to be resent."""
        attempts = 2 if idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                return work()
            except DBAPIError as exc:
                gone = database_gone(exc)
                if not gone and not database_busy(exc):
                    raise
                what = "unavailable" if gone else "busy"
                log.warning("database %s (attempt %d): %s", what, attempt, str(exc).splitlines()[0])
                if gone:
                    self.engine.dispose()
                if attempt == attempts:
                    reason = "changing primaries" if gone else "busy"
                    raise DatabaseUnavailable(f"the database is {reason}: resend later") from exc
        raise AssertionError("unreachable")

    # -- enrollment ------------------------------------------------------------------------

    def new_enrollment(
        self, checkpoint_id: str, checkpoint_type: str, days: int = 7, ward: str | None = None
    ) -> EnrollmentCode:
        """A one-time code, with the hub's fingerprint so the scanner can pin this hub.
        `ward`: the checkpoint belongs to this ward (one of the `wards` table) from now on."""
        if checkpoint_type not in CHECKPOINT_TYPES:
            raise ValueError(f"checkpoint type must be one of {', '.join(CHECKPOINT_TYPES)}")
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        now = self.now()
        with self.engine.begin() as connection:
            if ward is not None:
                assign_ward(connection, checkpoint_id, ward, checkpoint_type, now)
            connection.execute(
                insert(enrollments).values(
                    code_hash=_hash_code(code),
                    checkpoint_id=checkpoint_id,
                    checkpoint_type=checkpoint_type,
                    created_at=now,
                    expires_at=now + timedelta(days=days),
                )
            )
        return EnrollmentCode(code, self.keys.fingerprint)

    def enrollment_link(self, code: EnrollmentCode, urls: tuple[str, ...] = ()) -> EnrollmentLink | None:
        chosen = urls or self.config.public_urls
        return EnrollmentLink(chosen, code) if chosen else None

    def enroll(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The device proves it holds the key it names (its signature over the request, which
        also names the hub it expects); the code is used once, atomically; the secrets go
        back sealed to the device's own key, in a signed answer."""
        body = without_signature(request)
        if body.get("hub_fingerprint") != self.keys.fingerprint:
            raise IngestRefused(403, "wrong_hub", "this code is for another hub (fingerprint mismatch)")
        if not request_signature_ok(body, request.get("signature"), str(body.get("public_key"))):
            raise IngestRefused(401, "bad_signature", "the request is not signed by the key it names")
        try:
            device_seal = x25519.X25519PublicKey.from_public_bytes(
                base64.b64decode(str(body.get("seal_public_key")), validate=True)
            )
        except ValueError as exc:
            raise IngestRefused(422, "bad_seal_key", "the device's sealing key is not an X25519 key") from exc
        device_id, now = str(body["device_id"]), self.now()
        claimed = self._database(lambda: self._claim(body, device_id, device_seal, now), idempotent=True)
        envelope = self.sign(
            "enrollment",
            body.get("nonce"),
            device_id,
            checkpoint_id=claimed[0],
            checkpoint_type=claimed[1],
            hub_urls=list(self.config.public_urls),
            tls_sha256=self.config.tls_sha256,
            seal_public_key=self.keys.seal_public.hex(),
            day_keys=self.sealed_day_keys(device_seal),
            recovery=seal_json(device_seal, {"code": self.recovery_code(device_id)}, RECOVERY_INFO),
        )
        identity = base64.b64encode(public_key_raw(self.keys.identity_public)).decode()
        return {"hub_identity": identity, "answer": envelope}

    def _claim(
        self, body: Mapping[str, Any], device_id: str, device_seal: x25519.X25519PublicKey, now: datetime
    ) -> tuple[str, str]:
        """The code used once, atomically, and the device stored: (checkpoint id, type)."""
        with self.engine.begin() as connection:
            taken = (
                connection.execute(select(devices).where(devices.c.device_id == device_id)).mappings().first()
            )
            if taken is not None:
                return self._enrolled_again(connection, taken, body, device_seal)
            claimed = connection.execute(  # one statement: a code is used once, even under races
                update(enrollments)
                .where(
                    enrollments.c.code_hash == _hash_code(str(body.get("code", ""))),
                    enrollments.c.used_by.is_(None),
                    enrollments.c.expires_at > now,
                )
                .values(used_by=device_id)
                .returning(enrollments.c.checkpoint_id, enrollments.c.checkpoint_type)
            ).first()
            if claimed is None:
                raise IngestRefused(403, "bad_code", "unknown, used or expired enrollment code")
            connection.execute(
                insert(devices).values(
                    device_id=device_id,
                    public_key=str(body["public_key"]),
                    checkpoint_id=claimed[0],
                    checkpoint_type=claimed[1],
                    enrolled_at=now,
                    seal_public_key=public_key_raw_x(device_seal).hex(),
                )
            )
        return str(claimed[0]), str(claimed[1])

    @staticmethod
    def _enrolled_again(
        connection: Any,
        taken: Mapping[str, Any],
        body: Mapping[str, Any],
        device_seal: x25519.X25519PublicKey,
    ) -> tuple[str, str]:
        """The same device repeating the enrollment its code already made (its answer was lost,
        e.g. in a failover between the commit and the reply): the same keys and the same code
        get the same enrollment again; anything else is a second device under a used name."""
        used = connection.execute(
            select(enrollments.c.used_by).where(
                enrollments.c.code_hash == _hash_code(str(body.get("code", "")))
            )
        ).first()
        same = (
            used is not None
            and used[0] == taken["device_id"]
            and taken["public_key"] == str(body["public_key"])
            and taken["seal_public_key"] == public_key_raw_x(device_seal).hex()
            and taken["revoked_at"] is None
        )
        if not same:
            raise IngestRefused(409, "device_exists", f"device {taken['device_id']!r} is already enrolled")
        return str(taken["checkpoint_id"]), str(taken["checkpoint_type"])

    # -- devices ---------------------------------------------------------------------------

    def device_list(self) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            query = select(devices).order_by(devices.c.checkpoint_id, devices.c.device_id)
            return [dict(row) for row in connection.execute(query).mappings()]

    def revoke(self, device_id: str, reason: str) -> bool:
        """Refuse the device from now on (a stolen laptop, a device retired). False: unknown."""
        with self.engine.begin() as connection:
            done = connection.execute(
                update(devices)
                .where(devices.c.device_id == device_id, devices.c.revoked_at.is_(None))
                .values(revoked_at=self.now(), revoked_reason=reason)
            )
        return bool(done.rowcount)

    # -- bundles ---------------------------------------------------------------------------

    def publish(self, data: bytes, anchors: list[Any]) -> int:
        bundle = open_bundle(data, anchors)  # the hub never publishes what a scanner would refuse
        with self.engine.begin() as connection:
            latest = connection.execute(select(func.max(bundles.c.sequence))).scalar()
            if latest is not None and bundle.sequence <= latest:
                raise ValueError(f"sequence {bundle.sequence} is not above the published {latest}")
            connection.execute(
                insert(bundles).values(
                    sequence=bundle.sequence,
                    data=data,
                    etag=hashlib.sha256(data).hexdigest(),
                    published_at=self.now(),
                    demo=bundle.demo,
                )
            )
        return bundle.sequence

    def latest_bundle(self) -> tuple[bytes, str, int] | None:
        return self._database(self._latest_bundle, idempotent=True)

    def _latest_bundle(self) -> tuple[bytes, str, int] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(bundles.c.data, bundles.c.etag, bundles.c.sequence)
                .order_by(bundles.c.sequence.desc())
                .limit(1)
            ).first()
        return (bytes(row[0]), str(row[1]), int(row[2])) if row else None

    def next_sequence(self) -> int:
        with self.engine.connect() as connection:
            latest = connection.execute(select(func.max(bundles.c.sequence))).scalar()
        return int(latest or 0) + 1

    # -- checks ----------------------------------------------------------------------------

    def ingest(self, batch: Mapping[str, Any]) -> IngestResult:
        """Authenticate first (reads only), then create the partitions the batch's days need
        (only days inside the window), then store in one transaction."""
        now = self.now()
        return self._database(lambda: self._ingest(batch, now), idempotent=True)  # by (device, seq)

    def _ingest(self, batch: Mapping[str, Any], now: datetime) -> IngestResult:
        if is_postgres(self.engine):  # partition DDL runs in its own transaction, after the check
            with self.engine.connect() as connection:
                authenticate(connection, batch)
            ensure_partitions(self.engine, partition_days(batch, self.config.rules.day_window(now)))
        with self.engine.begin() as connection:  # SQLite: one write transaction (BEGIN IMMEDIATE)
            authenticate(connection, batch)
            return ingest_batch(connection, batch, now, self.config.rules)

    def receipt(self, batch: Mapping[str, Any], result: IngestResult) -> dict[str, str]:
        return self.sign("receipt", batch.get("nonce"), str(batch.get("device_id")), **result.to_json())

    def head(self, request: Mapping[str, Any]) -> dict[str, str]:
        """The device's high-water mark, signed, for a request the device signed; the status
        the request carries (signed with it) is kept for the console."""

        def read() -> Mapping[str, Any]:
            with self.engine.connect() as connection:
                row = authenticate(connection, request)
            if isinstance(request.get("status"), Mapping):
                with self.engine.begin() as connection:
                    record_status(
                        connection, str(row["device_id"]), row["head_seq"], request["status"], self.now()
                    )
            return row

        row = self._database(read, idempotent=True)
        return self.sign(
            "head",
            request.get("nonce"),
            str(row["device_id"]),
            head_seq=row["head_seq"],
            head_hash=row["head_hash"],
            day_keys=self.sealed_day_keys(
                x25519.X25519PublicKey.from_public_bytes(bytes.fromhex(row["seal_public_key"]))
            ),
        )

    def recovery_code(self, device_id: str) -> str:
        """The device's PIN recovery code, derived from the master secret: the district
        office reads it out on the phone when a scanner's PIN state is lost
        (`scanner-hub devices recovery-code DEVICE_ID`)."""
        digest = hmac.new(self.keys.hmac_secret, b"pin recovery v1|" + device_id.encode(), hashlib.sha256)
        digits = f"{int.from_bytes(digest.digest()[:8], 'big') % 10**12:012d}"
        return "-".join(digits[i : i + 4] for i in range(0, 12, 4))

    def day_keys_file(self, device_id: str, days: int) -> dict[str, str]:
        """For a site without network: the device's next `days` day keys, sealed to it, in a
        signed envelope for a USB stick (`scanner-app day-keys import FILE`)."""
        with self.engine.connect() as connection:
            row = (
                connection.execute(select(devices).where(devices.c.device_id == device_id)).mappings().first()
            )
        if row is None or row["revoked_at"] is not None:
            raise ValueError(f"no active device {device_id!r}")
        seal = x25519.X25519PublicKey.from_public_bytes(bytes.fromhex(row["seal_public_key"]))
        return self.sign("day_keys", None, device_id, day_keys=self.sealed_day_keys(seal, days))

    def sealed_day_keys(self, device_seal: x25519.X25519PublicKey, days: int | None = None) -> str:
        """Today's key and the next days' (never a past day's), sealed to the device: the
        deployment's master secret itself never leaves the hub."""
        zone = self.config.day_zone
        today = day_of(self.now(), zone)
        keys = {
            (today + timedelta(days=n)).isoformat(): day_key(
                self.keys.hmac_secret, today + timedelta(days=n)
            ).hex()
            for n in range(days or self.config.day_keys_ahead)
        }
        return seal_json(device_seal, {"zone": zone_text(zone), "keys": keys}, DAY_KEYS_INFO)

    def ingest_file(self, text: str) -> list[IngestResult]:
        """Sneakernet: a file of signed batches written by `scanner-app outbox export`."""
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("format") != OUTBOX_FORMAT:
            raise ValueError(f"not a scanner outbox file ({OUTBOX_FORMAT})")
        return [self.ingest(batch) for batch in document["batches"]]


def public_key_raw_x(key: x25519.X25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
