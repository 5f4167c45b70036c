"""`corridor consignments list|show|history`."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from corridor.cli_support import handles_errors, out, print_json, print_table
from corridor.consignments.service import (
    ConsignmentFilter,
    diff_versions,
    get_row,
    history,
    list_consignments,
    summary,
)
from corridor.db.ready import ready_engine

app = typer.Typer(help="Stored consignments: list, show, amendment history.", no_args_is_help=True)


@app.command("list")
@handles_errors
def list_command(
    q: Annotated[str | None, typer.Option(help="search document number, parties, conveyance")] = None,
    office: Annotated[str | None, typer.Option()] = None,
    mode: Annotated[str | None, typer.Option()] = None,
    warnings: Annotated[bool, typer.Option("--warnings", help="only consignments with warnings")] = False,
    limit: Annotated[int, typer.Option()] = 50,
    offset: Annotated[int, typer.Option()] = 0,
    sort: Annotated[str, typer.Option(help="id, eta, filed_at, document_number, updated_at")] = "id",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List stored consignments (current versions)."""
    flt = ConsignmentFilter(q=q, office=office, mode=mode, has_warnings=True if warnings else None)
    with Session(ready_engine()) as session:
        rows, total = list_consignments(session, flt, limit=limit, offset=offset, sort=sort)
        items = [summary(r) for r in rows]
    if as_json:
        print_json({"total": total, "limit": limit, "offset": offset, "items": items})
        return
    print_table(
        f"Consignments ({len(items)} of {total})",
        ["id", "document", "v", "mode", "office", "ETA", "route", "consignee", "goods", "warn"],
        [
            [
                i["id"],
                f"{i['document_type']} {i['document_number']}",
                i["version"],
                i["mode"],
                i["office"],
                (i["eta"] or "")[:16],
                f"{i['loading_locode'] or '?'}→{i['discharge_locode'] or '?'}",
                (i["consignee"] or "")[:30],
                i["goods_count"],
                i["warning_count"],
            ]
            for i in items
        ],
    )


@app.command("show")
@handles_errors
def show_command(
    ref: Annotated[str, typer.Argument(help="id, key (BL:NUMBER) or document number")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Everything stored about one consignment, with warnings and amendment history."""
    with Session(ready_engine()) as session:
        row = get_row(session, ref)
        versions = history(session, row.id)
        doc = dict(row.data)
        head = summary(row)
    changes = [
        {
            "version": b["version"],
            "function": b["function"],
            "received_at": b["received_at"],
            "source": f"{b['source_file'] or b['source_format']} {b['source_location'] or ''}".strip(),
            "changed": diff_versions(a["data"], b["data"]) if a else [],
        }
        for a, b in zip([None, *versions[:-1]], versions, strict=True)
    ]
    if as_json:
        print_json({**head, "consignment": doc, "history": changes})
        return
    out.print(
        f"[bold]{head['document_type']} {head['document_number']}[/bold]  id {head['id']}  "
        f"version {head['version']}  {head['status']}  mode {head['mode']}  office {head['office'] or '-'}"
    )
    out.print(
        f"route {head['loading_locode'] or '?'} → {head['discharge_locode'] or '?'}   ETA {head['eta'] or '-'}   "
        f"carrier {head['carrier'] or '-'}   conveyance {head['conveyance'] or '-'}"
    )
    parties = doc.get("parties", [])
    if parties:
        print_table(
            "Parties",
            ["role", "name", "country", "identifiers"],
            [
                [
                    p["role"],
                    p.get("name"),
                    p.get("country"),
                    ", ".join(f"{i['scheme']}:{i['value']}" for i in p.get("identifiers", [])),
                ]
                for p in parties
            ],
        )
    goods = doc.get("goods", [])
    if goods:
        print_table(
            "Goods",
            ["#", "HS", "description", "packages", "gross kg", "value"],
            [
                [
                    g["sequence"],
                    g.get("hs_code"),
                    (g.get("description") or "")[:50],
                    g.get("packages"),
                    g.get("gross_kg"),
                    f"{g['value']['amount']:,.2f} {g['value']['currency']}" if g.get("value") else "",
                ]
                for g in goods
            ],
        )
    equipment = doc.get("equipment", [])
    if equipment:
        print_table(
            "Equipment",
            ["number", "type", "seals"],
            [[e["number"], e.get("size_type"), " ".join(e.get("seals", []))] for e in equipment],
        )
    warnings = doc.get("warnings", [])
    if warnings:
        print_table(
            "Warnings",
            ["code", "field", "message"],
            [[w["code"], w["field"], w["message"]] for w in warnings],
        )
    print_table(
        "History",
        ["version", "function", "received", "source", "changed fields"],
        [
            [c["version"], c["function"], c["received_at"], c["source"], ", ".join(c["changed"])[:80]]
            for c in changes
        ],
    )
