"""The hub's HTTP API (FastAPI). Every response carries the hub's clock in `X-Hub-Time`,
which scanners use as a trusted-time floor. OpenAPI description at /openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model, field_validator

from scanner_app.core.record import RECORD, FieldSpec
from scanner_app.core.wire import HUB_TIME_HEADER
from scanner_hub.ingest import IngestRefused
from scanner_hub.service import Hub


class EnrollRequest(BaseModel):
    code: str = Field(min_length=4, max_length=64)
    device_id: str = Field(pattern=r"^[A-Za-z0-9._-]{3,64}$")
    public_key: str = Field(
        min_length=40, max_length=2000, description="the device's Ed25519 public key, PEM"
    )


class Enrollment(BaseModel):
    device_id: str
    checkpoint_id: str
    checkpoint_type: str
    hmac_secret: str
    seal_public_key: str


def _record_field(spec: FieldSpec) -> tuple[Any, Any]:
    """A request-model field from the record contract."""
    limits = {
        "max_length": spec.max_length,
        "pattern": spec.pattern,
        "ge": spec.minimum,
        "le": spec.maximum,
    }
    field = Field(... if spec.required else None, **{k: v for k, v in limits.items() if v is not None})
    return (spec.kind if spec.required else spec.kind | None), field


class _RecordBase(BaseModel):
    @field_validator("wall_time", check_fields=False)
    @classmethod
    def _aware_iso(cls, value: str) -> str:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None or not 2000 <= moment.year <= 2200:
            raise ValueError("wall_time must be an ISO-8601 time with a zone")
        return value


CheckRecord = create_model(  # type: ignore[call-overload]
    "CheckRecord", __base__=_RecordBase, **{spec.name: _record_field(spec) for spec in RECORD}
)


class Batch(BaseModel):
    device_id: str = Field(min_length=1, max_length=64)
    records: list[CheckRecord] = Field(  # type: ignore[valid-type]
        min_length=1, max_length=5000
    )
    signature: str = Field(max_length=200)


class IngestAnswer(BaseModel):
    stored: list[int]
    already: list[int]
    head_seq: int | None
    head_hash: str | None
    refused: dict[str, Any] | None


class Head(BaseModel):
    device_id: str
    head_seq: int | None
    head_hash: str | None


def create_app(hub: Hub) -> FastAPI:
    app = FastAPI(title="scanner-hub", version="1", description="District hub for checkpoint scanners")

    @app.middleware("http")
    async def hub_time(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers[HUB_TIME_HEADER] = hub.now().isoformat()
        return response

    @app.exception_handler(IngestRefused)
    async def refused(_: Request, error: IngestRefused) -> JSONResponse:
        return JSONResponse({"problem": error.problem, "detail": error.detail}, status_code=error.status)

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/enroll", response_model=Enrollment)
    def enroll(request: EnrollRequest) -> dict[str, Any]:
        return hub.enroll(request.code, request.public_key, request.device_id)

    @app.post(
        "/v1/batches",
        response_model=IngestAnswer,
        responses={409: {"description": "part of the batch refused (gap or conflict)"}},
    )
    def batches(batch: Batch) -> Any:
        payload = batch.model_dump()
        result = hub.ingest(payload)
        if result.refused:
            return JSONResponse(result.to_json(), status_code=409)
        return result.to_json()

    @app.get("/v1/devices/{device_id}/head", response_model=Head)
    def head(device_id: str) -> dict[str, Any]:
        return hub.head(device_id)

    @app.get("/v1/bundle", responses={200: {"content": {"application/cose": {}}}, 304: {}, 404: {}})
    def bundle(if_none_match: str | None = Header(default=None)) -> Response:
        latest = hub.latest_bundle()
        if latest is None:
            return JSONResponse({"problem": "no_bundle", "detail": "nothing published yet"}, status_code=404)
        data, etag = latest
        quoted = f'"{etag}"'
        if if_none_match and quoted in [t.strip() for t in if_none_match.split(",")]:
            return Response(status_code=304, headers={"ETag": quoted})
        return Response(data, media_type="application/cose", headers={"ETag": quoted})

    return app
