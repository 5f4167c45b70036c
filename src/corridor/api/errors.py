"""One mapping from errors to the stable body {"error": {"code", "detail", "where"}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from corridor.db.faults import DATABASE_ERRORS, unavailable_reason
from corridor.domain.errors import CorridorError, InvalidInput, ServiceUnavailable

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


RETRY_AFTER_SECONDS = 5


class DatabaseUnavailable(ServiceUnavailable):
    """The database is down, restarting, full or read-only: retry later, nothing was written."""

    code = "database_unavailable"


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

    async def database_error(request: Request, exc: Exception) -> Response:
        reason = unavailable_reason(exc)
        if reason is None:
            return await unexpected(request, exc)
        log.warning("database unavailable: %s (%s)", reason, str(exc).splitlines()[0])
        # Through the CorridorError handler in force, so that workbench pages get an error page.
        handler = request.app.exception_handlers.get(CorridorError, corridor_error)
        error = DatabaseUnavailable(
            f"{reason}; the request was not carried out, retry later", where="database"
        )
        response: Response = await handler(request, error)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    for kind in DATABASE_ERRORS:
        app.add_exception_handler(kind, database_error)

    async def out_of_range(request: Request, exc: Exception) -> Response:
        # An id beyond 64 bits (SQLite refuses to bind it) names no record: the input is at fault.
        handler = request.app.exception_handlers.get(CorridorError, corridor_error)
        error = InvalidInput("a number in the request is out of range (ids have at most 64 bits)", where=None)
        response: Response = await handler(request, error)
        return response

    app.add_exception_handler(OverflowError, out_of_range)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "an unexpected error occurred; it has been logged"), status_code=500
        )
