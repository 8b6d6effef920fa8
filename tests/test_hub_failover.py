"""The hub in front of a database that changes primaries (issue 22), without a cluster: the
machine's PostgreSQL plays a member that is dead (a closed port listed first in the URL) and
one that turns read-only (`default_transaction_read_only`, which libpq's
`target_session_attrs=read-write` refuses, as it refuses a standby). The hub keeps running,
refuses what it cannot commit with a retryable 503, and takes the resend once the database
accepts writes again: every check once. The real failover is tests/test_hub_ha.py."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from scanner_app.core.wire import sign_batch
from scanner_app.local.device import load_device
from scanner_app.sync.client import HubUnavailable
from tests.hub_helpers import PG_ADMIN, HubServer, free_port, postgres_database
from tests.test_hub_sync import enroll, hub_keys, queue_checks, relay

pytestmark = pytest.mark.postgres


@contextlib.contextmanager
def admin() -> Iterator[object]:
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def set_read_only(database: str, read_only: bool) -> None:
    """The database refuses writes from new sessions (as a standby does) or accepts them
    again; the hub's open sessions are ended (as a failover ends them)."""
    with admin() as connection:
        setting = (
            "SET default_transaction_read_only = on" if read_only else "RESET default_transaction_read_only"
        )
        connection.execute(text(f"ALTER DATABASE {database} {setting}"))  # type: ignore[attr-defined]
        connection.execute(  # type: ignore[attr-defined]
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
            {"d": database},
        )


def test_the_hub_refuses_while_no_member_takes_writes_and_takes_the_resend_after(
    tmp_path: Path, data_dir: Path
) -> None:
    with postgres_database() as plain:
        database = plain.rsplit("/", 1)[1]
        dead = free_port()  # nothing listens there: a member that is gone
        url = (
            f"postgresql+psycopg://postgres@/{database}?host=127.0.0.1:{dead}&host=127.0.0.1:5432"
            "&target_session_attrs=read-write&connect_timeout=2"
        )
        keys = tmp_path / "hubkeys"
        keys.mkdir()
        with HubServer(url, keys) as hub:
            enroll(hub, data_dir)
            store = queue_checks(data_dir, 10)
            sync = relay(data_dir, store, hub.url, timeout=10)
            assert sync.cycle().queued == 0  # the first host is dead: libpq went on to the next
            sync.client.close()
            store.close()

            set_read_only(database, True)  # no member accepts writes: mid-failover
            store = queue_checks(data_dir, 10)
            sync = relay(data_dir, store, hub.url, timeout=10)
            with pytest.raises(HubUnavailable, match="503"):
                sync.cycle()
            assert store.queued_count() == 10  # nothing marked sent
            device = load_device(data_dir)
            batch = sign_batch(device.device_id, store.pending(10), device.signing_key)
            answer = httpx.post(f"{hub.url}/v1/batches", json=batch, timeout=10)
            assert answer.status_code == 503 and answer.headers["Retry-After"] == "2"
            assert answer.json()["problem"] == "database_unavailable"

            set_read_only(database, False)  # a new primary: the same hub process, no restart
            assert sync.cycle().queued == 0
            held = hub_keys(hub, device.device_id)
            assert sorted(held) == list(range(1, 21)) and len(held) == len(set(held))
            sync.client.close()
            store.close()
