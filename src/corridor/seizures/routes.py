"""HTTP API of the seizure database and its analytics. Every route needs a user (session cookie or
API token); reading needs VIEW_DASHBOARD, recording RECORD_INSPECTION or INGEST, and the watch list
EDIT_PROFILES (it changes what the risk engine targets). Records outside the caller's offices are
"not found", as consignments are."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from corridor.accounts.deps import ApiAuth, Auth
from corridor.accounts.models import UserRow
from corridor.accounts.roles import Permission, can
from corridor.accounts.service import audit, in_scope, visible_offices
from corridor.api.deps import SessionDep
from corridor.domain.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from corridor.seizures import service
from corridor.seizures.schemas import ImportReport, SeizureIn

router = APIRouter(prefix="/seizures", tags=["seizures"])
MAX_UPLOAD = 50 * 1024 * 1024
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
}


def _require(user: UserRow, *permissions: Permission) -> None:
    if not any(can(user.role, p) for p in permissions):
        wanted = " or ".join(p.value.replace("_", " ") for p in permissions)
        raise Forbidden(f"a {user.role.replace('_', ' ')} may not {wanted}")


def _scope(session: Session, auth: Auth) -> frozenset[str] | None:
    return visible_offices(session, auth.user)


def _day(value: str | None, where: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value if len(value) > 7 else value + "-01")
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD) or month (YYYY-MM)", where=where) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _filter(
    session: Session,
    auth: Auth,
    since: str | None,
    until: str | None,
    category: str | None,
    office: str | None,
    detection: str | None = None,
) -> service.SeizureFilter:
    return service.SeizureFilter(
        since=_day(since, "since"),
        until=_day(until, "until"),
        category=category,
        office=office,
        detection=detection,
        offices=_scope(session, auth),
    )


def _refused(session: Session, auth: Auth, object_type: str, object_id: int, office: str | None) -> None:
    """Another office's record: the attempt is audited, then answered as if the record did not exist."""
    audit(
        session,
        auth.user,
        f"{object_type}.view",
        object_type,
        str(object_id),
        office=office,
        outcome="refused",
        detail={"why": "office out of scope"},
    )
    session.commit()


def _visible(session: Session, auth: Auth, ref: str | int) -> Any:
    row = service.get(session, ref)
    if not in_scope(_scope(session, auth), row.office):
        _refused(session, auth, "seizure_record", row.id, row.office)
        raise NotFound(f"no seizure record {ref!r}", where="seizure")
    return row


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise PayloadTooLarge(f"a file has at most {MAX_UPLOAD // (1024 * 1024)} MB", where="file")
    return data


@router.get("")
def list_seizures(
    session: SessionDep,
    auth: ApiAuth,
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
    office: str | None = None,
    detection: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    _require(auth.user, Permission.VIEW_DASHBOARD)
    flt = _filter(session, auth, since, until, category, office, detection)
    rows, total = service.list_seizures(session, flt, limit=limit, offset=offset)
    return {"total": total, "items": [service.as_json(r) for r in rows]}


@router.post("")
def create(data: SeizureIn, session: SessionDep, auth: ApiAuth) -> dict[str, Any]:
    _require(auth.user, Permission.RECORD_INSPECTION, Permission.INGEST)
    if not in_scope(_scope(session, auth), data.office):
        raise Forbidden(f"office {data.office or '(none)'} is not one of yours", where="office")
    row, status = service.record(session, data)
    return {"status": status, **service.as_json(row)}


@router.post("/import")
async def import_file(
    session: SessionDep,
    auth: ApiAuth,
    file: Annotated[UploadFile, File(description="template: .csv, .xlsx, .geojson or .parquet")],
    format: Annotated[str | None, Form()] = None,
) -> ImportReport:
    _require(auth.user, Permission.INGEST)
    report: ImportReport = service.import_records(
        session, await _read_upload(file), file.filename or "upload", fmt=format
    )
    return report


@router.get("/export")
def export(
    session: SessionDep,
    auth: ApiAuth,
    format: str = "csv",
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
    office: str | None = None,
) -> Response:
    from corridor.seizures.template import to_bytes

    _require(auth.user, Permission.VIEW_DASHBOARD)
    if format not in MEDIA:
        raise InvalidInput(f"unknown format {format!r}; use {', '.join(MEDIA)}", where="format")
    items = service.all_inputs(session, _filter(session, auth, since, until, category, office))
    return Response(
        to_bytes(items, format),
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="seizures.{format}"'},
    )


@router.get("/stats")
def stats(
    session: SessionDep,
    auth: ApiAuth,
    by: str = "commodity",
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
    office: str | None = None,
) -> dict[str, Any]:
    from corridor.analytics.aggregates import records
    from corridor.analytics.aggregates import stats as group
    from corridor.analytics.frames import seizure_frame

    _require(auth.user, Permission.VIEW_DASHBOARD)
    frame = seizure_frame(session, _filter(session, auth, since, until, category, office))
    return {"by": by, "rows": records(group(frame, by))}


@router.get("/trend")
def trend(session: SessionDep, auth: ApiAuth, month: str, by: str = "commodity") -> dict[str, Any]:
    from corridor.analytics.aggregates import records
    from corridor.analytics.aggregates import trend as month_trend
    from corridor.analytics.frames import seizure_frame
    from corridor.analytics.report import month_bounds, shift_month

    _require(auth.user, Permission.VIEW_DASHBOARD)
    _, end = month_bounds(month)
    start, _ = month_bounds(shift_month(month, -3))
    flt = service.SeizureFilter(since=start, until=end, offices=_scope(session, auth))
    return {"month": month, "by": by, "rows": records(month_trend(seizure_frame(session, flt), month, by))}


@router.get("/profiles")
def profiles(session: SessionDep, auth: ApiAuth) -> dict[str, Any]:
    """Profile effectiveness: hit rates over inspected or seized consignments, and seizures per profile."""
    from corridor.analytics.aggregates import profile_effectiveness, records
    from corridor.analytics.frames import seizure_frame
    from corridor.seizures.feedback import profile_hit_rates

    _require(auth.user, Permission.VIEW_DASHBOARD)
    scope = _scope(session, auth)
    return {
        "hit_rates": [r.as_dict() for r in profile_hit_rates(session, scope)],
        "seizures_by_profile": records(
            profile_effectiveness(seizure_frame(session, service.SeizureFilter(offices=scope)))
        ),
    }


@router.get("/map/{layer}.geojson")
def map_layer(
    layer: str,
    session: SessionDep,
    auth: ApiAuth,
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
    resolution: Annotated[int, Query(ge=0, le=8)] = 6,
) -> JSONResponse:
    from corridor.analytics.frames import seizure_frame
    from corridor.analytics.geo import layer as make_layer

    _require(auth.user, Permission.VIEW_DASHBOARD)
    frame = seizure_frame(session, _filter(session, auth, since, until, category, None))
    return JSONResponse(make_layer(frame, layer, resolution), media_type="application/geo+json")


@router.get("/report")
def report(session: SessionDep, auth: ApiAuth, month: str, format: str = "pdf") -> Response:
    from corridor.analytics.report import build_report, render_html, render_pdf

    _require(auth.user, Permission.VIEW_DASHBOARD)
    if format not in ("pdf", "html"):
        raise InvalidInput(f"unknown format {format!r}; use pdf or html", where="format")
    scope = _scope(session, auth)
    data = build_report(
        session, month, offices=scope, scope="all offices" if scope is None else ", ".join(sorted(scope))
    )
    if format == "html":
        return HTMLResponse(render_html(data))
    return Response(
        render_pdf(data),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="seizures-{month}.pdf"'},
    )


class WatchRequest(BaseModel):
    party_ids: list[int] | None = None
    reason: str | None = Field(default=None, max_length=2000)


@router.get("/watchlist")
def watchlist(session: SessionDep, auth: ApiAuth) -> list[dict[str, Any]]:
    _require(auth.user, Permission.VIEW_DASHBOARD)
    return [
        {
            "entry": w.entry,
            "name": w.name,
            "kind": w.kind,
            "nationality": w.nationality,
            "identifier": w.identifier,
            "seizure_id": w.seizure_id,
            "reason": w.reason,
            "added_by": w.added_by,
            "added_at": w.added_at.isoformat(),
        }
        for w in service.watch_list(session)
    ]


@router.post("/from-case/{seizure_id}")
def from_case(seizure_id: int, session: SessionDep, auth: ApiAuth) -> dict[str, Any]:
    from corridor.cases.models import SeizureRow

    _require(auth.user, Permission.RECORD_INSPECTION, Permission.INGEST)
    case = session.get(SeizureRow, seizure_id)
    if case is not None and not in_scope(_scope(session, auth), case.office):
        _refused(session, auth, "seizure", case.id, case.office)
    if case is None or not in_scope(_scope(session, auth), case.office):
        raise NotFound(f"no workbench seizure {seizure_id}", where="seizure_id")
    row, status = service.record_from_case(session, seizure_id)
    return {"status": status, **service.as_json(row)}


@router.get("/attachments/{attachment_id}")
def attachment(attachment_id: int, session: SessionDep, auth: ApiAuth) -> FileResponse:
    _require(auth.user, Permission.VIEW_DASHBOARD)
    found, path = service.open_attachment(session, attachment_id)
    _visible(session, auth, found.seizure_id)
    return FileResponse(path, media_type=found.content_type, filename=found.filename)


@router.get("/{ref}")
def show(ref: str, session: SessionDep, auth: ApiAuth) -> dict[str, Any]:
    _require(auth.user, Permission.VIEW_DASHBOARD)
    return service.as_json(_visible(session, auth, ref))


@router.post("/{ref}/attachments")
async def attach(
    ref: str,
    session: SessionDep,
    auth: ApiAuth,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "photo",
) -> dict[str, Any]:
    _require(auth.user, Permission.RECORD_INSPECTION, Permission.INGEST)
    _visible(session, auth, ref)
    saved = service.add_attachment(
        session, ref, file.filename or "upload", await _read_upload(file), kind=kind
    )
    return {"id": saved.id, "sha256": saved.sha256, "kind": saved.kind, "size": saved.size}


@router.post("/{ref}/watch")
def watch(ref: str, body: WatchRequest, session: SessionDep, auth: ApiAuth) -> dict[str, Any]:
    _require(auth.user, Permission.EDIT_PROFILES)
    _visible(session, auth, ref)
    added = service.watch_parties(
        session, ref, party_ids=body.party_ids, actor=auth.user.username, reason=body.reason
    )
    return {"added": [{"entry": a.entry, "name": a.name} for a in added]}
