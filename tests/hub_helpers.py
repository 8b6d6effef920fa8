"""A real hub on 127.0.0.1 (uvicorn in a thread), a fault-injecting TCP proxy in front of
it, and PostgreSQL databases made and dropped per test."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from scanner_hub.api import DEFAULT_BODY_LIMIT, create_app
from scanner_hub.keys import load_hub_keys, make_tls_certificate, tls_fingerprint
from scanner_hub.limits import RateLimiter
from scanner_hub.service import Hub, HubConfig

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until(predicate, what: str, limit: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {limit} s")
        time.sleep(0.01)  # start-up polling, bounded; never used to wait for a test result


class HubServer:
    """A real hub on 127.0.0.1. Tests enroll many devices from this one address, so the
    enrollment rate limit is generous unless a test passes its own `limiter`; `tls` serves
    HTTPS with a self-signed certificate made in `data_dir`."""

    def __init__(
        self,
        url: str,
        data_dir: Path,
        *,
        limiter: RateLimiter | None = None,
        tls: bool = False,
        body_limit: int = DEFAULT_BODY_LIMIT,
        port: int | None = None,
        certificate: tuple[Path, Path] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.scheme = "https" if tls or certificate else "http"
        cert = key = None
        if certificate is not None:
            cert, key = certificate
        elif tls:
            cert, key = make_tls_certificate(data_dir, ["127.0.0.1", "localhost"])
        self.tls_paths = (cert, key) if cert and key else None
        config_hub = HubConfig(
            public_urls=(f"{self.scheme}://127.0.0.1:{self.port}",),
            tls_sha256=tls_fingerprint(cert) if cert else None,
        )
        self.hub = Hub.open(url, load_hub_keys(data_dir), config_hub)
        config = uvicorn.Config(
            create_app(self.hub, enroll_limiter=limiter or RateLimiter(10_000, 60), body_limit=body_limit),
            ssl_certfile=str(cert) if cert else None,
            ssl_keyfile=str(key) if key else None,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> HubServer:
        self.thread.start()
        _wait_until(lambda: self.server.started, "hub start")
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.hub.engine.dispose()


class FaultProxy:
    """TCP proxy with switchable faults between the scanner and the hub:
    normal | down | http500 | http503 (with Retry-After) | timeout | reset | lose_response | slow.
    `timeout`, `reset` and `lose_response` pass the whole request to the hub and lose its
    answer (counted in `forwarded`): the hub may have committed what the scanner never hears of."""

    def __init__(self, upstream_port: int, tls: tuple[Path, Path] | None = None) -> None:
        """`tls`: the hub's certificate and key, to terminate TLS as a reverse proxy holding
        them would, so that HTTP-level faults (a lost answer) still apply over https."""
        self.upstream_port = upstream_port
        self.tls = tls
        self._server_tls: ssl.SSLContext | None = None
        self._client_tls: ssl.SSLContext | None = None
        if tls is not None:
            self._server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._server_tls.load_cert_chain(str(tls[0]), str(tls[1]))
            self._client_tls = ssl.create_default_context(cafile=str(tls[0]))
            self._client_tls.check_hostname = False
        self.port = free_port()
        self.mode = "normal"
        self.forwarded: dict[str, int] = {}  # requests a fault mode passed on to the hub before failing
        self.holding = threading.Event()  # a batch's answer is being held (hold_batch_answer)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.base_events.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()  # strong references until they finish
        self._writers: set[asyncio.StreamWriter] = set()  # aborted at shutdown (TLS closes lazily)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        self.set_mode("normal")
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _shutdown(self) -> None:
        await self._stop_listening()
        pending = [
            *self._handlers,
            *(t for t in asyncio.all_tasks() if t is not asyncio.current_task()),
        ]
        for task in pending:
            task.cancel()  # handlers close their sockets in `finally`
        await asyncio.gather(*pending, return_exceptions=True)
        for writer in self._writers:
            writer.transport.abort()  # a TLS transport would otherwise close after the loop stops

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        listening = mode != "down"
        future = asyncio.run_coroutine_threadsafe(
            self._listen() if listening else self._stop_listening(), self.loop
        )
        future.result(10)

    async def _listen(self) -> None:
        if self.server is None:
            self.server = await asyncio.start_server(
                self._handle, "127.0.0.1", self.port, reuse_address=True, ssl=self._server_tls
            )

    async def _stop_listening(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        try:
            await self._serve(reader, writer)
        finally:
            self._handlers.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self.mode
        try:
            if mode in ("lose_response", "hold_batch_answer"):
                await self._lose_batch_answers(reader, writer, hold=mode == "hold_batch_answer")
                return
            if mode in ("http500", "http503"):
                await reader.read(65536)
                status = b"500 Internal Server Error" if mode == "http500" else b"503 Service Unavailable"
                retry = b"Retry-After: 120\r\n" if mode == "http503" else b""
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\n"
                    + retry
                    + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                )
                await writer.drain()
                return
            if mode in ("timeout", "reset"):  # the hub gets the request and answers; the scanner never hears
                await self._forward_then_fail(reader, writer, mode)
                return
            up_reader, up_writer = await self._upstream()
            delay = 0.02 if mode == "slow" else 0.0
            to_hub = asyncio.create_task(self._pipe(reader, up_writer, delay))
            try:
                await self._pipe(up_reader, writer, delay)
            finally:
                to_hub.cancel()
                up_writer.close()
        except (ConnectionError, asyncio.CancelledError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _forward_then_fail(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, mode: str
    ) -> None:
        """The whole request reaches the hub (which may commit it); its answer does not come
        back: the connection hangs (`timeout`) or is reset (`reset`)."""
        request = await self._message(reader)
        up_reader, up_writer = await self._upstream()
        try:
            up_writer.write(request)
            await up_writer.drain()
            await self._message(up_reader)
            self.forwarded[mode] = self.forwarded.get(mode, 0) + 1
        finally:
            up_writer.close()
        if mode == "timeout":
            await asyncio.sleep(3600)
        else:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    async def _upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port, ssl=self._client_tls)
        self._writers.add(writer)
        return reader, writer

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
        while data := await reader.read(16384):
            if delay:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()

    @staticmethod
    async def _message(reader: asyncio.StreamReader) -> bytes:
        """One HTTP/1.1 message (head and Content-Length body)."""
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return head + await reader.readexactly(length)

    async def _lose_batch_answers(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, hold: bool = False
    ) -> None:
        """Forward each request; pass answers back, except a batch's: the hub committed it,
        and the scanner never hears so (the connection drops, or with `hold` it hangs while
        a test kills the scanner)."""
        up_reader, up_writer = await self._upstream()
        try:
            while True:
                request = await self._message(reader)
                up_writer.write(request)
                await up_writer.drain()
                answer = await self._message(up_reader)
                if request.startswith(b"POST /v1/batches"):
                    key = "hold_batch_answer" if hold else "lose_response"
                    self.forwarded[key] = self.forwarded.get(key, 0) + 1
                    if hold:
                        self.holding.set()
                        await asyncio.sleep(3600)
                    return  # connection dropped with the answer
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            return
        finally:
            up_writer.close()
            writer.close()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    name = f"hub_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        message = f"PostgreSQL on 127.0.0.1:5432 is not available ({type(exc).__name__})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
