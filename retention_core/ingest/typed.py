"""The fast path for clean machine exports: DuckDB reads the columns already typed.

The general path (:mod:`~retention_core.ingest.raw` → :func:`~retention_core.ingest.load.validate`)
reads every cell as text and parses it in polars, which is what messy exports need (``1 234,50 ₽``,
``31.12.2024``, rejected rows with their lines) but costs ~6× DuckDB's own typed read on a clean
10M-row file. Here, the roles and formats are decided on the first :data:`SAMPLE` rows exactly as the
general path decides them (it looks at no more than that many), then DuckDB reads the whole file with
those types and a strict timestamp format. Anything the general path would reject or report makes
this path give up (returns None) and the general path runs instead, so reports, reasons and line
numbers come from one place:

- DuckDB cannot convert a cell or split a line (it stops at the first one);
- an empty customer / user id, event name, date or amount; a non-finite amount;
- a repeated order id or an exactly repeated row (reported as duplicates with their lines).

Only UTF-8 text, orders with an amount column and events are read this way; everything else (other
encodings, line-level orders, subscriptions, surveys, non-ISO date formats, numbers that
are not plain ``-1234.5``) takes the general path.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from retention_core.errors import RetentionError
from retention_core.ingest.checks import ID_ROLES, normalise_id
from retention_core.ingest.parse import (
    DateFormat,
    detect_date_format,
    has_offset,
    parse_datetime,
    plain_numbers,
)
from retention_core.ingest.raw import (
    LINE,
    TEXT_SUFFIXES,
    check_parquet_width,
    check_width,
    choose_delimiter,
    parquet_source,
    stringify,
)
from retention_core.ingest.roles import DATE_ROLES, NUMBER_ROLES, ROLES, Kind, detect_kind, detect_roles

_HEAD = 64 * 1024
SAMPLE = 50_000  # ≥ every sample the general path's detection reads (number format: 50k rows)
_TEXT_ROLES = {"customer_id", "user_id", "event", "order_id"}
# the fast formats the general path would pick for an ISO column, as DuckDB strftime formats
_ISO_TIMESTAMP = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
# The same with a fraction of a second on every value (1 to 6 digits, no zone: what exporters write,
# e.g. 2024-01-01T00:29:05.000000): DuckDB's %f reads the digits as a fraction (".5" = 500 ms) and
# refuses a value without one or with 7+ digits, which sends the file to the general path. Read typed,
# 10M such timestamps no longer go through text (0.56 s per 1M values in polars).
_ISO_FRACTION = {
    "%Y-%m-%d %H:%M:%S.%f": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{1,6}$",
    "%Y-%m-%dT%H:%M:%S.%f": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}$",
}
_ISO_DATE = "%Y-%m-%d"
# ISO 8601 beyond those (a "T", fractions of a second, "Z" or "+03:00", or a mix): DuckDB reads the column as
# text and it is parsed with the general path's own expression (offsets converted to the dataset's zone)
_ISO_TEXT = "iso-text"


@dataclass(frozen=True)
class TypedRead:
    """A clean file read with types: ``frame`` has ``__v_<role>`` columns plus the other headers."""

    frame: pl.DataFrame
    kind: Kind
    roles: dict[str, str]
    headers: tuple[str, ...]
    formats: dict[str, str]
    encoding: str | None
    delimiter: str | None
    folder: bool = False  # a folder of Parquet files (its rejected rows would name their file)
    converted: int = 0  # timestamps converted from a time-zone offset to the dataset's zone


def read_typed(path: Path, *, file: str, kind: Kind | None, mapping: dict[str, str] | None,
               con: duckdb.DuckDBPyConnection, dates: tuple[date, date] = (date(1970, 1, 1), date(2200, 12, 31)),
               timezone: str = "UTC") -> TypedRead | None:
    """Read ``path`` with DuckDB types when it is a clean export (see the module text); else None.

    Errors of the file itself (unreadable, empty, a mapping naming a missing column) are left to
    the general path, which reports them with its own wording: such an error here means None.
    """
    try:
        if path.is_dir() or _magic(path) == b"PAR1":
            return _read_parquet(path, file=file, kind=kind, mapping=mapping, con=con, dates=dates)
        if path.suffix.lower() not in TEXT_SUFFIXES or not _plain_utf8_head(path):
            return None
        check_width(path, file=file)  # before DuckDB sniffs a 100,000-column header
        return _read(path, kind=kind, mapping=mapping, con=con, encoding="utf-8", dates=dates, timezone=timezone)
    except (duckdb.Error, RetentionError, pl.exceptions.PolarsError, OSError, ValueError):
        return None  # not a clean file (or not readable at all): the general path decides and explains


def _magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


def _roles(text_sample: pl.DataFrame, kind: Kind | None, mapping: dict[str, str] | None):
    """Kind and roles from the sample as text, as the general path decides them; None where it must run."""
    headers = list(text_sample.columns)
    kind = kind or detect_kind(headers)
    if kind not in ("orders", "events") or text_sample.height == 0:
        return None
    roles = detect_roles(text_sample, kind, mapping)
    required, _ = ROLES[kind]
    if any(r not in roles for r in required) or "unit_price" in roles:
        return None  # missing columns and line-level orders: the general path explains / groups them
    return kind, roles


def _read_parquet(path: Path, *, file: str, kind: Kind | None, mapping: dict[str, str] | None,
                  con: duckdb.DuckDBPyConnection, dates: tuple[date, date]) -> TypedRead | None:
    """A Parquet file or folder whose role columns are already typed (text ids, timestamps, numbers).

    The general path turns every cell into text and parses it back, which a folder of tens of
    millions of rows (SPEC §9) cannot afford; here only the non-role columns become text (segments).
    """
    source, params = parquet_source(path, file=file)
    check_parquet_width(con, source, params, file=file)  # RetentionError: the general path refuses it
    sample = con.sql(f"SELECT * FROM {source} LIMIT {SAMPLE}", params=params).pl()
    extra = [c for c in ("filename", "file_row_number") if path.is_dir() and c in sample.columns]
    headers = [c for c in sample.columns if c not in extra]
    decided = _roles(stringify(sample, headers).drop(LINE), kind, mapping)
    if decided is None:
        return None
    kind, roles = decided
    formats: dict[str, str] = {}
    for role, header in roles.items():  # the sample has the files' unified schema: decide before reading it all
        dtype = sample.schema[header]
        if role in _TEXT_ROLES and not (dtype == pl.String or dtype.is_integer()):
            return None
        if role in DATE_ROLES:
            if not (dtype == pl.Date or (isinstance(dtype, pl.Datetime) and dtype.time_zone is None)):
                return None
            formats[role] = "iso"
        if role in NUMBER_ROLES:
            if not dtype.is_numeric():
                return None
            formats[role] = "decimal '.'"
    whole, params = parquet_source(path, file=file, provenance=False)  # no rejected rows to locate here
    full = con.sql(f"SELECT * FROM {whole}", params=params).pl()
    others = [h for h in headers if h not in roles.values()]
    text = stringify(full, others).drop(LINE) if others else None  # segments are text, as in the general path
    values = [pl.col(h).cast(pl.String).alias(f"__v_{r}") if full.schema[h].is_integer()  # no spaces to strip
              else _value(r, h) for r, h in roles.items()]
    frame = (full.with_columns(text) if text is not None else full).with_columns(values)
    if not _clean(frame, kind, roles, dates):
        return None
    return TypedRead(frame, kind, roles, tuple(headers), formats, None, None, folder=path.is_dir())


def _plain_utf8_head(path: Path) -> bool:
    """The file starts as UTF-8 text without a BOM (not gzip, UTF-16 or binary).

    Only the head is checked; DuckDB refuses invalid UTF-8 further on, which sends the file to the
    general path (reading the whole file here cost 0.4 s at 10M rows).
    """
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    if not head.strip() or head.startswith((b"\x1f\x8b", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut last character is fine
    except UnicodeDecodeError:
        return False
    return True


def _read(path: Path, *, kind: Kind | None, mapping: dict[str, str] | None, con: duckdb.DuckDBPyConnection,
          encoding: str, dates: tuple[date, date], timezone: str = "UTC") -> TypedRead | None:
    delim = choose_delimiter(con, path)
    opts = "delim = ?, header = true, all_varchar = true, auto_detect = true"
    sample = con.sql(f"SELECT * FROM read_csv(?, {opts}) LIMIT {SAMPLE}", params=[str(path), delim]).pl()
    headers = list(sample.columns)
    decided = _roles(sample, kind, mapping)
    if decided is None:
        return None
    kind, roles = decided
    types = {h: "VARCHAR" for h in headers}
    formats: dict[str, str] = {}
    stamp = None
    for role, header in roles.items():
        if role in NUMBER_ROLES:
            if not plain_numbers(sample[header]):
                return None
            types[header], formats[role] = "DOUBLE", "decimal '.'"
        elif role in DATE_ROLES:
            stamp = _iso_format(sample[header])
            if stamp is None:
                return None
            kind_of = "VARCHAR" if stamp == _ISO_TEXT else "DATE" if stamp == _ISO_DATE else "TIMESTAMP"
            types[header], formats[role] = kind_of, "iso"
    spec = "{" + ", ".join(f"'{_sql_text(h)}': '{t}'" for h, t in types.items()) + "}"
    stamped = stamp in _ISO_TIMESTAMP or stamp in _ISO_FRACTION
    fmt = f", timestampformat = '{stamp}'" if stamped else f", dateformat = '{_ISO_DATE}'"
    query = f"SELECT * FROM read_csv(?, delim = ?, header = true, types = {spec}{fmt})"
    typed = con.sql(query, params=[str(path), delim]).pl()
    if typed.columns != headers:
        return None
    values = [parse_datetime(pl.col(header), DateFormat("iso"), timezone=timezone).alias(f"__v_{role}")
              if types[header] == "VARCHAR" and role in DATE_ROLES else _value(role, header)
              for role, header in roles.items()]
    frame = typed.with_columns(values)
    if not _clean(frame, kind, roles, dates):
        return None
    converted = sum(int(frame.select(has_offset(pl.col(h)).fill_null(False).sum()).item())
                    for r, h in roles.items() if r in DATE_ROLES and types[h] == "VARCHAR")
    return TypedRead(frame, kind, roles, tuple(headers), formats, encoding, delim, converted=converted)


def _sql_text(s: str) -> str:
    return s.replace("'", "''")


def _iso_format(values: pl.Series) -> str | None:
    """The single plain ISO format every sampled date is written in; :data:`_ISO_TEXT` for other ISO 8601
    (``T``, fractions, offsets, mixed); None for another family."""
    fmt = detect_date_format(values)
    if fmt is None or fmt.family != "iso":
        return None
    s = values.drop_nulls().str.strip_chars()
    for candidate in (*_ISO_TIMESTAMP, _ISO_DATE):
        parsed = s.str.to_datetime(candidate, strict=False, time_unit="us", cache=False)
        if parsed.null_count() == 0:
            return candidate
    for candidate, pattern in _ISO_FRACTION.items():
        if s.len() and s.str.contains(pattern).all():
            return candidate
    return _ISO_TEXT


def _value(role: str, header: str) -> pl.Expr:
    col = pl.col(header)
    if role in ID_ROLES:
        col = normalise_id(col.cast(pl.String))  # as the general path compares ids
    elif role in _TEXT_ROLES:
        stripped = col.cast(pl.String).str.strip_chars()
        col = pl.when(stripped != "").then(stripped)
    elif role in DATE_ROLES:
        col = col.cast(pl.Datetime("us"))
    elif role in NUMBER_ROLES:
        col = col.cast(pl.Float64)
    return col.alias(f"__v_{role}")


def _clean(frame: pl.DataFrame, kind: Kind, roles: dict[str, str], dates: tuple[date, date]) -> bool:
    """Nothing the general path would reject: required cells present, amounts finite, dates in range."""
    required, _ = ROLES[kind]
    lo = datetime.combine(dates[0], datetime.min.time())
    hi = datetime.combine(dates[1] + timedelta(days=1), datetime.min.time())
    checks = [pl.col(f"__v_{r}").is_not_null().all() for r in required]
    checks += [pl.col(f"__v_{r}").is_finite().all() for r in roles if r in NUMBER_ROLES]
    checks += [pl.col(f"__v_{r}").is_between(lo, hi, closed="left").all() for r in roles if r in DATE_ROLES]
    return bool(frame.select(pl.all_horizontal(checks)).item())
