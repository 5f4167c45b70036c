"""The seizure analysis page of the workbench: figures, trends, routes and maps of the CEN records in
the user's scope, with links to the monthly report. The map layers come from the seizure API
(/seizures/map/...), which accepts the page's session cookie."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from corridor.accounts.roles import Permission
from corridor.accounts.service import visible_offices
from corridor.api.deps import SessionDep
from corridor.cases.service import require
from corridor.domain.errors import InvalidInput
from corridor.web.deps import PageAuth, render
from corridor.web.errors import mark_web

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_web)])


def _month(value: str | None, where: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a month (YYYY-MM)", where=where) from None


@router.get("/analytics/seizures")
def seizures_page(
    request: Request,
    session: SessionDep,
    auth: PageAuth,
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
) -> Response:
    from corridor.analytics import aggregates as agg
    from corridor.analytics.frames import seizure_frame
    from corridor.analytics.geo import flow_table
    from corridor.analytics.report import shift_month
    from corridor.seizures.feedback import profile_hit_rates
    from corridor.seizures.service import SeizureFilter
    from corridor.seizures.vocabulary import CATEGORIES

    require(auth.user, Permission.VIEW_DASHBOARD)
    start = _month(since, "since")
    end = _month(until, "until")
    if end is not None:
        end = end.replace(year=end.year + end.month // 12, month=end.month % 12 + 1)  # through that month
    scope = visible_offices(session, auth.user)
    flt = SeizureFilter(since=start, until=end, category=category or None, offices=scope)
    frame = seizure_frame(session, flt)
    monthly = agg.records(agg.stats(frame, "month"))
    latest = monthly[-1]["key"] if monthly else datetime.now(UTC).strftime("%Y-%m")
    context: dict[str, Any] = {
        "flt": {"since": since or "", "until": until or "", "category": category or ""},
        "categories": CATEGORIES,
        "totals": agg.totals(frame),
        "by_commodity": agg.records(agg.stats(frame, "commodity")),
        "by_office": agg.records(agg.stats(frame, "office")),
        "by_detection": agg.records(agg.stats(frame, "detection")),
        "by_concealment": agg.records(agg.stats(frame, "concealment").head(10)),
        "routes": agg.records(flow_table(frame).head(10)),
        "monthly": monthly,
        "max_month": max([m["seizures"] for m in monthly] or [1]),
        "profiles": agg.records(agg.profile_effectiveness(frame).head(10)),
        "hit_rates": [r.as_dict() for r in profile_hit_rates(session, scope)[:10]],
        "report_month": latest,
        "previous_month": shift_month(latest, -1),
        "query": request.url.query,
    }
    return render(request, "seizures/index.html", context, auth=auth)
