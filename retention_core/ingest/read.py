"""Read any supported source into a raw table, by its content (magic bytes) first and its name second."""

from __future__ import annotations

from pathlib import Path

import duckdb

from retention_core.errors import InputError
from retention_core.ingest.excel import read_excel
from retention_core.ingest.raw import EXCEL_SUFFIXES, PARQUET_SUFFIXES, RawTable, read_parquet, read_text


def read_raw(path: Path, *, file: str | None = None, con: duckdb.DuckDBPyConnection,
             sheet: str | None = None) -> RawTable:
    """Read any supported file by its content (magic bytes) first and its extension second; a folder
    is read as one dataset split into Parquet files (SPEC §9)."""
    file = file or path.name
    if not path.exists():
        msg = f"{file}: no such file"
        raise InputError(msg, file=file, reason="missing")
    if path.is_dir():
        return read_parquet(path, file=file, con=con)
    with path.open("rb") as fh:
        magic = fh.read(4)
    suffix = path.suffix.lower()
    if magic == b"PAR1":
        return read_parquet(path, file=file, con=con)
    if magic == b"PK\x03\x04":  # XLSX is a ZIP archive: a workbook under any name is read as one
        try:
            return read_excel(path, file=file, sheet=sheet)
        except InputError:
            if suffix in EXCEL_SUFFIXES:
                raise
        msg = f"{file}: this is a ZIP archive, not a table; expected CSV/TSV text, Parquet or XLSX"
        raise InputError(msg, file=file, reason="binary")
    if suffix in PARQUET_SUFFIXES:
        msg = f"{file}: the name says Parquet but the content is not Parquet; check the file"
        raise InputError(msg, file=file, reason="unreadable")
    return read_text(path, file=file, con=con)
