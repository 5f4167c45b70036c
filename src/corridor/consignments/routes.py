"""HTTP routes: submit consignments (one, a batch, or a file), fetch, list, history, rejection reports."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Query, UploadFile
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import Engine

from corridor.api.deps import EngineDep, SessionDep
from corridor.consignments.schemas import (
    BatchOut,
    ConsignmentDetail,
    ConsignmentPage,
    ConsignmentSummary,
    IngestReportOut,
    RejectionOut,
    VersionOut,
)
from corridor.consignments.service import (
    ConsignmentFilter,
    batch_summary,
    diff_versions,
    get_row,
    history,
    list_batches,
    list_consignments,
    summary,
)
from corridor.domain.errors import InvalidInput, PayloadTooLarge
from corridor.ingest.base import ReadOptions
from corridor.ingest.detect import READERS
from corridor.ingest.service import (
    IngestReport,
    batch_rejections,
    ingest_documents,
    ingest_paths,
    rejections_csv,
)
from corridor.settings import get_settings

router = APIRouter(tags=["consignments"])


def _report_out(report: IngestReport, engine: Engine, assess: bool) -> IngestReportOut:
    data = report.as_dict()
    data["consignment_ids"] = report.consignment_ids
    # A batch of duplicates only is still followed up: it may be the retry of one stored just
    # before the database went away, whose consignments were never assessed.
    if assess and (report.consignment_ids or report.duplicate_ids):
        from corridor.targeting import after_ingest

        data["targeting"] = after_ingest(engine, report.consignment_ids, recheck=report.duplicate_ids).as_dict()
    return IngestReportOut.model_validate(data)


AssessQuery = Annotated[bool, Query(description="screen and risk-assess what was stored (default true)")]


@router.post(
    "/consignments",
    response_model=IngestReportOut,
    status_code=200,
    summary="Submit one consignment or a batch (Corridor JSON)",
)
def submit_consignments(
    engine: EngineDep,
    payload: Annotated[Any, Body(description='a consignment object, an array, or {"consignments": [...]}')],
    assess: AssessQuery = True,
) -> IngestReportOut:
    if isinstance(payload, dict) and isinstance(payload.get("consignments"), list):
        documents = payload["consignments"]
    elif isinstance(payload, list):
        documents = payload
    elif isinstance(payload, dict):
        documents = [payload]
    else:
        raise InvalidInput("expected a consignment object or an array of them", where="body")
    if len(documents) > 10_000:
        raise PayloadTooLarge(
            "at most 10,000 consignments per request; upload a file to /ingest instead", where="body"
        )
    return _report_out(ingest_documents(engine, documents), engine, assess)


@router.post("/ingest", response_model=IngestReportOut, summary="Upload a file in any supported format")
async def upload_file(
    engine: EngineDep,
    file: Annotated[
        UploadFile, File(description="CSV, Excel, Corridor JSON, CUSCAR, WCO XML, Cargo-XML or KCS")
    ],
    fmt: Annotated[str | None, Query(alias="format", description="force a format")] = None,
    lenient: Annotated[bool, Query(description="accept envelope count errors with a warning")] = False,
    assess: AssessQuery = True,
) -> IngestReportOut:
    if fmt is not None and fmt not in READERS:
        raise InvalidInput(f"unknown format {fmt!r}; use one of {', '.join(sorted(READERS))}", where="format")
    limit = get_settings().max_upload_bytes
    name = Path(file.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="corridor-upload-") as tmp:
        path = Path(tmp) / name
        size = 0
        with path.open("wb") as fh:
            while chunk := await file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"upload larger than {limit:,} bytes", where="file")
                fh.write(chunk)
        report = ingest_paths(
            engine, [path], options=ReadOptions(lenient=lenient), fmt=fmt, origin="api", keep_ids=True
        )
    return _report_out(report, engine, assess)


@router.get("/consignments", response_model=ConsignmentPage, summary="List consignments with filters")
def list_route(
    session: SessionDep,
    q: Annotated[str | None, Query(description="document number, party or conveyance contains")] = None,
    office: str | None = None,
    mode: str | None = None,
    document_type: str | None = None,
    status: str | None = None,
    origin_country: str | None = None,
    discharge_locode: str | None = None,
    has_warnings: bool | None = None,
    eta_from: datetime | None = None,
    eta_to: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: str = "id",
    descending: bool = False,
) -> ConsignmentPage:
    flt = ConsignmentFilter(
        q=q,
        office=office,
        mode=mode,
        document_type=document_type,
        status=status,
        origin_country=origin_country,
        discharge_locode=discharge_locode,
        has_warnings=has_warnings,
        eta_from=eta_from,
        eta_to=eta_to,
    )
    rows, total = list_consignments(
        session, flt, limit=limit, offset=offset, sort=sort, descending=descending
    )
    return ConsignmentPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[ConsignmentSummary.model_validate(summary(r)) for r in rows],
    )


@router.get(
    "/consignments/{ref}", response_model=ConsignmentDetail, summary="One consignment (id, key or number)"
)
def get_route(session: SessionDep, ref: str) -> ConsignmentDetail:
    row = get_row(session, ref)
    return ConsignmentDetail.model_validate({**summary(row), "consignment": row.data})


@router.get("/consignments/{ref}/history", response_model=list[VersionOut], summary="Amendment history")
def history_route(session: SessionDep, ref: str) -> list[VersionOut]:
    row = get_row(session, ref)
    versions = history(session, row.id)
    out = []
    previous: dict[str, Any] | None = None
    for v in versions:
        out.append(
            VersionOut.model_validate(
                {**v, "changed": diff_versions(previous, v["data"]) if previous else []}
            )
        )
        previous = v["data"]
    return out


@router.get("/ingest/batches", response_model=list[BatchOut], summary="Recent ingest batches")
def batches_route(session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[BatchOut]:
    return [BatchOut.model_validate(batch_summary(b)) for b in list_batches(session, limit)]


@router.get(
    "/ingest/batches/{batch_id}/rejections",
    response_model=list[RejectionOut],
    summary="Rejection report of a batch (JSON, or CSV with ?format=csv)",
    responses={200: {"content": {"text/csv": {}}}},
)
def rejections_route(
    session: SessionDep,
    batch_id: int,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
) -> Response | list[RejectionOut]:
    items = batch_rejections(session, batch_id)
    if fmt == "csv":
        return PlainTextResponse(
            rejections_csv(items),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="rejections-{batch_id}.csv"'},
        )
    return [RejectionOut.model_validate(r.as_dict()) for r in items]
