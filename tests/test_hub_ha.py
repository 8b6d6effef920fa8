"""The hub survives its server (issue 22): a Patroni cluster on loopback (one etcd, two
PostgreSQL members in synchronous mode), two `scanner-hub serve` processes in front of it,
four scanners syncing 10,000 checks. Mid-sync the primary's Patroni and PostgreSQL are killed
with SIGKILL, later the hub process the scanners talk to. Afterwards the cluster holds every
check exactly once, no acknowledged batch was lost (no scanner had to resend because the hub
held less than it had acknowledged), the scanners' queues are empty, and the old primary is
back as the synchronous standby (pg_rewind) with the same rows.

Prints the time from each kill to the next accepted batch (docs/ha.md keeps the figures)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from scanner_app.local.device import load_device
from scanner_app.store.checks import CheckStore
from scanner_app.sync.backoff import Backoff
from scanner_app.sync.client import HubUnavailable, Signed
from scanner_app.sync.relay import SyncRelay, SyncWorker
from scanner_hub.db import check_keys, checks
from scanner_hub.keys import load_hub_keys
from scanner_hub.service import Hub
from tests.cli_helpers import cli
from tests.ha_cluster import (
    ClusterUnavailable,
    HaCluster,
    Member,
    free_port,
    missing_tools,
    run_as,
    wait_until,
)
from tests.hub_helpers import HubServer
from tests.test_hub_sync import pinned_client, queue_checks

pytestmark = [pytest.mark.ha, pytest.mark.slow]

SCANNERS = 4
CHECKS = 10_000
EXTRA = 100  # checks a scanner records after everything settled, sent through a restarted hub
BATCH = 50  # small batches: the sync lasts long enough to be interrupted, twice


def cluster_or_skip(**options: Any) -> HaCluster:
    missing = missing_tools()
    if missing:
        message = f"the HA test needs {', '.join(missing)} (apt-get install patroni etcd-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return HaCluster(**{"members": 2, **options})


@pytest.fixture
def cluster() -> Iterator[HaCluster]:
    ha = cluster_or_skip()
    try:
        with ha:
            yield ha
    except (ClusterUnavailable, TimeoutError) as exc:
        pytest.fail(f"{exc}\n{ha.log_tail()}")


class HubProcess:
    """`scanner-hub serve` as its own process (killed with SIGKILL in the test)."""

    def __init__(self, data_dir: Path, db: str, port: int, public: list[str], log: Path) -> None:
        self.port = port
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "scanner_hub", "--data-dir", str(data_dir), "serve", "--db", db]
                + ["--port", str(port)]
                + [arg for url in public for arg in ("--public-url", url)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(self.healthy, f"hub on port {port}", 60)
        except BaseException:
            self.kill()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
        try:
            return httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


@dataclass
class Scanner:
    """One enrolled scanner: its log, its relay (the app's own), a sync worker thread, and
    what it heard: the time of every accepted batch, what the hub acknowledged, and how many
    records it had to queue again because the hub held less than it had acknowledged."""

    data_dir: Path
    store: CheckStore
    relay: SyncRelay
    accepted: list[tuple[float, float]] = field(default_factory=list)  # (sent, receipt) times
    acknowledged: set[int] = field(default_factory=set)
    resent_behind_hub: int = 0
    worker: SyncWorker | None = None

    def start(self) -> None:
        send = self.relay.client.send_batch
        rewind = self.relay.outbox.rewind
        lock = threading.Lock()

        def send_batch(batch: dict[str, Any]) -> Signed:
            sent = time.monotonic()
            receipt = send(batch)
            with lock:
                if receipt.status == 200 and receipt.payload.get("stored"):
                    self.accepted.append((sent, time.monotonic()))
                self.acknowledged.update(receipt.payload.get("stored") or [])
                self.acknowledged.update(receipt.payload.get("already") or [])
            return receipt

        def counted_rewind(after_seq: int) -> int:
            queued_again = rewind(after_seq)
            self.resent_behind_hub += queued_again
            return queued_again

        self.relay.client.send_batch = send_batch  # type: ignore[method-assign]
        self.relay.outbox.rewind = counted_rewind  # type: ignore[method-assign]
        # retry pacing short enough to measure the cluster, not the backoff (default cap 600 s)
        self.worker = SyncWorker(lambda: self.relay, interval=0.05, backoff=Backoff(base=0.2, cap=1.0))
        self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker.join(30)
        self.relay.client.close()
        self.store.close()


def talked_to(scanners: list[Scanner]) -> set[str]:
    """The hub address each scanner's client used last (it starts there next time)."""
    return {s.relay.client.urls[s.relay.client._current] for s in scanners}


def first_after(scanners: list[Scanner], moment: float) -> float | None:
    """Seconds from `moment` to the first receipt of a batch sent after it (a batch already
    in flight at the kill does not count) that stored something."""
    times = [done for s in scanners for sent, done in list(s.accepted) if sent > moment]
    return min(times) - moment if times else None


def acknowledged_count(scanners: list[Scanner]) -> int:
    return sum(len(s.acknowledged) for s in scanners)


def enroll_scanners(hub_db: str, keys: Path, hub_url: str, root: Path) -> list[Scanner]:
    hub = Hub.open(hub_db, load_hub_keys(keys))
    scanners = []
    try:
        for number in range(SCANNERS):
            data_dir = root / f"scanner{number}"
            data_dir.mkdir()
            code = hub.new_enrollment(f"KH-HA-{number:02d}", "road")
            run = cli("--data-dir", str(data_dir), "enroll", "--hub", hub_url, "--code", str(code))
            assert run.code == 0, run.err
            store = queue_checks(data_dir, CHECKS // SCANNERS)

            relay = relay_to(data_dir, store, None)
            assert len(relay.client.urls) == 2  # the enrollment named both hubs
            relay.batch_size = BATCH
            scanners.append(Scanner(data_dir, store, relay))
    finally:
        hub.close()
    return scanners


def rows_by_device(url: str) -> dict[str, list[int]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(checks.c.device_id, checks.c.seq)).all()
            keys = connection.execute(select(func.count()).select_from(check_keys)).scalar()
    finally:
        engine.dispose()
    out: dict[str, list[int]] = {}
    for device_id, seq in rows:
        out.setdefault(device_id, []).append(seq)
    assert keys == len(rows)
    return {d: sorted(s) for d, s in out.items()}


def test_the_hub_survives_its_primary_and_a_hub_process(cluster: HaCluster, tmp_path: Path) -> None:
    began = time.monotonic()

    def mark(what: str) -> None:
        print(f"[{time.monotonic() - began:6.1f} s] {what}", flush=True)

    keys = tmp_path / "hubkeys"
    keys.mkdir()
    load_hub_keys(keys)  # both hub processes share the identity the scanners pin
    db = cluster.url()
    ports = [free_port(), free_port()]
    public = [f"http://127.0.0.1:{p}" for p in ports]
    hubs = [HubProcess(keys, db, ports[0], public, tmp_path / "hub1.log")]
    hubs.append(HubProcess(keys, db, ports[1], public, tmp_path / "hub2.log"))  # after the schema exists
    mark("hubs up")
    scanners = enroll_scanners(db, keys, public[0], tmp_path)
    mark("scanners enrolled, checks queued")
    try:
        old_primary, standby = cluster.wait_synchronous(30)
        started = time.monotonic()
        for scanner in scanners:
            scanner.start()

        # 1. the primary's server dies mid-sync
        wait_until(lambda: acknowledged_count(scanners) >= CHECKS // 5, "a fifth of the checks synced", 120)
        at_db_kill, acked_before = time.monotonic(), acknowledged_count(scanners)
        cluster.kill(old_primary)
        new_primary = wait_until(cluster.primary, "a new primary", 60)
        assert new_primary is standby  # Patroni promotes the synchronous standby only
        db_recovery = wait_until(
            lambda: first_after(scanners, at_db_kill), "a batch accepted after failover", 90
        )
        cluster.start_member(old_primary)  # the machine comes back: it must rejoin as a standby

        # 2. then the hub process the scanners are talking to
        wait_until(
            lambda: acknowledged_count(scanners) >= acked_before + CHECKS // 5, "more checks synced", 120
        )
        talking = [h for h in hubs if h.url in talked_to(scanners)]
        its_scanners = [s for s in scanners if talked_to([s]) == {talking[0].url}]
        at_hub_kill = time.monotonic()
        talking[0].kill()
        hub_recovery = wait_until(
            lambda: first_after(its_scanners, at_hub_kill), "a batch accepted after the hub died", 60
        )

        # 3. every scanner drains
        wait_until(lambda: all(s.store.queued_count() == 0 for s in scanners), "all scanners drained", 180)
        total = time.monotonic() - started
        mark("drained")
    finally:
        for scanner in scanners:
            scanner.stop()

    try:
        print(
            f"\nHA chaos: {CHECKS} checks from {SCANNERS} scanners in {total:.1f} s; primary killed "
            f"after {acked_before} acknowledged: next accepted batch after {db_recovery:.1f} s; "
            f"hub process killed: next accepted batch from its {len(its_scanners)} scanner(s) after "
            f"{hub_recovery:.1f} s"
        )
        assert_hubs_met_the_failover(tmp_path / "hub1.log", tmp_path / "hub2.log")
        assert_rejoined(cluster, new_primary, old_primary)
        mark("old primary rejoined")
        # 4. the killed hub process starts again (as systemd would): its fresh connections find
        # the primary although the first host in its URL is now a standby
        index = hubs.index(talking[0])
        hubs[index] = HubProcess(keys, db, talking[0].port, public, tmp_path / "hub-restarted.log")
        sync_late_checks(scanners[0].data_dir, hubs[index].url)
        mark("late checks synced through the restarted hub")
    finally:
        for hub in hubs:
            hub.kill()

    assert_every_check_once(cluster, scanners, old_primary)


def assert_hubs_met_the_failover(*logs: Path) -> None:
    """The hubs' pools met the dead or read-only primary and answered 503 (resent later)
    instead of failing: the path under test was taken."""
    text = "".join(log.read_text(errors="replace") for log in logs)
    assert "database unavailable" in text and "503 Service Unavailable" in text


def assert_rejoined(cluster: HaCluster, new_primary: Member, old_primary: Member) -> None:
    """The old primary is back as the synchronous standby (after pg_rewind, if its WAL had
    gone past the point where the new primary took over)."""
    primary, sync_standby = cluster.wait_synchronous(120)
    assert (primary, sync_standby) == (new_primary, old_primary)
    log = "\n".join(
        p.read_text(errors="replace") for p in (cluster.root / f"{old_primary.name}-log").glob("*")
    )
    rewound = "running pg_rewind from" in log and "pg_rewind exit code=0" in log
    print(
        f"old primary {old_primary.name} is the synchronous standby again ({'pg_rewind' if rewound else 'no rewind needed'})"
    )


def sync_late_checks(data_dir: Path, hub_url: str) -> None:
    """EXTRA more checks from this scanner, through that hub only."""
    late = queue_checks(data_dir, EXTRA)
    sync = relay_to(data_dir, late, hub_url)
    for _ in range(20):
        if not late.queued_count():
            break
        with contextlib.suppress(HubUnavailable):
            sync.cycle()
    assert late.queued_count() == 0, sync.status.last_error
    sync.client.close()
    late.close()


def assert_every_check_once(cluster: HaCluster, scanners: list[Scanner], old_primary: Member) -> None:
    # exactly once, in the cluster, for every scanner's whole log
    held = rows_by_device(cluster.url(user="postgres"))
    assert set(held) == {s.relay.device.device_id for s in scanners}
    for number, scanner in enumerate(scanners):
        rows = held[scanner.relay.device.device_id]
        expected = list(range(1, CHECKS // SCANNERS + (EXTRA if number == 0 else 0) + 1))
        assert rows == expected, f"{scanner.data_dir.name}: {len(rows)} rows, {len(set(rows))} distinct"
        assert scanner.acknowledged <= set(rows)
    # synchronous replication: the new primary held everything the old one acknowledged, so
    # no scanner found the hub behind what it had been told
    assert [s.resent_behind_hub for s in scanners] == [0] * SCANNERS
    # and the rejoined standby holds the same rows
    assert standby_rows(cluster, old_primary, CHECKS + EXTRA) == CHECKS + EXTRA


def relay_to(data_dir: Path, store: CheckStore, url: str | None) -> SyncRelay:
    from scanner_app.app import App

    sync = App(data_dir).relay(store, pinned_client(data_dir, url, timeout=10))
    assert sync is not None
    return sync


def standby_rows(cluster: HaCluster, member: Member, expected: int) -> int:
    def count() -> int:
        engine = create_engine(cluster.member_url(member))
        try:
            with engine.connect() as connection:
                assert connection.execute(text("SELECT pg_is_in_recovery()")).scalar() is True
                return int(connection.execute(select(func.count()).select_from(checks)).scalar() or 0)
        finally:
            engine.dispose()

    with contextlib.suppress(TimeoutError):
        return int(wait_until(lambda: count() == expected and expected, "the rejoined standby caught up", 60))
    return count()


@contextlib.contextmanager
def backup_directory() -> Iterator[Path]:
    """Where the backup host keeps base backups and the WAL archive: owned by the postgres
    user, outside every cluster's directory (it outlives the site)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="hub-backup-"))
    folder.chmod(0o755)
    (folder / "wal").mkdir()
    uid, gid = run_as()
    for path in (folder, folder / "wal"):
        os.chown(path, uid, gid)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def open_store(data_dir: Path) -> CheckStore:
    from scanner_app.app import App

    return App(data_dir).open_store(purge=False)


def sync_new_checks(data_dir: Path, count: int, hub_url: str) -> int:
    """`count` more checks in the scanner's log, synced; what the relay queued again because
    the hub held less than it had acknowledged."""
    store = queue_checks(data_dir, count) if count else open_store(data_dir)
    sync = relay_to(data_dir, store, hub_url)
    resent = 0
    for _ in range(20):
        status = sync.cycle()
        resent += status.resent_this_cycle
        if status.queued == 0:
            break
    assert store.queued_count() == 0
    sync.client.close()
    store.close()
    return resent


def test_a_lost_site_is_restored_from_backup_and_scanners_resend_the_rest(tmp_path: Path) -> None:
    """Base backup (deploy/ha/backup.sh) after 200 checks, 100 more archived in the WAL
    archive, 100 more only in the lost cluster's last WAL segment; the whole site is lost.
    A fresh cluster bootstrapped from the backup (deploy/ha/restore-base-backup.sh, archive
    recovery) holds the first 300; the scanner, finding the hub behind what it acknowledged,
    resends the last 100: 400, each once."""
    keys = tmp_path / "hubkeys"
    keys.mkdir()
    data_dir = tmp_path / "scanner"
    data_dir.mkdir()
    with backup_directory() as backup:
        site = cluster_or_skip(members=1, archive=backup / "wal")
        with site, HubServer(site.url(), keys) as hub:
            code = hub.hub.new_enrollment("KH-HA-BACKUP", "road")
            run = cli("--data-dir", str(data_dir), "enroll", "--hub", hub.url, "--code", str(code))
            assert run.code == 0, run.err
            assert sync_new_checks(data_dir, 200, hub.url) == 0
            base = site.base_backup(backup)
            assert sync_new_checks(data_dir, 100, hub.url) == 0
            site.switch_wal()  # 201..300 reach the archive
            assert sync_new_checks(data_dir, 100, hub.url) == 0  # 301..400 do not
        # the site is gone (every process killed, its disks removed); the backup host remains
        restored = HaCluster(
            members=1,
            restore_from=(base, backup / "wal"),
            hub_password=site.hub_password,
            superuser_password=site.superuser_password,
            replication_password=site.replication_password,
            rewind_password=site.rewind_password,
        )
        with restored:
            device_id = load_device(data_dir).device_id
            assert rows_by_device(restored.url(user="postgres"))[device_id] == list(range(1, 301))
            with HubServer(restored.url(), keys) as hub:
                assert sync_new_checks(data_dir, 0, hub.url) == 100  # the scanner heals the hub
            assert rows_by_device(restored.url(user="postgres"))[device_id] == list(range(1, 401))
