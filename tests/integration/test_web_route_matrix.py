"""Every route of the application refuses a caller without credentials, except an explicit allow-list.

The matrix walks `app.routes` (FastAPI's included routers flattened with `iter_route_contexts`), so a
route added later is checked without anyone remembering to: the JSON API answers 401, a page
redirects to /login (303), an htmx request gets 401 with HX-Redirect.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from corridor.api.app import create_app

# (method, path template) -> why it is open
OPEN: dict[tuple[str, str], str] = {
    ("GET", "/health"): "liveness probe",
    ("GET", "/health/ready"): "readiness probe for load balancers (states and reasons, no paths or secrets)",
    ("GET", "/metrics"): "loopback only or CORRIDOR_METRICS_TOKEN (403/401, see test_ops_http.py)",
    ("GET", "/schemas/consignment.json"): "public JSON Schema of the input format",
    ("GET", "/reference/locodes/{code}"): "published UN/LOCODE reference data",
    ("GET", "/reference/hs/{code}"): "published HS nomenclature",
    ("GET", "/reference/countries/{code}"): "ISO 3166 reference data",
    ("GET", "/openapi.json"): "API description",
    ("GET", "/docs"): "API description",
    ("GET", "/docs/oauth2-redirect"): "API description",
    ("GET", "/redoc"): "API description",
    ("POST", "/auth/login"): "the API log-in itself",
    ("GET", "/login"): "the log-in page",
    ("POST", "/login"): "the log-in form (double-submit CSRF)",
    ("GET", "/setup"): "first run only; closed once a user exists",
    ("POST", "/setup"): "first run only; closed once a user exists",
    ("GET", "/exchange/v1/identity"): "partner nodes compare the public identity",
    ("GET", "/exchange/v1/schemas"): "partner nodes read the message schemas",
    ("POST", "/exchange/v1/messages"): "partner nodes deliver signed envelopes (authenticated by signature)",
    ("GET", "/"): "redirects to /queue, which asks for a log-in",
}
# Routes that answer the anonymous caller by themselves redirecting to the log-in page.
LOGIN_REDIRECTS = {("GET", "/lang/{code}"), ("GET", "/auth/oidc/login"), ("GET", "/auth/oidc/callback")}


def _routes(app: object) -> list[tuple[str, str]]:
    found = []
    for route in iter_route_contexts(app.routes):  # type: ignore[attr-defined]
        if route.methods is None or route.path is None:
            continue  # the static files mount
        found.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))
    return found


def test_every_route_needs_credentials_except_the_allow_list(engine: Engine) -> None:
    app = create_app(engine)
    client = TestClient(app, raise_server_exceptions=False)
    routes = _routes(app)
    assert len(routes) > 120  # the walk sees the included routers, not just the app's own routes
    assert set(OPEN) <= set(routes), set(OPEN) - set(routes)
    wrong = []
    for method, path in routes:
        if (method, path) in OPEN:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.request(method, url, follow_redirects=False)
        location = response.headers.get("location", "")
        if response.status_code == 401:
            continue
        if response.status_code == 303 and location.startswith("/login"):
            continue
        if (method, path) in LOGIN_REDIRECTS and response.status_code in (302, 303, 307):
            continue
        wrong.append(f"{method} {path} -> {response.status_code} {location}")
    assert not wrong, "routes open without credentials:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", ["/alerts", "/watchlists", "/queue", "/geo/countries.geojson"])
def test_pages_redirect_to_login_and_htmx_gets_401(engine: Engine, path: str) -> None:
    client = TestClient(create_app(engine))
    page = client.get(path, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    fragment = client.get(path, headers={"HX-Request": "true"}, follow_redirects=False)
    assert fragment.status_code == 401 and fragment.headers["HX-Redirect"].startswith("/login")
