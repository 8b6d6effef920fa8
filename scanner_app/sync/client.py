"""The hub's HTTP API from the scanner's side (httpx). Every answer carries the hub's time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from scanner_app.core.wire import HUB_TIME_HEADER


class HubUnavailable(Exception):
    """No usable answer: unreachable, timed out, reset, or a 5xx/429 to retry later."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class HubRefused(Exception):
    """The hub answered and said no (4xx): retrying the same request will not help."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body.get('problem', '')} {body.get('detail', '')}".strip())
        self.status = status
        self.body = body


@dataclass
class Answer:
    status: int
    body: Any
    hub_time: datetime | None
    etag: str | None = None
    content: bytes = b""


class HubClient:
    def __init__(
        self, base_url: str, *, timeout: float = 20.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "scanner-app"},
        )

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:  # connect error, timeout, reset, protocol error
            raise HubUnavailable(f"{type(exc).__name__}: {exc}") from exc
        hub_time = _time(response.headers.get(HUB_TIME_HEADER))
        if response.status_code == 429 or response.status_code >= 500:
            raise HubUnavailable(
                f"hub answered {response.status_code}",
                _retry_after(response.headers.get("Retry-After")),
            )
        body: Any = None
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                body = response.json()
            except ValueError as exc:
                raise HubUnavailable("hub answered with broken JSON") from exc
        if 400 <= response.status_code < 500 and response.status_code not in (404, 409):
            raise HubRefused(response.status_code, body or {})
        return Answer(response.status_code, body, hub_time, response.headers.get("ETag"), response.content)

    def enroll(self, code: str, public_key_pem: str, device_id: str) -> Answer:
        return self._call(
            "POST",
            "/v1/enroll",
            json={"code": code, "public_key": public_key_pem, "device_id": device_id},
        )

    def send_batch(self, batch: dict[str, Any]) -> Answer:
        return self._call("POST", "/v1/batches", json=batch)

    def head(self, device_id: str) -> Answer:
        return self._call("GET", f"/v1/devices/{device_id}/head")

    def bundle(self, etag: str | None) -> Answer:
        return self._call("GET", "/v1/bundle", headers={"If-None-Match": etag} if etag else {})


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _retry_after(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        return None
