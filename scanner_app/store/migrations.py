"""Registered schema migrations (sqlite-utils' Migrations). Never edit an applied one: add
the next. tests/test_store_migrations.py upgrades every historical schema kept as a file."""

from __future__ import annotations

import json

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("scanner_app.store")


@MIGRATIONS()
def m001_checks(db: Database) -> None:
    db.table("checks").create(
        {
            "seq": int,
            "id": str,
            "wall_time": str,
            "monotonic": float,
            "session": str,
            "device_id": str,
            "checkpoint_id": str,
            "checkpoint_type": str,
            "level": int,
            "operator": str,
            "format": str,
            "issuer": str,
            "kid": str,
            "certificate_type": str,
            "valid": int,
            "colour": str,
            "decision": str,
            "reason": str,
            "profile_id": str,
            "profile_version": str,
            "policy_id": str,
            "policy_version": str,
            "cert_hash": str,
            "flags": str,
            "sealed": str,
            "prev_hash": str,
            "row_hash": str,
        },
        pk="seq",
        not_null={
            "id",
            "wall_time",
            "device_id",
            "format",
            "decision",
            "reason",
            "prev_hash",
            "row_hash",
        },
    )
    db.table("checks").create_index(["id"], unique=True)
    db.table("checks").create_index(["wall_time"])
    db.table("checks").create_index(["cert_hash", "wall_time"])
    db.table("outbox").create(
        {"seq": int, "queued_at": str, "acked_at": str},
        pk="seq",
        foreign_keys=[("seq", "checks", "seq")],
    )
    db.table("meta").create({"key": str, "value": str}, pk="key")


@MIGRATIONS()
def m002_events(db: Database) -> None:
    """Audit events that are not checks: PIN attempts, recoveries, settings changes."""
    db.table("events").create({"id": int, "wall_time": str, "kind": str, "detail": str}, pk="id")


@MIGRATIONS()
def m003_chained_events(db: Database) -> None:
    """Events join a hash chain of their own (`id` is their sequence): deleting, changing or
    reordering one shows in `audit verify`. Events already logged are chained in id order."""
    from scanner_app.core.chain import GENESIS, event_hash

    events = db.table("events")
    events.add_column("prev_hash", str)
    events.add_column("row_hash", str)
    prev, last = GENESIS, None
    for row in list(db.query("select id, wall_time, kind, detail from events order by id")):
        event = {
            "seq": row["id"],
            "wall_time": row["wall_time"],
            "kind": row["kind"],
            "detail": row["detail"],
            "prev_hash": prev,
        }
        prev = event_hash(event)
        db.execute(
            "update events set prev_hash = ?, row_hash = ? where id = ?",
            [event["prev_hash"], prev, row["id"]],
        )
        last = row["id"]
    if last is not None:
        db.table("meta").upsert({"key": "event_head", "value": json.dumps([last, prev])}, pk="key")
