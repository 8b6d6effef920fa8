"""Writing spreadsheets that are safe to open: CSV (UTF-8 with a BOM, so Excel reads it) and
XLSX. Every text cell, most of which come from a card or a device, is neutralised against
formula injection as OWASP advises: a value starting with `=`, `+`, `-`, `@`, a tab or a
carriage return gets a leading apostrophe, and XLSX cells holding text are always written as
strings, never as formulas. Shared by the scanner's and the hub's exports."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Progress = Callable[[int, int], None]


def safe_text(value: Any) -> Any:
    """Text that a spreadsheet will show, never evaluate; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(
    out: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], progress: Progress | None = None
) -> None:
    with open(out, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number, row in enumerate(rows, 1):
            writer.writerow([safe_text(v) for v in row])
            if progress and number % 500 == 0:
                progress(number, len(rows))
    if progress:
        progress(len(rows), len(rows))


def write_xlsx(
    out: Path,
    sheets: Iterable[tuple[str, Sequence[str] | None, Sequence[Sequence[Any]]]],
    progress: Progress | None = None,
) -> None:
    """`sheets`: (title, header or None, rows). Progress counts the first sheet's rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for index, (title, header, rows) in enumerate(sheets):
        sheet = workbook.create_sheet(title)
        if header is not None:
            sheet.append(list(header))
        for number, row in enumerate(rows, 1):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=safe_text(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # openpyxl would make "=..." a formula
                cells.append(cell)
            sheet.append(cells)
            if progress and index == 0 and number % 500 == 0:
                progress(number, len(rows))
        if progress and index == 0:
            progress(len(rows), len(rows))
    workbook.save(out)
