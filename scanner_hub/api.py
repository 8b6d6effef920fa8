"""The hub's HTTP API (FastAPI), protocol 2. OpenAPI description at /openapi.json.

Before any work: a request body limit enforced while reading (413), a shape check (422), the
device's signature (401/403/404); enrollment attempts are rate-limited per client address
(429). Every answer that changes a scanner's state is a signed envelope (`core/wire.py`);
`X-Hub-Time` on every response is informational only (scanners trust the signed time).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Header, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from scanner_app.core.wire import HUB_TIME_HEADER, NONCE_HEADER, SIGNED_HEADER, encode_envelope
from scanner_hub.ingest import IngestRefused
from scanner_hub.limits import BodyLimit, RateLimiter
from scanner_hub.service import FAILOVER_RETRY_AFTER, Hub

DEFAULT_BODY_LIMIT = 8 * 1024 * 1024
DEVICE_ID = r"^[A-Za-z0-9._-]{3,64}$"
NONCE = r"^[A-Za-z0-9_-]{8,64}$"
B64 = r"^[A-Za-z0-9+/=]{1,200}$"


class EnrollRequest(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9]{4,32}$")
    hub_fingerprint: str = Field(pattern=r"^[A-Z2-7]{20}$")
    device_id: str = Field(pattern=DEVICE_ID)
    public_key: str = Field(
        min_length=40, max_length=2000, pattern=r"^[A-Za-z0-9+/=\s-]+$", description="Ed25519 public key, PEM"
    )
    seal_public_key: str = Field(pattern=B64, description="the device's X25519 key, base64")
    nonce: str = Field(pattern=NONCE)
    protocol: int = Field(ge=2, le=2)
    signature: str = Field(pattern=B64)


class Envelope(BaseModel):
    signed: str
    signature: str


class EnrollAnswer(BaseModel):
    hub_identity: str
    answer: Envelope


class Batch(BaseModel):
    device_id: str = Field(pattern=DEVICE_ID)
    nonce: str = Field(pattern=NONCE)
    records: list[dict[str, Any]] = Field(min_length=1, max_length=5000)
    lost: list[int] | None = Field(default=None, min_length=2, max_length=2)
    signature: str = Field(pattern=B64)


class HeadRequest(BaseModel):
    kind: str = Field(pattern="^head$")
    device_id: str = Field(pattern=DEVICE_ID)
    nonce: str = Field(pattern=NONCE)
    status: dict[str, Any] | None = Field(
        default=None,
        description="the scanner's own report (queued, bundle_sequence, device_time, app_version)",
    )
    signature: str = Field(pattern=B64)


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped: a lone surrogate echoed from a hostile
    request cannot break the answer (UTF-8 has no encoding for it)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def create_app(
    hub: Hub,
    *,
    body_limit: int = DEFAULT_BODY_LIMIT,
    enroll_limiter: RateLimiter | None = None,
) -> FastAPI:
    app = FastAPI(
        title="scanner-hub",
        version="2",
        description="District hub for checkpoint scanners",
        default_response_class=AsciiJSONResponse,
    )
    app.add_middleware(BodyLimit, limit=body_limit)
    limiter = enroll_limiter or RateLimiter(attempts=10, per_seconds=60)

    @app.middleware("http")
    async def hub_time(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers[HUB_TIME_HEADER] = hub.now().isoformat()
        return response

    @app.exception_handler(IngestRefused)
    async def refused(_: Request, error: IngestRefused) -> JSONResponse:
        # 503 (the database is changing primaries): nothing was acknowledged; resend soon
        headers = {"Retry-After": str(FAILOVER_RETRY_AFTER)} if error.status == 503 else None
        return AsciiJSONResponse(
            {"problem": error.problem, "detail": error.detail}, status_code=error.status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        """Where and what, never the offending input (it may be anything)."""
        problems = [
            {"loc": [str(p)[:64] for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        return AsciiJSONResponse({"problem": "invalid_request", "detail": problems[:20]}, status_code=422)

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "fingerprint": hub.keys.fingerprint}

    @app.post("/v1/enroll", response_model=EnrollAnswer, responses={429: {}, 403: {}, 409: {}})
    async def enroll(body: EnrollRequest, request: Request) -> Any:
        client = request.client.host if request.client else "unknown"
        wait = limiter.hit(client)
        if wait is not None:
            return AsciiJSONResponse(
                {"problem": "too_many_attempts", "detail": "wait before trying another code"},
                status_code=429,
                headers={"Retry-After": str(int(wait) + 1)},
            )
        return await run_in_threadpool(hub.enroll, await request.json())

    @app.post(
        "/v1/batches",
        response_model=Envelope,
        responses={
            409: {"description": "a gap: the signed receipt names the seq the hub expects"},
            503: {"description": "the database is changing primaries: nothing stored, resend later"},
        },
    )
    async def batches(batch: Batch, request: Request) -> Any:
        raw = await request.json()  # the signature covers the body as sent, not as parsed
        result = await run_in_threadpool(hub.ingest, raw)
        return AsciiJSONResponse(hub.receipt(raw, result), status_code=409 if result.refused else 200)

    @app.post("/v1/devices/{device_id}/head", response_model=Envelope)
    async def head(
        body: HeadRequest, request: Request, device_id: str = Path(pattern=DEVICE_ID)
    ) -> dict[str, str]:
        if body.device_id != device_id:
            raise IngestRefused(
                422, "device_mismatch", "the path and the signed request name different devices"
            )
        return await run_in_threadpool(hub.head, await request.json())

    @app.get("/v1/bundle", responses={200: {"content": {"application/cose": {}}}, 304: {}, 404: {}})
    async def bundle(
        if_none_match: str | None = Header(default=None, max_length=200),
        nonce: str | None = Header(default=None, alias=NONCE_HEADER, pattern=NONCE),
    ) -> Response:
        latest = await run_in_threadpool(hub.latest_bundle)
        if latest is None:
            signed = hub.sign("bundle", nonce, sha256=None, sequence=None)
            return AsciiJSONResponse(
                {"problem": "no_bundle", "detail": "nothing published yet"},
                status_code=404,
                headers={SIGNED_HEADER: encode_envelope(signed)},
            )
        data, etag, sequence = latest
        signed = hub.sign("bundle", nonce, sha256=etag, sequence=sequence)
        headers = {"ETag": f'"{etag}"', SIGNED_HEADER: encode_envelope(signed)}
        if if_none_match and headers["ETag"] in [t.strip() for t in if_none_match.split(",")]:
            return Response(status_code=304, headers=headers)
        return Response(data, media_type="application/cose", headers=headers)

    from scanner_hub.console.app import create_console

    app.mount("/console", create_console(hub))
    return app
