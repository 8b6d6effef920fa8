"""Sync throughput against a real hub on 127.0.0.1 (SQLite and PostgreSQL): the time to drain
100,000 queued checks from one scanner, and the hub's ingest rate with several devices
posting at once.

    uv run python benchmarks/sync.py [--checks 100000] [--devices 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks._common import machine, table
from scanner_app.core.wire import sign_batch
from scanner_app.local.device import load_device
from tests.hub_helpers import HubServer, postgres_database
from tests.test_hub_sync import enroll, queue_checks, relay


def fast_queue(folder: Path, count: int):  # type: ignore[no-untyped-def]
    """Benchmark set-up only: fill the outbox without waiting on fsync for each check."""
    store = queue_checks(folder, 0)
    store.db.execute("PRAGMA synchronous = OFF")
    store.close()
    from scanner_app.store import db

    original = db.connect

    def quick(path, *, read_only=False):  # type: ignore[no-untyped-def]
        connection = original(path, read_only=read_only)
        connection.execute("PRAGMA synchronous = OFF")
        return connection

    db.connect = quick
    try:
        return queue_checks(folder, count)
    finally:
        db.connect = original


def drain(url: str, checks: int, root: Path) -> tuple[float, int]:
    with HubServer(url, root / "keys") as hub:
        folder = root / "scanner"
        folder.mkdir()
        enroll(hub, folder)
        store = fast_queue(folder, checks)
        sync = relay(folder, store, hub.url, timeout=120)
        began = time.perf_counter()
        while store.queued_count():
            sync.cycle()
        elapsed = time.perf_counter() - began
        sync.client.close()
        store.close()
        return elapsed, checks


def ingest_rate(url: str, devices: int, per_device: int, root: Path) -> float:
    with HubServer(url, root / "keys2") as hub:
        batches = []
        for number in range(devices):
            folder = root / f"device{number}"
            folder.mkdir()
            enroll(hub, folder)
            store = fast_queue(folder, per_device)
            device = load_device(folder)
            records = store.pending(per_device)
            batches.append(
                [
                    sign_batch(device.device_id, records[i : i + 500], device.signing_key)
                    for i in range(0, len(records), 500)
                ]
            )
            store.close()
        client = httpx.Client(base_url=hub.url, timeout=300, limits=httpx.Limits(max_connections=devices))

        def send(device_batches: list[dict]) -> None:  # type: ignore[type-arg]
            for batch in device_batches:
                assert client.post("/v1/batches", json=batch).status_code == 200

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=devices) as pool:
            list(pool.map(send, batches))
        elapsed = time.perf_counter() - began
        client.close()
        return devices * per_device / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=100_000)
    parser.add_argument("--devices", type=int, default=8)
    parser.add_argument("--per-device", type=int, default=5_000)
    args = parser.parse_args()
    print(f"machine: {machine()}; hub and scanner on the same machine")
    rows = []
    for backend in ("sqlite", "postgres"):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            for sub in ("keys", "keys2"):
                (root / sub).mkdir()
            if backend == "postgres":
                with postgres_database() as url:
                    seconds, count = drain(url, args.checks, root)
                with postgres_database() as url:
                    rate = ingest_rate(url, args.devices, args.per_device, root)
            else:
                seconds, count = drain(f"sqlite:///{root / 'hub.db'}", args.checks, root)
                rate = ingest_rate(f"sqlite:///{root / 'hub2.db'}", args.devices, args.per_device, root)
        rows.append(
            [
                backend,
                f"{count:,}",
                f"{seconds:.1f} s",
                f"{count / seconds:,.0f}",
                f"{rate:,.0f} ({args.devices} devices at once)",
            ]
        )
    print(
        table(
            ["hub store", "checks drained", "drain time", "rows/s (one device)", "ingest rows/s"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
