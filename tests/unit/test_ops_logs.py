"""Log lines: the redaction filter masks every kind of secret; the formatters write one JSON object per line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from corridor.ops.logs import JsonFormatter, TextFormatter, log_config, request_id_var
from corridor.ops.redact import MASK, RedactingFilter, redact_text, redact_value, register_secret


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter(extra_secrets=["k3y-from-the-environment-0123456789"]))
    logger = logging.getLogger("corridor.test.ops")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
        ("authorization=Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ('{"username": "admin", "password": "correct horse battery"}', "correct horse battery"),
        ("login failed password=hunter2hunter2 for admin", "hunter2hunter2"),
        ("GET /consignments?access_token=tok_abcdef123456&page=2", "tok_abcdef123456"),
        ("cookie: corridor_session=s3ss10nValue; lang=ru", "s3ss10nValue"),
        ("set-cookie: corridor_session=s3ss10nValue; Path=/", "s3ss10nValue"),
        ("X-CSRF-Token: 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
        ("{'csrf_token': 'abcdef987654'}", "abcdef987654"),
        ("postgresql+psycopg://corridor:pg-Pa55word@db.internal:5432/corridor", "pg-Pa55word"),
        ("client_secret=oidc-client-secret-value", "oidc-client-secret-value"),
        (
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFu\n-----END PRIVATE KEY-----",
            "MC4CAQAwBQYDK2VwBCIEIFu",
        ),
        ("starting with k3y-from-the-environment-0123456789 loaded", "k3y-from-the-environment-0123456789"),
    ],
)
def test_each_kind_of_secret_is_masked(
    capture: tuple[logging.Logger, io.StringIO], text: str, secret: str
) -> None:
    logger, stream = capture
    logger.info(text)
    logger.warning("with args: %s", text)
    logger.error("as an extra", extra={"detail": text})
    out = stream.getvalue()
    assert secret not in out
    assert out.count(MASK) >= 3
    assert all(json.loads(line)["logger"] == "corridor.test.ops" for line in out.splitlines())


def test_secret_named_fields_and_exceptions_are_masked(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info("request", extra={"headers": {"Authorization": "Bearer abcdefghijkl", "accept": "text/html"}})
    try:
        raise ValueError("could not connect to postgresql://u:TopSecret99@host/db")
    except ValueError:
        logger.exception("database error token=tok-in-exception-123")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["headers"] == {"Authorization": MASK, "accept": "text/html"}
    text = stream.getvalue()
    assert "TopSecret99" not in text and "tok-in-exception-123" not in text and "abcdefghijkl" not in text
    assert "ValueError" in lines[1]["exc"]


def test_ordinary_text_is_left_alone() -> None:
    for text in ("the session is expired", "GET /queue 200", "tokenizer ready", "password changed for admin"):
        assert redact_text(text) == text
    assert redact_value({"count": 3, "items": ["a", "b"]}) == {"count": 3, "items": ["a", "b"]}


def test_known_secrets_shorter_than_six_characters_are_not_registered() -> None:
    register_secret("abc", None, "")
    assert redact_text("abc def") == "abc def"


def test_json_line_has_the_request_context() -> None:
    record = logging.LogRecord(
        "corridor.access", logging.INFO, __file__, 1, "GET %s %s", ("/health", 200), None
    )
    record.status = 200
    token = request_id_var.set("req-42")
    try:
        line = json.loads(JsonFormatter().format(record))
        text = TextFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert line["msg"] == "GET /health 200" and line["request_id"] == "req-42" and line["status"] == 200
    assert {"ts", "level", "logger"} <= line.keys() and line["ts"].endswith("Z")
    assert "request_id=req-42" in text and "GET /health 200" in text


def test_uvicorn_access_record_gets_fields_and_loses_its_query_string() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/consignments?token=leaky-token-123", "1.1", 200),
        None,
    )
    RedactingFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/consignments" and line["status"] == 200 and line["method"] == "GET"
    assert "leaky-token-123" not in json.dumps(line)


def test_log_config_routes_uvicorn_through_one_redacting_handler() -> None:
    config = log_config("json", "debug")
    assert config["root"]["handlers"] == ["stderr"]
    assert config["handlers"]["stderr"]["filters"] == ["redact"]
    assert config["loggers"]["uvicorn.error"] == {"level": "DEBUG", "handlers": [], "propagate": True}
    assert config["loggers"]["uvicorn.access"]["level"] == "WARNING"  # corridor.access replaces it
    # SQL parameters (the CSRF token is one) never reach the log, whatever the level.
    assert config["loggers"]["sqlalchemy.engine"]["level"] == "WARNING"
    assert log_config("text", "info", uvicorn_access=True)["loggers"]["uvicorn.access"]["level"] == "INFO"


def test_commands_without_logging_configured_still_mask_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    from corridor.ops.logs import protect_last_resort

    protect_last_resort()
    protect_last_resort()  # once is enough, twice is harmless
    assert logging.lastResort is not None
    assert sum(isinstance(f, RedactingFilter) for f in logging.lastResort.filters) == 1
    unconfigured = logging.getLogger("corridor.test.unconfigured")
    unconfigured.propagate = False  # no handler anywhere: Python falls back to lastResort
    unconfigured.warning("could not reach postgresql://corridor:Unconf1gured@db/x")
    err = capsys.readouterr().err
    assert "Unconf1gured" not in err and f"postgresql://corridor:{MASK}@db/x" in err


def test_configured_secrets_are_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridor.ops.redact import secrets_from_settings
    from corridor.settings import get_settings

    monkeypatch.setenv("CORRIDOR_NODE_KEY_PASSPHRASE", "node-key-passphrase-42")
    monkeypatch.setenv("CORRIDOR_DATABASE_URL", "postgresql+psycopg://corridor:db-pass-9876@db/corridor")
    monkeypatch.setenv("CORRIDOR_METRICS_TOKEN", "metrics-token-5555")
    get_settings.cache_clear()
    try:
        found = set(secrets_from_settings())
    finally:
        get_settings.cache_clear()
    assert {"node-key-passphrase-42", "db-pass-9876", "metrics-token-5555"} <= found
