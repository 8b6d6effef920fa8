"""District exports across checkpoints (CSV / XLSX), with the cross-checkpoint check only
the hub can make: the same card hash at two checkpoints too close in time."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine

from scanner_app.core.record import EXPORT_COLUMNS, Flag, day_bounds
from scanner_app.services import sheets
from scanner_hub.db import OUTSIDE_WINDOW_DAY, checks

HUB_COLUMNS = (*EXPORT_COLUMNS, "received_at", "hub_flags")


def day_rows(
    engine: Engine, day: date, zone: Any, checkpoint: str | None = None, travel_minutes: float = 20
) -> list[dict[str, Any]]:
    start, end = day_bounds(day, zone)
    query = select(checks).where(
        checks.c.wall_time >= start,
        checks.c.wall_time < end,
        or_(  # the partitions near the day, and the default one with records stored outside the window
            checks.c.day.between(day - timedelta(days=1), day + timedelta(days=1)),
            checks.c.day == OUTSIDE_WINDOW_DAY,
        ),
    )
    with engine.connect() as connection:
        rows = [
            dict(r) for r in connection.execute(query.order_by(checks.c.device_id, checks.c.seq)).mappings()
        ]
    _flag_travel(rows, timedelta(minutes=travel_minutes))
    if checkpoint:
        rows = [r for r in rows if r["checkpoint_id"] == checkpoint]
    return rows


def _flag_travel(rows: list[dict[str, Any]], window: timedelta) -> None:
    by_card: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        row["hub_flags"] = row.get("hub_flags") or ""
        if row["cert_hash"]:
            by_card[row["cert_hash"]].append(row)
    for sightings in by_card.values():
        sightings.sort(key=lambda r: r["wall_time"])
        for earlier, later in itertools.pairwise(sightings):
            gap = datetime.fromisoformat(later["wall_time"]) - datetime.fromisoformat(earlier["wall_time"])
            if earlier["checkpoint_id"] != later["checkpoint_id"] and gap < window:
                for row in (earlier, later):
                    if Flag.IMPOSSIBLE_TRAVEL.value not in row["hub_flags"]:
                        row["hub_flags"] = ",".join(
                            f for f in (row["hub_flags"], Flag.IMPOSSIBLE_TRAVEL.value) if f
                        )


def _values(row: dict[str, Any]) -> list[Any]:
    return [row[c].isoformat() if isinstance(row[c], datetime) else row[c] for c in HUB_COLUMNS]


def write(rows: list[dict[str, Any]], out: Path, kind: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    values = [_values(r) for r in rows]
    if kind == "csv":
        sheets.write_csv(out, HUB_COLUMNS, values)
    else:
        sheets.write_xlsx(out, [("Checks", HUB_COLUMNS, values)])
