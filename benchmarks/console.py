"""The district console at city scale: 10 million checks from 500 devices in PostgreSQL (28
days ending today, 15 wards), and a small district (20 devices, 100,000 checks) in SQLite.
Prints the median of 5 for the Today page, a Checkpoint page, the Week page and the weekly
XLSX and PDF (last week: seven full days), each a full request through the hub's app
(session, SQL, template or document, the audit row).

The PostgreSQL data is built once into a kept database (`console_bench`), with
INSERT ... SELECT generate_series per daily partition, then the rollups in SQL
(`rollups.rebuild`, what an upgrade runs); `--rebuild` makes it again.

    uv run python benchmarks/console.py [--rows 10000000] [--rebuild] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text

from benchmarks._common import machine, table
from scanner_hub import rollups
from scanner_hub.api import create_app
from scanner_hub.console import auth
from scanner_hub.console.queries import packaged_wards
from scanner_hub.db import OUTSIDE_WINDOW_DAY, checkpoints, device_status, devices, ensure_partitions
from scanner_hub.keys import load_hub_keys
from scanner_hub.service import Hub, HubConfig

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/console_bench"
DAYS = 28
PASSWORD = "benchmark-password"


def _devices(hub: Hub, count: int, now: datetime) -> None:
    wards = [w["id"] for w in packaged_wards()]
    with hub.engine.begin() as connection:
        connection.execute(
            insert(devices),
            [
                {
                    "device_id": f"dev-{n:04d}",
                    "public_key": "benchmark",
                    "checkpoint_id": f"KH-{n:04d}",
                    "checkpoint_type": "road",
                    "enrolled_at": now - timedelta(days=DAYS + 1),
                    "last_seen_at": now - timedelta(minutes=n % 90),
                    "head_seq": 0,
                }
                for n in range(count)
            ],
        )
        connection.execute(
            insert(checkpoints),
            [
                {
                    "checkpoint_id": f"KH-{n:04d}",
                    "ward_id": wards[n % len(wards)],
                    "checkpoint_type": "road",
                    "created_at": now,
                }
                for n in range(count)
            ],
        )
        connection.execute(
            insert(device_status),
            [
                {
                    "device_id": f"dev-{n:04d}",
                    "reported_at": now,
                    "queued": n % 7,
                    "bundle_sequence": 1,
                    "clock_offset_seconds": (n % 11) * 40.0,
                    "app_version": "0.1.0",
                }
                for n in range(count)
            ],
        )
    auth.add_user(hub.engine, "city", "city", None, PASSWORD, now)


CHECKS_SQL = """
INSERT INTO checks (seq, id, wall_time, checkpoint_id, checkpoint_type, level, device_id, operator, format,
    valid, colour, decision, reason, flags, cert_hash, row_hash, prev_hash, day, received_at)
SELECT :offset + g, md5(g::text || :day_text),
    to_char((:start + g * (86400.0 / :n) * interval '1 second') AT TIME ZONE 'UTC',
            'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
    'KH-' || lpad((g % :devices)::text, 4, '0'), 'road', 2,
    'dev-' || lpad((g % :devices)::text, 4, '0'), '', 'dcc', 1,
    (ARRAY['green','yellow','red'])[1 + g % 3],
    CASE WHEN g % 10 < 7 THEN 'allow' WHEN g % 10 < 9 THEN 'deny' ELSE 'manual' END,
    'ok', CASE WHEN g % 97 = 0 THEN 'shared_code' END,
    md5(g::text) || md5(:day_text || g::text), repeat('0', 64), repeat('0', 64), :day, :start
FROM generate_series(1, :n) AS g
"""


def build_postgres(rows: int, device_count: int, keys: Path) -> float:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS console_bench WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE console_bench"))
    admin.dispose()
    started = time.perf_counter()
    now = datetime.now(UTC)
    hub = Hub.open(PG_URL, load_hub_keys(keys), HubConfig())
    _devices(hub, device_count, now)
    today = now.date()
    days = [today - timedelta(days=n) for n in range(DAYS)]
    ensure_partitions(hub.engine, set(days))
    per_day = rows // DAYS
    for index, day in enumerate(sorted(days)):
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        with hub.engine.begin() as connection:
            connection.execute(
                text(CHECKS_SQL),
                {
                    "offset": index * per_day,
                    "day_text": day.isoformat(),
                    "start": start,
                    "n": per_day,
                    "devices": device_count,
                    "day": day,
                },
            )
        print(f"  {day}: {per_day} checks ({time.perf_counter() - started:.0f} s)", flush=True)
    with hub.engine.begin() as connection:
        rollups.rebuild(connection, hub.config.day_zone)
        connection.execute(text("ANALYZE"))
    hub.close()
    return time.perf_counter() - started


def build_sqlite(path: Path, rows: int, device_count: int, keys: Path) -> float:
    started = time.perf_counter()
    now = datetime.now(UTC)
    hub = Hub.open(f"sqlite:///{path}", load_hub_keys(keys), HubConfig())
    _devices(hub, device_count, now)
    from scanner_hub.db import checks

    start = now - timedelta(days=DAYS)
    step = (now - start) / rows
    batch = []
    with hub.engine.begin() as connection:
        for g in range(rows):
            moment = start + step * g
            batch.append(
                {
                    "seq": g + 1,
                    "id": f"r{g}",
                    "wall_time": moment.isoformat(),
                    "checkpoint_id": f"KH-{g % device_count:04d}",
                    "checkpoint_type": "road",
                    "level": 2,
                    "device_id": f"dev-{g % device_count:04d}",
                    "format": "dcc",
                    "valid": 1,
                    "colour": ("green", "yellow", "red")[g % 3],
                    "decision": "allow" if g % 10 < 7 else "deny" if g % 10 < 9 else "manual",
                    "reason": "ok",
                    "flags": "shared_code" if g % 97 == 0 else None,
                    "cert_hash": f"{g:064x}",
                    "row_hash": "0" * 64,
                    "prev_hash": "0" * 64,
                    "day": moment.date() if moment.date() else OUTSIDE_WINDOW_DAY,
                    "received_at": now,
                }
            )
            if len(batch) == 5000:
                connection.execute(insert(checks), batch)
                batch = []
        if batch:
            connection.execute(insert(checks), batch)
        rollups.rebuild(connection, hub.config.day_zone)
    hub.close()
    return time.perf_counter() - started


def measure(url: str, keys: Path, repeats: int = 5) -> list[float]:
    from fastapi.testclient import TestClient

    hub = Hub.open(url, load_hub_keys(keys), HubConfig())
    last_week = (datetime.now(UTC).astimezone(hub.config.day_zone) - timedelta(days=7)).date().isocalendar()
    name = f"{last_week[0]}-W{last_week[1]:02d}"  # a full week of data
    with TestClient(create_app(hub), base_url="https://testserver") as client:
        page = client.get("/console/login")
        token = client.cookies.get("__Host-console-login")
        answer = client.post(
            "/console/login",
            data={"name": "city", "password": PASSWORD, "csrf": token},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:300]
        assert page.status_code == 200
        medians = []
        for path in (
            "/console/today",
            "/console/checkpoints/KH-0007",
            f"/console/week?week={name}",
            f"/console/week/{name}.xlsx",
            f"/console/week/{name}.pdf",
        ):
            client.get(path)  # warm: templates compiled, connections open
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
            medians.append(statistics.median(times))
    hub.close()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--keys", default=str(Path(tempfile.gettempdir()) / "console_bench_keys"))
    args = parser.parse_args()
    keys = Path(args.keys)
    keys.mkdir(exist_ok=True)
    print(machine())
    results = []
    exists = False
    try:
        probe = create_engine(PG_URL)
        with probe.connect() as connection:
            exists = bool(connection.execute(text("SELECT count(*) FROM rollup_daily")).scalar())
        probe.dispose()
    except Exception:
        exists = False
    if args.rebuild or not exists:
        print(f"building {args.rows:,} checks from {args.devices} devices in PostgreSQL ...", flush=True)
        built = build_postgres(args.rows, args.devices, keys)
        print(f"built in {built:.0f} s")
    else:
        print("using the kept database console_bench (--rebuild to make it again)")
    results.append([f"PostgreSQL, {args.rows:,} checks, {args.devices} devices", *measure(PG_URL, keys)])
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "hub.db"
            built = build_sqlite(path, 100_000, 20, keys)
            print(f"SQLite small district built in {built:.0f} s")
            results.append(["SQLite, 100,000 checks, 20 devices", *measure(f"sqlite:///{path}", keys)])
    print(
        table(
            ["data", "Today page", "Checkpoint page", "Week page", "weekly XLSX", "weekly PDF"],
            [[r[0], *(f"{v * 1000:.0f} ms" for v in r[1:])] for r in results],
        )
    )
    print("median of 5 requests each, through the hub's app in-process (TestClient): session, SQL, rendering")


if __name__ == "__main__":
    main()
