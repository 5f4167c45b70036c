"""Wire operations into an app: request ids, access log, metrics, readiness, scheduled retention."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from corridor.ops.leader import LeaderJob, run_for_app_lifetime
from corridor.ops.metrics import Metrics
from corridor.ops.middleware import RequestContextMiddleware
from corridor.ops.routes import router
from corridor.ops.schedule import RetentionScheduler
from corridor.settings import get_settings


def install(app: FastAPI, engine: Engine) -> None:
    app.state.metrics = Metrics(engine)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    app.include_router(router)

    def retention(_app: FastAPI) -> LeaderJob[RetentionScheduler] | None:
        settings = get_settings()
        years = settings.retention_years
        if years is None or not settings.retention_schedule:
            return None

        def begin() -> RetentionScheduler:
            scheduler = RetentionScheduler(engine, years, settings.secret_key)
            scheduler.start()
            return scheduler

        # One purge thread among the workers of `serve --workers N` (corridor.ops.leader).
        return LeaderJob("retention", settings.data_dir, settings.workers, begin, RetentionScheduler.stop)

    run_for_app_lifetime(app, retention)
