"""Pydantic I/O models for the consignments and ingest API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ConsignmentSummary(BaseModel):
    id: int
    key: str
    document_type: str
    document_number: str
    master_document_number: str | None = None
    status: str
    version: int
    mode: str
    office: str | None = None
    carrier: str | None = None
    conveyance: str | None = None
    filed_at: str | None = None
    eta: str | None = None
    loading_locode: str | None = None
    discharge_locode: str | None = None
    origin_country: str | None = None
    consignor: str | None = None
    consignee: str | None = None
    goods_count: int
    total_gross_kg: float | None = None
    warning_count: int
    source_format: str


class ConsignmentPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ConsignmentSummary]


class ConsignmentDetail(ConsignmentSummary):
    consignment: dict[str, Any] = Field(description="the full Corridor JSON document, with warnings")


class VersionOut(BaseModel):
    version: int
    function: str
    content_hash: str
    source_format: str
    source_file: str | None = None
    source_location: str | None = None
    batch_id: int | None = None
    received_at: str | None = None
    changed: list[str] = Field(description="fields that differ from the previous version")
    data: dict[str, Any]


class RejectionOut(BaseModel):
    file: str
    location: str
    field: str | None = None
    code: str
    reason: str
    excerpt: str | None = None


class FileSummaryOut(BaseModel):
    file: str
    format: str
    accepted: int
    amended: int
    duplicates: int
    rejected: int
    warnings: int


class TargetingOut(BaseModel):
    screened: int
    screening_hits: int
    assessed: int
    lanes: dict[str, int]
    notes: list[str]


class IngestReportOut(BaseModel):
    batch_id: int
    accepted: int
    amended: int
    duplicates: int
    rejected: int
    warnings: int
    files: list[FileSummaryOut]
    rejections: list[RejectionOut]
    consignment_ids: list[int] = Field(default_factory=list)
    targeting: TargetingOut | None = Field(
        default=None, description="screening and risk assessment of what was stored (unless assess=false)"
    )


class BatchOut(BaseModel):
    id: int
    started_at: str | None = None
    finished_at: str | None = None
    origin: str
    files: list[str]
    accepted: int
    amended: int
    duplicates: int
    rejected: int
    warnings: int
