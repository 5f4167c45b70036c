"""One mapping from errors to the stable body {"error": {"code", "detail", "where"}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from corridor.domain.errors import CorridorError

log = logging.getLogger("corridor.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_format",
    422: "invalid_input",
    429: "too_many_requests",
}


def error_body(code: str, detail: str, where: str | None = None) -> dict[str, dict[str, str | None]]:
    return {"error": {"code": code, "detail": detail, "where": where}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CorridorError)
    async def corridor_error(_request: Request, exc: CorridorError) -> JSONResponse:
        return JSONResponse(exc.to_body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        body = error_body("invalid_input", str(first.get("msg")), where or None)
        body["error"]["errors"] = [  # type: ignore[assignment]
            {"where": ".".join(str(p) for p in e.get("loc", ())), "detail": e.get("msg")}
            for e in exc.errors()[:50]
        ]
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "an unexpected error occurred; it has been logged"), status_code=500
        )
