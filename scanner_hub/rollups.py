"""Rollups for the district console, maintained at ingest in the batch's own transaction:
each new record adds one to its row of `rollup_daily` and `rollup_hourly` (an upsert that
increments), and its card pseudonym is compared with that card's latest sighting elsewhere
(`card_sightings`): the same card at another checkpoint within `travel_minutes` is written
to `travel_flags` and marks the new record `impossible_travel`.

Only records the hub stores for the first time reach here (ingest decides that under the
device's lock), so the counts equal the rows of `checks`. Rows are upserted in key order so
that concurrent batches take row locks in the same order (no deadlock on PostgreSQL).
`rebuild` recomputes everything from `checks` (an upgrade, a restore, the benchmark).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from scanner_app.core.record import SHARING_FLAGS, Flag, parse_time
from scanner_hub.db import (
    card_sightings,
    is_postgres,
    rollup_daily,
    rollup_hourly,
    travel_flags,
)

SHARING = frozenset(f.value for f in SHARING_FLAGS)


def _insert(connection: Connection, table: Any) -> Any:
    return (pg_insert if is_postgres(connection) else sqlite_insert)(table)


def is_shared(record: Mapping[str, Any]) -> bool:
    """Flagged as a possibly shared code, by the scanner (`flags`) or by the hub (`hub_flags`)."""
    marks = f"{record.get('flags') or ''},{record.get('hub_flags') or ''}".split(",")
    return not SHARING.isdisjoint(marks)


def local_moment(wall_time: str, zone: tzinfo) -> datetime | None:
    moment = parse_time(wall_time)
    return moment.astimezone(zone) if moment is not None else None


def flag_travel(
    connection: Connection,
    records: Sequence[dict[str, Any]],
    checkpoint_id: str,
    zone: tzinfo,
    travel_minutes: float,
) -> None:
    """Compare each new record's card with its latest sighting; flag and remember."""
    cards = sorted({str(r["cert_hash"]) for r in records if r.get("cert_hash")})
    if not cards:
        return
    last = {
        row.cert_hash: row
        for row in connection.execute(
            select(card_sightings).where(card_sightings.c.cert_hash.in_(cards))
        ).mappings()
    }
    latest: dict[str, tuple[datetime, dict[str, Any]]] = {}
    found = []
    for record in sorted(records, key=lambda r: str(r["wall_time"])):
        card = record.get("cert_hash")
        moment = parse_time(str(record["wall_time"]))
        if not card or moment is None:
            continue
        seen = last.get(card)
        if seen is not None and seen["checkpoint_id"] != checkpoint_id:
            earlier = parse_time(seen["wall_time"])
            if earlier is not None:
                minutes = abs((moment - earlier).total_seconds()) / 60
                if minutes < travel_minutes:
                    record["hub_flags"] = ",".join(
                        f for f in (record.get("hub_flags"), Flag.IMPOSSIBLE_TRAVEL.value) if f
                    )
                    found.append(
                        {
                            "day": moment.astimezone(zone).date(),
                            "cert_hash": card,
                            "checkpoint_a": seen["checkpoint_id"],
                            "time_a": seen["wall_time"],
                            "checkpoint_b": checkpoint_id,
                            "time_b": str(record["wall_time"]),
                            "minutes": round(minutes, 2),
                        }
                    )
        previous = latest.get(card)
        if previous is None or moment >= previous[0]:
            latest[card] = (moment, record)
        last[card] = {"checkpoint_id": checkpoint_id, "wall_time": str(record["wall_time"])}
    if found:
        connection.execute(travel_flags.insert(), found)
    rows = [
        {
            "cert_hash": card,
            "checkpoint_id": checkpoint_id,
            "wall_time": str(record["wall_time"]),
            "day": moment.astimezone(zone).date(),
        }
        for card, (moment, record) in sorted(latest.items())
    ]
    statement = _insert(connection, card_sightings)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["cert_hash"],
            set_={c: statement.excluded[c] for c in ("checkpoint_id", "wall_time", "day")},
        ),
        rows,
    )


def add(
    connection: Connection, records: Sequence[Mapping[str, Any]], checkpoint_id: str, zone: tzinfo
) -> None:
    """Count `records` (new to the hub, all from one device at `checkpoint_id`) into the rollups."""
    daily: Counter[tuple[date, str, str]] = Counter()
    daily_shared: Counter[tuple[date, str, str]] = Counter()
    hourly: Counter[tuple[date, int, str, str]] = Counter()
    hourly_shared: Counter[tuple[date, int, str, str]] = Counter()
    for record in records:
        moment = local_moment(str(record["wall_time"]), zone)
        if moment is None:
            continue
        decision, colour = str(record["decision"]), str(record.get("colour") or "")
        shared = is_shared(record)
        daily[(moment.date(), decision, colour)] += 1
        hourly[(moment.date(), moment.hour, decision, colour)] += 1
        if shared:
            daily_shared[(moment.date(), decision, colour)] += 1
            hourly_shared[(moment.date(), moment.hour, decision, colour)] += 1
    if not daily:
        return
    _upsert(
        connection,
        rollup_daily,
        ["day", "checkpoint_id", "decision", "colour"],
        [
            {
                "day": d,
                "checkpoint_id": checkpoint_id,
                "decision": k,
                "colour": c,
                "n": n,
                "shared": daily_shared[key],
            }
            for key, n in sorted(daily.items())
            for d, k, c in [key]
        ],
    )
    _upsert(
        connection,
        rollup_hourly,
        ["checkpoint_id", "day", "hour", "decision", "colour"],
        [
            {
                "day": d,
                "hour": h,
                "checkpoint_id": checkpoint_id,
                "decision": k,
                "colour": c,
                "n": n,
                "shared": hourly_shared[key],
            }
            for key, n in sorted(hourly.items())
            for d, h, k, c in [key]
        ],
    )


def _upsert(connection: Connection, table: Any, key: list[str], rows: list[dict[str, Any]]) -> None:
    statement = _insert(connection, table)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=key,
            set_={
                "n": table.c.n + statement.excluded.n,
                "shared": table.c.shared + statement.excluded.shared,
            },
        ),
        rows,
    )


def rebuild(connection: Connection, zone: tzinfo) -> None:
    """Recompute both rollups from `checks` (PostgreSQL: in SQL, at the database's speed;
    the device's enrolled checkpoint, local days in `zone`, a fixed offset). SQLite: in Python."""
    connection.execute(delete(rollup_daily))
    connection.execute(delete(rollup_hourly))
    if not is_postgres(connection):
        from scanner_hub.db import checks, devices

        query = select(
            checks.c.wall_time,
            checks.c.decision,
            checks.c.colour,
            checks.c.flags,
            checks.c.hub_flags,
            devices.c.checkpoint_id,
        ).join(devices, devices.c.device_id == checks.c.device_id)
        by_checkpoint: dict[str, list[dict[str, Any]]] = {}
        for row in connection.execute(query).mappings():
            by_checkpoint.setdefault(row["checkpoint_id"], []).append(dict(row))
        for checkpoint, rows in by_checkpoint.items():
            add(connection, rows, checkpoint, zone)
        return
    shared = (
        "(string_to_array(coalesce(c.flags,'') || ',' || coalesce(c.hub_flags,''), ',') "
        "&& ARRAY['shared_code','impossible_travel'])"
    )
    offset = zone.utcoffset(None)
    assert offset is not None, "a fixed-offset zone"
    minutes = int(offset.total_seconds() // 60)
    local = f"(c.wall_time::timestamptz AT TIME ZONE INTERVAL '{minutes} minutes')"
    connection.execute(
        text(
            f"""INSERT INTO rollup_hourly (day, checkpoint_id, hour, decision, colour, n, shared)
            SELECT {local}::date, d.checkpoint_id, extract(hour FROM {local})::int, c.decision,
                   coalesce(c.colour, ''), count(*), count(*) FILTER (WHERE {shared})
            FROM checks c JOIN devices d ON d.device_id = c.device_id
            GROUP BY 1, 2, 3, 4, 5"""
        )
    )
    connection.execute(
        text(
            """INSERT INTO rollup_daily (day, checkpoint_id, decision, colour, n, shared)
            SELECT day, checkpoint_id, decision, colour, sum(n), sum(shared)
            FROM rollup_hourly GROUP BY 1, 2, 3, 4"""
        )
    )
