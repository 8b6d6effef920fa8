"""One export, end to end (used by the CLI and the supervisor view): snapshot, the day's
rows, the file in the chosen format, the signed manifest."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from pathlib import Path

from scanner_app.device import load_device
from scanner_app.i18n import pick_language, translator
from scanner_app.store import export as exports
from scanner_app.store.export import Progress


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def export_day(
    data_dir: Path,
    day: date,
    kind: str,
    out: Path,
    *,
    language: str | None = None,
    progress: Progress | None = None,
    zone: tzinfo | None = None,
) -> tuple[Path, Path, int]:
    zone = zone or local_zone()
    report = exports.load_day(data_dir, day, zone)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        exports.write_csv(report, out, zone, progress)
    elif kind == "xlsx":
        exports.write_xlsx(report, out, zone, progress)
    elif kind == "pdf":
        from scanner_app.app import open_check_store
        from scanner_app.settings_file import load_settings
        from scanner_app.store.report_pdf import chain_sentence, write_pdf

        settings = load_settings(data_dir)
        store = open_check_store(data_dir, settings, purge=False)
        try:
            chain = chain_sentence(store.verify(), translator(pick_language(language)))
            checkpoint = store.config.checkpoint_id
        finally:
            store.close()
        write_pdf(
            report,
            out,
            translate=translator(pick_language(language)),
            device_id=load_device(data_dir).device_id,
            checkpoint=checkpoint,
            chain_status=chain,
        )
        if progress:
            progress(len(report.rows), len(report.rows))
    else:
        raise ValueError(f"unknown export format {kind!r}")
    manifest = exports.write_manifest(out, report, load_device(data_dir), kind)
    return out, manifest, len(report.rows)
