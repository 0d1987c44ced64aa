"""The query layer over saved tables (SPEC §7: filters run inside DuckDB with bound parameters).

Saved datasets and their versions live in ``retention_core.workspace``; a version is one Parquet file
per data kind. Filters (date range, segment values) are applied by DuckDB over the Parquet file: values
are bound (``?``), identifiers are checked against the file's columns and quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from retention_core.errors import ColumnNotFoundError, InputError, ParameterError, check_choice
from retention_core.ingest.raw import parquet_files
from retention_core.ingest.roles import KINDS, Kind

DATE_COLUMN: dict[str, str] = {"orders": "ordered_at", "events": "occurred_at", "survey": "answered_at"}
CORE_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("customer_id", "ordered_at", "amount", "order_id", "quantity"),
    "subscriptions": ("customer_id", "started_at", "ended_at", "mrr", "plan"),
    "events": ("user_id", "event", "occurred_at", "seq"),
    "survey": ("customer_id", "score", "answered_at"),
}


def _start(value: date) -> datetime:
    """The first instant a ``date_from`` covers: a date's midnight, or the date-time itself."""
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())


def _end(value: date) -> datetime:
    """The last instant a ``date_to`` covers: a date's end (SPEC §8), or the date-time itself."""
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.max.time())


@dataclass(frozen=True)
class Filters:
    """The global sidebar filters (SPEC §7): a date range and chosen values of segment columns.

    ``date_from`` / ``date_to`` are dates (whole days, ``date_to`` inclusive) or date-times (exact
    instants, inclusive; the CLI's ``--from/--to``, SPEC §8).

    ``segments`` is a tuple of ``(column, (value, …))`` pairs so the object is hashable (a cache key)
    and serialises to the URL.
    """

    date_from: date | None = None
    date_to: date | None = None
    segments: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and _start(self.date_from) > _end(self.date_to):
            raise ParameterError("date_from", self.date_from.isoformat(), f"a date on or before {self.date_to.isoformat()}")

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or any(v for _, v in self.segments))


def slugify(name: str) -> str:
    """Folder name for a dataset name.

    Examples
    --------
    >>> slugify("Магазин: заказы 2024!")
    'магазин-заказы-2024'
    """
    slug = re.sub(r"[^\w]+", "-", name.strip().lower()).strip("-")
    return slug or "dataset"


def quote_ident(name: str) -> str:
    """Quote an identifier for DuckDB SQL (``"`` doubled)."""
    return '"' + name.replace('"', '""') + '"'


def server_source(root: Path, relative: str, *, exclude: Path | None = None) -> Path:
    """A file or folder named relative to ``root`` (the data folder a server may read), checked.

    For datasets too large to upload (SPEC §9): a team puts a Parquet folder or a large export under
    the server's data folder and names it. Nothing outside ``root`` is read, nor anything inside
    ``exclude`` (the app's own workspace of saved datasets).

    Raises
    ------
    InputError
        Empty name, a path outside ``root``, or nothing there.

    Examples
    --------
    >>> server_source(Path("/srv/data"), "../etc/passwd")
    Traceback (most recent call last):
    ...
    retention_core.errors.InputError: ../etc/passwd: the path leads outside the data folder /srv/data; name a file or folder inside it
    """
    text = relative.strip().strip('"')
    if not text:
        msg = f"no path given; name a file or folder inside the data folder {root}"
        raise InputError(msg, file="", reason="missing")
    base = root.resolve()
    path = (base / text).resolve()
    if path != base and base not in path.parents:
        msg = f"{text}: the path leads outside the data folder {root}; name a file or folder inside it"
        raise InputError(msg, file=text, reason="outside")
    if exclude is not None and (path == exclude.resolve() or exclude.resolve() in path.parents):
        msg = f"{text}: that is the app's own store of saved datasets; choose those in the sidebar"
        raise InputError(msg, file=text, reason="workspace")
    if not path.exists():
        msg = f"{text}: nothing with that name in the data folder {root}; check the spelling and the folder"
        raise InputError(msg, file=text, reason="missing")
    return path


def source_version(path: Path) -> float:
    """The newest modification time of a file or of the Parquet files in a folder (cache key)."""
    if path.is_file():
        return path.stat().st_mtime
    return max(p.stat().st_mtime for p in parquet_files(path, file=path.name))  # the files a load reads


def table_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Column names of a saved table."""
    return con.sql("SELECT * FROM read_parquet(?) LIMIT 0", params=[str(path)]).columns


def segment_columns(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> list[str]:
    """The filterable segment / property columns of a saved table."""
    return [c for c in table_columns(con, path) if c not in CORE_COLUMNS[kind]]


def segment_values(con: duckdb.DuckDBPyConnection, path: Path, column: str) -> list[str]:
    """Distinct values of one segment column, sorted."""
    cols = table_columns(con, path)
    if column not in cols:
        raise ColumnNotFoundError.from_missing(column, cols, role="segment")
    sql = f"SELECT DISTINCT {quote_ident(column)} AS v FROM read_parquet(?) WHERE v IS NOT NULL ORDER BY v"
    return [r[0] for r in con.sql(sql, params=[str(path)]).fetchall()]


def date_bounds(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> tuple[date, date] | None:
    """First and last date of a saved table (None when it is empty)."""
    col = DATE_COLUMN.get(kind, "started_at")
    sql = f"SELECT min({col})::DATE, max({col})::DATE FROM read_parquet(?)"
    lo, hi = con.sql(sql, params=[str(path)]).fetchall()[0]
    return None if lo is None else (lo, hi)


def query(con: duckdb.DuckDBPyConnection, path: Path, kind: Kind, filters: Filters = Filters()) -> pl.DataFrame:
    """Rows of a saved table that pass ``filters``, as polars (SQL built from checked identifiers, bound values).

    Subscriptions are kept when they overlap the date range (start ≤ to, end ≥ from or still active).

    Raises
    ------
    ColumnNotFoundError
        A filter names a column the table does not have.
    """
    check_choice("kind", kind, KINDS)
    if not path.exists():
        msg = f"{path.parent.name}: the dataset has no {kind} table"
        raise InputError(msg, file=str(path), reason="missing")
    cols = table_columns(con, path)
    where: list[str] = []
    params: list[object] = [str(path)]
    if kind == "subscriptions":
        if filters.date_to:
            where.append("started_at <= ?")
            params.append(filters.date_to)
        if filters.date_from:
            where.append("(ended_at IS NULL OR ended_at >= ?)")
            params.append(filters.date_from)
    else:
        col = quote_ident(DATE_COLUMN[kind])
        if filters.date_from:
            where.append(f"{col} >= ?")
            params.append(_start(filters.date_from))
        if isinstance(filters.date_to, datetime):
            where.append(f"{col} <= ?")
            params.append(filters.date_to)
        elif filters.date_to:
            where.append(f"{col} < ?")
            params.append(datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time()))
    for column, values in filters.segments:
        if not values:
            continue
        if column not in cols:
            raise ColumnNotFoundError.from_missing(column, cols, role="segment")
        where.append(f"{quote_ident(column)} IN ({', '.join('?' for _ in values)})")
        params.extend(values)
    sql = "SELECT * FROM read_parquet(?)" + (" WHERE " + " AND ".join(where) if where else "")
    return con.sql(sql, params=params).pl()
