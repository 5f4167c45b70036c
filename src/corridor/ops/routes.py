"""GET /health/ready (readiness, for load balancers) and GET /metrics (Prometheus)."""

from __future__ import annotations

import hmac
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from corridor import __version__
from corridor.domain.errors import Forbidden, Unauthorized
from corridor.ops.health import readiness
from corridor.settings import get_settings

router = APIRouter(tags=["operations"])

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
# Headers a reverse proxy adds: a request carrying one came from outside, whatever its socket says.
PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


class ReadyOut(BaseModel):
    version: str
    status: Literal["ready", "not_ready"]
    reasons: list[str] = Field(description="why the node is not ready; empty when it is")
    checks: dict[str, dict[str, Any]] = Field(description="database, migrations, data_dir, exchange")


@router.get(
    "/health/ready",
    summary="Readiness: database within the time limit, schema at head, data directory writable",
    response_model=ReadyOut,
    responses={503: {"description": "not ready; `reasons` says why", "model": ReadyOut}},
)
async def ready(request: Request) -> Any:
    settings = get_settings()
    result = await readiness(request.app.state.engine, settings.data_dir, settings.health_timeout)
    body = {"version": __version__, **result.as_dict()}
    return JSONResponse(body, status_code=200 if result.ready else 503)


def check_metrics_access(request: Request) -> None:
    """With CORRIDOR_METRICS_TOKEN: that bearer token. Without: an unproxied loopback client only."""
    token = get_settings().metrics_token
    if token:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise Unauthorized("send 'Authorization: Bearer <CORRIDOR_METRICS_TOKEN>'", where="authorization")
        return
    host = request.client.host if request.client else ""
    if host not in LOOPBACK or any(h in request.headers for h in PROXY_HEADERS):
        raise Forbidden(
            "metrics are served to loopback clients only; set CORRIDOR_METRICS_TOKEN to scrape from elsewhere",
            where="client",
        )


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format); loopback clients or CORRIDOR_METRICS_TOKEN",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(request: Request) -> Response:
    check_metrics_access(request)
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
