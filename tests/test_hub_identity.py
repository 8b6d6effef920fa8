"""An authenticated hub (issue 14), played by a hostile network and a hub that lost data:

- an impostor at the hub's address (a real HTTP server on 127.0.0.1) answering "stored", a
  2099 clock, its own sealing key and a 600 MB bundle changes nothing on the scanner: its
  records still reach the real hub, its decisions stay normal, enrollment against it fails,
  its memory stays bounded;
- a hub restored from a backup taken mid-run ends equal to the scanners by (device_id, seq),
  nothing twice: scanners resend from the hub's signed high-water mark, and declare what they
  no longer hold.
"""

from __future__ import annotations

import base64
import resource
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import select

from scanner_app.app import App
from scanner_app.core.sealing import seal_json
from scanner_app.core.wire import DAY_KEYS_INFO, SIGNED_HEADER, encode_envelope, public_key_raw, sign_answer
from scanner_app.devkit.cards import DEMO_PEOPLE, issue, vaccination
from scanner_app.devkit.keys import demo_signer
from scanner_app.local.device import load_device, load_receipt
from scanner_app.services.enroll import EnrollError, EnrollProblem
from scanner_app.services.enroll import enroll as enroll_service
from scanner_app.sync.client import HubImpostor, HubUnavailable
from scanner_hub.db import events
from tests.hub_helpers import HubServer, _wait_until, free_port, postgres_database
from tests.test_hub_sync import enroll, hub, hub_keys, hub_url, queue_checks, relay, scanner_keys

__all__ = ["hub", "hub_url"]  # fixtures: a real hub on SQLite and on PostgreSQL
FUTURE = "2099-01-01T00:00:00+00:00"


class Impostor:
    """Whatever answers at the hub's address: its own identity key, a clock in 2099, every
    batch "stored", a bundle of 600 MB, its own sealing key at enrollment."""

    def __init__(self, signed: bool = True) -> None:
        self.key = ed25519.Ed25519PrivateKey.generate()
        self.seal = x25519.X25519PrivateKey.generate()
        self.signed = signed
        self.port = free_port()
        self.bundle_bytes_sent = 0
        app = FastAPI()

        def answer(kind: str, request_body: dict[str, Any] | None, **content: Any) -> dict[str, Any]:
            body = request_body or {}
            payload = {
                "kind": kind,
                "device_id": body.get("device_id"),
                "nonce": body.get("nonce"),
                "hub_time": FUTURE,
                **content,
            }
            return sign_answer(self.key, payload) if self.signed else payload

        @app.middleware("http")
        async def wrong_clock(request: Request, call_next: Any) -> Any:
            response = await call_next(request)
            response.headers["X-Hub-Time"] = FUTURE
            return response

        @app.post("/v1/enroll")
        async def enroll_(request: Request) -> Any:
            body = await request.json()
            device_seal = x25519.X25519PublicKey.from_public_bytes(base64.b64decode(body["seal_public_key"]))
            keys = seal_json(
                device_seal, {"zone": "+07:00", "keys": {"2099-01-01": "00" * 32}}, DAY_KEYS_INFO
            )
            envelope = answer(
                "enrollment",
                body,
                checkpoint_id="FAKE",
                checkpoint_type="road",
                hub_urls=[],
                tls_sha256=None,
                seal_public_key=self.seal.public_key().public_bytes_raw().hex(),
                day_keys=keys,
            )
            return {
                "hub_identity": base64.b64encode(public_key_raw(self.key.public_key())).decode(),
                "answer": envelope,
            }

        @app.post("/v1/devices/{device_id}/head")
        async def head(request: Request) -> Any:
            return answer("head", await request.json(), head_seq=10**6, head_hash="f" * 64)

        @app.post("/v1/batches")
        async def batches(request: Request) -> Any:
            body = await request.json()
            seqs = [r["seq"] for r in body["records"]]
            return JSONResponse(
                answer(
                    "receipt",
                    body,
                    stored=seqs,
                    already=[],
                    quarantined=[],
                    head_seq=max(seqs),
                    head_hash="f" * 64,
                    refused=None,
                )
            )

        @app.get("/v1/bundle")
        async def bundle(request: Request) -> Any:
            def zeros() -> Iterator[bytes]:
                chunk = b"\0" * (1 << 20)
                for _ in range(600):
                    self.bundle_bytes_sent += len(chunk)
                    yield chunk

            signed = answer(
                "bundle", {"nonce": request.headers.get("x-scanner-nonce")}, sha256="0" * 64, sequence=99
            )
            return StreamingResponse(
                zeros(), media_type="application/cose", headers={SIGNED_HEADER: encode_envelope(signed)}
            )

        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Impostor:
        self.thread.start()
        _wait_until(lambda: self.server.started, "impostor start")
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def green_card() -> str:
    now = datetime.now(UTC)
    return issue(
        vaccination(DEMO_PEOPLE[0], 2, 2, (now - timedelta(days=30)).date()),
        demo_signer(),
        now - timedelta(hours=1),
    )


@pytest.mark.parametrize("signed", [True, False], ids=["signed-by-its-own-key", "unsigned"])
def test_an_impostor_changes_nothing(hub: HubServer, data_dir: Path, tmp_path: Path, signed: bool) -> None:
    enroll(hub, data_dir)
    store = queue_checks(data_dir, 50)
    app = App(data_dir)
    floor_before = app.trust.floor
    with Impostor(signed=signed) as impostor:
        peak_before = _peak_rss_mb()
        fooled = relay(data_dir, store, impostor.url, timeout=30)
        with pytest.raises(HubUnavailable) as problem:
            fooled.cycle()
        fooled.client.close()
        assert isinstance(problem.value, HubImpostor) or "larger than" in str(problem.value)
        assert fooled.status.impostor is not None  # shown in the status line
        assert impostor.bundle_bytes_sent < 200 * (1 << 20)  # the scanner stopped reading the 600 MB
        assert _peak_rss_mb() - peak_before < 200
        assert store.queued_count() == 50  # no record looks sent
        assert load_receipt(data_dir, load_device(data_dir)) is None
        again = App(data_dir)
        assert again.trust.floor == floor_before and not again.trust.installed
        result = again.checker().check(green_card(), again.clock.now(), again.trust.floor)
        assert result.decision.value == "allow", result.reason  # the 2099 clock did not make it manual
        # enrollment against the impostor with a genuine code: refused, nothing saved
        stranger = tmp_path / "stranger"
        stranger.mkdir()
        victim = App(stranger)
        with pytest.raises(EnrollError) as refused:
            enroll_service(
                stranger,
                victim.device,
                victim.trust,
                victim.clock,
                [impostor.url],
                str(hub.hub.new_enrollment("KH-2", "road")),
            )
        assert refused.value.problem is EnrollProblem.IMPOSTOR
        assert not load_device(stranger).enrolled
    real = relay(data_dir, store, timeout=30)
    while store.queued_count():
        real.cycle()
    real.client.close()
    assert sorted(hub_keys(hub, load_device(data_dir).device_id)) == scanner_keys(store) == list(range(1, 51))
    store.close()


# -- a hub restored from a backup --------------------------------------------------------------


def _backup(server: HubServer, target: Path) -> None:
    url = server.hub.engine.url
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database)) as live, sqlite3.connect(target) as copy:
            live.backup(copy)
    else:
        subprocess.run(
            ["pg_dump", "-Fc", "-h", "127.0.0.1", "-U", "postgres", "-f", str(target), url.database],
            check=True,
        )


def _restore(server_url: str, backup: Path, tmp_path: Path) -> Iterator[str]:
    if server_url.startswith("sqlite"):
        restored = tmp_path / "restored.db"
        shutil.copyfile(backup, restored)
        yield f"sqlite:///{restored}"
        return
    with postgres_database() as fresh:
        name = fresh.rsplit("/", 1)[1]
        subprocess.run(
            ["pg_restore", "-h", "127.0.0.1", "-U", "postgres", "-d", name, str(backup)], check=True
        )
        yield fresh


def test_a_hub_restored_from_a_backup_gets_back_what_it_lost(hub_url: str, tmp_path: Path) -> None:
    keys = tmp_path / "hubkeys"
    keys.mkdir()
    scanners = [tmp_path / "north", tmp_path / "south"]
    backup = tmp_path / "hub.backup"
    with HubServer(hub_url, keys) as hub_server:
        for folder in scanners:
            folder.mkdir()
            enroll(hub_server, folder)
        _scan_and_sync(hub_server.url, scanners, 30)
        _backup(hub_server, backup)  # last night's backup
        _scan_and_sync(hub_server.url, scanners, 20)  # acknowledged, then lost with the database
        south = App(scanners[1])
        store = south.open_store(purge=False)
        store.config = south.store_config()
        gone = store.purge(datetime.now(UTC) + timedelta(days=365), confirmed_seq=40)  # south purged 1..40
        store.close()
        assert gone == 40
    for restored in _restore(hub_url, backup, tmp_path):
        with HubServer(restored, keys) as again:
            _scan_and_sync(again.url, scanners, 10)  # the next sync heals
            for folder in scanners:
                store = App(folder).open_store(purge=False)
                held = hub_keys(again, load_device(folder).device_id)
                assert len(held) == len(set(held))  # nothing twice
                local = scanner_keys(store)
                store.close()
                if folder == scanners[0]:
                    assert sorted(held) == local == list(range(1, 61))
                else:  # 31..40 were purged here before the hub lost them: declared lost
                    assert sorted(held) == [*range(1, 31), *local] and local == list(range(41, 61))
            with again.hub.engine.connect() as connection:
                kinds = [r.kind for r in connection.execute(select(events.c.kind))]
            assert kinds.count("records_lost") == 1


def _scan_and_sync(url: str, scanners: list[Path], count: int) -> None:
    for folder in scanners:
        store = queue_checks(folder, count)
        sync = relay(folder, store, url, timeout=30)
        while store.queued_count():
            sync.cycle()
        sync.client.close()
        store.close()


def test_audit_verify_checks_the_log_against_the_hubs_signed_receipt(hub: HubServer, data_dir: Path) -> None:
    """A thief who rewrites the whole local chain consistently still fails `audit verify`:
    the hub's signed receipt names the hash of the last record it holds."""
    from scanner_app.core.chain import GENESIS, row_hash
    from tests.cli_helpers import cli

    enroll(hub, data_dir)
    store = queue_checks(data_dir, 12)
    sync = relay(data_dir, store, timeout=30)
    sync.cycle()
    sync.client.close()
    assert cli("--data-dir", str(data_dir), "audit", "verify").code == 0
    rows = list(store.rows())
    prev = GENESIS
    with store.db.conn:  # every record rewritten with a changed decision, the chain made whole again
        for row in rows:
            row["decision"], row["prev_hash"] = "allow", prev
            row["row_hash"] = prev = row_hash(row)
            store.db.execute(
                "update checks set decision = ?, prev_hash = ?, row_hash = ? where seq = ?",
                [row["decision"], row["prev_hash"], row["row_hash"], row["seq"]],
            )
        store.db.execute("update meta set value = ? where key = 'head'", [f'[{rows[-1]["seq"]}, "{prev}"]'])
    assert store.verify().ok  # the local chain alone says nothing
    store.close()
    run = cli("--data-dir", str(data_dir), "audit", "verify")
    assert run.code == 1 and "DOES NOT MATCH the hub's signed receipt" in run.out, run.out
    assert "checked against" in run.out and "receipt" in run.out
