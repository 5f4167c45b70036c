"""One typed settings object, read from CORRIDOR_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
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
    # Exchange between nodes (corridor.exchange); the deliverer runs in `corridor serve` once the node has keys.
    exchange_deliver: bool = Field(default=True, description="deliver the outbox in the background of `serve`")
    exchange_deliver_interval: float = Field(default=2.0, gt=0, le=3600, description="seconds between passes")
    exchange_batch_size: int = Field(default=100, ge=1, le=1000, description="envelopes per delivery request")
    exchange_retry_base: float = Field(default=2.0, gt=0, description="first retry delay in seconds")
    exchange_retry_max: float = Field(default=900.0, gt=0, description="longest retry delay in seconds")
    exchange_max_attempts: int = Field(default=50, ge=1, description="attempts before a message is dead")
    exchange_message_ttl_hours: float = Field(default=72.0, gt=0, description="lifetime of a sent message")
    exchange_max_message_bytes: int = Field(default=1024 * 1024, ge=4096, description="largest accepted envelope")
    exchange_max_batch_bytes: int = Field(default=16 * 1024 * 1024, ge=4096, description="largest batch request")
    exchange_clock_skew: float = Field(default=300.0, ge=0, description="tolerated clock difference, seconds")
    exchange_timeout: float = Field(default=15.0, gt=0, description="HTTP timeout towards partner nodes")

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
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'corridor.sqlite3').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
