"""The CorridorError hierarchy: each error has a stable code, an HTTP status and a place ("where")."""

from __future__ import annotations

from typing import Any, ClassVar


class CorridorError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, detail: str, *, where: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.where = where
        self.extra = extra or {}

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.detail, "where": self.where}
        if self.extra:
            body.update(self.extra)
        return {"error": body}


class InvalidInput(CorridorError):
    status = 422
    code = "invalid_input"


class UnsupportedFormat(CorridorError):
    status = 415
    code = "unsupported_format"


class NotFound(CorridorError):
    status = 404
    code = "not_found"


class Conflict(CorridorError):
    status = 409
    code = "conflict"


class PayloadTooLarge(CorridorError):
    status = 413
    code = "payload_too_large"


class Unauthorized(CorridorError):
    status = 401
    code = "unauthorized"


class Forbidden(CorridorError):
    status = 403
    code = "forbidden"


class ServiceUnavailable(CorridorError):
    status = 503
    code = "service_unavailable"


ALL_ERRORS: tuple[type[CorridorError], ...] = (
    CorridorError,
    InvalidInput,
    UnsupportedFormat,
    NotFound,
    Conflict,
    PayloadTooLarge,
    Unauthorized,
    Forbidden,
    ServiceUnavailable,
)
