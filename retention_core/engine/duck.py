"""DuckDB, the embedded engine: runs a heavy step's SQL over a polars frame, a CSV, or Parquet.

The input becomes a view ``src`` with the canonical column names; a polars frame is scanned through
Arrow without a copy. Each call has its own cursor of one in-memory database, so calls from several
threads (the app's sessions) do not see each other's views (threads: all cores, as DuckDB chooses).
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import polars as pl

from retention_core.errors import InputError


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reader(src) -> str:  # noqa: ANN001 - engine.Source
    path = Path(src.path)
    if src.fmt == "csv":
        return f"read_csv({_literal(str(path))})"
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*.parquet"))
        if not files:
            raise InputError(f"{path.name}: the folder has no Parquet files", file=str(path), reason="no_files")
        return f"read_parquet([{', '.join(_literal(f) for f in files)}], union_by_name = true)"
    return f"read_parquet({_literal(str(path))})"


_BASE: duckdb.DuckDBPyConnection | None = None
_LOCK = threading.Lock()


def connect() -> duckdb.DuckDBPyConnection:
    """A cursor of the process's one in-memory database (a new connection costs ~40 ms; a cursor
    does not). Views and registered frames are temporary, so they belong to the cursor alone."""
    global _BASE
    with _LOCK:
        if _BASE is None:
            _BASE = duckdb.connect()
            _BASE.sql("SET enable_progress_bar = false")
            _BASE.sql("SET preserve_insertion_order = false")  # row order of a compact table is unspecified
        return _BASE.cursor()


def run(sql: str, src, columns: tuple[str, ...]) -> pl.DataFrame:  # noqa: ANN001 - engine.Source
    """Run ``sql`` (over the view ``src``) on ``src`` and return the result as polars."""
    con = connect()
    try:
        if src.frame is not None:
            con.register("src_frame", src.frame.select(columns).to_arrow())
            con.sql("CREATE TEMP VIEW src AS SELECT * FROM src_frame")
        else:
            select = ", ".join(f"{_quote(src.header(c))} AS {c}" for c in columns)
            con.sql(f"CREATE TEMP VIEW src AS SELECT {select} FROM {_reader(src)}")
        return con.sql(sql).pl()
    finally:
        con.close()
