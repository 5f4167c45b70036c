"""Mount the workbench on an app: page routers, static files, and HTML error pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from corridor.web.deps import HERE
from corridor.web.errors import install_web_error_handlers


def mount_workbench(app: FastAPI) -> None:
    from corridor.web.pages_alerts import router as alert_pages
    from corridor.web.pages_auth import router as auth_pages
    from corridor.web.pages_maritime import router as maritime_pages
    from corridor.web.pages_overview import router as overview_pages
    from corridor.web.pages_profiles import router as profile_pages
    from corridor.web.pages_seizures import router as seizure_pages
    from corridor.web.pages_watchlists import router as watchlist_pages
    from corridor.web.pages_work import router as work_pages

    install_web_error_handlers(app)
    app.include_router(auth_pages)
    app.include_router(work_pages)
    app.include_router(overview_pages)
    app.include_router(profile_pages)
    app.include_router(seizure_pages)
    app.include_router(alert_pages)
    app.include_router(watchlist_pages)
    app.include_router(maritime_pages)
    app.mount("/static", StaticFiles(directory=str(HERE / "static"), check_dir=True), name="static")
