"""The hub's operations, independent of HTTP: enrollment, publishing, ingest, heads, time.
Used by the API, the CLI (`scanner-hub ingest FILE`) and tests."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from scanner_app.core.bundle import open_bundle
from scanner_app.core.policy import CHECKPOINT_TYPES
from scanner_app.core.wire import OUTBOX_FORMAT
from scanner_hub.db import (
    bundles,
    create_schema,
    devices,
    enrollments,
    ensure_partitions,
    make_engine,
)
from scanner_hub.ingest import IngestRefused, IngestResult, batch_days, ingest_batch
from scanner_hub.keys import HubKeys

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over a phone


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@dataclass
class Hub:
    engine: Engine
    keys: HubKeys

    @classmethod
    def open(cls, url: str, keys: HubKeys) -> Hub:
        engine = make_engine(url)
        create_schema(engine)
        return cls(engine, keys)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- enrollment ------------------------------------------------------------------------

    def new_enrollment(self, checkpoint_id: str, checkpoint_type: str, days: int = 7) -> str:
        if checkpoint_type not in CHECKPOINT_TYPES:
            raise ValueError(f"checkpoint type must be one of {', '.join(CHECKPOINT_TYPES)}")
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        now = self.now()
        with self.engine.begin() as connection:
            connection.execute(
                insert(enrollments).values(
                    code_hash=_hash_code(code),
                    checkpoint_id=checkpoint_id,
                    checkpoint_type=checkpoint_type,
                    created_at=now,
                    expires_at=now + timedelta(days=days),
                )
            )
        return code

    def enroll(self, code: str, public_key_pem: str, device_id: str) -> dict[str, Any]:
        """The device names itself (its id is in every record it has already logged) and
        proves nothing but the code; its key signs every batch from then on."""
        now = self.now()
        with self.engine.begin() as connection:
            row = (
                connection.execute(select(enrollments).where(enrollments.c.code_hash == _hash_code(code)))
                .mappings()
                .first()
            )
            if row is None or row["used_by"] is not None or _aware(row["expires_at"]) < now:
                raise IngestRefused(403, "bad_code", "unknown, used or expired enrollment code")
            taken = connection.execute(
                select(devices.c.device_id).where(devices.c.device_id == device_id)
            ).first()
            if taken is not None:
                raise IngestRefused(409, "device_exists", f"device {device_id!r} is already enrolled")
            connection.execute(
                insert(devices).values(
                    device_id=device_id,
                    public_key=public_key_pem,
                    checkpoint_id=row["checkpoint_id"],
                    checkpoint_type=row["checkpoint_type"],
                    enrolled_at=now,
                )
            )
            connection.execute(
                update(enrollments)
                .where(enrollments.c.code_hash == row["code_hash"])
                .values(used_by=device_id)
            )
        return {
            "device_id": device_id,
            "checkpoint_id": row["checkpoint_id"],
            "checkpoint_type": row["checkpoint_type"],
            "hmac_secret": self.keys.hmac_secret.hex(),
            "seal_public_key": self.keys.seal_public.hex(),
        }

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

    def latest_bundle(self) -> tuple[bytes, str] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(bundles.c.data, bundles.c.etag).order_by(bundles.c.sequence.desc()).limit(1)
            ).first()
        return (bytes(row[0]), str(row[1])) if row else None

    def next_sequence(self) -> int:
        with self.engine.connect() as connection:
            latest = connection.execute(select(func.max(bundles.c.sequence))).scalar()
        return int(latest or 0) + 1

    # -- checks ----------------------------------------------------------------------------

    def ingest(self, batch: Mapping[str, Any]) -> IngestResult:
        ensure_partitions(self.engine, batch_days(batch))
        now = self.now()
        with self.engine.begin() as connection:
            return ingest_batch(connection, batch, now)

    def head(self, device_id: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(devices.c.head_seq, devices.c.head_hash).where(devices.c.device_id == device_id)
            ).first()
        if row is None:
            raise IngestRefused(404, "unknown_device", f"device {device_id!r} is not enrolled")
        return {"device_id": device_id, "head_seq": row[0], "head_hash": row[1]}

    def ingest_file(self, text: str) -> list[IngestResult]:
        """Sneakernet: a file of signed batches written by `scanner-app outbox export`."""
        document = json.loads(text)
        if document.get("format") != OUTBOX_FORMAT:
            raise ValueError("not a scanner outbox file")
        return [self.ingest(batch) for batch in document["batches"]]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
