"""Keep secrets out of log lines: by the shape of what carries them, and by their known values.

Shapes cover what any code might log by accident (a header dump, a URL, a form, a PEM file);
known values (the secret key, the database password, the OIDC client secret, the metrics token)
are replaced wherever they appear, whatever surrounds them. Both run on every record a handler
emits, so a library logging at debug level cannot leak either.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.engine import make_url

MASK = "[REDACTED]"

# Names whose value is a secret in a key=value, key: value or "key": "value" context.
_SECRET_NAMES = (
    r"password|passwd|pwd|passphrase|secret|secret_key|client_secret|api_key|apikey|access_token|"
    r"refresh_token|id_token|token|csrf_token|csrf|x-csrf-token|session|corridor_session|"
    r"authorization|cookie|set-cookie|private_key|code_verifier|metrics_token"
)
_KEY = r"""(?P<key>["']?[\w-]*?(?:""" + _SECRET_NAMES + r""")["']?)(?P<sep>\s*[=:]\s*)"""
# A quoted value runs to its closing quote (it may hold spaces); a bare one to the next delimiter.
_KEY_QUOTED = re.compile(_KEY + r"""(?P<quote>["'])(?P<value>[^"']*)(?P=quote)""", re.IGNORECASE)
_KEY_BARE = re.compile(_KEY + r"""(?P<value>(?:(?:Bearer|Basic)\s+)?[^\s"'&,;}\]\)]+)""", re.IGNORECASE)
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE)
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-z][a-z0-9+.-]*://[^/\s:@]*:)(?P<pw>[^@\s/]+)(?P<at>@)", re.IGNORECASE
)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.DOTALL)
_SECRET_KEY_NAME = re.compile(r"^(?:[\w-]*?)(?:" + _SECRET_NAMES + r")$", re.IGNORECASE)

_known_lock = threading.Lock()
_known: frozenset[str] = frozenset()
# Shorter values would mask ordinary words: a secret this short is a configuration error anyway.
MIN_KNOWN_LENGTH = 6


def register_secret(*values: str | None) -> None:
    """Mask these exact values wherever they appear in a log record from now on."""
    global _known
    fresh = {v for v in values if v and len(v) >= MIN_KNOWN_LENGTH}
    if fresh - _known:
        with _known_lock:
            _known = _known | fresh


def known_secrets() -> frozenset[str]:
    return _known


def secrets_from_settings() -> list[str]:
    """The configured secrets: secret key, database password, OIDC client secret, metrics token, key passphrase."""
    from corridor.accounts.config import account_settings
    from corridor.settings import get_settings

    settings = get_settings()
    found = [settings.secret_key, settings.metrics_token, account_settings().oidc_client_secret]
    passphrase = getattr(settings, "node_key_passphrase", None)  # SecretStr: encrypts the node's keys
    if passphrase is not None:
        found.append(passphrase.get_secret_value())
    if settings.database_url:
        # A malformed URL fails elsewhere with a clear error; there is no password to mask here.
        with contextlib.suppress(Exception):
            found.append(make_url(settings.database_url).password)
    return [s for s in found if isinstance(s, str)]


def redact_text(text: str) -> str:
    """The text with every secret shape and every registered secret value masked."""
    if not text:
        return text
    for value in _known:
        if value in text:
            text = text.replace(value, MASK)
    text = _PEM.sub(MASK, text)
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}{m['at']}", text)
    text = _KEY_QUOTED.sub(_mask_quoted, text)
    text = _KEY_BARE.sub(_mask_bare, text)
    return _BEARER.sub(lambda m: f"{m[1]} {MASK}", text)


def _mask_quoted(m: re.Match[str]) -> str:
    if not m["value"] or m["value"] == MASK:
        return m[0]
    return f"{m['key']}{m['sep']}{m['quote']}{MASK}{m['quote']}"


def _mask_bare(m: re.Match[str]) -> str:
    if m["value"].startswith(MASK[:-1]):
        return m[0]
    return f"{m['key']}{m['sep']}{MASK}"


def redact_value(value: Any, key: str | None = None) -> Any:
    """A structure with secret-named entries masked and every string redacted."""
    if key is not None and _SECRET_KEY_NAME.match(key) and value not in (None, "", MASK):
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """A handler filter: renders each record's message and extra fields with secrets masked.

    Attached to handlers (not loggers), so records propagated from any library pass through it.
    """

    def __init__(self, name: str = "", extra_secrets: Iterable[str] = ()) -> None:
        super().__init__(name)
        # Invalid settings are reported by the command itself, not by the log set-up.
        with contextlib.suppress(Exception):
            register_secret(*secrets_from_settings())
        register_secret(*extra_secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            # uvicorn's access record: (client, method, path with query, HTTP version, status); the
            # query string is dropped, it is where a careless client puts a token.
            client, method, path, _version, status = record.args
            record.client, record.method, record.status = client, method, status
            record.path = str(path).split("?", 1)[0]
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact_text(message), None
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD and not name.startswith("_"):
                setattr(record, name, redact_value(value, name))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


# LogRecord's own attributes: everything else on a record was passed as `extra`.
_STANDARD = frozenset(
    logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)
