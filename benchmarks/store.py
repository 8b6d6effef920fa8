"""Durable checks per second with WAL + synchronous=FULL (every check its own committed
transaction, with its outbox row and chain link), and the cost of one check's write, next to
synchronous=NORMAL for reference. Also: how long the day's export takes at 10,000 checks.

    uv run python benchmarks/store.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import machine, percentile, pin_one_core, table
from scanner_app.devkit.cards import DEMO_PEOPLE
from scanner_app.devkit.keys import make_csca, make_signer
from scanner_app.local.device import load_device
from scanner_app.services.export_day import export_day
from scanner_app.store.checks import CheckStore
from tests.store_helpers import NOW, STATION, card, checker_for, config

COUNT = 3000


def measure(synchronous: str) -> tuple[float, list[float]]:
    folder = Path(tempfile.mkdtemp())
    signer = make_signer(make_csca())
    checker = checker_for(signer, folder / "trust")
    texts = [card(signer, DEMO_PEOPLE[i % 5]) for i in range(50)]
    results = [checker.check(t, NOW) for t in texts]
    store = CheckStore.open(folder, config())
    store.db.execute(f"PRAGMA synchronous = {synchronous}")
    writes = []
    began = time.perf_counter()
    for number in range(COUNT):
        moment = NOW + timedelta(seconds=number)
        start = time.perf_counter()
        store.record(
            results[number % 50], texts[number % 50], STATION, wall_time=moment, monotonic=float(number)
        )
        writes.append((time.perf_counter() - start) * 1000)
    rate = COUNT / (time.perf_counter() - began)
    store.close()
    return rate, writes


def export_timing() -> list[list[object]]:
    folder = Path(tempfile.mkdtemp())
    signer = make_signer(make_csca())
    checker = checker_for(signer, folder / "trust")
    text = card(signer, DEMO_PEOPLE[0])
    result = checker.check(text, NOW)
    store = CheckStore.open(folder, config())
    day_start = datetime(NOW.year, NOW.month, NOW.day, 1, tzinfo=UTC)
    for number in range(10_000):
        store.record(
            result, text, STATION, wall_time=day_start + timedelta(seconds=7 * number), monotonic=0.0
        )
    store.close()
    rows = []
    for kind in ("csv", "xlsx", "pdf"):
        began = time.perf_counter()
        device = load_device(folder)
        _, _, count = export_day(
            folder, device, STATION.checkpoint_id, NOW.date(), kind, folder / f"day.{kind}", zone=UTC
        )
        rows.append([kind, count, f"{time.perf_counter() - began:.2f} s"])
    return rows


def main() -> None:
    print(f"machine: {machine()}; {pin_one_core()}")
    rows = []
    for mode in ("FULL", "NORMAL"):
        rate, writes = measure(mode)
        rows.append(
            [
                f"WAL + synchronous={mode}",
                f"{rate:,.0f}",
                f"{statistics.median(writes):.2f}",
                f"{percentile(writes, 0.95):.2f}",
                f"{percentile(writes, 0.99):.2f}",
            ]
        )
    print(table(["mode", "durable checks /s", "write median ms", "p95 ms", "p99 ms"], rows))
    print(f"({COUNT} checks each; FULL is what the program uses)\n")
    print(table(["export of a 10,000-check day", "rows", "time"], export_timing()))


if __name__ == "__main__":
    main()
