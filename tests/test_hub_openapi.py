"""Schemathesis against the hub's own OpenAPI description: no input makes it fail with a
server error (5xx), on SQLite and on PostgreSQL.

(schemathesis' pytest fixture integration does not run under this pytest version, so the
test drives its Hypothesis strategies per operation directly.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from scanner_hub.api import create_app
from scanner_hub.keys import load_hub_keys
from scanner_hub.service import Hub
from tests.hub_helpers import postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def hub(request, tmp_path: Path) -> Iterator[Hub]:  # type: ignore[no-untyped-def]
    if request.param == "postgres":
        with postgres_database() as url:
            hub = Hub.open(url, load_hub_keys(tmp_path))
            yield hub
            hub.close()
    else:
        hub = Hub.open(f"sqlite:///{tmp_path / 'hub.db'}", load_hub_keys(tmp_path))
        yield hub
        hub.close()


def test_no_input_makes_a_server_error(hub: Hub) -> None:
    hub.new_enrollment("KH-FUZZ", "road")
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(hub))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/enroll", "/v1/batches", "/v1/bundle"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(checks=[not_a_server_error])

        fuzz()
