"""One typed settings object, read from CORRIDOR_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CORRIDOR_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=Path("var"), description="where the SQLite file, keys and uploads live")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file in data_dir"
    )
    secret_key: str = "dev-insecure-secret-change-me"
    ingest_chunk_size: int = Field(default=5000, ge=1, le=1_000_000)
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    api_page_size_max: int = 1000
    auto_migrate: bool = Field(default=True, description="apply pending migrations when a command starts")
    # Rate limits (corridor.api.ratelimit): token buckets per client IP, and per username for log-ins.
    ratelimit_enabled: bool = Field(default=True, description="answer 429 when a client exceeds a limit")
    ratelimit_login_per_minute: float = Field(default=30.0, gt=0, description="log-in attempts per client IP")
    ratelimit_login_burst: int = Field(default=30, ge=1, description="log-in attempts an IP may make at once")
    ratelimit_login_user_per_minute: float = Field(default=10.0, gt=0, description="attempts per username")
    ratelimit_login_user_burst: int = Field(default=10, ge=1, description="attempts per username at once")
    ratelimit_exchange_per_second: float = Field(
        default=1000.0, gt=0, description="node-to-node requests (batches) per second from one peer IP"
    )
    ratelimit_exchange_burst: int = Field(default=2000, ge=1, description="node-to-node requests at once")
    # Exchange between nodes (corridor.exchange); the deliverer runs in `corridor serve` once the node has keys.
    exchange_deliver: bool = Field(
        default=True, description="deliver the outbox in the background of `serve`"
    )
    exchange_deliver_interval: float = Field(default=2.0, gt=0, le=3600, description="seconds between passes")
    exchange_batch_size: int = Field(default=250, ge=1, le=1000, description="envelopes per delivery request")
    exchange_retry_base: float = Field(default=2.0, gt=0, description="first retry delay in seconds")
    exchange_retry_max: float = Field(default=900.0, gt=0, description="longest retry delay in seconds")
    exchange_max_attempts: int = Field(default=50, ge=1, description="attempts before a message is dead")
    exchange_message_ttl_hours: float = Field(default=72.0, gt=0, description="lifetime of a sent message")
    exchange_max_message_bytes: int = Field(
        default=1024 * 1024, ge=4096, description="largest accepted envelope"
    )
    exchange_max_batch_bytes: int = Field(
        default=16 * 1024 * 1024, ge=4096, description="largest batch request"
    )
    exchange_clock_skew: float = Field(default=300.0, ge=0, description="tolerated clock difference, seconds")
    exchange_timeout: float = Field(default=15.0, gt=0, description="HTTP timeout towards partner nodes")
    node_key_passphrase: SecretStr | None = Field(
        default=None,
        description="encrypts the node's private exchange keys on disk (`corridor node protect-keys`)",
    )
    # Operations (corridor.ops): logs, health, metrics, retention; docs/operations.md describes them.
    workers: int = Field(
        default=1, ge=1, le=64, description="worker processes of `serve` (--workers); background work runs in one"
    )
    log_format: Literal["json", "text"] | None = Field(
        default=None, description="json or text; unset = json in production, text otherwise"
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="least severe level written to the log"
    )
    metrics_token: str | None = Field(
        default=None,
        description="bearer token for GET /metrics; unset = only unproxied loopback clients may scrape",
    )
    health_timeout: float = Field(
        default=2.0, gt=0, le=60, description="seconds GET /health/ready waits for the database"
    )
    retention_years: int | None = Field(
        default=None, ge=1, le=100, description="purge personal data older than this; unset = keep"
    )
    retention_schedule: bool = Field(
        default=True, description="run the retention purge daily in `serve` when retention_years is set"
    )

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        # Operators write INFO or JSON as often as info or json.
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key.startswith("dev-") or len(self.secret_key) < 32
        ):
            raise ValueError(
                "CORRIDOR_SECRET_KEY must be set to a random value of 32+ characters in production"
            )
        return self

    @property
    def effective_log_format(self) -> Literal["json", "text"]:
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment == "production" else "text"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'corridor.sqlite3').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
