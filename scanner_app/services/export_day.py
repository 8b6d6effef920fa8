"""One export, end to end (used by the CLI and the supervisor view): a snapshot of the log,
the day's rows and the chain checked on that same snapshot, the file in the chosen format,
the signed manifest. And the other way: does an export still match its manifest?

Inputs a person types are read with typed errors (`DayError`, `ManifestError`) that the
command line and the window turn into sentences in the user's language; a missing or
unreadable file is never reported as tampering.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from scanner_app.core.record import EXPORT_COLUMNS
from scanner_app.local.device import Device
from scanner_app.services import sheets
from scanner_app.store import export as exports
from scanner_app.store.export import DayReport, Progress
from scanner_app.text.i18n import pick_language, translator

FORMATS = ("csv", "xlsx", "pdf")
MANIFEST_SUFFIX = ".manifest.json"
__all__ = [
    "FORMATS",
    "DayError",
    "ExportCheck",
    "ManifestError",
    "ManifestProblem",
    "check_export",
    "default_name",
    "export_day",
    "load_day",
    "local_zone",
    "parse_day",
]


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


class DayError(ValueError):
    """--date is neither today, yesterday nor YYYY-MM-DD."""

    def __init__(self, text: str) -> None:
        super().__init__(f"{text!r} is not a day (today, yesterday or YYYY-MM-DD)")
        self.text = text


def parse_day(text: str, today: date) -> date:
    """`today`, `yesterday` (in English or Vietnamese: hôm nay, hôm qua) or an ISO date."""
    words = {"today": 0, "hôm nay": 0, "homnay": 0, "yesterday": 1, "hôm qua": 1, "homqua": 1}
    key = text.strip().lower()
    if key in words:
        return today - timedelta(days=words[key])
    try:
        return date.fromisoformat(key)
    except ValueError:
        raise DayError(text) from None


def default_name(checkpoint_id: str, day: date, kind: str) -> str:
    """checks-<checkpoint>-<day>.<kind>: the name an export gets unless the user picks one."""
    place = re.sub(r"[^A-Za-z0-9_-]+", "-", checkpoint_id).strip("-") or "checkpoint"
    return f"checks-{place}-{day.isoformat()}.{kind}"


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
    translate = translator(pick_language(language))
    if kind == "csv":
        sheets.write_csv(out, EXPORT_COLUMNS, exports.export_rows(report, zone), progress)
    elif kind == "xlsx":
        sheets.write_xlsx(out, _xlsx_sheets(report, zone), progress)
    else:
        from scanner_app.services.report_pdf import write_pdf

        write_pdf(
            report, out, translate=translate, device_id=device.device_id, checkpoint=checkpoint_id, zone=zone
        )
        if progress:
            progress(len(report.rows), len(report.rows))
    manifest = exports.write_manifest(out, report, device, kind)
    return out, manifest, len(report.rows)


# -- checking an export against its manifest ----------------------------------------------


class ManifestProblem(StrEnum):
    """Why a manifest could not even be read; the command line exits with status 2."""

    UNREADABLE = "unreadable"  # missing, a folder, no permission
    IS_AN_EXPORT = "is_an_export"  # the export itself was given, its manifest is beside it
    NOT_A_MANIFEST = "not_a_manifest"  # anything else: a CSV, a PDF, another JSON


class ManifestError(ValueError):
    def __init__(self, problem: ManifestProblem, path: Path, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {path}{': ' + detail if detail else ''}")
        self.problem, self.path, self.detail = problem, path, detail


class ExportCheck(StrEnum):
    OK = "ok"
    EXPORT_CHANGED = "export_changed"  # the file no longer has the hash the device signed
    MANIFEST_CHANGED = "manifest_changed"  # the manifest's signature does not match it
    EXPORT_MISSING = "export_missing"  # the manifest is fine; its export is not beside it


@dataclass(frozen=True)
class ExportVerdict:
    check: ExportCheck
    export: str  # the export's file name, as the manifest names it
    rows: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(ManifestProblem.UNREADABLE, path, exc.strerror or str(exc)) from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        manifest = None
    fields = {"file": str, "sha256": str, "signature": str, "public_key": str, "rows": int}
    if not isinstance(manifest, dict) or not all(isinstance(manifest.get(k), t) for k, t in fields.items()):
        beside = path.with_name(path.name + MANIFEST_SUFFIX)
        problem = ManifestProblem.IS_AN_EXPORT if beside.exists() else ManifestProblem.NOT_A_MANIFEST
        raise ManifestError(problem, path)
    if Path(manifest["file"]).name != manifest["file"]:  # a name beside the manifest, no path
        raise ManifestError(ManifestProblem.NOT_A_MANIFEST, path, "the export's name is a path")
    return manifest


def check_export(manifest_path: Path) -> ExportVerdict:
    """Does the export still match its manifest, and is the manifest signed as it claims?
    Raises ManifestError when the manifest cannot be read as one."""
    manifest = _read_manifest(manifest_path)
    name, rows = manifest["file"], manifest["rows"]
    try:
        signature = bytes.fromhex(manifest.pop("signature"))
        key = serialization.load_pem_public_key(manifest["public_key"].encode())
    except ValueError:
        raise ManifestError(
            ManifestProblem.NOT_A_MANIFEST, manifest_path, "no valid key or signature"
        ) from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ManifestError(ManifestProblem.NOT_A_MANIFEST, manifest_path, "not an Ed25519 key")
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    try:
        key.verify(signature, canonical)
    except InvalidSignature:
        return ExportVerdict(ExportCheck.MANIFEST_CHANGED, name, rows)
    export = manifest_path.with_name(name)
    if not export.is_file():
        return ExportVerdict(ExportCheck.EXPORT_MISSING, name, rows)
    if _sha256(export) != manifest["sha256"]:
        return ExportVerdict(ExportCheck.EXPORT_CHANGED, name, rows)
    return ExportVerdict(ExportCheck.OK, name, rows)
