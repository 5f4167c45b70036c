"""OIDC single sign-on: authorization code flow with PKCE (S256), ID token checked against the issuer's JWKS.

Disabled unless `CORRIDOR_OIDC_ISSUER`, `CORRIDOR_OIDC_CLIENT_ID` and `CORRIDOR_OIDC_REDIRECT_URL` are set.
The `state`, `nonce`, PKCE verifier and the page to return to travel in a short-lived HMAC-signed
cookie (no server-side table). Users are never created here: an identity is accepted only when it is
already linked to an account (`users.oidc_subject` = `sub`) or its username claim names an existing
active account, which is then linked. Like `service`, the use case commits its own audit entries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.accounts.config import AccountSettings, account_settings
from corridor.accounts.models import UserRow
from corridor.accounts.service import audit, now

STATE_COOKIE = "corridor_oidc"
STATE_MAX_AGE = 600  # seconds from the redirect to the identity provider until the callback
CLOCK_SKEW = 30  # seconds of leeway for exp / iat / nbf
DISCOVERY_TTL = 3600.0


class OidcError(Exception):
    """A refused single sign-on; `reason` goes to the audit log and the log-in page."""

    def __init__(self, reason: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail or {}


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    redirect_url: str
    client_secret: str | None = None
    username_claim: str = "preferred_username"

    @classmethod
    def from_settings(cls, cfg: AccountSettings) -> OidcConfig | None:
        if not cfg.oidc_enabled:
            return None
        assert cfg.oidc_issuer and cfg.oidc_client_id and cfg.oidc_redirect_url
        return cls(
            issuer=cfg.oidc_issuer.rstrip("/"),
            client_id=cfg.oidc_client_id,
            redirect_url=cfg.oidc_redirect_url,
            client_secret=cfg.oidc_client_secret or None,
            username_claim=cfg.oidc_username_claim,
        )


@dataclass(frozen=True, slots=True)
class Started:
    url: str  # where to send the browser
    cookie: str  # the signed state cookie to set


@dataclass(slots=True)
class OidcProvider:
    """One configured identity provider; discovery and JWKS are cached. `http` is injectable for tests."""

    config: OidcConfig
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0))
    _discovery: dict[str, Any] | None = None
    _discovered_at: float = 0.0
    _jwks: dict[str, Any] | None = None
    _signing_key: bytes = b""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # The state cookie's HMAC key: derived from the client secret so that every worker agrees;
        # a public client (no secret) uses a per-process key (one worker, or sticky sessions).
        seed = (self.config.client_secret or "").encode("utf-8") or secrets.token_bytes(32)
        self._signing_key = hashlib.sha256(b"corridor-oidc-state\x00" + seed).digest()

    # --- provider metadata -----------------------------------------------------------------------

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self.http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise OidcError(
                "the identity provider could not be reached", {"url": url, "error": str(error)}
            ) from error
        if not isinstance(data, dict):
            raise OidcError("the identity provider answered something unexpected", {"url": url})
        return data

    def discovery(self) -> dict[str, Any]:
        with self._lock:
            fresh = self._discovery is not None and time.monotonic() - self._discovered_at < DISCOVERY_TTL
            if fresh and self._discovery is not None:
                return self._discovery
        data = self._get_json(f"{self.config.issuer}/.well-known/openid-configuration")
        if str(data.get("issuer", "")).rstrip("/") != self.config.issuer:
            raise OidcError("the discovery document names another issuer", {"issuer": data.get("issuer")})
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(data.get(key), str):
                raise OidcError(f"the discovery document has no {key}")
        with self._lock:
            self._discovery, self._discovered_at = data, time.monotonic()
        return data

    def _jwk_set(self, refresh: bool = False) -> jwt.PyJWKSet:
        if self._jwks is None or refresh:
            self._jwks = self._get_json(str(self.discovery()["jwks_uri"]))
        try:
            return jwt.PyJWKSet.from_dict(self._jwks)
        except jwt.PyJWTError as error:
            raise OidcError(
                "the identity provider's keys could not be read", {"error": str(error)}
            ) from error

    def _key_for(self, kid: str | None) -> jwt.PyJWK:
        for refresh in (False, True):  # a key rotation: fetch the set once more before giving up
            keys = [k for k in self._jwk_set(refresh).keys if k.key_type == "RSA"]
            if kid is not None:
                keys = [k for k in keys if k.key_id == kid]
            if len(keys) == 1:
                return keys[0]
        raise OidcError("the ID token is signed with an unknown key", {"kid": kid})

    # --- state cookie --------------------------------------------------------------------------

    def _sign(self, payload: dict[str, Any]) -> str:
        body = (
            base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
        )
        mac = hmac.new(self._signing_key, body.encode(), hashlib.sha256).hexdigest()
        return f"{body}.{mac}"

    def _unsign(self, cookie: str | None) -> dict[str, Any]:
        if not cookie or "." not in cookie:
            raise OidcError("no single sign-on in progress in this browser (state cookie missing)")
        body, mac = cookie.rsplit(".", 1)
        expected = hmac.new(self._signing_key, body.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, expected):
            raise OidcError("the single sign-on state cookie is not ours")
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if not isinstance(payload, dict) or float(payload.get("exp", 0)) < time.time():
            raise OidcError("the single sign-on took too long; start again")
        return payload

    # --- the flow ------------------------------------------------------------------------------

    def start(self, next_path: str) -> Started:
        meta = self.discovery()
        state, nonce, verifier = (
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(48),
        )
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": self.config.redirect_url,
                "scope": "openid profile email",
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        endpoint = str(meta["authorization_endpoint"])
        url = f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
        cookie = self._sign(
            {
                "state": state,
                "nonce": nonce,
                "verifier": verifier,
                "next": next_path,
                "exp": time.time() + STATE_MAX_AGE,
            }
        )
        return Started(url, cookie)

    def finish(
        self, *, code: str | None, state: str | None, error: str | None, cookie: str | None
    ) -> tuple[dict[str, Any], str]:
        """The verified ID token claims and the page to return to, or OidcError."""
        saved = self._unsign(cookie)
        if not state or not hmac.compare_digest(str(saved.get("state", "")), state):
            raise OidcError("state mismatch: the answer does not belong to this browser's sign-on")
        if error:
            raise OidcError("the identity provider refused the sign-on", {"error": error[:200]})
        if not code:
            raise OidcError("the identity provider sent no authorization code")
        id_token = self._exchange(code, str(saved["verifier"]))
        claims = self.verify_id_token(id_token, nonce=str(saved["nonce"]))
        return claims, str(saved.get("next") or "/queue")

    def _exchange(self, code: str, verifier: str) -> str:
        meta = self.discovery()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.config.redirect_url,
            "code_verifier": verifier,
            "client_id": self.config.client_id,
        }
        auth: httpx.Auth | None = None
        if self.config.client_secret:
            methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
            if "client_secret_basic" in methods:
                auth = httpx.BasicAuth(self.config.client_id, self.config.client_secret)
            else:
                form["client_secret"] = self.config.client_secret
        try:
            url, headers = str(meta["token_endpoint"]), {"Accept": "application/json"}
            if auth is None:
                response = self.http.post(url, data=form, headers=headers)
            else:
                response = self.http.post(url, data=form, headers=headers, auth=auth)
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise OidcError("the token endpoint could not be reached", {"error": str(error)}) from error
        if response.status_code != 200 or not isinstance(data, dict):
            why = data.get("error") if isinstance(data, dict) else None
            raise OidcError(
                "the token endpoint refused the code", {"status": response.status_code, "error": why}
            )
        token = data.get("id_token")
        if not isinstance(token, str):
            raise OidcError("the token endpoint returned no ID token")
        return token

    def verify_id_token(self, token: str, *, nonce: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise OidcError("the ID token is malformed", {"error": str(error)}) from error
        if header.get("alg") != "RS256":
            raise OidcError("the ID token is not signed with RS256", {"alg": header.get("alg")})
        key = self._key_for(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.config.client_id,
                issuer=self.config.issuer,
                leeway=CLOCK_SKEW,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise OidcError("the ID token has expired") from error
        except jwt.InvalidAudienceError as error:
            raise OidcError("the ID token is for another client (aud)") from error
        except jwt.InvalidIssuerError as error:
            raise OidcError("the ID token comes from another issuer (iss)") from error
        except jwt.InvalidSignatureError as error:
            raise OidcError("the ID token signature does not verify") from error
        except jwt.PyJWTError as error:
            raise OidcError("the ID token is invalid", {"error": str(error)}) from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise OidcError("the ID token is for several clients and not authorized for this one (azp)")
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OidcError("the ID token's nonce does not match this sign-on")
        return claims


@lru_cache(maxsize=1)
def _default_provider(config: OidcConfig) -> OidcProvider:
    return OidcProvider(config)


def get_oidc_provider() -> OidcProvider | None:
    """FastAPI dependency: the configured provider, or None when single sign-on is not configured."""
    config = OidcConfig.from_settings(account_settings())
    return _default_provider(config) if config is not None else None


# --- accounts --------------------------------------------------------------------------------------


def find_user(
    session: Session, config: OidcConfig, claims: dict[str, Any], *, ip: str | None = None
) -> UserRow:
    """The account of a verified identity, linking it on first use; refusals are audited and committed."""
    subject = str(claims["sub"])
    user = session.scalars(select(UserRow).where(UserRow.oidc_subject == subject)).first()
    if user is None:
        claimed = claims.get(config.username_claim)
        name = claimed.strip().lower() if isinstance(claimed, str) else ""
        candidate = session.scalars(select(UserRow).where(UserRow.username == name)).first() if name else None
        if candidate is None:
            raise OidcError(
                "no workbench account for this identity; ask an administrator",
                {"sub": subject, "username": name[:64]},
            )
        if candidate.oidc_subject is not None:
            raise OidcError(
                "this account is linked to another single sign-on identity",
                {"sub": subject, "username": name},
            )
        user = candidate
    if not user.active:
        raise OidcError(
            "this account is disabled; ask an administrator", {"sub": subject, "username": user.username}
        )
    if user.oidc_subject is None:
        user.oidc_subject = subject
        audit(session, user, "user.oidc_link", "user", user.username, ip=ip, detail={"sub": subject})
    user.last_login_at = now()
    audit(
        session,
        user,
        "login.oidc",
        "user",
        user.username,
        ip=ip,
        detail={"sub": subject, "issuer": config.issuer},
    )
    session.flush()
    return user


def refuse(session: Session, error: OidcError, *, ip: str | None = None) -> None:
    session.rollback()
    username = error.detail.get("username")
    user = session.scalars(select(UserRow).where(UserRow.username == username)).first() if username else None
    audit(
        session,
        user,
        "login.oidc_refused",
        "user",
        str(username)[:64] if username else None,
        outcome="refused",
        ip=ip,
        detail={"why": error.reason, **{k: v for k, v in error.detail.items() if k != "username"}},
    )
    session.commit()
