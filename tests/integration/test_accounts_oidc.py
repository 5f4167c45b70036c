"""OIDC single sign-on against a fake issuer (httpx.MockTransport): discovery, JWKS, token endpoint, PKCE."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corridor.accounts.config import account_settings
from corridor.accounts.models import AuditRow, SessionRow, UserRow
from corridor.accounts.oidc import OidcConfig, OidcProvider, get_oidc_provider
from corridor.api.app import create_app
from tests.e2e.seed import World, seed

ISSUER = "https://idp.example.test/realms/customs"
CLIENT_ID = "corridor-workbench"
REDIRECT = "http://testserver/login/oidc/callback"


class FakeIssuer:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key: Any = self.key  # a test may swap in another key (forgery)
        self.pending: dict[str, Any] = {}
        self.claims: dict[str, Any] = {}

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/auth",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/certs",
                },
            )
        if path.endswith("/certs"):
            return httpx.Response(200, json=self.jwks())
        if path.endswith("/token") and request.method == "POST":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            )
            if form.get("code") != "the-code" or challenge != self.pending.get("challenge"):
                return httpx.Response(400, json={"error": "invalid_grant"})
            moment = int(time.time())
            claims = {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "sub": "idp-subject-1",
                "iat": moment,
                "exp": moment + 300,
                "nonce": self.pending["nonce"],
                "preferred_username": "officer",
                **self.claims,
            }
            token = jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": "k1"})
            return httpx.Response(200, json={"access_token": "x", "token_type": "Bearer", "id_token": token})
        return httpx.Response(404)


@pytest.fixture
def world(engine: Engine) -> World:
    return seed(engine)


@pytest.fixture
def idp() -> FakeIssuer:
    return FakeIssuer()


@pytest.fixture
def client(
    engine: Engine, world: World, idp: FakeIssuer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("CORRIDOR_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("CORRIDOR_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CORRIDOR_OIDC_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("CORRIDOR_OIDC_REDIRECT_URL", REDIRECT)
    account_settings.cache_clear()
    config = OidcConfig.from_settings(account_settings())
    assert config is not None
    provider = OidcProvider(config, http=httpx.Client(transport=httpx.MockTransport(idp.handler)))
    app = create_app(engine)
    app.dependency_overrides[get_oidc_provider] = lambda: provider
    yield TestClient(app)
    account_settings.cache_clear()


def _sign_on(
    client: TestClient, idp: FakeIssuer, *, nonce: str | None = None, state: str | None = None
) -> httpx.Response:
    start = client.get("/login/oidc?next=/alerts", follow_redirects=False)
    assert start.status_code == 303
    location = urlparse(start.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ISSUER}/auth"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["code_challenge_method"] == "S256" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == REDIRECT and "openid" in query["scope"].split()
    idp.pending = {"nonce": nonce or query["nonce"], "challenge": query["code_challenge"]}
    return client.get(
        "/login/oidc/callback",
        params={"code": "the-code", "state": state or query["state"]},
        follow_redirects=False,
    )


def _sessions(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.scalars(select(SessionRow)).all())


def _refusals(engine: Engine) -> list[AuditRow]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.action == "login.oidc_refused")).all())


def test_login_page_shows_the_button_only_when_configured(
    engine: Engine, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "Sign in with single sign-on" in client.get("/login").text
    plain = TestClient(create_app(engine))
    for name in ("CORRIDOR_OIDC_ISSUER", "CORRIDOR_OIDC_CLIENT_ID", "CORRIDOR_OIDC_REDIRECT_URL"):
        monkeypatch.delenv(name)
    account_settings.cache_clear()
    assert "single sign-on" not in plain.get("/login").text
    assert plain.get("/login/oidc", follow_redirects=False).headers["location"] == "/login"


def test_good_sign_on_opens_a_session_and_links_the_subject(
    engine: Engine, client: TestClient, idp: FakeIssuer
) -> None:
    done = _sign_on(client, idp)
    assert done.status_code == 303 and done.headers["location"] == "/alerts"
    assert "corridor_session" in client.cookies
    assert client.get("/queue").status_code == 200
    with Session(engine) as session:
        user = session.scalars(select(UserRow).where(UserRow.username == "officer")).one()
        assert user.oidc_subject == "idp-subject-1"
        actions = [
            r.action for r in session.scalars(select(AuditRow).where(AuditRow.username == "officer")).all()
        ]
        assert "login.oidc" in actions and "user.oidc_link" in actions
    # the second time the subject finds the account, whatever the username claim says
    client.cookies.clear()
    idp.claims = {"preferred_username": "someone-renamed"}
    again = _sign_on(client, idp)
    assert again.status_code == 303 and "corridor_session" in client.cookies
    assert _sessions(engine) == 2


@pytest.mark.parametrize(
    "case",
    ["forged", "audience", "nonce", "expired", "unknown_user", "state", "issuer", "disabled"],
)
def test_bad_sign_on_is_refused_without_a_session(
    engine: Engine, client: TestClient, idp: FakeIssuer, case: str
) -> None:
    kwargs: dict[str, Any] = {}
    if case == "forged":
        idp.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif case == "audience":
        idp.claims = {"aud": "another-client"}
    elif case == "nonce":
        kwargs["nonce"] = "a-replayed-nonce"
    elif case == "expired":
        idp.claims = {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}
    elif case == "unknown_user":
        idp.claims = {"preferred_username": "nobody-here", "sub": "idp-subject-9"}
    elif case == "state":
        kwargs["state"] = "an-attackers-state"
    elif case == "issuer":
        idp.claims = {"iss": "https://evil.example.test"}
    elif case == "disabled":
        with Session(engine) as session:
            user = session.scalars(select(UserRow).where(UserRow.username == "officer")).one()
            user.active = False
            session.commit()
    refused = _sign_on(client, idp, **kwargs)
    assert refused.status_code == 401
    assert 'role="alert"' in refused.text
    assert "corridor_session" not in client.cookies
    assert _sessions(engine) == 0
    rows = _refusals(engine)
    assert len(rows) == 1 and rows[0].outcome == "refused" and rows[0].detail["why"]
    with Session(engine) as session:
        assert session.scalars(select(UserRow).where(UserRow.oidc_subject.is_not(None))).first() is None


def test_callback_without_a_started_sign_on_is_refused(engine: Engine, client: TestClient) -> None:
    response = client.get(
        "/login/oidc/callback", params={"code": "the-code", "state": "x"}, follow_redirects=False
    )
    assert response.status_code == 401 and "corridor_session" not in client.cookies
    assert "state cookie missing" in _refusals(engine)[0].detail["why"]
