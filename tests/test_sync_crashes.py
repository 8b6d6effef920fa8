"""Sync's hard paths with real components (issue 21): the hub refuses a gap and names the
seq it expects; it accepts a log restarted from genesis; a scanner whose log was damaged and
moved aside still drains; a scanner killed (SIGKILL) after the hub committed its batch but
before the answer arrived loses nothing and duplicates nothing on the next sync."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import select

from scanner_app.app import App
from scanner_app.core.chain import GENESIS, row_hash
from scanner_app.core.wire import sign_batch
from scanner_app.local.device import load_device
from scanner_hub.db import events
from tests.hub_helpers import FaultProxy, HubServer
from tests.test_hub_sync import enroll, hub, hub_keys, hub_url, proxy, queue_checks, relay, scanner_keys

__all__ = ["hub", "hub_url", "proxy"]


def _post(server: HubServer, batch: dict[str, object]) -> tuple[int, dict[str, object]]:
    answer = httpx.post(f"{server.url}/v1/batches", json=batch, timeout=30)
    return answer.status_code, json.loads(base64.b64decode(answer.json()["signed"]))


def test_the_hub_refuses_a_gap_and_accepts_a_genesis_restart(hub: HubServer, data_dir: Path) -> None:
    enroll(hub, data_dir)
    store = queue_checks(data_dir, 7)
    device = load_device(data_dir)
    rows = store.pending(7)
    store.close()
    status, receipt = _post(hub, sign_batch(device.device_id, rows[:3], device.signing_key))
    assert status == 200 and receipt["stored"] == [1, 2, 3]
    status, receipt = _post(hub, sign_batch(device.device_id, rows[5:], device.signing_key))
    assert status == 409 and receipt["refused"] == {"problem": "gap", "seq": 6, "expected_seq": 4}
    assert receipt["stored"] == [] and sorted(hub_keys(hub, device.device_id)) == [1, 2, 3]
    restarted = dict(rows[3], seq=1003, prev_hash=GENESIS)  # a log started afresh after damage
    restarted["row_hash"] = row_hash(restarted)
    status, receipt = _post(hub, sign_batch(device.device_id, [restarted], device.signing_key))
    assert status == 200 and receipt["stored"] == [1003]
    with hub.hub.engine.connect() as connection:
        kinds = [r.kind for r in connection.execute(select(events.c.kind))]
    assert kinds == ["chain_restart"]


def test_a_log_moved_aside_after_damage_still_drains(hub: HubServer, data_dir: Path) -> None:
    enroll(hub, data_dir)
    store = queue_checks(data_dir, 10)
    sync = relay(data_dir, store, timeout=30)
    sync.cycle()
    sync.client.close()
    store.close()
    path = data_dir / "checks.db"
    path.write_bytes(path.read_bytes()[:4096] + b"\xff" * 8192)  # the disk wrecked it
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    fresh = App(data_dir).open_store()  # moved aside, a new log started
    fresh.close()
    store = queue_checks(data_dir, 5)
    assert min(scanner_keys(store)) > 1000  # never reusing numbers the hub holds
    sync = relay(data_dir, store, timeout=30)
    sync.cycle()
    sync.client.close()
    assert store.queued_count() == 0
    held = hub_keys(hub, load_device(data_dir).device_id)
    assert sorted(held) == [*range(1, 11), *scanner_keys(store)]
    store.close()


CRASHING_SYNC = """
import sys
from pathlib import Path
from scanner_app.app import App
from tests.test_hub_sync import pinned_client
folder, url = Path(sys.argv[1]), sys.argv[2]
app = App(folder)
store = app.open_store(purge=False)
app.relay(store, pinned_client(folder, url, timeout=600)).cycle()
"""


def test_a_scanner_killed_between_the_hubs_commit_and_its_own_ack(
    hub: HubServer, proxy: FaultProxy, data_dir: Path
) -> None:
    enroll(hub, data_dir, via=proxy.url)
    queue_checks(data_dir, 40).close()
    proxy.set_mode("hold_batch_answer")
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_SYNC, str(data_dir), proxy.url],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    try:
        assert proxy.holding.wait(120), "the scanner never sent its batch"  # committed, answer held
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
    device_id = load_device(data_dir).device_id
    assert len(hub_keys(hub, device_id)) == 40  # committed at the hub...
    store = App(data_dir).open_store(purge=False)
    assert store.queued_count() == 40  # ...never acknowledged here
    proxy.set_mode("normal")
    sync = relay(data_dir, store, proxy.url, timeout=30)
    status = sync.cycle()
    sync.client.close()
    assert store.queued_count() == 0 and status.sent_this_cycle == 0  # "already": nothing twice
    held = hub_keys(hub, device_id)
    assert sorted(held) == scanner_keys(store) == list(range(1, 41)) and len(held) == len(set(held))
    store.close()
