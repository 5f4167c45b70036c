"""The maritime picture: AIS and radar tracks, offshore installations, zones and detected events."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from corridor.accounts.roles import Permission
from corridor.cases.service import require
from corridor.web.deps import PageAuth, render

router = APIRouter(include_in_schema=False)


@router.get("/sea")
def sea_page(request: Request, auth: PageAuth) -> Response:
    require(auth.user, Permission.VIEW_DASHBOARD)
    return render(request, "maritime.html", {}, auth=auth)
