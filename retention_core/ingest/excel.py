"""Read an XLSX workbook into a raw table (polars' calamine reader; no DuckDB excel extension offline).

Every cell is read as text, as from a CSV. The header is the first of the top rows that is nearly as wide
as the table (a title or a note above it is skipped); rows keep their spreadsheet row number. A formula
saved without its value (a workbook written by a library and never opened in Excel) is refused with
what to do, not read as an empty cell.
"""

from __future__ import annotations

import contextlib
import logging
import re
import zipfile
from pathlib import Path

import fastexcel
import polars as pl

from retention_core.errors import InputError
from retention_core.ingest.raw import LINE, RawTable, cause, nested_columns, no_structural, stringify


@contextlib.contextmanager
def _quiet_fastexcel():
    """fastexcel logs "Could not determine dtype for column …" as a warning on a successful read, which
    Python's last-resort handler prints to stderr: hold its logger at ERROR while we read."""
    logger = logging.getLogger("fastexcel")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def excel_sheets(path: Path, *, file: str) -> list[str]:
    """The sheet names of an XLSX workbook, in workbook order."""
    try:
        with _quiet_fastexcel():
            return list(fastexcel.read_excel(str(path)).sheet_names)
    except (fastexcel.FastExcelError, OSError, ValueError) as exc:
        msg = f"{file}: the workbook cannot be read ({type(exc).__name__}: {cause(exc, file=file, path=path)[:120]})"
        raise InputError(msg, file=file, reason="unreadable") from exc


def _header_row(path: Path, where: dict) -> int:
    """The 0-based row of the header: the first of the top 30 rows that has text in nearly as many cells as
    the widest of them (a title or a note above the table has fewer)."""
    top = pl.read_excel(path, **where, has_header=False, drop_empty_rows=False,
                        read_options={"n_rows": 30}, infer_schema_length=0)
    if top.height == 0:
        return 0
    filled = top.select(pl.sum_horizontal(pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "")
                                          for c in top.columns)).to_series()
    widest = int(filled.max() or 0)
    rows = filled.to_list()
    return next((i for i, n in enumerate(rows) if n >= max(2, 0.8 * widest)), 0)


_FORMULA_WITHOUT_VALUE = re.compile(r'<c r="([A-Z]+\d+)"[^>]*?>\s*<f[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>')


def _formulas_without_values(path: Path, sheet_index: int) -> list[str]:
    """Cells of the sheet that hold a formula but no saved result (written by a library, never opened in Excel)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = sorted((n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                           key=lambda n: int(re.findall(r"\d+", n)[-1]))
            if sheet_index >= len(names):
                return []
            xml = zf.read(names[sheet_index]).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError, KeyError):
        return []
    return _FORMULA_WITHOUT_VALUE.findall(xml) if "<f" in xml else []


def read_excel(path: Path, *, file: str, sheet: str | None = None) -> RawTable:
    """Read the first sheet (or ``sheet``) of an XLSX workbook."""
    if sheet is not None:
        sheets = excel_sheets(path, file=file)
        if sheet not in sheets:
            msg = f"{file}: the workbook has no sheet {sheet!r}; its sheets are: {', '.join(sheets)}"
            raise InputError(msg, file=file, reason="no_sheet", sheet=sheet, available=sheets)
    try:
        # empty rows are kept until the rows are numbered, so later rows keep their spreadsheet row
        where = {"sheet_name": sheet} if sheet else {"sheet_id": 1}
        with _quiet_fastexcel():
            header = _header_row(path, where)
            # every cell as text (as in a CSV): a typed read turns "n/a" in a number column into an empty cell
            typed = pl.read_excel(path, **where, drop_empty_rows=False, read_options={"header_row": header},
                                  infer_schema_length=0)
    except (fastexcel.FastExcelError, pl.exceptions.PolarsError, OSError, ValueError) as exc:
        msg = f"{file}: the workbook cannot be read ({type(exc).__name__}: {cause(exc, file=file, path=path)[:120]})"
        raise InputError(msg, file=file, reason="unreadable") from exc
    index = excel_sheets(path, file=file).index(sheet) if sheet else 0
    missing = _formulas_without_values(path, index)
    if missing:
        cells = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        msg = (f"{file}: {len(missing):,} cells hold a formula without a saved value ({cells}); "
               "open the workbook in Excel, save it, and upload it again")
        raise InputError(msg, file=file, reason="formula_without_value", cells=len(missing))
    frame = stringify(typed, typed.columns).with_columns(
        pl.int_range(header + 2, typed.height + header + 2, dtype=pl.Int64).alias(LINE))  # spreadsheet rows
    if typed.width:
        empty = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in typed.columns)
        frame = frame.filter(~empty)
    note = "line = spreadsheet row" + (f" (the header is row {header + 1})" if header else " (header = row 1)")
    return RawTable(frame, no_structural(), file, "xlsx", notes=(note,), nested=nested_columns(typed))
