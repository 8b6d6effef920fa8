"""The hub's time arrives with every batch of a sync: the trust state raises its floor in
memory each time (every check uses it at once) and writes it to disk when it moved a minute
or more, or came from another source, so that a sync is not one synced file write per batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner_app.local.bundle_store import BundleStore
from scanner_app.local.trust_state import TrustState

T0 = datetime(2021, 10, 20, 8, 0, tzinfo=UTC)


def test_the_floor_is_used_at_once_and_written_a_minute_at_a_time(data_dir: Path) -> None:
    files = BundleStore(data_dir)
    trust = TrustState(files)
    trust.raise_floor(T0, "hub")
    assert files.time_floor().floor == T0  # the first hub time: on disk
    for seconds in (10, 30, 59):
        trust.raise_floor(T0 + timedelta(seconds=seconds), "hub")
        assert trust.floor.floor == T0 + timedelta(seconds=seconds)  # in use at once
        assert files.time_floor().floor == T0  # the disk lags by less than a minute
    trust.raise_floor(T0 + timedelta(seconds=60), "hub")
    assert files.time_floor().floor == T0 + timedelta(seconds=60)
    trust.raise_floor(T0 + timedelta(seconds=61), "bundle")  # another source: written
    assert (files.time_floor().floor, files.time_floor().source) == (T0 + timedelta(seconds=61), "bundle")
    reopened = TrustState(BundleStore(data_dir))
    assert reopened.floor.floor == T0 + timedelta(seconds=61)
