"""A code anyone can print must never stop a checkpoint's sync (issue 13): arbitrary decoded
texts, and cards built to break the hub's columns, go through `gate` (the USB scanner path)
and the real sync to a real hub; the queue always drains to zero, and a trust bundle
published meanwhile is installed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner_app.app import App
from scanner_app.devkit.cards import DEMO_PEOPLE, issue, vaccination
from scanner_app.devkit.keys import make_csca, make_signer
from tests.cli_helpers import cli
from tests.hub_helpers import HubServer
from tests.test_hub_sync import enroll, hub, hub_keys, hub_url, publish_demo_bundle, relay

__all__ = ["hub", "hub_url"]  # fixtures: a real hub on SQLite and on PostgreSQL

NOW = datetime.now(UTC) - timedelta(hours=1)
STRANGER = make_signer(make_csca("ZZ"), name="NOT TRUSTED")


def unsigned_card(issuer: str, kid: bytes | None = None) -> str:
    """A well-formed HC1 card signed by a key no bundle trusts, its claims chosen by whoever
    printed it."""
    dcc = vaccination(DEMO_PEOPLE[0], 2, 2, (NOW - timedelta(days=30)).date())
    return issue(dcc, STRANGER, NOW, issuer=issuer, kid=kid)


POISON = [
    unsigned_card("ISSUER-LONGER-THAN-EIGHT"),  # the hub's issuer column was 8 wide
    unsigned_card("VN", kid=b"K" * 13),  # a kid whose base64 outgrew the kid column
    unsigned_card("V\x00N"),  # NUL: PostgreSQL text cannot hold it
    unsigned_card('=HYPERLINK("http://evil.example/","click")'),
    unsigned_card("x" * 5000, kid=b"\x00" * 64),
    "HC1:" + "\ud800" * 10,  # a lone surrogate
    "079085001234|123456789|Nguyễn\x00Văn An|12031985|Nam|Nha Trang|01072021",
]
TEXTS = st.lists(
    st.one_of(st.sampled_from(POISON), st.text(min_size=1, max_size=400)),
    min_size=1,
    max_size=6,
)


def test_poisoned_codes_never_stop_sync_and_a_new_bundle_still_arrives(
    hub: HubServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "scanner"
    data_dir.mkdir()
    enroll(hub, data_dir)
    published = False

    @given(texts=TEXTS)
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    def scan_and_sync(texts: list[str]) -> None:
        nonlocal published
        lines = "\n".join(t.replace("\r", " ").replace("\n", " ") for t in texts) + "\n"
        run = cli("--data-dir", str(data_dir), "gate", "--source", "-", "--json", stdin=lines)
        assert run.code == 0, run.err
        if not published:
            publish_demo_bundle(hub, data_dir, sequence=1)
            published = True
        store = App(data_dir).open_store(purge=False)
        try:
            sync = relay(data_dir, store, timeout=10)
            status = sync.cycle()
            sync.client.close()
            assert store.queued_count() == 0, status
            held = hub_keys(hub, App(data_dir).device.device_id)
            assert sorted(held) == [r["seq"] for r in store.rows()]  # every record stored, none quarantined
        finally:
            store.close()

    scan_and_sync()
    trust = App(data_dir).trust
    assert trust.installed and trust.loaded.bundle.sequence == 1
    # every poison card was among the checks, and each was cleaned at the source
    run = cli(
        "--data-dir", str(data_dir), "gate", "--source", "-", "--json", stdin="\n".join(POISON[:5]) + "\n"
    )
    assert run.code == 0 and len(run.json_lines()) == 5, run.err
    store = App(data_dir).open_store(purge=False)
    try:
        rows = list(store.rows())[-5:]
        assert all(len(r["issuer"] or "") <= 64 and "\x00" not in (r["issuer"] or "") for r in rows)
        assert all("unverified" in r["flags"] for r in rows)
        sync = relay(data_dir, store, timeout=10)
        sync.cycle()
        sync.client.close()
        assert store.queued_count() == 0
    finally:
        store.close()
