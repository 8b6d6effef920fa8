"""The weekly report: per ward and day, checks, allowed / denied / manual, by colour and
shared-code flags, from the daily rollups. One `WeekReport` feeds the page, the XLSX, the
PDF (the written report the province's plan asks of every ward: title, period, ward, tables,
a chart, the signature block) and `scanner-hub report`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.engine import Engine

from scanner_hub.console.i18n import translate
from scanner_hub.console.queries import (
    COLOURS,
    DECISIONS,
    NO_WARD,
    Counts,
    Scope,
    counts_by_ward_day,
    ward_list,
)

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> date:
    """The Monday of ISO week `YYYY-Www`; ValueError otherwise."""
    match = WEEK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week like 2021-W41")
    return date.fromisocalendar(int(match[1]), int(match[2]), 1)


def week_name(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class WeekReport:
    week: str
    monday: date
    scope: Scope
    wards: list[tuple[str, str]]  # (id, name) in order; a ward user: its own only
    cells: dict[tuple[str, date], Counts]

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    def ward_total(self, ward: str) -> Counts:
        return _sum(self.cells.get((ward, d)) for d in self.days)

    def day_total(self, day: date) -> Counts:
        return _sum(self.cells.get((w, day)) for w, _ in self.wards)

    @property
    def total(self) -> Counts:
        return _sum(self.ward_total(w) for w, _ in self.wards)


def _sum(parts: Any) -> Counts:
    out = Counts()
    for part in parts:
        if part is None:
            continue
        out.checks += part.checks
        out.shared += part.shared
        for k, v in part.decisions.items():
            out.decisions[k] = out.decisions.get(k, 0) + v
        for k, v in part.colours.items():
            out.colours[k] = out.colours.get(k, 0) + v
    return out


def week_report(engine: Engine, scope: Scope, monday: date, language: str = "vi") -> WeekReport:
    cells = counts_by_ward_day(engine, scope, monday, monday + timedelta(days=6))
    wards = [(w["ward_id"], w["name"]) for w in ward_list(engine, scope)]
    if scope.ward is None and any(ward == NO_WARD for ward, _ in cells):
        wards.append((NO_WARD, translate(language, "no_ward")))
    return WeekReport(week_name(monday), monday, scope, wards, cells)


HEADER_KEYS = ("checks", *DECISIONS, *COLOURS, "shared")


def _values(counts: Counts) -> list[int]:
    return [
        counts.checks,
        *(counts.decisions.get(d, 0) for d in DECISIONS),
        *(counts.colours.get(c, 0) for c in COLOURS),
        counts.shared,
    ]


def table_rows(report: WeekReport, language: str) -> list[list[Any]]:
    """Ward, day, then the counts; a total row per ward (city scope) and a grand total."""
    rows: list[list[Any]] = []
    for ward, name in report.wards:
        for day in report.days:
            rows.append([name, day.isoformat(), *_values(report.cells.get((ward, day)) or Counts())])
        rows.append([name, translate(language, "total"), *_values(report.ward_total(ward))])
    if report.scope.ward is None:
        rows.append([translate(language, "all_wards"), translate(language, "total"), *_values(report.total)])
    return rows


def header(language: str) -> list[str]:
    return [
        translate(language, "ward"),
        translate(language, "day"),
        *(translate(language, k) for k in HEADER_KEYS),
    ]


def title(report: WeekReport, language: str, ward_names: dict[str, str]) -> tuple[str, str, str]:
    sunday = report.monday + timedelta(days=6)
    period = f"{report.week}: {report.monday:%d/%m/%Y} – {sunday:%d/%m/%Y}"
    who = (
        ward_names.get(report.scope.ward, report.scope.ward)
        if report.scope.ward
        else translate(language, "all_wards")
    )
    return translate(language, "weekly_report"), period, str(who)


def write_xlsx(report: WeekReport, out: Path, language: str, ward_names: dict[str, str]) -> None:
    from scanner_app.services import sheets

    heading, period, who = title(report, language, ward_names)
    info = [[heading], [translate(language, "period"), period], [translate(language, "ward"), who]]
    daily = [[day.isoformat(), *_values(report.day_total(day))] for day in report.days] + [
        [translate(language, "total"), *_values(report.total)]
    ]
    sheets.write_xlsx(
        out,
        [
            (report.week, header(language), table_rows(report, language)),
            (translate(language, "day"), [translate(language, "day"), *header(language)[2:]], daily),
            ("Info", None, info),
        ],
    )


def write_pdf(
    report: WeekReport, out: Path, language: str, ward_names: dict[str, str], now: datetime
) -> None:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

    from scanner_app.services.report_pdf import DECISION_COLOURS, _fonts, _table

    _fonts()
    # every text a Paragraph gets is escaped: Paragraph reads its text as markup, and a ward's
    # name (from the wards file) or a catalogue entry must not be taken for tags
    t = lambda key, **v: escape(translate(language, key, **v))  # noqa: E731
    raw = lambda key: translate(language, key)  # noqa: E731 (plain text: legend and table cells)
    heading, period, who = (escape(text) for text in title(report, language, ward_names))
    base = ParagraphStyle("base", fontName="NotoSans", fontSize=10, leading=13)
    big = ParagraphStyle("big", parent=base, fontName="NotoSans-Bold", fontSize=16, leading=20, alignment=1)
    centre = ParagraphStyle("centre", parent=base, alignment=1)
    story: list[Any] = [
        Paragraph(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", ParagraphStyle("n", parent=centre, fontName="NotoSans-Bold")
        ),
        Paragraph("Độc lập - Tự do - Hạnh phúc", centre),
        Spacer(1, 5 * mm),
        Paragraph(heading.upper(), big),
        Paragraph(f"{t('period')}: {period}", centre),
        Paragraph(f"{t('ward')}: {who}", centre),
        Spacer(1, 5 * mm),
    ]
    drawing = Drawing(250 * mm, 48 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 8 * mm, 190 * mm, 36 * mm
    chart.data = [[report.day_total(d).decisions.get(k, 0) for d in report.days] for k in DECISIONS]
    chart.categoryAxis.categoryNames = [f"{d:%d/%m}" for d in report.days]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = "NotoSans"
    chart.categoryAxis.style = "stacked"
    chart.valueAxis.valueMin = 0
    chart.bars.strokeWidth = 0
    for index, decision in enumerate(DECISIONS):
        chart.bars[index].fillColor = DECISION_COLOURS[decision]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 212 * mm, 40 * mm
    legend.fontName, legend.fontSize = "NotoSans", 8
    legend.colorNamePairs = [(DECISION_COLOURS[d], raw(d)) for d in DECISIONS]
    drawing.add(legend)
    story += [drawing, Spacer(1, 4 * mm)]
    counts_header = [raw(k) for k in HEADER_KEYS]
    by_day = [[raw("day"), *counts_header]]
    by_day += [[f"{d:%d/%m/%Y}", *_values(report.day_total(d))] for d in report.days]
    by_day.append([raw("total"), *_values(report.total)])
    head = ParagraphStyle("head", parent=base, fontName="NotoSans-Bold", fontSize=8, leading=10)
    story += [Paragraph(f"<b>{t('checks')} · {t('day')}</b>", base), _pdf_table(by_day, _table, head)]
    if report.scope.ward is None:
        by_ward = [[raw("ward"), *counts_header]]
        by_ward += [[name, *_values(report.ward_total(ward))] for ward, name in report.wards]
        by_ward.append([raw("all_wards"), *_values(report.total)])
        story += [
            Spacer(1, 4 * mm),
            Paragraph(f"<b>{t('checks')} · {t('ward')}</b>", base),
            _pdf_table(by_ward, _table, head),
        ]
    story += [Spacer(1, 4 * mm), Paragraph(t("report_note"), base), Spacer(1, 8 * mm)]
    signature = Table(
        [
            ["", Paragraph(t("report_place_date", d=f"{now:%d}", m=f"{now:%m}", y=f"{now:%Y}"), centre)],
            [
                Paragraph(f"<b>{t('approved_by')}</b>", centre),
                Paragraph(f"<b>{t('signature_block')}</b>", centre),
            ],
            [Paragraph(t("sign_here"), centre), Paragraph(t("sign_here"), centre)],
        ],
        colWidths=[120 * mm, 120 * mm],
    )
    story.append(
        KeepTogether(
            [signature, Spacer(1, 18 * mm), Paragraph(f"{t('generated')}: {now:%Y-%m-%d %H:%M}", base)]
        )
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    document = SimpleDocTemplate(
        str(out),
        pagesize=landscape(A4),
        title=f"{raw('weekly_report')} {report.week}",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    document.build(story)


def _pdf_table(rows: list[list[Any]], make: Any, head: Any) -> Any:
    """A table whose header cells wrap (long Vietnamese column names)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    cells = [[Paragraph(escape(str(v)), head) for v in rows[0]], *([str(v) for v in row] for row in rows[1:])]
    return make(cells, [46 * mm] + [25 * mm] * (len(rows[0]) - 1))
