"""Wire operations into an app: request ids, access log, metrics, readiness, scheduled retention."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from corridor.ops.leader import LeaderJob
from corridor.ops.metrics import Metrics
from corridor.ops.middleware import RequestContextMiddleware
from corridor.ops.routes import router
from corridor.ops.schedule import RetentionScheduler
from corridor.settings import get_settings


def install(app: FastAPI, engine: Engine) -> None:
    app.state.metrics = Metrics(engine)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    app.include_router(router)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[Any]:
        settings = get_settings()
        job: LeaderJob[RetentionScheduler] | None = None
        years = settings.retention_years
        if years is not None and settings.retention_schedule:

            def begin() -> RetentionScheduler:
                scheduler = RetentionScheduler(engine, years, settings.secret_key)
                scheduler.start()
                return scheduler

            # One purge thread among the workers of `serve --workers N` (corridor.ops.leader).
            job = LeaderJob("retention", settings.data_dir, settings.workers, begin, RetentionScheduler.stop)
            job.start()
        try:
            async with inner(app_) as state:
                yield state
        finally:
            if job is not None:
                await run_in_threadpool(job.stop)

    app.router.lifespan_context = lifespan
