"""The monthly seizure report: one set of figures, rendered as HTML (self-contained, images inline)
and as a three-page A4 PDF (reportlab; charts and maps are matplotlib PNGs drawn offline).

Page 1: key figures against the month before, seizures by commodity against the three-month
average, and twelve months by category. Page 2: the month's routes and the density of seizure
places (H3). Page 3: offices, detection methods, concealment, routes, profiles and notable cases.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from corridor import __version__
from corridor.analytics import aggregates as agg
from corridor.analytics import charts
from corridor.analytics.frames import seizure_frame
from corridor.analytics.geo import flow_table
from corridor.domain.errors import InvalidInput
from corridor.seizures.service import SeizureFilter

TOP = 8


def month_bounds(month: str) -> tuple[datetime, datetime]:
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"{month!r} is not a month (YYYY-MM)", where="month") from None
    end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start, end


def shift_month(month: str, delta: int) -> str:
    y, m = (int(p) for p in month.split("-"))
    index = y * 12 + (m - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(slots=True)
class Report:
    month: str
    scope: str
    generated_at: datetime
    totals: dict[str, Any]
    previous: dict[str, Any]
    commodities: list[dict[str, Any]]
    offices: list[dict[str, Any]]
    detections: list[dict[str, Any]]
    concealments: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    profiles: list[dict[str, Any]]
    notable: list[dict[str, Any]]
    images: dict[str, bytes] = field(default_factory=dict)

    def data_uri(self, name: str) -> str:
        return "data:image/png;base64," + base64.b64encode(self.images[name]).decode("ascii")


def build_report(
    session: Session, month: str, *, offices: frozenset[str] | None = None, scope: str = "all offices"
) -> Report:
    start, end = month_bounds(month)
    year_start, _ = month_bounds(shift_month(month, -11))
    frame = seizure_frame(session, SeizureFilter(since=year_start, until=end, offices=offices))
    return report_from_frame(frame, month, scope=scope)


def report_from_frame(frame: pl.DataFrame, month: str, *, scope: str = "all offices") -> Report:
    start, end = month_bounds(month)
    prev_start, _ = month_bounds(shift_month(month, -1))
    this = frame.filter((pl.col("seized_at") >= start) & (pl.col("seized_at") < end))
    before = frame.filter((pl.col("seized_at") >= prev_start) & (pl.col("seized_at") < start))
    months = [shift_month(month, -k) for k in range(11, -1, -1)]
    year = frame.filter(pl.col("seized_at") < end)

    commodities = agg.records(agg.trend(frame, month, "commodity"))
    by_office = agg.records(agg.stats(this, "office").head(TOP))
    by_detection = agg.records(agg.stats(this, "detection"))
    by_concealment = agg.records(agg.stats(this, "concealment").head(TOP))
    routes = agg.records(flow_table(this).head(TOP))
    profiles = [
        {**r, "categories": ", ".join(charts.label(c) for c in r["categories"])}
        for r in agg.records(agg.profile_effectiveness(this).head(TOP))
    ]
    notable = agg.records(
        this.sort(["value_usd", "ref"], descending=[True, False], nulls_last=True)
        .head(TOP)
        .select(
            "ref",
            "seized_at",
            "office",
            "commodity_type",
            "quantity",
            "unit",
            "concealment",
            "route",
            "value_usd",
        )
        .with_columns(pl.col("seized_at").dt.strftime("%d.%m"))
    )
    report = Report(
        month=month,
        scope=scope,
        generated_at=datetime.now(UTC),
        totals=agg.totals(this),
        previous=agg.totals(before),
        commodities=[c for c in commodities if c["seizures"] or c["previous_month"]],
        offices=by_office,
        detections=by_detection,
        concealments=by_concealment,
        routes=routes,
        profiles=profiles,
        notable=notable,
    )
    report.images["monthly"] = charts.monthly_chart(
        agg.monthly(year, "commodity", months).filter(pl.col("seizures") > 0),
        f"Seizures per month by commodity, {months[0]} to {month}",
    )
    report.images["flows"] = charts.flow_map(
        this, f"Routes of the seizures of {month} (departure → destination)"
    )
    report.images["density"] = charts.density_map(
        this, f"Where seizures were made in {month} (H3 cells, resolution 4; dots: seizures)"
    )
    report.images["detection"] = charts.bar_chart(
        [d["key"] for d in by_detection], [d["seizures"] for d in by_detection], "Detection method"
    )
    report.images["concealment"] = charts.bar_chart(
        [d["key"] for d in by_concealment],
        [d["seizures"] for d in by_concealment],
        "Concealment",
        colours=None,
    )
    return report


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float | int):
        return f"{value:,.{digits}f}".replace(",", " ")
    return str(value)


def _change(now: float, before: float) -> str:
    if not before:
        return "—"
    change = now / before - 1
    return f"{change:+.0%}"


def key_figures(report: Report) -> list[tuple[str, str, str, str]]:
    """(label, this month, month before, change) for the figures that page 1 leads with."""
    rows = [
        ("Seizures", "seizures", 0),
        ("Drugs, precursors and other goods by weight (kg)", "kg", 1),
        ("Liquids (litres)", "litres", 0),
        ("Cigarettes (sticks)", "sticks", 0),
        ("Items (pieces)", "pieces", 0),
        ("Cash (USD)", "cash_usd", 0),
        ("Estimated value (USD)", "value_usd", 0),
    ]
    return [
        (
            name,
            _fmt(report.totals.get(k), d),
            _fmt(report.previous.get(k), d),
            _change(report.totals.get(k) or 0, report.previous.get(k) or 0),
        )
        for name, k, d in rows
    ]


# -- HTML -----------------------------------------------------------------------------------------


def render_html(report: Report) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("corridor.analytics", "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters["num"] = _fmt
    env.filters["label"] = charts.label
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:+.0%}"
    return env.get_template("monthly_report.html").render(
        r=report, figures=key_figures(report), version=__version__
    )


# -- PDF ------------------------------------------------------------------------------------------


def render_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    h1 = ParagraphStyle(
        "h1", parent=styles["Heading1"], fontSize=16, spaceAfter=2, textColor=colors.HexColor("#0b4f6c")
    )
    h2 = ParagraphStyle(
        "h2",
        parent=styles["Heading2"],
        fontSize=11,
        spaceBefore=6,
        spaceAfter=3,
        textColor=colors.HexColor("#0b4f6c"),
    )
    small = ParagraphStyle(
        "small", parent=styles["Normal"], fontSize=7.5, textColor=colors.HexColor("#5b6675")
    )
    width = A4[0] - 30 * mm

    def table(header: list[str], rows: list[list[str]], widths: list[float], numeric_from: int = 1) -> Table:
        t = Table([header, *rows], colWidths=[w * width for w in widths], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 7.5),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b4f6c")),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f4f5")]),
                    ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor("#90a4ae")),
                ]
            )
        )
        return t

    def image(name: str, target_width: float, max_height: float | None = None) -> Image:
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(report.images[name])) as im:
            w, h = im.size
        height = target_width * h / w
        if max_height is not None and height > max_height:
            target_width, height = max_height * w / h, max_height
        return Image(io.BytesIO(report.images[name]), width=target_width, height=height)

    story: list[Any] = [
        Paragraph(f"Seizures — monthly report {report.month}", h1),
        Paragraph(
            f"Scope: {report.scope}. Generated {report.generated_at:%Y-%m-%d %H:%M} UTC by Corridor {__version__}. "
            "Quantities are summed per unit; cash in EUR and AZN is converted at fixed rates.",
            small,
        ),
        Spacer(1, 4 * mm),
        Paragraph("Key figures", h2),
        table(
            ["", report.month, shift_month(report.month, -1), "change"],
            [list(r) for r in key_figures(report)],
            [0.55, 0.15, 0.15, 0.15],
        ),
        Paragraph("By commodity, against the three months before", h2),
        table(
            ["commodity", "seizures", "month before", "3-month average", "change"],
            [
                [
                    charts.label(c["key"]),
                    _fmt(c["seizures"]),
                    _fmt(c["previous_month"]),
                    _fmt(c["three_month_average"], 1),
                    "—" if c["change"] is None else f"{c['change']:+.0%}",
                ]
                for c in report.commodities
            ],
            [0.4, 0.15, 0.15, 0.15, 0.15],
        ),
        Spacer(1, 3 * mm),
        image("monthly", width, 95 * mm),
        PageBreak(),
        Paragraph("Routes and places", h2),
        image("flows", width, 118 * mm),
        Spacer(1, 3 * mm),
        image("density", width, 118 * mm),
        PageBreak(),
        Paragraph("Offices, detection and concealment", h2),
        table(
            ["office", "seizures", "kg", "sticks", "value USD"],
            [
                [o["key"], _fmt(o["seizures"]), _fmt(o["kg"], 1), _fmt(o["sticks"]), _fmt(o["value_usd"])]
                for o in report.offices
            ],
            [0.4, 0.12, 0.14, 0.16, 0.18],
        ),
        Spacer(1, 2 * mm),
        Table(
            [[image("detection", width * 0.48, 52 * mm), image("concealment", width * 0.48, 52 * mm)]],
            colWidths=[width * 0.5, width * 0.5],
        ),
        Paragraph("Routes", h2),
        table(
            ["route (departure > transit > destination)", "seizures", "kg", "value USD", "main commodity"],
            [
                [
                    r["route"],
                    _fmt(r["seizures"]),
                    _fmt(r["kg"], 1),
                    _fmt(r["value_usd"]),
                    charts.label(r["top_category"]),
                ]
                for r in report.routes
            ],
            [0.36, 0.12, 0.14, 0.18, 0.2],
        ),
        Paragraph("Risk profiles that led to seizures", h2),
        table(
            ["profile", "seizures", "value USD", "commodities"],
            [
                [p["rule_id"], _fmt(p["seizures"]), _fmt(p["value_usd"]), p["categories"]]
                for p in report.profiles
            ]
            or [["no seizure of the month was detected by a risk profile", "", "", ""]],
            [0.36, 0.12, 0.18, 0.34],
        ),
        Paragraph("Notable seizures (by estimated value)", h2),
        table(
            ["ref", "day", "office", "commodity", "quantity", "concealment", "route", "value USD"],
            [
                [
                    n["ref"],
                    n["seized_at"],
                    n["office"] or "—",
                    charts.label(n["commodity_type"]),
                    f"{_fmt(n['quantity'], 1)} {n['unit']}",
                    charts.label(n["concealment"]),
                    n["route"] or "—",
                    _fmt(n["value_usd"]),
                ]
                for n in report.notable
            ],
            [0.14, 0.06, 0.17, 0.13, 0.12, 0.13, 0.13, 0.12],
            numeric_from=7,
        ),
    ]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#5b6675"))
        canvas.drawString(
            15 * mm, 10 * mm, f"Corridor · seizures {report.month} · {report.scope} · for official use"
        )
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=13 * mm,
        bottomMargin=16 * mm,
        title=f"Seizures {report.month}",
        author="Corridor",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
