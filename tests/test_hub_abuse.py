"""The hub checks before it works (issue 13), played by an unknown client against a real hub
on 127.0.0.1 (SQLite and PostgreSQL): no partition, row or memory for an unauthenticated
sender; one device per code under concurrency; a body limit while reading; revocation;
hostile values answered without a server error; records that contradict the enrollment
stored flagged; enrollment attempts rate-limited."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from sqlalchemy import func, select, text

from scanner_app.core.chain import GENESIS, row_hash
from scanner_app.core.wire import (
    EnrollmentCode,
    enrollment_body,
    head_request,
    new_nonce,
    sign_batch,
    sign_request,
)
from scanner_app.local.device import load_device
from scanner_hub.db import checks, devices, is_postgres, quarantine
from scanner_hub.limits import RateLimiter
from tests.hub_helpers import HubServer
from tests.test_hub_sync import enroll, hub, hub_url, queue_checks, relay

__all__ = ["hub", "hub_url"]  # fixtures: a real hub on SQLite and on PostgreSQL


def _partitions(server: HubServer) -> int:
    with server.hub.engine.connect() as connection:
        if not is_postgres(connection):
            return 0
        return int(
            connection.execute(
                text("select count(*) from pg_inherits where inhparent = 'checks'::regclass")
            ).scalar_one()
        )


def _count(server: HubServer, table: object) -> int:
    with server.hub.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def record_chain(device_id: str, days: int, *, start: datetime, **fields: object) -> list[dict[str, object]]:
    """`days` well-formed chained records, one a day back from `start`."""
    records, prev = [], GENESIS
    for seq in range(1, days + 1):
        record: dict[str, object] = {
            "seq": seq,
            "id": f"rec-{seq}",
            "wall_time": (start - timedelta(days=days - seq)).isoformat(),
            "monotonic": float(seq),
            "session": "s",
            "device_id": device_id,
            "checkpoint_id": "KH-TEST-01",
            "checkpoint_type": "road",
            "level": 1,
            "operator": "",
            "format": "hc1",
            "issuer": "VN",
            "kid": None,
            "certificate_type": "v",
            "valid": 1,
            "colour": "green",
            "decision": "allow",
            "reason": "ok",
            "profile_id": "VN-KH-2021-10",
            "profile_version": "1",
            "policy_id": "P",
            "policy_version": "1",
            "cert_hash": None,
            "flags": "",
            "sealed": None,
            "prev_hash": prev,
            **fields,
        }
        record["row_hash"] = prev = row_hash(record)
        records.append(record)
    return records


# -- nothing for an unauthenticated sender -------------------------------------------------------


def test_an_unauthenticated_300_day_batch_creates_nothing(hub: HubServer, data_dir: Path) -> None:
    enroll(hub, data_dir)
    device = load_device(data_dir)
    now = datetime.now(UTC)
    before = _partitions(hub)
    stranger = ed25519.Ed25519PrivateKey.generate()
    http = httpx.Client(base_url=hub.url, timeout=30)
    unknown = sign_batch("dev-nobody", record_chain("dev-nobody", 300, start=now), stranger)
    assert http.post("/v1/batches", json=unknown).status_code == 404
    forged = sign_batch(device.device_id, record_chain(device.device_id, 300, start=now), stranger)
    assert http.post("/v1/batches", json=forged).status_code == 401
    assert _partitions(hub) == before
    assert _count(hub, checks) == 0 and _count(hub, quarantine) == 0
    # signed by the device: partitions only for the window's days, the rest stored flagged
    genuine = sign_batch(device.device_id, record_chain(device.device_id, 300, start=now), device.signing_key)
    assert http.post("/v1/batches", json=genuine).status_code == 200
    http.close()
    assert _partitions(hub) <= before + hub.hub.config.rules.window_days + 2
    with hub.hub.engine.connect() as connection:
        flagged = connection.execute(
            select(func.count()).select_from(checks).where(checks.c.hub_flags.like("%outside_window%"))
        ).scalar_one()
    assert flagged == 300 - hub.hub.config.rules.window_days - 1 and _count(hub, checks) == 300


def test_one_code_enrolls_exactly_one_device_under_concurrency(hub: HubServer) -> None:
    code = hub.hub.new_enrollment("KH-RACE", "road")

    def attempt(number: int) -> int:
        key = ed25519.Ed25519PrivateKey.generate()
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        seal = (
            x25519.X25519PrivateKey.generate()
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        body = enrollment_body(code, f"dev-race-{number}", pem.decode(), seal, new_nonce())
        with httpx.Client(base_url=hub.url, timeout=30) as http:
            return http.post("/v1/enroll", json=sign_request(body, key)).status_code

    barrier = threading.Barrier(8)

    def racing(number: int) -> int:
        barrier.wait()
        return attempt(number)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(racing, range(8)))
    assert statuses == [200] + [403] * 7
    assert _count(hub, devices) == 1


def test_a_repeated_enrollment_by_the_same_device_gets_the_same_answer(hub: HubServer) -> None:
    """The hub committed but its answer was lost (a failover, a dropped connection): the device
    sends the same enrollment again and is enrolled, not refused as 'device_exists'. The same
    device name with other keys, or with another code, is still a second device: refused."""
    code = hub.hub.new_enrollment("KH-AGAIN", "road")
    other_code = hub.hub.new_enrollment("KH-OTHER", "road")

    def keys() -> tuple[ed25519.Ed25519PrivateKey, str, bytes]:
        key = ed25519.Ed25519PrivateKey.generate()
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        seal = (
            x25519.X25519PrivateKey.generate()
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return key, pem.decode(), seal

    def post(
        code_used: EnrollmentCode, key: ed25519.Ed25519PrivateKey, pem: str, seal: bytes
    ) -> httpx.Response:
        body = enrollment_body(code_used, "dev-again", pem, seal, new_nonce())
        with httpx.Client(base_url=hub.url, timeout=30) as http:
            return http.post("/v1/enroll", json=sign_request(body, key))

    key, pem, seal = keys()
    first, again = post(code, key, pem, seal), post(code, key, pem, seal)
    assert first.status_code == again.status_code == 200
    assert again.json()["hub_identity"] == first.json()["hub_identity"]
    assert _count(hub, devices) == 1
    impostor = keys()
    assert post(code, *impostor).json()["problem"] == "device_exists"
    assert post(other_code, key, pem, seal).json()["problem"] == "device_exists"
    assert _count(hub, devices) == 1


def _raw_post(server: HubServer, path: str, *, declared_length: int, body: bytes) -> bytes:
    """A request that says it carries `declared_length` bytes (no client library sends that
    without the bytes)."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {declared_length}\r\n\r\n"
        )
        sock.sendall(head.encode() + body)
        return sock.recv(4096)


def test_a_huge_body_is_refused_while_it_is_read(hub: HubServer) -> None:
    assert _raw_post(hub, "/v1/batches", declared_length=10**9, body=b"[").startswith(b"HTTP/1.1 413")
    sent = 0

    def gigabyte() -> Iterator[bytes]:  # chunked: no length to refuse up front
        nonlocal sent
        chunk = b" " * (1 << 20)
        for _ in range(1024):
            sent += len(chunk)
            yield chunk

    with httpx.Client(base_url=hub.url, timeout=60) as streaming:
        try:
            answer = streaming.post(
                "/v1/batches", content=gigabyte(), headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 413
        except httpx.TransportError:
            pass  # the hub answered 413 and closed while the body was still coming
    assert sent < 200 * (1 << 20)  # it stopped reading long before a gigabyte
    assert httpx.get(f"{hub.url}/v1/health").status_code == 200


def test_a_revoked_device_is_refused(hub: HubServer, data_dir: Path) -> None:
    from scanner_app.sync.client import HubRefused
    from scanner_hub.cli import main as hub_main

    enroll(hub, data_dir)
    store = queue_checks(data_dir, 5)
    sync = relay(data_dir, store, timeout=10)
    sync.cycle()
    device_id = load_device(data_dir).device_id
    url = hub.hub.engine.url.render_as_string(hide_password=False)
    keys = str(data_dir.parent / "hubkeys")
    assert (
        hub_main(
            ["--data-dir", keys, "devices", "revoke", device_id, "--db", url, "--reason", "laptop stolen"]
        )
        == 0
    )
    store.close()
    store = queue_checks(data_dir, 3)
    sync.outbox = store
    with pytest.raises(HubRefused) as refused:
        sync.cycle()
    assert refused.value.status == 403 and refused.value.problem == "device_revoked"
    assert store.queued_count() == 3
    listing = hub.hub.device_list()
    assert listing[0]["revoked_reason"] == "laptop stolen"
    sync.client.close()
    store.close()


def test_the_head_endpoint_needs_the_device_signature(hub: HubServer, data_dir: Path) -> None:
    enroll(hub, data_dir)
    device = load_device(data_dir)
    http = httpx.Client(base_url=hub.url)
    path = f"/v1/devices/{device.device_id}/head"
    stranger = ed25519.Ed25519PrivateKey.generate()
    assert (
        http.post(path, json=sign_request(head_request(device.device_id, new_nonce()), stranger)).status_code
        == 401
    )
    assert http.post(path, json=head_request(device.device_id, new_nonce())).status_code == 422
    assert http.get(path).status_code == 405
    mine = http.post(path, json=sign_request(head_request(device.device_id, new_nonce()), device.signing_key))
    assert mine.status_code == 200 and set(mine.json()) == {"signed", "signature"}
    http.close()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/enroll", {"code": "AB\x00CD", "device_id": "dev\ud800x"}),
        ("/v1/batches", {"device_id": "dev\x00", "nonce": "n" * 10, "records": [{}], "signature": "x"}),
        (
            "/v1/batches",
            {"device_id": "dev-a", "nonce": "n" * 10, "records": [{"seq": 2**63}], "signature": "AA=="},
        ),
        (
            "/v1/batches",
            {"device_id": "dev-a", "nonce": "n" * 10, "records": [{"seq": -(2**70)}], "signature": "AA=="},
        ),
        (
            "/v1/devices/dev%00x/head",
            {"kind": "head", "device_id": "dev\x00x", "nonce": "n" * 10, "signature": "AA=="},
        ),
        ("/v1/devices/%ED%A0%80/head", {}),
    ],
)
def test_hostile_values_get_an_answer_not_a_server_error(
    hub: HubServer, path: str, body: dict[str, object]
) -> None:
    raw = json.dumps(body, ensure_ascii=True)  # \u0000 and \ud800 travel as JSON escapes
    answer = httpx.post(hub.url + path, content=raw, headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.text


def test_hostile_records_from_a_genuine_device_are_quarantined_not_fatal(
    hub: HubServer, data_dir: Path
) -> None:
    enroll(hub, data_dir)
    device = load_device(data_dir)
    now = datetime.now(UTC)
    good = record_chain(device.device_id, 3, start=now)
    hostile = dict(good[1], issuer="V\x00N" + "\ud800" * 3, level=2**63)
    hostile["row_hash"] = good[1]["row_hash"]  # the device's claimed link stays, the content is bad
    batch = sign_batch(device.device_id, [good[0], hostile, good[2]], device.signing_key)
    answer = httpx.post(
        hub.url + "/v1/batches",
        content=json.dumps(batch, ensure_ascii=True),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    receipt = json.loads(base64.b64decode(answer.json()["signed"]))
    assert receipt["stored"] == [1, 3] and [q["seq"] for q in receipt["quarantined"]] == [2]
    assert receipt["head_seq"] == 3
    with hub.hub.engine.connect() as connection:
        kept = connection.execute(select(quarantine.c.problem, quarantine.c.record)).one()
    assert "level" in kept.problem and "\\u0000" in kept.record


def test_records_that_contradict_the_enrollment_are_stored_flagged(
    hub: HubServer, data_dir: Path, tmp_path: Path
) -> None:
    from scanner_hub.cli import main as hub_main

    enroll(hub, data_dir)
    device = load_device(data_dir)
    now = datetime.now(UTC)
    records = record_chain(device.device_id, 1, start=now, checkpoint_id="ELSEWHERE", checkpoint_type="event")
    records += record_chain(device.device_id, 1, start=now, level=9)[:0]  # a second chain is built below
    second = dict(records[0], seq=2, id="rec-2", level=9, checkpoint_id="KH-TEST-01", checkpoint_type="road")
    second["prev_hash"], second["wall_time"] = records[0]["row_hash"], (now + timedelta(days=30)).isoformat()
    second["row_hash"] = row_hash(second)
    batch = sign_batch(device.device_id, [records[0], second], device.signing_key)
    assert httpx.post(hub.url + "/v1/batches", json=batch).status_code == 200
    with hub.hub.engine.connect() as connection:
        flags = dict(connection.execute(select(checks.c.seq, checks.c.hub_flags)).all())
    assert set(flags[1].split(",")) == {"checkpoint_mismatch", "type_mismatch"}
    assert set(flags[2].split(",")) == {"level_invalid", "future_time", "outside_window"}
    out = tmp_path / "district.csv"
    url = hub.hub.engine.url.render_as_string(hide_password=False)
    keys = str(data_dir.parent / "hubkeys")
    day = now.astimezone().date().isoformat()
    assert (
        hub_main(
            ["--data-dir", keys, "export", "--db", url, "--date", day, "--format", "csv", "--out", str(out)]
        )
        == 0
    )
    exported = out.read_text(encoding="utf-8-sig")
    assert "checkpoint_mismatch" in exported and "type_mismatch" in exported


def test_enrollment_attempts_are_rate_limited_per_address(tmp_path: Path) -> None:
    keys = tmp_path / "hubkeys"
    keys.mkdir()
    with HubServer(f"sqlite:///{tmp_path / 'hub.db'}", keys, limiter=RateLimiter(3, 60)) as server:
        real = server.hub.new_enrollment("KH-1", "road")
        key = ed25519.Ed25519PrivateKey.generate()
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

        def guess(code: EnrollmentCode) -> httpx.Response:
            body = enrollment_body(code, "dev-guesser", pem.decode(), b"\x01" * 32, new_nonce())
            return httpx.post(f"{server.url}/v1/enroll", json=sign_request(body, key))

        wrong = EnrollmentCode("AAAAAAAAAA", real.fingerprint)
        assert [guess(wrong).status_code for _ in range(3)] == [403, 403, 403]
        fourth = guess(real)  # even the right code waits now
        assert fourth.status_code == 429 and int(fourth.headers["Retry-After"]) > 0


def test_partition_window_is_today_minus_window_to_tomorrow() -> None:
    from scanner_hub.ingest import IngestRules

    rules = IngestRules(window_days=30)
    low, high = rules.day_window(datetime(2021, 10, 20, 23, 0, tzinfo=UTC))
    assert (low, high) == (date(2021, 9, 20), date(2021, 10, 21))
