"""Supervisor exports: the day's checks as CSV or XLSX, or a PDF day report.

Exports read a consistent snapshot (SQLite's backup API, never a copy of the live file),
verified with an integrity check, and come with a manifest: the export's SHA-256, row count
and chain head, signed with the device key, so that a changed export shows.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from scanner_app.core.chain import ChainReport
from scanner_app.core.record import EXPORT_COLUMNS, SHARING_FLAGS, day_bounds
from scanner_app.local.device import Device
from scanner_app.store.checks import verify_log
from scanner_app.store.db import DB_NAME

Progress = Callable[[int, int], None]


class ExportError(Exception):
    """The export could not be made (snapshot failed its check, unwritable target...)."""


@dataclass
class DayReport:
    day: date
    rows: list[dict[str, Any]]
    chain_head: tuple[int, str] | None
    chain: ChainReport | None = None  # the whole log's chain, checked on the same snapshot
    by_hour: dict[int, Counter[str]] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    colours: Counter[str] = field(default_factory=Counter)
    flagged: list[dict[str, Any]] = field(default_factory=list)


def snapshot(data_dir: Path, target: Path) -> None:
    source = sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ExportError("the snapshot failed its integrity check")
    finally:
        copy.close()
        source.close()


def load_day(data_dir: Path, day: date, zone: tzinfo) -> DayReport:
    """Read one day from a fresh snapshot of the log. Times are compared as instants."""
    with tempfile.TemporaryDirectory() as folder:
        copy_path = Path(folder) / "snapshot.db"
        snapshot(data_dir, copy_path)
        copy = sqlite3.connect(copy_path)
        copy.row_factory = sqlite3.Row
        try:
            start, end = day_bounds(day, zone)
            selected = copy.execute(
                "select * from checks where wall_time >= ? and wall_time < ? order by seq",
                [start, end],
            ).fetchall()
            head_row = copy.execute("select value from meta where key = 'head'").fetchone()
            copy.row_factory = None
            chain = verify_log(copy)
        finally:
            copy.close()
    rows = [dict(r) for r in selected]
    head = (int(json.loads(head_row[0])[0]), str(json.loads(head_row[0])[1])) if head_row else None
    report = summarise(day, rows, head, zone)
    report.chain = chain
    return report


def summarise(day: date, rows: list[dict[str, Any]], head: tuple[int, str] | None, zone: tzinfo) -> DayReport:
    report = DayReport(day, rows, head)
    for row in rows:
        hour = datetime.fromisoformat(row["wall_time"]).astimezone(zone).hour
        report.by_hour.setdefault(hour, Counter())[row["decision"]] += 1
        report.reasons[row["reason"]] += 1
        report.formats[row["format"]] += 1
        report.decisions[row["decision"]] += 1
        report.colours[row["colour"] or "none"] += 1
        if row["flags"] and SHARING_FLAGS & set(row["flags"].split(",")):
            report.flagged.append(row)
    return report


def _local(stamp: str, zone: tzinfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(zone).isoformat(timespec="seconds")


def export_rows(report: DayReport, zone: tzinfo) -> list[list[Any]]:
    return [[_local(r[c], zone) if c == "wall_time" else r[c] for c in EXPORT_COLUMNS] for r in report.rows]


# -- manifest -----------------------------------------------------------------------------


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(out: Path, report: DayReport, device: Device, kind: str) -> Path:
    body = {
        "file": out.name,
        "format": kind,
        "sha256": _file_sha256(out),
        "date": report.day.isoformat(),
        "rows": len(report.rows),
        "first_seq": report.rows[0]["seq"] if report.rows else None,
        "last_seq": report.rows[-1]["seq"] if report.rows else None,
        "chain_head": list(report.chain_head) if report.chain_head else None,
        "device_id": device.device_id,
        "public_key": device.public_key_pem(),
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    manifest = {**body, "signature": device.sign(canonical).hex()}
    path = out.with_name(out.name + ".manifest.json")
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
