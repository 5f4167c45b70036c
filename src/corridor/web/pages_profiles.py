"""Risk profiles in the workbench: list, view, edit with live validation, test on recent data, back-test.

Everything goes through corridor.risk.service (the risk engine's use cases); saving stores a new
version with the analyst as author and writes an audit entry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from corridor.accounts.deps import client_ip
from corridor.accounts.roles import Permission
from corridor.accounts.service import audit
from corridor.api.deps import EngineDep, SessionDep
from corridor.cases.service import require
from corridor.domain.errors import CorridorError, NotFound
from corridor.web.deps import CsrfAuth, PageAuth, render
from corridor.web.errors import mark_web

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_web)])
MAX_TEXT = 200_000


# PostgreSQL's JSONB does not keep key order: show the fields in the order analysts write them.
FIELD_ORDER = (
    "kind",
    "id",
    "title",
    "owner",
    "status",
    "threat",
    "weight",
    "lane",
    "valid_from",
    "valid_to",
    "rationale",
    "when",
)


def _yaml(document: dict[str, Any]) -> str:
    rank = {k: i for i, k in enumerate(FIELD_ORDER)}
    ordered = dict(sorted(document.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)


def _issues(error: CorridorError) -> list[str]:
    issues = error.extra.get("issues") if error.extra else None
    if isinstance(issues, list) and issues:
        return [
            f"line {i.get('line')}: {i.get('message')}" if i.get("line") else str(i.get("message"))
            for i in issues
        ]
    return [error.detail]


@router.get("/profiles")
def profiles(request: Request, session: SessionDep, auth: PageAuth, status: str | None = None) -> Response:
    from corridor.risk.service import list_profiles

    require(auth.user, Permission.VIEW_DASHBOARD)
    rows = list_profiles(session, status or None)
    return render(request, "profiles/list.html", {"rows": rows, "status": status or ""}, auth=auth)


def _detail(session: SessionDep, profile_id: str) -> dict[str, Any]:
    from corridor.risk.service import profile_detail

    detail: dict[str, Any] = profile_detail(session, profile_id)
    return detail


@router.get("/profiles/{profile_id}")
def profile(request: Request, session: SessionDep, auth: PageAuth, profile_id: str) -> Response:
    require(auth.user, Permission.VIEW_DASHBOARD)
    detail = _detail(session, profile_id)
    return render(request, "profiles/view.html", {"p": detail, "text": _yaml(detail["document"])}, auth=auth)


@router.get("/profiles/{profile_id}/edit")
def edit_form(request: Request, session: SessionDep, auth: PageAuth, profile_id: str) -> Response:
    require(auth.user, Permission.EDIT_PROFILES)
    detail = _detail(session, profile_id)
    return render(
        request,
        "profiles/edit.html",
        {"p": detail, "text": _yaml(detail["document"]), "check": None},
        auth=auth,
    )


def _validate(engine: EngineDep, text: str) -> dict[str, Any]:
    from corridor.risk.service import validate_text

    try:
        found = validate_text(engine, text, "editor")
    except CorridorError as error:
        return {"ok": False, "issues": _issues(error), "profiles": []}
    return {"ok": True, "issues": [], "profiles": [f"{p.doc.id} — {p.doc.title}" for p in found]}


@router.post("/profiles/validate")
def validate(
    request: Request, engine: EngineDep, auth: CsrfAuth, text: Annotated[str, Form(max_length=MAX_TEXT)] = ""
) -> Response:
    """Live validation for the editor (htmx): the engine's own parser, with line numbers."""
    require(auth.user, Permission.EDIT_PROFILES)
    return render(request, "profiles/_check.html", {"check": _validate(engine, text)}, auth=auth)


@router.post("/profiles/{profile_id}/edit")
def save(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    auth: CsrfAuth,
    profile_id: str,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> Response:
    from corridor.risk.service import import_text

    require(auth.user, Permission.EDIT_PROFILES)
    check = _validate(engine, text)
    if not check["ok"]:
        detail = _detail(session, profile_id)
        return render(
            request,
            "profiles/edit.html",
            {"p": detail, "text": text, "check": check},
            auth=auth,
            status_code=422,
        )
    report = import_text(engine, text, f"workbench:{auth.user.username}", author=auth.user.username)
    audit(
        session,
        auth.user,
        "profile.save",
        "profile",
        profile_id,
        ip=client_ip(request),
        detail={"report": report.as_dict()},
    )
    session.commit()
    return RedirectResponse(f"/profiles/{profile_id}", status_code=303)


@router.post("/profiles/{profile_id}/status")
def change_status(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    auth: CsrfAuth,
    profile_id: str,
    status: Annotated[str, Form()],
) -> Response:
    from corridor.risk.service import set_status

    require(auth.user, Permission.EDIT_PROFILES)
    version = set_status(engine, profile_id, status, author=auth.user.username)
    audit(
        session,
        auth.user,
        "profile.status",
        "profile",
        profile_id,
        ip=client_ip(request),
        detail={"status": status, "version": version},
    )
    session.commit()
    return RedirectResponse(f"/profiles/{profile_id}", status_code=303)


def _backtest(engine: EngineDep, text: str | None, days: int) -> dict[str, Any]:
    from corridor.risk.service import backtest_stored_text

    end = datetime.now(UTC).date()
    start = end - timedelta(days=days)
    try:
        result: dict[str, Any] = backtest_stored_text(engine, start, end, profiles=text)
    except NotFound as error:
        return {"error": error.detail, "start": start, "end": end}
    except CorridorError as error:
        return {"error": "; ".join(_issues(error)), "start": start, "end": end}
    result["start"], result["end"] = start, end
    return result


@router.get("/profiles/{profile_id}/backtest")
def backtest_page(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    auth: PageAuth,
    profile_id: str,
    days: Annotated[int, Query(ge=1, le=3650)] = 365,
) -> Response:
    """Back-test the stored version of this profile over stored consignments with known outcomes."""
    require(auth.user, Permission.VIEW_DASHBOARD)
    detail = _detail(session, profile_id)
    report = _backtest(engine, _yaml(detail["document"]), days)
    return render(request, "profiles/backtest.html", {"p": detail, "report": report, "days": days}, auth=auth)


@router.post("/profiles/test")
def test_text(
    request: Request,
    engine: EngineDep,
    auth: CsrfAuth,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    days: Annotated[int, Form(ge=1, le=3650)] = 90,
) -> Response:
    """Test the text being edited (not yet saved) on recent stored data (htmx fragment)."""
    require(auth.user, Permission.EDIT_PROFILES)
    check = _validate(engine, text)
    report = _backtest(engine, text, days) if check["ok"] else {"error": "; ".join(check["issues"])}
    return render(request, "profiles/_report.html", {"report": report, "days": days}, auth=auth)
