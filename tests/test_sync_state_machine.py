"""A hypothesis state machine over scanning, the network and crashes: after every step the
hub holds nothing the scanner does not (hub ⊆ scanner), and once drained they are equal."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from scanner_app.local.device import load_device
from scanner_app.store.checks import CheckStore
from scanner_app.sync.client import HubRefused, HubUnavailable
from tests.hub_helpers import FaultProxy, HubServer, postgres_database
from tests.test_hub_sync import enroll, hub_keys, queue_checks, relay, scanner_keys


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_hub_is_always_a_subset_and_equal_once_drained(backend: str, tmp_path: Path) -> None:
    keys = tmp_path / "hubkeys"
    keys.mkdir()
    if backend == "postgres":
        with postgres_database() as url:
            _run(url, keys)
    else:
        _run(f"sqlite:///{tmp_path / 'hub.db'}", keys)


def _run(url: str, keys: Path) -> None:
    with HubServer(url, keys) as hub, FaultProxy(hub.port) as proxy:

        class Checkpoint(RuleBasedStateMachine):
            def __init__(self) -> None:
                super().__init__()
                proxy.set_mode("normal")
                self.folder = Path(tempfile.mkdtemp(dir=keys.parent))
                enroll(hub, self.folder)
                self.device_id = load_device(self.folder).device_id
                self.store: CheckStore = queue_checks(self.folder, 0)
                self.relay = relay(self.folder, self.store, proxy.url, timeout=0.5)

            @rule(count=st.integers(1, 25))
            def scan(self, count: int) -> None:
                self.store.close()
                self.store = queue_checks(self.folder, count)  # appends to the same log
                self.relay.outbox = self.store

            @rule(mode=st.sampled_from(["down", "http500", "lose_response", "reset", "normal"]))
            def network(self, mode: str) -> None:
                proxy.set_mode(mode)

            @rule()
            def sync(self) -> None:
                with contextlib.suppress(HubUnavailable, HubRefused):
                    self.relay.cycle()

            @rule()
            def crash_and_restart(self) -> None:
                self.relay.client.close()
                self.store.close()  # what survives a crash is what was committed
                self.store = queue_checks(self.folder, 0)
                self.relay = relay(self.folder, self.store, proxy.url, timeout=0.5)

            @invariant()
            def hub_is_a_subset(self) -> None:
                assert set(hub_keys(hub, self.device_id)) <= set(scanner_keys(self.store))

            def teardown(self) -> None:
                proxy.set_mode("normal")
                while self.store.queued_count():
                    self.relay.cycle()
                assert sorted(hub_keys(hub, self.device_id)) == scanner_keys(self.store)
                self.relay.client.close()
                self.store.close()

        run_state_machine_as_test(
            Checkpoint,
            settings=settings(
                max_examples=12,
                stateful_step_count=12,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
