"""Every read the console makes, from the rollups and the small tables, never from raw checks.

Each function takes the user's `Scope` and applies it in SQL: a ward user's queries carry
`checkpoints.ward_id = :ward` (checkpoints of no ward, or of another ward, are never
returned to them); the city team's carry no ward condition. Templates receive only what
these return.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from importlib import resources
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Select

from scanner_hub.db import (
    bundles,
    checkpoints,
    device_status,
    devices,
    rollup_daily,
    rollup_hourly,
    travel_flags,
    wards,
)

DECISIONS = ("allow", "deny", "manual")
COLOURS = ("green", "yellow", "red")
SILENT_AFTER = timedelta(hours=1)
OPENING = (time(6, 0), time(22, 0))  # silence counts during these local hours
CLOCK_TOLERANCE_SECONDS = 300
STALE_AFTER = timedelta(hours=6)  # a newer bundle published this long ago and not yet running
NO_WARD = ""


@dataclass(frozen=True)
class Scope:
    """What a user may see: one ward, or (None) the whole city."""

    ward: str | None

    def where(self, query: Select[Any], column: Any = checkpoints.c.ward_id) -> Select[Any]:
        return query if self.ward is None else query.where(column == self.ward)


CITY = Scope(None)


# -- wards ----------------------------------------------------------------------------------


def packaged_wards() -> list[dict[str, str]]:
    data = json.loads(resources.files("scanner_hub.console").joinpath("wards.json").read_text("utf-8"))
    return list(data["wards"])


def load_wards(connection: Connection, entries: list[dict[str, str]], *, replace: bool) -> int:
    """Write the wards list (id, name, kind). `replace`: the new list replaces the old one
    (checkpoints keep their ward id; one no longer listed shows as unknown)."""
    rows = []
    for position, entry in enumerate(entries):
        ward_id, name, kind = str(entry["id"]), str(entry["name"]), str(entry.get("kind", "ward"))
        if not (1 <= len(ward_id) <= 32 and ward_id.replace("-", "").replace("_", "").isalnum()):
            raise ValueError(f"bad ward id {ward_id!r}")
        rows.append({"ward_id": ward_id, "name": name[:200], "kind": kind[:16], "position": position})
    if len({r["ward_id"] for r in rows}) != len(rows):
        raise ValueError("a ward id appears twice")
    if replace:
        connection.execute(delete(wards))
    if rows:
        connection.execute(insert(wards), rows)
    return len(rows)


def seed_wards(engine: Engine) -> None:
    """The packaged wards (Cam Ranh), once, into a hub that has none."""
    with engine.begin() as connection:
        if connection.execute(select(func.count()).select_from(wards)).scalar():
            return
        load_wards(connection, packaged_wards(), replace=False)


def ward_list(engine: Engine, scope: Scope) -> list[dict[str, Any]]:
    query = scope.where(select(wards).order_by(wards.c.position), wards.c.ward_id)
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(query).mappings()]


def ward_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return {r.ward_id: r.name for r in connection.execute(select(wards.c.ward_id, wards.c.name))}


# -- today ----------------------------------------------------------------------------------


@dataclass
class Counts:
    checks: int = 0
    decisions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DECISIONS, 0))
    colours: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLOURS, 0))
    shared: int = 0

    def add(self, decision: str, colour: str, n: int, shared: int) -> None:
        self.checks += n
        self.decisions[decision] = self.decisions.get(decision, 0) + n
        if colour:
            self.colours[colour] = self.colours.get(colour, 0) + n
        self.shared += shared


def _ward_of_rollup(table: Any) -> Select[Any]:
    ward = func.coalesce(checkpoints.c.ward_id, literal(NO_WARD)).label("ward_id")
    return select(ward).select_from(
        table.outerjoin(checkpoints, checkpoints.c.checkpoint_id == table.c.checkpoint_id)
    )


def counts_by_ward_day(
    engine: Engine, scope: Scope, first: date, last: date
) -> dict[tuple[str, date], Counts]:
    """(ward, day) -> counts, for first..last inclusive, from `rollup_daily`."""
    r = rollup_daily
    query = scope.where(
        _ward_of_rollup(r)
        .add_columns(r.c.day, r.c.decision, r.c.colour, func.sum(r.c.n), func.sum(r.c.shared))
        .where(r.c.day >= first, r.c.day <= last)
        .group_by(checkpoints.c.ward_id, r.c.day, r.c.decision, r.c.colour)
    )
    out: dict[tuple[str, date], Counts] = {}
    with engine.connect() as connection:
        for ward, day, decision, colour, n, shared in connection.execute(query):
            out.setdefault((ward, day), Counts()).add(decision, colour, int(n), int(shared or 0))
    return out


def counts_by_checkpoint(engine: Engine, scope: Scope, day: date) -> dict[str, Counts]:
    r = rollup_daily
    query = scope.where(
        select(r.c.checkpoint_id, r.c.decision, r.c.colour, r.c.n, r.c.shared)
        .select_from(r.outerjoin(checkpoints, checkpoints.c.checkpoint_id == r.c.checkpoint_id))
        .where(r.c.day == day)
    )
    out: dict[str, Counts] = {}
    with engine.connect() as connection:
        for checkpoint, decision, colour, n, shared in connection.execute(query):
            out.setdefault(checkpoint, Counts()).add(decision, colour, int(n), int(shared or 0))
    return out


def latest_bundle(engine: Engine) -> dict[str, Any] | None:
    query = select(bundles.c.sequence, bundles.c.published_at, bundles.c.demo, bundles.c.etag)
    with engine.connect() as connection:
        row = connection.execute(query.order_by(bundles.c.sequence.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def _aware(moment: datetime | None, now: datetime) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


def device_rows(
    engine: Engine, scope: Scope, now: datetime, zone: tzinfo, checkpoint: str | None = None
) -> list[dict[str, Any]]:
    """Every device in scope with its checkpoint, ward, last contact, self-report and marks."""
    published = bundles.alias("running")
    query = scope.where(
        select(
            devices.c.device_id,
            devices.c.checkpoint_id,
            devices.c.checkpoint_type,
            devices.c.enrolled_at,
            devices.c.last_seen_at,
            devices.c.revoked_at,
            devices.c.revoked_reason,
            devices.c.head_seq,
            func.coalesce(checkpoints.c.ward_id, literal(NO_WARD)).label("ward_id"),
            device_status.c.reported_at,
            device_status.c.queued,
            device_status.c.head_at_report,
            device_status.c.bundle_sequence,
            device_status.c.clock_offset_seconds,
            device_status.c.app_version,
            published.c.published_at.label("bundle_published_at"),
        )
        .select_from(
            devices.outerjoin(checkpoints, checkpoints.c.checkpoint_id == devices.c.checkpoint_id)
            .outerjoin(device_status, device_status.c.device_id == devices.c.device_id)
            .outerjoin(published, published.c.sequence == device_status.c.bundle_sequence)
        )
        .order_by(
            func.coalesce(checkpoints.c.ward_id, literal(NO_WARD)),
            devices.c.checkpoint_id,
            devices.c.device_id,
        )
    )
    if checkpoint is not None:
        query = query.where(devices.c.checkpoint_id == checkpoint)
    latest = latest_bundle(engine)
    local = now.astimezone(zone).time()
    opening = OPENING[0] <= local < OPENING[1]
    rows = []
    with engine.connect() as connection:
        for raw in connection.execute(query).mappings():
            row = dict(raw)
            if row["queued"] is not None:  # what the device still holds: its report, less what arrived since
                arrived = (row["head_seq"] or 0) - (row["head_at_report"] or 0)
                row["queued"] = max(0, row["queued"] - max(arrived, 0))
            seen = _aware(row["last_seen_at"], now)
            row["silent"] = (
                row["revoked_at"] is None and opening and (seen is None or now - seen > SILENT_AFTER)
            )
            published_at = _aware(row["bundle_published_at"], now)
            row["bundle_age"] = now - published_at if published_at else None
            stale = False
            if latest is not None:
                running = row["bundle_sequence"]
                newer_since = _aware(latest["published_at"], now)
                behind = running is None or running < latest["sequence"]
                stale = bool(behind and newer_since is not None and now - newer_since > STALE_AFTER)
            row["stale"] = row["revoked_at"] is None and stale
            offset = row["clock_offset_seconds"]
            row["clock_off"] = offset is not None and abs(offset) > CLOCK_TOLERANCE_SECONDS
            row["alert"] = row["silent"] or row["stale"] or row["clock_off"]
            rows.append(row)
    return rows


# -- one checkpoint ---------------------------------------------------------------------------


def checkpoint_in_scope(engine: Engine, scope: Scope, checkpoint_id: str) -> dict[str, Any] | None:
    """The checkpoint (from enrollment or devices) if the user may see it, else None."""
    known = (
        select(devices.c.checkpoint_id.label("checkpoint_id"))
        .union(select(checkpoints.c.checkpoint_id))
        .subquery()
    )
    query = scope.where(
        select(known.c.checkpoint_id, func.coalesce(checkpoints.c.ward_id, literal(NO_WARD)).label("ward_id"))
        .select_from(known.outerjoin(checkpoints, checkpoints.c.checkpoint_id == known.c.checkpoint_id))
        .where(known.c.checkpoint_id == checkpoint_id)
    )
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    return dict(row) if row else None


def hourly(engine: Engine, scope: Scope, checkpoint_id: str, day: date) -> dict[int, Counts]:
    h = rollup_hourly
    query = scope.where(
        select(h.c.hour, h.c.decision, h.c.colour, h.c.n, h.c.shared)
        .select_from(h.outerjoin(checkpoints, checkpoints.c.checkpoint_id == h.c.checkpoint_id))
        .where(h.c.checkpoint_id == checkpoint_id, h.c.day == day)
    )
    out: dict[int, Counts] = {hour: Counts() for hour in range(24)}
    with engine.connect() as connection:
        for hour, decision, colour, n, shared in connection.execute(query):
            out[int(hour)].add(decision, colour, int(n), int(shared or 0))
    return out


def flags(
    engine: Engine, scope: Scope, first: date, last: date, checkpoint: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Cards seen at two checkpoints too close in time; a ward sees pairs touching its ward."""
    a, b = checkpoints.alias("a"), checkpoints.alias("b")
    t = travel_flags
    query = (
        select(
            t,
            func.coalesce(a.c.ward_id, literal(NO_WARD)).label("ward_a"),
            func.coalesce(b.c.ward_id, literal(NO_WARD)).label("ward_b"),
        )
        .select_from(
            t.outerjoin(a, a.c.checkpoint_id == t.c.checkpoint_a).outerjoin(
                b, b.c.checkpoint_id == t.c.checkpoint_b
            )
        )
        .where(t.c.day >= first, t.c.day <= last)
        .order_by(t.c.time_b.desc())
        .limit(limit)
    )
    if scope.ward is not None:
        query = query.where(or_(a.c.ward_id == scope.ward, b.c.ward_id == scope.ward))
    if checkpoint is not None:
        query = query.where(or_(t.c.checkpoint_a == checkpoint, t.c.checkpoint_b == checkpoint))
    with engine.connect() as connection:
        pairs = [dict(r) for r in connection.execute(query).mappings()]
    for pair in pairs:  # stored in the order the hub heard them; shown in the order they happened
        if pair["time_a"] > pair["time_b"]:
            for a, b in (("checkpoint_a", "checkpoint_b"), ("time_a", "time_b"), ("ward_a", "ward_b")):
                pair[a], pair[b] = pair[b], pair[a]
    return pairs


def shared_by_checkpoint(engine: Engine, scope: Scope, first: date, last: date) -> list[dict[str, Any]]:
    """Checkpoints whose records carry a shared-code flag (the scanner's or the hub's)."""
    r = rollup_daily
    query = scope.where(
        select(
            r.c.checkpoint_id,
            func.coalesce(checkpoints.c.ward_id, literal(NO_WARD)).label("ward_id"),
            func.sum(r.c.shared).label("shared"),
            func.sum(r.c.n).label("checks"),
        )
        .select_from(r.outerjoin(checkpoints, checkpoints.c.checkpoint_id == r.c.checkpoint_id))
        .where(r.c.day >= first, r.c.day <= last)
        .group_by(r.c.checkpoint_id, checkpoints.c.ward_id)
        .having(func.sum(r.c.shared) > 0)
        .order_by(func.sum(r.c.shared).desc())
    )
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(query).mappings()]


# -- actions, scoped ------------------------------------------------------------------------


def revoke(engine: Engine, scope: Scope, device_id: str, reason: str, now: datetime) -> bool:
    """Revoke a device in scope (a ward revokes only its own checkpoints' devices)."""
    in_scope = scope.where(select(checkpoints.c.checkpoint_id)) if scope.ward is not None else None
    condition = and_(devices.c.device_id == device_id, devices.c.revoked_at.is_(None))
    if in_scope is not None:
        condition = and_(condition, devices.c.checkpoint_id.in_(in_scope))
    with engine.begin() as connection:
        done = connection.execute(
            update(devices).where(condition).values(revoked_at=now, revoked_reason=reason)
        )
    return bool(done.rowcount)


def bundle_usage(engine: Engine, scope: Scope) -> list[dict[str, Any]]:
    """How many active devices in scope run each bundle sequence (None: not reported)."""
    query = scope.where(
        select(device_status.c.bundle_sequence, func.count().label("devices"))
        .select_from(
            devices.outerjoin(device_status, device_status.c.device_id == devices.c.device_id).outerjoin(
                checkpoints, checkpoints.c.checkpoint_id == devices.c.checkpoint_id
            )
        )
        .where(devices.c.revoked_at.is_(None))
        .group_by(device_status.c.bundle_sequence)
        .order_by(
            case((device_status.c.bundle_sequence.is_(None), 1), else_=0),
            device_status.c.bundle_sequence.desc(),
        )
    )
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(query).mappings()]


def bundle_history(engine: Engine, limit: int = 10) -> list[dict[str, Any]]:
    query = select(bundles.c.sequence, bundles.c.published_at, bundles.c.demo, bundles.c.etag)
    with engine.connect() as connection:
        return [
            dict(r)
            for r in connection.execute(query.order_by(bundles.c.sequence.desc()).limit(limit)).mappings()
        ]
