"""One export, end to end (used by the CLI and the supervisor view): a snapshot of the log,
the day's rows and the chain checked on that same snapshot, the file in the chosen format,
the signed manifest."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from scanner_app.core.record import EXPORT_COLUMNS
from scanner_app.local.device import Device
from scanner_app.services import sheets
from scanner_app.store import export as exports
from scanner_app.store.export import DayReport, Progress, verify_manifest
from scanner_app.text.i18n import pick_language, translator

FORMATS = ("csv", "xlsx", "pdf")
__all__ = ["FORMATS", "export_day", "load_day", "local_zone", "verify_manifest"]


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def load_day(data_dir: Path, day: date, zone: tzinfo | None = None) -> DayReport:
    """The day's checks and totals, read from a fresh snapshot of the log."""
    return exports.load_day(data_dir, day, zone or local_zone())


def _xlsx_sheets(report: DayReport, zone: tzinfo) -> list[tuple[str, Any, Any]]:
    summary: list[list[Any]] = [["date", report.day.isoformat()], ["checks", len(report.rows)]]
    summary += [[f"decision {d}", n] for d, n in sorted(report.decisions.items())]
    summary += [[f"reason {r}", n] for r, n in report.reasons.most_common()]
    return [("Checks", EXPORT_COLUMNS, exports.export_rows(report, zone)), ("Summary", None, summary)]


def export_day(
    data_dir: Path,
    device: Device,
    checkpoint_id: str,
    day: date,
    kind: str,
    out: Path,
    *,
    language: str | None = None,
    progress: Progress | None = None,
    zone: tzinfo | None = None,
) -> tuple[Path, Path, int]:
    """Returns (the export, its manifest, rows)."""
    if kind not in FORMATS:
        raise ValueError(f"unknown export format {kind!r}")
    zone = zone or local_zone()
    report = exports.load_day(data_dir, day, zone)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        sheets.write_csv(out, EXPORT_COLUMNS, exports.export_rows(report, zone), progress)
    elif kind == "xlsx":
        sheets.write_xlsx(out, _xlsx_sheets(report, zone), progress)
    else:
        from scanner_app.services.report_pdf import write_pdf

        write_pdf(
            report,
            out,
            translate=translator(pick_language(language)),
            device_id=device.device_id,
            checkpoint=checkpoint_id,
        )
        if progress:
            progress(len(report.rows), len(report.rows))
    manifest = exports.write_manifest(out, report, device, kind)
    return out, manifest, len(report.rows)
