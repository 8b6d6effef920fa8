"""The PDF day report for supervisors (reportlab; Noto Sans embedded so Vietnamese
diacritics print on any machine): totals, a chart and a table of checks by hour and
decision, reasons, formats, and the checks flagged as possibly shared codes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from scanner_app.core.chain import ChainReport
from scanner_app.store.export import DayReport
from scanner_app.system.resources import asset
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, Translate, fill
from scanner_app.text.messages import (
    chain_problem_text,
    decision_text,
    flags_text,
    format_text,
    reason_text,
)

DECISION_COLOURS = {
    "allow": colors.HexColor("#1b7f3a"),
    "deny": colors.HexColor("#b3261e"),
    "manual": colors.HexColor("#d08a00"),
}
LABELS = (
    QT_TRANSLATE_NOOP("Report", "Checkpoint day report"),
    QT_TRANSLATE_NOOP("Report", "Date"),
    QT_TRANSLATE_NOOP("Report", "Device"),
    QT_TRANSLATE_NOOP("Report", "Checkpoint"),
    QT_TRANSLATE_NOOP("Report", "Generated"),
    QT_TRANSLATE_NOOP("Report", "Checks"),
    QT_TRANSLATE_NOOP("Report", "Checks by hour"),
    QT_TRANSLATE_NOOP("Report", "Hour"),
    QT_TRANSLATE_NOOP("Report", "Total"),
    QT_TRANSLATE_NOOP("Report", "Reasons"),
    QT_TRANSLATE_NOOP("Report", "Code formats"),
    QT_TRANSLATE_NOOP("Report", "Possibly shared codes (flagged)"),
    QT_TRANSLATE_NOOP("Report", "None flagged."),
    QT_TRANSLATE_NOOP("Report", "Log integrity"),
    QT_TRANSLATE_NOOP(
        "Report",
        "This report lists no names or birth dates. A signed manifest beside the file shows whether it was changed.",  # noqa: E501
    ),
    QT_TRANSLATE_NOOP("Report", "Time"),
    QT_TRANSLATE_NOOP("Report", "No."),
    QT_TRANSLATE_NOOP("Report", "Flags"),
    QT_TRANSLATE_NOOP("Report", "Card hash"),
    QT_TRANSLATE_NOOP("Report", "Hash chain intact: %1 records verified."),
    QT_TRANSLATE_NOOP("Report", "Hash chain BROKEN at record %1: the log was changed. %2"),
)


def chain_sentence(report: ChainReport, translate: Translate) -> str:
    if report.ok:
        return translate("Report", "Hash chain intact: %1 records verified.").replace(
            "%1", str(report.checked)
        )
    text = translate("Report", "Hash chain BROKEN at record %1: the log was changed. %2")
    problem = chain_problem_text(report.problem, translate)
    return fill(text, report.first_bad_seq, problem)


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@cache
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont("NotoSans", str(asset("fonts", "NotoSans-Regular.ttf"))))
    pdfmetrics.registerFont(TTFont("NotoSans-Bold", str(asset("fonts", "NotoSans-Bold.ttf"))))


def _chart(report: DayReport, translate: Translate) -> Drawing:
    hours = list(range(24))
    decisions = ("allow", "deny", "manual")
    drawing = Drawing(170 * mm, 75 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, 120 * mm, 55 * mm
    chart.data = [[report.by_hour.get(h, Counter()).get(d, 0) for h in hours] for d in decisions]
    chart.categoryAxis.categoryNames = [str(h) for h in hours]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = "NotoSans"
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.style = "stacked"
    chart.valueAxis.valueMin = 0
    chart.bars.strokeWidth = 0
    for index, decision in enumerate(decisions):
        chart.bars[index].fillColor = DECISION_COLOURS[decision]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 138 * mm, 60 * mm
    legend.fontName, legend.fontSize = "NotoSans", 8
    legend.colorNamePairs = [(DECISION_COLOURS[d], decision_text(d, translate)) for d in decisions]
    drawing.add(legend)
    drawing.add(String(12 * mm, 3 * mm, translate("Report", "Hour"), fontName="NotoSans", fontSize=8))
    return drawing


def _table(rows: list[list[object]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "NotoSans", 9),
                ("FONT", (0, 0), (-1, 0), "NotoSans-Bold", 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def write_pdf(
    report: DayReport,
    out: Path,
    *,
    translate: Translate,
    device_id: str,
    checkpoint: str,
    zone: tzinfo | None = None,
) -> None:
    """The report of `report`'s day; times in `zone` (the local time zone by default)."""
    _fonts()
    title = ParagraphStyle("title", fontName="NotoSans-Bold", fontSize=16, leading=20)
    heading = ParagraphStyle("heading", fontName="NotoSans-Bold", fontSize=11, leading=15, spaceBefore=8)
    body = ParagraphStyle("body", fontName="NotoSans", fontSize=9, leading=12)
    decisions = ("allow", "deny", "manual")
    story: list[object] = [
        Paragraph(translate("Report", "Checkpoint day report"), title),
        Paragraph(
            f"{translate('Report', 'Date')}: {report.day.isoformat()} · {translate('Report', 'Checkpoint')}: "
            f"{checkpoint} · {translate('Report', 'Device')}: {device_id}",
            body,
        ),
        Paragraph(f"{translate('Report', 'Generated')}: {_now()}", body),
        Spacer(1, 4 * mm),
        _table(
            [
                [translate("Report", "Checks"), *(decision_text(d, translate) for d in decisions)],
                [len(report.rows), *(report.decisions.get(d, 0) for d in decisions)],
            ],
            [40 * mm, 40 * mm, 45 * mm, 45 * mm],
        ),
        Paragraph(translate("Report", "Checks by hour"), heading),
        _chart(report, translate),
    ]
    hour_rows: list[list[object]] = [
        [
            translate("Report", "Hour"),
            *(decision_text(d, translate) for d in decisions),
            translate("Report", "Total"),
        ]
    ]
    for hour in sorted(report.by_hour):
        counts = report.by_hour[hour]
        hour_rows.append([f"{hour:02d}:00", *(counts.get(d, 0) for d in decisions), sum(counts.values())])
    story += [_table(hour_rows, [25 * mm, 35 * mm, 40 * mm, 40 * mm, 25 * mm])]
    story += [
        Paragraph(translate("Report", "Reasons"), heading),
        _table(
            [
                [translate("Report", "Reasons"), translate("Report", "Checks")],
                *[[Paragraph(reason_text(r, translate), body), n] for r, n in report.reasons.most_common()],
            ],
            [140 * mm, 25 * mm],
        ),
    ]
    story += [
        Paragraph(translate("Report", "Code formats"), heading),
        _table(
            [
                [translate("Report", "Code formats"), translate("Report", "Checks")],
                *[[format_text(f, translate), n] for f, n in report.formats.most_common()],
            ],
            [140 * mm, 25 * mm],
        ),
    ]
    story.append(Paragraph(translate("Report", "Possibly shared codes (flagged)"), heading))
    if report.flagged:
        flagged: list[list[object]] = [
            [
                translate("Report", "Time"),
                translate("Report", "No."),
                translate("Report", "Flags"),
                translate("Report", "Card hash"),
            ]
        ]
        flagged += [
            [
                datetime.fromisoformat(r["wall_time"]).astimezone(zone).strftime("%H:%M:%S"),
                r["seq"],
                Paragraph(flags_text(r["flags"], translate), body),
                (r["cert_hash"] or "")[:16] + "…",
            ]
            for r in report.flagged[:200]
        ]
        story.append(_table(flagged, [22 * mm, 16 * mm, 87 * mm, 40 * mm]))
    else:
        story.append(Paragraph(translate("Report", "None flagged."), body))
    story += [
        Paragraph(translate("Report", "Log integrity"), heading),
        Paragraph(chain_sentence(report.chain, translate) if report.chain else "", body),
        Spacer(1, 3 * mm),
        Paragraph(
            translate(
                "Report",
                "This report lists no names or birth dates. A signed manifest beside the file shows whether it was changed.",  # noqa: E501
            ),
            body,
        ),
    ]
    document = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Checkpoint report {report.day.isoformat()}",
    )
    document.build(story)
