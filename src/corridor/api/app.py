"""The FastAPI application factory. No engine exists until create_app() is called."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine

from corridor import __version__
from corridor.api.errors import install_error_handlers


def create_app(engine: Engine | None = None) -> FastAPI:
    from corridor.accounts.deps import requires
    from corridor.accounts.guards import consignments_guard
    from corridor.accounts.roles import Permission
    from corridor.accounts.routes import router as accounts_router
    from corridor.api.meta import router as meta_router
    from corridor.api.openapi import install_openapi
    from corridor.api.ratelimit import install_rate_limits
    from corridor.api.security_headers import install_security_headers
    from corridor.consignments.routes import router as consignments_router
    from corridor.db.ready import ready_engine
    from corridor.exchange.routes import install as install_exchange
    from corridor.goods.routes import router as goods_router
    from corridor.maritime.routes import router as maritime_router
    from corridor.model.routes import router as model_router
    from corridor.ops.install import install as install_ops
    from corridor.risk.routes import router as risk_router
    from corridor.screening.routes import router as screening_router
    from corridor.seizures.routes import router as seizures_router
    from corridor.web.routes import mount_workbench

    app = FastAPI(
        title="Corridor",
        version=__version__,
        description="Customs risk targeting and secure information exchange. Errors: "
        '{"error": {"code", "detail", "where"}}.',
    )
    app.state.engine = engine if engine is not None else ready_engine()
    install_error_handlers(app)
    install_openapi(app)  # the error body on every operation's 4XX answers
    # Log-in and node-to-node rate limits; the security headers are outermost, so a 429 carries them too.
    install_rate_limits(app)
    install_security_headers(app)
    app.include_router(meta_router)
    # HS look-up, suggestion and the goods check: for logged-in users (they cost CPU; not public).
    app.include_router(goods_router, dependencies=[Depends(requires(Permission.VIEW_CONSIGNMENTS))])
    # The consignment and ingest API needs a user (session cookie or API token) and respects office scope.
    app.include_router(consignments_router, dependencies=[Depends(consignments_guard)])
    app.include_router(accounts_router)
    # Node-to-node exchange (signed envelopes) and its management API; runs the outbox deliverer.
    install_exchange(app, app.state.engine)
    # Risk routes check their own permissions (view, decide, edit profiles) and the office scope.
    app.include_router(risk_router)
    app.include_router(screening_router)
    # Model routes check their own permissions too (view; activate/rollback need edit_profiles).
    app.include_router(model_router)
    app.include_router(maritime_router)
    # Seizure records and analytics check their own permissions and the office scope.
    app.include_router(seizures_router)
    mount_workbench(app)
    # Request ids, the access log, /metrics and /health/ready; added last, so it is the outermost
    # middleware and its access line and metrics see every response (429s and security headers too).
    install_ops(app, app.state.engine)

    @app.get("/", include_in_schema=False)
    def root() -> Any:
        return RedirectResponse("/queue")

    return app
