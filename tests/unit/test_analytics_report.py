"""The monthly report renders: a three-page PDF, and HTML with its charts inline."""

from __future__ import annotations

import re
from datetime import date

from corridor.analytics.frames import frame_from_inputs
from corridor.analytics.report import render_html, render_pdf, report_from_frame
from corridor.seizures.demo import generate


def test_monthly_report_pdf_and_html() -> None:
    frame = frame_from_inputs(generate(2, end=date(2026, 10, 31), count=600))
    report = report_from_frame(frame, "2026-10", scope="all offices")
    assert (
        report.totals["seizures"] == frame.filter(frame["seized_at"].dt.strftime("%Y-%m") == "2026-10").height
    )
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF-")
    # reportlab writes one uncompressed page object per page.
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 3
    html = render_html(report)
    assert "Seizures — monthly report 2026-10" in html
    assert html.count("data:image/png;base64,") == 5
    assert "DEMO-2-" in html  # notable seizures


def test_a_month_without_seizures_still_renders() -> None:
    frame = frame_from_inputs(generate(2, end=date(2026, 10, 31), count=50))
    report = report_from_frame(frame, "2027-05")
    assert report.totals["seizures"] == 0
    assert len(re.findall(rb"/Type /Page\b(?!s)", render_pdf(report))) == 3
