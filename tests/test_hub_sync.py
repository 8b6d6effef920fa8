"""Hub and sync against a real hub on 127.0.0.1 (SQLite and PostgreSQL), with faults
injected between scanner and hub: nothing lost, nothing duplicated, whatever the network does."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from scanner_app.core.wire import sign_batch
from scanner_app.devkit.catalog import demo_cards
from scanner_app.local.bundle_store import BundleStore
from scanner_app.local.device import load_device
from scanner_app.store.checks import CheckStore
from scanner_app.sync.client import HubClient, HubRefused, HubUnavailable
from scanner_app.sync.relay import SyncRelay
from scanner_app.system.clock import SystemClock
from scanner_hub.db import check_keys, checks, conflicts, quarantine
from tests.cli_helpers import cli
from tests.hub_helpers import FaultProxy, HubServer, postgres_database

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(params=["sqlite", "postgres"])
def hub_url(request, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def hub(hub_url: str, tmp_path: Path) -> Iterator[HubServer]:
    folder = tmp_path / "hubkeys"
    folder.mkdir()
    with HubServer(hub_url, folder) as server:
        yield server


@pytest.fixture
def proxy(hub: HubServer) -> Iterator[FaultProxy]:
    with FaultProxy(hub.port) as fault_proxy:
        yield fault_proxy


def enroll(hub: HubServer, data_dir: Path, via: str | None = None) -> None:
    code = hub.hub.new_enrollment("KH-TEST-01", "road")
    run = cli("--data-dir", str(data_dir), "enroll", "--hub", via or hub.url, "--code", str(code))
    assert run.code == 0, run.err


def queue_checks(data_dir: Path, count: int, texts: list[str] | None = None) -> CheckStore:
    """`count` real decisions in the scanner's log, 0.3 s apart from an hour ago: `texts`
    cycled (by default the demo bundle's cards, with fresh certificate ids)."""
    from scanner_app.app import App

    app = App(data_dir)
    store = app.open_store(purge=False)
    checker = app.checker()
    station = app.station()
    shown = texts if texts is not None else [c.text for c in demo_cards(NOW)]
    results = [(checker.check(text, NOW), text) for text in shown]
    start = datetime.now(UTC) - timedelta(hours=1)
    for number in range(count):
        result, text = results[number % len(results)]
        store.record(
            result,
            text,
            station,
            wall_time=start + timedelta(milliseconds=300 * number),
            monotonic=float(number),
        )
    return store


def pinned_client(data_dir: Path, url: str | None = None, timeout: float = 1.0) -> HubClient:
    """A client as the app builds it (the enrolled hub's pinned identity and certificate),
    optionally through another address (a fault proxy)."""
    device = load_device(data_dir)
    assert device.hub is not None
    return HubClient(
        [url] if url else device.hub.urls,
        hub_key=device.hub.identity,
        tls_pem=device.hub.tls_pem,
        device_id=device.device_id,
        timeout=timeout,
    )


def relay(data_dir: Path, store: CheckStore, url: str | None = None, timeout: float = 1.0) -> SyncRelay:
    from scanner_app.app import App

    sync = App(data_dir).relay(store, pinned_client(data_dir, url, timeout))
    assert sync is not None
    return sync


def hub_keys(server: HubServer, device_id: str) -> list[int]:
    with server.hub.engine.connect() as connection:
        rows = connection.execute(select(checks.c.seq).where(checks.c.device_id == device_id)).all()
    return [r[0] for r in rows]


def publish_demo_bundle(hub: HubServer, data_dir: Path, sequence: int) -> None:
    """`scanner-hub publish --demo` of the dev kit's signer and the shipped rules."""
    from scanner_hub.cli import main as hub_main

    assets = Path(__file__).parent.parent / "assets"
    code = hub_main(
        [
            "--data-dir",
            str(data_dir.parent / "hubkeys"),
            "publish",
            "--db",
            str(hub.hub.engine.url.render_as_string(hide_password=False)),
            "--demo",
            "--sequence",
            str(sequence),
            "--signer",
            str(assets / "devkit" / "demo-dsc.pem"),
            "--profile-file",
            str(assets / "rules" / "VN-KH-2021-10.json"),
            "--policy-file",
            str(assets / "policies" / "VN-EXAMPLE-POLICY.json"),
        ]
    )
    assert code == 0


def scanner_keys(store: CheckStore) -> list[int]:
    return [r["seq"] for r in store.rows()]


def test_enroll_sync_and_bundle_with_etag(hub: HubServer, data_dir: Path) -> None:
    enroll(hub, data_dir)
    store = queue_checks(data_dir, 12)
    device = load_device(data_dir)
    assert device.enrolled and device.checkpoint_id == "KH-TEST-01"
    sync = relay(data_dir, store, hub.url)
    first = sync.cycle()
    assert (first.sent_this_cycle, first.queued) == (12, 0)
    assert sorted(hub_keys(hub, device.device_id)) == scanner_keys(store)
    publish_demo_bundle(hub, data_dir, sequence=1)
    second = sync.cycle()
    assert second.bundle_sequence == 1 and BundleStore(data_dir).load().installed
    client = pinned_client(data_dir)
    etag = client.bundle(None).etag
    assert client.bundle(etag).status == 304
    client.close()
    sync.client.close()
    floor = BundleStore(data_dir).time_floor()
    assert floor.source == "hub" and floor.floor is not None  # the hub's clock reached the scanner
    store.close()


class ShiftedClock:
    """The device's wall clock set forward (or back) by `shift`; monotonic time is untouched."""

    def __init__(self, shift: timedelta) -> None:
        self.shift = shift
        self.system = SystemClock()

    def now(self) -> datetime:
        return self.system.now() + self.shift

    def monotonic(self) -> float:
        return self.system.monotonic()


def test_a_clock_set_years_forward_is_flagged_and_order_and_dedup_hold(
    hub: HubServer, data_dir: Path
) -> None:
    """Reliability row 9: the hub's clock, heard at each exchange, shows the device clock is
    off; records still reach the hub by (device_id, seq), once each."""
    enroll(hub, data_dir)
    store = queue_checks(data_dir, 30)
    sync = relay(data_dir, store, hub.url)
    sync.clock = ShiftedClock(timedelta(days=3 * 365))
    status = sync.cycle()
    assert status.clock_offset_seconds is not None
    assert abs(status.clock_offset_seconds - 3 * 365 * 86400) < 60
    assert status.clock_off(300) and not status.clock_off(4 * 365 * 86400)
    sync.cycle()  # nothing new to send; nothing sent twice
    device_id = load_device(data_dir).device_id
    assert sorted(hub_keys(hub, device_id)) == scanner_keys(store) == list(range(1, 31))
    sync.clock = SystemClock()
    assert not sync.cycle().clock_off(300)
    sync.client.close()
    store.close()


FAULTS = ["down", "http500", "timeout", "reset", "lose_response", "slow"]


def test_faults_while_ten_thousand_checks_queue(hub: HubServer, proxy: FaultProxy, data_dir: Path) -> None:
    """Reliability row 7: hub down, 500s, timeouts, resets mid-request, answers lost after the
    hub committed, a slow link, while 10,000 checks queue; afterwards hub rows equal scanner
    rows by (device_id, seq): no duplicates, no gaps."""
    run_fault_suite(hub, proxy, data_dir, 10_000)


def test_the_fault_suite_over_https_with_a_pinned_certificate(tmp_path: Path, data_dir: Path) -> None:
    """The same faults over https (the proxy terminates TLS with the hub's own certificate,
    as a reverse proxy holding it would); then a hub with another certificate at the same
    address is refused."""
    keys = tmp_path / "hubkeys"
    keys.mkdir()
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    with HubServer(url, keys, tls=True) as hub:
        assert hub.tls_paths is not None
        with FaultProxy(hub.port, tls=hub.tls_paths) as proxy:
            run_fault_suite(hub, proxy, data_dir, 2_000)
        port = hub.port
    other = tmp_path / "other"
    other.mkdir()
    from scanner_hub.keys import make_tls_certificate

    with HubServer(url, keys, port=port, certificate=make_tls_certificate(other, ["127.0.0.1"])):
        store = queue_checks(data_dir, 5)
        sync = relay(data_dir, store, timeout=5)
        with pytest.raises(HubUnavailable, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            sync.cycle()
        assert store.queued_count() == 5  # nothing marked sent by whoever answered
        sync.client.close()
        store.close()


def drain(sync: SyncRelay, store: CheckStore, patience: int = 30) -> None:
    """Cycle until the queue is empty, as the sync worker does: a cycle that times out on a
    loaded machine (the client's 1 s timeout is for the fault modes) is tried again, but the
    queue must keep shrinking: `patience` failures in a row without progress fail the test."""
    failures = 0
    while store.queued_count():
        before = store.queued_count()
        try:
            sync.cycle()
        except HubUnavailable:
            failures = 0 if store.queued_count() < before else failures + 1
            assert failures < patience, "the queue stopped draining"


def run_fault_suite(hub: HubServer, proxy: FaultProxy, data_dir: Path, count: int) -> None:
    enroll(hub, data_dir, via=proxy.url)
    store = queue_checks(data_dir, count)
    device_id = load_device(data_dir).device_id
    sync = relay(data_dir, store, proxy.url)
    for fault in FAULTS:
        proxy.set_mode(fault)
        for _ in range(2):
            with contextlib.suppress(HubUnavailable, HubRefused):
                sync.cycle()
            assert set(hub_keys(hub, device_id)) <= set(scanner_keys(store))
        if fault == "lose_response":  # the hub holds records the scanner still thinks unsent
            assert len(hub_keys(hub, device_id)) > count - store.queued_count()
    # the faults that lose an answer did reach the hub first (it may have committed)
    assert {m for m in ("timeout", "reset", "lose_response") if proxy.forwarded.get(m, 0) > 0} == {
        "timeout",
        "reset",
        "lose_response",
    }
    proxy.set_mode("normal")
    drain(sync, store)
    hub_rows = hub_keys(hub, device_id)
    assert sorted(hub_rows) == scanner_keys(store) == list(range(1, count + 1))
    assert len(hub_rows) == len(set(hub_rows))
    sync.client.close()
    store.close()


def test_the_same_batch_replayed_concurrently_1000_times(hub: HubServer, data_dir: Path) -> None:
    """Reliability row 8: exactly one stored row per key."""
    enroll(hub, data_dir)
    store = queue_checks(data_dir, 20)
    device = load_device(data_dir)
    batch = sign_batch(device.device_id, store.pending(20), device.signing_key)
    store.close()
    http = httpx.Client(base_url=hub.url, timeout=60, limits=httpx.Limits(max_connections=32))

    def post(_: int) -> int:
        return http.post("/v1/batches", json=batch).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(post, range(1000)))
    http.close()
    assert set(statuses) == {200}
    with hub.hub.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(checks)).scalar() == 20
        assert connection.execute(select(func.count()).select_from(check_keys)).scalar() == 20


def test_a_different_record_under_a_used_key_is_quarantined_loudly(hub: HubServer, data_dir: Path) -> None:
    enroll(hub, data_dir)
    store = queue_checks(data_dir, 3)
    device = load_device(data_dir)
    records = store.pending(3)
    http = httpx.Client(base_url=hub.url)
    assert (
        http.post("/v1/batches", json=sign_batch(device.device_id, records, device.signing_key)).status_code
        == 200
    )
    forged = dict(records[1], decision="allow" if records[1]["decision"] != "allow" else "deny")
    from scanner_app.core.chain import row_hash

    forged["row_hash"] = row_hash(forged)
    answer = http.post("/v1/batches", json=sign_batch(device.device_id, [forged], device.signing_key))
    receipt = json.loads(base64.b64decode(answer.json()["signed"]))
    assert answer.status_code == 200 and receipt["quarantined"][0]["seq"] == forged["seq"]
    assert "a different record under a used key" in receipt["quarantined"][0]["problem"]
    with hub.hub.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(conflicts)).scalar() == 1
        assert connection.execute(select(func.count()).select_from(quarantine)).scalar() == 1
    unsigned = sign_batch(device.device_id, records, device.signing_key)
    unsigned["records"][0]["reason"] = "tampered"
    assert http.post("/v1/batches", json=unsigned).status_code == 401
    http.close()
    store.close()


def test_sneakernet_file_then_network_sync(hub: HubServer, data_dir: Path, tmp_path: Path) -> None:
    enroll(hub, data_dir)
    store = queue_checks(data_dir, 30)
    store.close()
    carried = tmp_path / "stick" / "outbox.json"
    carried.parent.mkdir()
    assert cli("--data-dir", str(data_dir), "outbox", "export", "--out", str(carried)).code == 0
    from scanner_hub.cli import main as hub_main

    url = hub.hub.engine.url.render_as_string(hide_password=False)
    hub_dir = str(data_dir.parent / "hubkeys")
    assert hub_main(["--data-dir", hub_dir, "ingest", "--db", url, str(carried)]) == 0
    assert hub_main(["--data-dir", hub_dir, "ingest", "--db", url, str(carried)]) == 0  # idempotent
    device_id = load_device(data_dir).device_id
    assert sorted(hub_keys(hub, device_id)) == list(range(1, 31))
    run = cli("--data-dir", str(data_dir), "sync", "--once")
    assert run.code == 0 and "sent 0 checks, 0 queued" in run.out  # the hub answered "already"
    today = datetime.now().astimezone().date().isoformat()
    out = tmp_path / "district.csv"
    assert (
        hub_main(
            [
                "--data-dir",
                hub_dir,
                "export",
                "--db",
                url,
                "--date",
                today,
                "--format",
                "csv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) >= 2


def test_openapi_is_served(hub: HubServer) -> None:
    spec = httpx.get(f"{hub.url}/openapi.json").json()
    assert {"/v1/enroll", "/v1/batches", "/v1/bundle", "/v1/devices/{device_id}/head"} <= set(spec["paths"])
    assert set(spec["paths"]["/v1/devices/{device_id}/head"]) == {"post"}  # signed requests only


def test_the_sync_worker_waits_as_long_as_the_hub_asks(
    hub: HubServer, proxy: FaultProxy, data_dir: Path
) -> None:
    """Retry-After from a busy hub is honoured (and the full-jitter backoff otherwise)."""
    import random

    from scanner_app.sync.backoff import Backoff
    from scanner_app.sync.relay import SyncWorker

    enroll(hub, data_dir, via=proxy.url)
    store = queue_checks(data_dir, 3)
    sync = relay(data_dir, store, proxy.url)
    worker = SyncWorker(lambda: sync, backoff=Backoff(rng=random.Random(1)))
    proxy.set_mode("http503")
    assert worker.step(sync) >= 120  # the hub said Retry-After: 120
    proxy.set_mode("http500")  # no Retry-After: random(0, min(600, 1 * 2^n)) growing per failure
    delays = [worker.step(sync) for _ in range(6)]
    ceilings = [min(600, 2**n) for n in range(1, 7)]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    proxy.set_mode("normal")
    assert worker.step(sync) == worker.interval and store.queued_count() == 0
    sync.client.close()
    store.close()
