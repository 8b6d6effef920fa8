"""The hub's HTTP API from the scanner's side (httpx), protocol 2.

Every answer that changes this scanner's state must be signed by the hub identity pinned at
enrollment and must answer this very request (its nonce); anything else raises `HubImpostor`
and changes nothing. Answers are read as a stream and refused past a size cap, so a hostile
"hub" cannot fill the laptop's memory. With a pinned TLS certificate only that certificate is
accepted; several hub addresses are tried in turn.
"""

from __future__ import annotations

import hashlib
import json
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519

from scanner_app.core.wire import (
    NONCE_HEADER,
    SIGNED_HEADER,
    AnswerError,
    decode_envelope,
    head_request,
    new_nonce,
    open_answer,
    sign_request,
)

MAX_ANSWER = 1024 * 1024  # JSON answers: receipts, heads, enrollment
MAX_BUNDLE = 64 * 1024 * 1024  # a bundle with a million revocations is 26 MB


class HubUnavailable(Exception):
    """No usable answer: unreachable, timed out, reset, or a 5xx/429 to retry later."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class HubImpostor(HubUnavailable):
    """An answer not signed by the pinned hub (or not for this request): ignored, retried
    later, shown in the status line. Whoever answered may not be the hub."""


class HubRefused(Exception):
    """The hub answered and said no (4xx): retrying the same request will not help."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body.get('problem', '')} {body.get('detail', '')}".strip())
        self.status = status
        self.body = body
        self.problem = str(body.get("problem", ""))


@dataclass
class Answer:
    status: int
    body: Any
    headers: httpx.Headers
    content: bytes = b""


@dataclass(frozen=True)
class Signed:
    """A verified signed answer: its HTTP status and payload (and the envelope, to keep)."""

    status: int
    payload: dict[str, Any]
    envelope: dict[str, str]
    content: bytes = b""
    etag: str | None = None


def tls_context(pem: str | None) -> ssl.SSLContext | bool:
    """Only the pinned certificate (no CA, no hostname: the certificate itself is the pin);
    without a pin, the usual CA checks (a hub behind a proxy with a public certificate)."""
    if pem is None:
        return True
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False
    return context


def fetch_certificate(url: str, timeout: float = 10.0) -> str | None:
    """The certificate an https address presents, unverified (enrollment checks it against
    the fingerprint in the hub's signed answer); None for http."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return None
    try:
        return ssl.get_server_certificate((parts.hostname or "", parts.port or 443), timeout=timeout)
    except OSError as exc:
        raise HubUnavailable(f"cannot reach {url}: {exc}") from exc


class HubClient:
    def __init__(
        self,
        urls: str | Sequence[str],
        *,
        hub_key: ed25519.Ed25519PublicKey | None = None,
        tls_pem: str | None = None,
        device_id: str | None = None,
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
        max_bundle: int = MAX_BUNDLE,
    ) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls:
            raise ValueError("no hub address")
        self.hub_key = hub_key
        self.device_id = device_id
        self.max_bundle = max_bundle
        self.http = httpx.Client(
            timeout=timeout,
            transport=transport,
            verify=tls_context(tls_pem),
            headers={"User-Agent": "scanner-app/2"},
        )
        self._current = 0

    def close(self) -> None:
        self.http.close()

    # -- transport -----------------------------------------------------------------------

    def _call(self, method: str, path: str, limit: int = MAX_ANSWER, **kwargs: Any) -> Answer:
        """Each address in turn, starting with the last one that answered."""
        problems = []
        for step in range(len(self.urls)):
            index = (self._current + step) % len(self.urls)
            try:
                answer = self._call_one(self.urls[index].rstrip("/") + path, method, limit, **kwargs)
            except HubUnavailable as exc:
                problems.append(exc)
                continue
            self._current = index
            return answer
        if len(problems) == 1:
            raise problems[0]
        raise HubUnavailable("; ".join(str(p) for p in problems), problems[-1].retry_after)

    def _call_one(self, url: str, method: str, limit: int, **kwargs: Any) -> Answer:
        try:
            with self.http.stream(method, url, **kwargs) as response:
                content = _read_capped(response, limit)
        except httpx.HTTPError as exc:  # connect error, timeout, reset, protocol error, bad TLS
            raise HubUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise HubUnavailable(
                f"hub answered {response.status_code}", _retry_after(response.headers.get("Retry-After"))
            )
        body: Any = None
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                body = json.loads(content)
            except ValueError as exc:
                raise HubUnavailable("hub answered with broken JSON") from exc
        if 400 <= response.status_code < 500 and response.status_code not in (404, 409):
            raise HubRefused(response.status_code, body if isinstance(body, dict) else {})
        return Answer(response.status_code, body, response.headers, content)

    def _open(
        self, envelope: object, kind: str, nonce: str, *, for_device: bool = True
    ) -> tuple[dict[str, Any], dict[str, str]]:
        if self.hub_key is None:
            raise HubImpostor("no hub identity pinned: enroll first")
        device_id = self.device_id if for_device else None
        try:
            payload = open_answer(envelope, self.hub_key, kind=kind, device_id=device_id, nonce=nonce)
        except AnswerError as exc:
            raise HubImpostor(str(exc)) from exc
        assert isinstance(envelope, dict)
        return payload, envelope

    # -- requests --------------------------------------------------------------------------

    def enroll(self, request: dict[str, Any]) -> Answer:
        """Unpinned by nature: the caller verifies the answer against the code's fingerprint."""
        return self._call("POST", "/v1/enroll", json=request)

    def send_batch(self, batch: dict[str, Any]) -> Signed:
        """The hub's signed receipt for `batch` (status 200, or 409 for a gap)."""
        answer = self._call("POST", "/v1/batches", json=batch)
        if answer.status == 404:
            raise HubRefused(
                404, answer.body if isinstance(answer.body, dict) else {"problem": "unknown_device"}
            )
        payload, envelope = self._open(answer.body, "receipt", str(batch["nonce"]))
        return Signed(answer.status, payload, envelope)

    def head(self, signing_key: ed25519.Ed25519PrivateKey, status: dict[str, Any] | None = None) -> Signed:
        """What the hub holds of this device's log, signed: the high-water mark to resend from.
        `status` (queued, bundle sequence, clock, version) goes with the signed request."""
        assert self.device_id is not None
        nonce = new_nonce()
        request = sign_request(head_request(self.device_id, nonce, status), signing_key)
        answer = self._call("POST", f"/v1/devices/{self.device_id}/head", json=request)
        if answer.status == 404:
            raise HubRefused(
                404, answer.body if isinstance(answer.body, dict) else {"problem": "unknown_device"}
            )
        payload, envelope = self._open(answer.body, "head", nonce)
        return Signed(answer.status, payload, envelope)

    def bundle(self, etag: str | None) -> Signed:
        """200 with the bundle (its digest checked against the signed metadata), 304 nothing
        newer, 404 nothing published."""
        nonce = new_nonce()
        headers = {NONCE_HEADER: nonce, **({"If-None-Match": etag} if etag else {})}
        answer = self._call("GET", "/v1/bundle", self.max_bundle, headers=headers)
        envelope = decode_envelope(answer.headers.get(SIGNED_HEADER))
        payload, envelope = self._open(
            envelope, "bundle", nonce, for_device=False
        )  # the same for every device
        if answer.status == 200 and hashlib.sha256(answer.content).hexdigest() != payload.get("sha256"):
            raise HubImpostor("the bundle does not match the hub's signed digest")
        return Signed(answer.status, payload, envelope, answer.content, answer.headers.get("ETag"))


def _read_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HubUnavailable(f"the answer is larger than {limit} bytes: refused")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise HubUnavailable(f"the answer is larger than {limit} bytes: refused")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        return None
