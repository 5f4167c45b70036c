"""The served OpenAPI document says what errors look like.

FastAPI documents only 200 and a 422 with its own {"detail": [...]} body, while Corridor answers every
refusal with {"error": {"code", "detail", "where"}} (api/errors.py). So that clients and the contract
tests (tests/integration/test_api_contract.py) can rely on the document, every operation gets the
error body for its 4XX answers (401 without credentials, 403, 404, 409, 413, 422, 423, 429...), and
the 422 FastAPI describes is replaced by the body actually sent.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "detail", "where"],
            "properties": {
                "code": {"type": "string", "description": "stable machine-readable code"},
                "detail": {"type": "string", "description": "what went wrong, for a person"},
                "where": {
                    "anyOf": [{"type": "string"}, {"type": "null"}],
                    "description": "the field, parameter or part of the request at fault",
                },
                "errors": {
                    "type": "array",
                    "description": "every invalid field of a 422 (at most 50)",
                    "items": {
                        "type": "object",
                        "properties": {"where": {"type": "string"}, "detail": {"type": "string"}},
                    },
                },
            },
        }
    },
}
_REF = {"$ref": "#/components/schemas/Error"}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def with_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the error body on every operation (changed in place and returned)."""
    document.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for item in document.get("paths", {}).values():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            error = {"content": {"application/json": {"schema": _REF}}}
            if "422" in responses:
                responses["422"] = {"description": "Invalid input", **error}
            responses.setdefault(
                "4XX", {"description": "Refused: the error body says why and where", **error}
            )
    schemas = document["components"]["schemas"]
    # FastAPI's own validation bodies are never sent (api/errors.py answers with the error body).
    if not _still_referenced(document, ("HTTPValidationError", "ValidationError")):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return document


def _still_referenced(document: dict[str, Any], names: tuple[str, ...]) -> bool:
    import json

    paths = json.dumps(document.get("paths", {}))
    return any(f"#/components/schemas/{name}" in paths for name in names)


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_error_responses(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
