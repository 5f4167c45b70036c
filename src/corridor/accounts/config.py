"""Settings of accounts and sessions, read from CORRIDOR_* environment variables like the rest."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AccountSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CORRIDOR_", env_file=None, extra="ignore")

    session_idle_minutes: int = Field(
        default=30, ge=1, description="a browser session ends after this idle time"
    )
    session_max_hours: int = Field(default=12, ge=1, description="and at the latest after this long")
    cookie_secure: bool | None = Field(
        default=None,
        description="Secure flag of the session cookie; unset = set it when the request came over HTTPS",
    )
    lockout_threshold: int = Field(default=5, ge=1, description="failed logins in a row before a lock-out")
    lockout_minutes: int = Field(default=15, ge=1, description="how long a lock-out lasts")
    api_token_days: int = Field(default=365, ge=1, le=3650)
    min_password_length: int = Field(default=10, ge=8)
    # OIDC single sign-on (authorization code + PKCE); disabled unless issuer, client id and redirect URL are set.
    oidc_issuer: str | None = Field(
        default=None, description="issuer URL; discovery at {issuer}/.well-known/..."
    )
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, description="unset for a public client (PKCE only)")
    oidc_redirect_url: str | None = Field(default=None, description="https://workbench/login/oidc/callback")
    oidc_username_claim: str = Field(default="preferred_username", description="matched to a username")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_redirect_url)


@lru_cache(maxsize=1)
def account_settings() -> AccountSettings:
    return AccountSettings()
