"""Limits an unknown client meets before the hub does any work for it: a request body cap
enforced while the body is read (a huge upload is refused after `limit` bytes, never held in
memory), and a per-address rate limit for guessing enrollment codes."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyLimit:
    """Pure ASGI middleware: 413 for a declared Content-Length over `limit`, and for a body
    (chunked, or lying about its length) that grows past it. The body is read here, at most
    `limit` bytes of it, before the application sees the request; then it is replayed."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(
        self, scope: Scope, receive: Callable[[], Any], send: Callable[[Message], Any]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send, self.limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message: Message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(send, self.limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: a disconnect, when it comes

        await self.app(scope, replay, send)


async def _too_large(send: Callable[[Message], Any], limit: int) -> None:
    body = json.dumps({"problem": "too_large", "detail": f"the request body is over {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """At most `attempts` per `per_seconds` for each key (a client address); `hit` returns
    None when allowed, else the seconds to wait. Thread-safe; the clock is injectable."""

    def __init__(
        self, attempts: int, per_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.attempts = attempts
        self.per_seconds = per_seconds
        self.clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        now = self.clock()
        with self._lock:
            seen = self._seen[key]
            while seen and seen[0] <= now - self.per_seconds:
                seen.popleft()
            if len(seen) >= self.attempts:
                return seen[0] + self.per_seconds - now
            seen.append(now)
            if len(self._seen) > 10_000:  # forget idle addresses: bounded memory under a scan
                for idle in [k for k, v in self._seen.items() if not v]:
                    del self._seen[idle]
            return None
