"""Log lines: one JSON object per line (production) or readable text, with the request's context.

`log_config()` is a logging.config dictionary; `corridor serve` hands it to uvicorn, so uvicorn's
own start-up, error and (when enabled) access lines come out in the same format as Corridor's.
Every handler carries the redaction filter (corridor.ops.redact).
"""

from __future__ import annotations

import contextvars
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

import orjson

from corridor.ops.redact import _STANDARD

# Set by the request middleware for the duration of a request; read by the formatters.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "corridor_request_id", default=None
)

# Libraries that log statement parameters or raw traffic at INFO/DEBUG: the CSRF token is a bound
# parameter of the session query, so these stay at WARNING whatever CORRIDOR_LOG_LEVEL says.
QUIET_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.pool", "httpx", "httpcore", "multipart", "python_multipart")


# uvicorn's copy of its message with terminal colour codes: the plain message is already there.
_DROPPED = frozenset({"color_message"})


def _ts(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """What a log line says: time, level, logger, message, request id, then the record's extras."""
    fields: dict[str, Any] = {
        "ts": _ts(record.created),
        "level": record.levelname.lower(),
        "logger": record.name,
        "msg": record.getMessage(),
    }
    request_id = getattr(record, "request_id", None) or request_id_var.get()
    if request_id:
        fields["request_id"] = request_id
    for name, value in record.__dict__.items():
        if name not in _STANDARD and name not in _DROPPED and not name.startswith("_") and name not in fields:
            fields[name] = value
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        fields["exc"] = record.exc_text
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return orjson.dumps(record_fields(record), default=str).decode("utf-8")


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = record_fields(record)
        head = (
            f"{fields.pop('ts')} {fields.pop('level').upper():<7} {fields.pop('logger')}: {fields.pop('msg')}"
        )
        exc = fields.pop("exc", None)
        tail = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        line = f"{head}  {tail}" if tail else head
        return f"{line}\n{exc}" if exc else line


def log_config(fmt: str, level: str, *, uvicorn_access: bool = False) -> dict[str, Any]:
    """A logging.config dictionary writing every record to stderr in `fmt` at `level` and above."""
    formatter = "corridor.ops.logs.JsonFormatter" if fmt == "json" else "corridor.ops.logs.TextFormatter"
    upper = level.upper()
    loggers: dict[str, Any] = {
        "corridor": {"level": upper},
        "uvicorn": {"level": upper},
        "uvicorn.error": {"level": upper},
        # Corridor's own access line (corridor.access) has the route, user and duration; uvicorn's
        # would repeat it without them, so it is off unless asked for.
        "uvicorn.access": {"level": upper if uvicorn_access else "WARNING"},
        "alembic": {"level": "INFO" if upper == "DEBUG" else upper},
        "alembic.runtime.plugins": {"level": "WARNING"},
    }
    loggers.update({name: {"level": "WARNING"} for name in QUIET_LOGGERS})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "corridor.ops.redact.RedactingFilter"}},
        "formatters": {"corridor": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "corridor",
                "filters": ["redact"],
            }
        },
        # Everything reaches the root handler once: uvicorn's own handlers are replaced, not added to.
        "loggers": {name: {**cfg, "handlers": [], "propagate": True} for name, cfg in loggers.items()},
        "root": {"level": upper, "handlers": ["stderr"]},
    }


def configure_logging(fmt: str, level: str, *, uvicorn_access: bool = False) -> dict[str, Any]:
    """Apply log_config() to this process and return it (to hand on to uvicorn)."""
    config = log_config(fmt, level, uvicorn_access=uvicorn_access)
    logging.config.dictConfig(config)
    return config


def protect_last_resort() -> None:
    """Put the redaction filter on the handler Python uses when logging was never configured."""
    from corridor.ops.redact import RedactingFilter

    handler = logging.lastResort
    if handler is not None and not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter())
