"""Read a file into a raw table: every cell a string, every record with its original line number.

CSV/TSV/semicolon/pipe text goes through DuckDB's ``read_csv`` (its sniffer decides quoting and the
header; the delimiter is cross-checked against the header line), with ``store_rejects`` so records
with the wrong number of fields are kept as rejected rows instead of failing the file. Parquet goes
through DuckDB's ``read_parquet``; XLSX through polars' calamine reader (:mod:`~retention_core.ingest.excel`;
no DuckDB excel extension offline). :mod:`~retention_core.ingest.read` picks the reader.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from retention_core.errors import InputError
from retention_core.ingest.decode import to_utf8

LINE = "__line"  # the original line number column carried through ingest
FILE = "__file"  # for a folder of Parquet files: the file a row came from
_DELIMITERS = (",", ";", "\t", "|")
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".psv", ".dat", ""}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
MAX_COLUMNS = 1_000  # wider files are refused before DuckDB reads them (100,003 columns took 58 s and 2.6 GB)
MAX_LINE_BYTES = 2_000_000  # DuckDB's own limit; longer lines are rejected by number, not the whole file
_PATHS = re.compile(r"(?<![\w.])/[^\s'\"]+")


@dataclass(frozen=True)
class RawTable:
    """All cells as strings plus ``__line``; records DuckDB could not split are in ``structural``."""

    frame: pl.DataFrame
    structural: pl.DataFrame  # columns: __line (Int64), reason (String), raw (String)
    file: str
    format: str  # "csv", "parquet", "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    nested: tuple[str, ...] = ()  # columns of lists/structs (Parquet), written as JSON text: never a role


def connect() -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection set up for library use (no progress bar on the terminal)."""
    con = duckdb.connect()
    con.sql("SET enable_progress_bar = false")
    return con


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cause(exc: BaseException, *, file: str, path: Path | None = None) -> str:
    """The first line of a library's error message, with server paths replaced by the user's file name.

    Examples
    --------
    >>> cause(OSError("IO Error: No magic bytes in '/srv/data/tmp/x.parquet'"), file="x.parquet")
    "IO Error: No magic bytes in 'x.parquet'"
    """
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    if path is not None:
        first = first.replace(str(path), file)
    return _PATHS.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], first)[:300]


def _header_line(path: Path) -> str | None:
    """The first non-empty line of a UTF-8 text file (None when there is none)."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        for line in fh:
            if line.strip():
                return line
    return None


def check_width(path: Path, *, file: str) -> None:
    """Refuse a text file whose header has more than :data:`MAX_COLUMNS` fields, before anything reads it.

    Raises
    ------
    InputError
        ``reason="too_wide"``, with the count and what to do instead.
    """
    line = _header_line(path)
    if line is None:
        return
    outside = "".join(part for i, part in enumerate(line.split('"')) if i % 2 == 0)
    width = 1 + max(outside.count(d) for d in _DELIMITERS)
    if width > MAX_COLUMNS:
        msg = (f"{file}: the header has {width:,} columns; at most {MAX_COLUMNS:,} are read — export only the "
               "columns you need (customer, date, amount and a few segments)")
        raise InputError(msg, file=file, reason="too_wide", columns=width)


def _header_delimiter(path: Path) -> str | None:
    """The delimiter that splits the first non-empty line into the most fields (outside quotes)."""
    line = _header_line(path)
    if line is None:
        return None
    outside = "".join(part for i, part in enumerate(line.split('"')) if i % 2 == 0)
    counts = {d: outside.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def _structural_rejects(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    rejects = con.sql(
        "SELECT line::BIGINT AS record, error_type::VARCHAR AS error_type, csv_line FROM reject_errors ORDER BY line"
    ).pl()
    reasons = {
        "MISSING COLUMNS": "the line has fewer fields than the header",
        "TOO MANY COLUMNS": "the line has more fields than the header",
        "UNQUOTED VALUE": "a quote character is not closed",
        "INVALID ENCODING": "the line has characters that are not valid text",
    }
    return rejects.with_columns(
        reason=pl.col("error_type").replace_strict(reasons, default="the line cannot be split into fields"),
    ).unique("record", keep="first", maintain_order=True)


def choose_delimiter(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The header line's most frequent delimiter, unless it has none (then DuckDB's sniffer decides)."""
    delim = _header_delimiter(path)
    try:
        sniff = con.sql("SELECT Delimiter, HasHeader FROM sniff_csv(?)", params=[str(path)]).fetchall()
    except duckdb.Error:
        sniff = []
    sniffed = sniff[0][0] if sniff else None
    if delim is None or (sniffed in _DELIMITERS and sniffed == delim):
        delim = sniffed or ","
    return delim


def read_text(path: Path, *, file: str, con: duckdb.DuckDBPyConnection) -> RawTable:
    """Read delimited text (any supported encoding) into a :class:`RawTable`.

    A line with an undecodable byte (in an otherwise UTF-8 file) and a line over
    :data:`MAX_LINE_BYTES` are rejected by number; the rest of the file is read.
    """
    with tempfile.TemporaryDirectory() as tmp:
        decoded = to_utf8(path, file=file, workdir=Path(tmp))
        if 1 in decoded.bad_bytes:
            msg = f"{file}, line 1 (the header): invalid UTF-8 at byte {decoded.bad_bytes[1]}; save the file as UTF-8"
            raise InputError(msg, file=file, line=1, reason="encoding")
        check_width(decoded.path, file=file)
        delim = choose_delimiter(con, decoded.path)
        source, long_lines = decoded.path, {}
        try:
            frame, structural = _read_csv(con, source, delim)
        except duckdb.Error as exc:
            if "maximum line size" not in str(exc).lower():
                raise _unreadable(exc, file=file, path=decoded.path) from exc
            long_lines = _long_lines(decoded.path)
            source = _blank_lines(decoded.path, long_lines, Path(tmp))
            try:
                frame, structural = _read_csv(con, source, delim)
            except duckdb.Error as again:
                raise _unreadable(again, file=file, path=decoded.path) from again
        if frame.width == 0:
            msg = f"{file}: no columns found; expected a header row such as customer_id,order_date,amount"
            raise InputError(msg, file=file, reason="no_columns")
        frame, structural = _number_lines(frame, structural, source, delim)  # reads the (temporary) UTF-8 file
    if decoded.bad_bytes and structural.height:
        at = pl.col(LINE).replace_strict(decoded.bad_bytes, default=None, return_dtype=pl.Int64)
        structural = structural.with_columns(
            pl.when(at.is_not_null()).then(pl.lit("invalid UTF-8 at byte ") + at.cast(pl.String))
            .otherwise(pl.col("reason")).alias("reason"))
    if long_lines:
        too_long = pl.DataFrame(
            {LINE: list(long_lines), "reason": [f"the line is {n:,} bytes long; lines over {MAX_LINE_BYTES:,} bytes "
                                                "are not read (a quote left open?)" for n in long_lines.values()],
             "raw": [None] * len(long_lines)},
            schema={LINE: pl.Int64, "reason": pl.String, "raw": pl.String})
        structural = pl.concat([structural, too_long]).sort(LINE)
    return RawTable(frame, structural, file, "csv", decoded.encoding, delim)


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, delim: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    opts = ("delim = ?, header = true, all_varchar = true, store_rejects = true, auto_detect = true, "
            f"max_line_size = {MAX_LINE_BYTES}")
    # reject tables live on the connection and keep earlier reads' rows: start from empty ones
    con.execute("DROP TABLE IF EXISTS reject_errors")
    con.execute("DROP TABLE IF EXISTS reject_scans")
    frame = con.sql(f"SELECT * FROM read_csv(?, {opts})", params=[str(path), delim]).pl()
    return frame, _structural_rejects(con)


def _unreadable(exc: duckdb.Error, *, file: str, path: Path) -> InputError:
    msg = (f"{file}: the file cannot be read as a table ({cause(exc, file=file, path=path)}); "
           "expected delimited text with a header row")
    return InputError(msg, file=file, reason="unreadable")


def _long_lines(path: Path) -> dict[int, int]:
    """{physical line: its length in bytes} of the lines longer than :data:`MAX_LINE_BYTES`."""
    data = np.fromfile(path, dtype=np.uint8)
    ends = np.concatenate([np.flatnonzero(data == 10), [data.size]])
    starts = np.concatenate([[0], ends[:-1] + 1])
    sizes = ends - starts
    long = np.flatnonzero(sizes > MAX_LINE_BYTES)
    return {int(i) + 1: int(sizes[i]) for i in long}


def _blank_lines(path: Path, lines: dict[int, int], workdir: Path) -> Path:
    """A copy of ``path`` with ``lines`` emptied (their line breaks kept, so later lines keep their numbers)."""
    data = np.fromfile(path, dtype=np.uint8)
    ends = np.concatenate([np.flatnonzero(data == 10), [data.size]])
    starts = np.concatenate([[0], ends[:-1] + 1])
    keep = np.ones(data.size, dtype=bool)
    for line in lines:
        keep[starts[line - 1]:ends[line - 1]] = False
    out = workdir / (path.stem + ".short.csv")
    data[keep].tofile(out)
    return out


def _simple_lines(raw: bytes, frame: pl.DataFrame, structural: pl.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """The common case, without scanning the bytes in numpy: no quote character and no blank line.

    Then every line break ends a record, so record k (header = 1) is on line k. Counting ``"`` and
    ``\n`` is C-speed (10M rows: 0.2 s instead of 2.3 s and no arrays the size of the file).
    """
    records = 1 + frame.height + structural.height
    if structural.height or b'"' in raw:
        return None
    breaks = raw.count(b"\n")
    if breaks != records - (0 if raw.endswith(b"\n") else 1):
        return None  # blank lines (or a lone \r line ending): the exact scan handles them
    return np.arange(2, frame.height + 2, dtype=np.int64), np.empty(0, dtype=np.int64)


def _record_lines(
    path: Path, frame: pl.DataFrame, structural: pl.DataFrame, delim: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """Physical line numbers of the accepted and the rejected records, from the file's bytes.

    A newline outside double quotes ends a line (an even number of ``"`` before it; a quote with no
    delimiter, line break or quote on either side, like the inch mark in ``5" screen``, is text);
    DuckDB numbers rejected records by these lines (blank ones included). Non-blank lines after the header are the
    records, in file order; a record's physical line is 1 + the newlines (quoted or not) before its
    first byte. None when the quote parity does not give exactly the records DuckDB read (a stray
    quote, another quote character): the caller then falls back to counting records.
    """
    raw = path.read_bytes()
    simple = _simple_lines(raw, frame, structural)
    if simple is not None:
        return simple
    data = np.frombuffer(raw, dtype=np.uint8)
    size = data.size
    if size == 0:
        return None
    newlines = np.flatnonzero(data == 10)
    quotes = np.flatnonzero(data == 34)
    if quotes.size:
        edge = np.array([10, 13, 34, *delim.encode()[:1]], dtype=np.uint8)
        before = np.isin(data[np.maximum(quotes - 1, 0)], edge) | (quotes == 0)
        after = np.isin(data[np.minimum(quotes + 1, size - 1)], edge) | (quotes == size - 1)
        quotes = quotes[before | after]
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate([np.zeros(1, dtype=np.int64), ends + 1])
    first = data[np.minimum(starts, size - 1)]
    second = data[np.minimum(starts + 1, size - 1)]
    blank = (starts >= size) | (first == 10) | ((first == 13) & (second == 10))
    records = starts[~blank]
    if records.size != 1 + frame.height + structural.height:
        return None
    rec_line = structural["record"].to_numpy().astype(np.int64) if structural.height else np.empty(0, np.int64)
    if rec_line.size and (rec_line.min() < 2 or rec_line.max() > starts.size):
        return None
    rej_start = starts[rec_line - 1]
    rej_idx = np.searchsorted(records, rej_start)
    if rej_idx.size and (rej_idx.max() >= records.size or (records[rej_idx] != rej_start).any() or rej_idx.min() < 1):
        return None
    keep = np.ones(records.size, dtype=bool)
    keep[0] = False  # the header
    keep[rej_idx] = False
    accepted = records[keep]
    if accepted.size != frame.height:
        return None
    return np.searchsorted(newlines, accepted) + 1, np.searchsorted(newlines, rej_start) + 1


def _number_lines(
    frame: pl.DataFrame, structural: pl.DataFrame, path: Path, delim: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Give each accepted record its physical line number in the file (header = line 1).

    From the file's bytes when its quoting is regular (:func:`_record_lines`); otherwise by counting:

    DuckDB numbers rejected records by record (header = 1). An accepted row ``i`` (0-based) is record
    ``2 + i + (rejected records before it)``; reject ``j`` (0-based, sorted) lies before row ``i``
    when ``record_j − j ≤ 2 + i``. Physical lines add the newlines embedded in quoted fields of
    earlier accepted records (blank lines, which DuckDB skips, are not counted).
    """
    exact = _record_lines(path, frame, structural, delim)
    if exact is not None:
        lines, rej_lines = exact
        return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)), pl.DataFrame(
            {LINE: rej_lines, "reason": structural["reason"], "raw": structural["csv_line"]},
            schema={LINE: pl.Int64, "reason": pl.String, "raw": pl.String},
        )
    n = frame.height
    rec_j = structural["record"].to_numpy() if structural.height else np.empty(0, dtype=np.int64)
    base = 2 + np.arange(n, dtype=np.int64)
    before = np.searchsorted(rec_j - np.arange(len(rec_j)), base, side="right")
    record = base + before
    newlines = pl.sum_horizontal(pl.col(c).str.count_matches("\n").fill_null(0) for c in frame.columns)
    embedded = frame.select(newlines.cum_sum().shift(1, fill_value=0)).to_series().to_numpy() if n else np.empty(0)
    lines = record + embedded
    # rejected records: shift by the embedded newlines of accepted records before them
    acc_before = np.searchsorted(record, rec_j, side="left")
    total_embedded = np.concatenate([[0], np.cumsum(frame.select(newlines).to_series().to_numpy())]) if n else np.zeros(1)
    rej_lines = rec_j + total_embedded[acc_before].astype(np.int64)
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    structural = pl.DataFrame(
        {LINE: rej_lines.astype(np.int64), "reason": structural["reason"] if structural.height else [], "raw": structural["csv_line"] if structural.height else []},
        schema={LINE: pl.Int64, "reason": pl.String, "raw": pl.String},
    )
    return frame, structural


def parquet_files(folder: Path, *, file: str) -> list[Path]:
    """The Parquet files under ``folder`` (any depth, sorted), read together as one dataset (SPEC §9)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES)
    if not files:
        msg = (f"{file}: the folder has no Parquet files; a folder is read as one dataset split into "
               "*.parquet files (export a large table as Parquet, or upload one CSV/XLSX file)")
        raise InputError(msg, file=file, reason="no_files")
    return files


def parquet_source(path: Path, *, file: str, provenance: bool = True) -> tuple[str, list]:
    """DuckDB's ``read_parquet`` call and its parameters for a Parquet file or a folder of them.

    For a folder, ``provenance`` adds ``filename`` and ``file_row_number`` so a bad row names its
    file and row; files with different column sets are matched by name (a missing column reads as
    empty).
    """
    if path.is_dir():
        names = [str(p) for p in parquet_files(path, file=file)]
        where = ", filename = true, file_row_number = true" if provenance else ""
        return f"read_parquet(?, union_by_name = true{where})", [names]
    return "read_parquet(?)", [str(path)]


def check_parquet_width(con: duckdb.DuckDBPyConnection, source: str, params: list, *, file: str) -> None:
    """Refuse Parquet wider than :data:`MAX_COLUMNS` from its schema alone (``LIMIT 0`` reads no rows)."""
    width = len(con.sql(f"SELECT * FROM {source} LIMIT 0", params=params).columns)
    width -= 2 if "file_row_number" in source else 0  # a folder's provenance columns
    if width > MAX_COLUMNS:
        msg = f"{file}: the table has {width:,} columns; at most {MAX_COLUMNS:,} are read — keep only the columns you need"
        raise InputError(msg, file=file, reason="too_wide", columns=width)


def read_parquet(path: Path, *, file: str, con: duckdb.DuckDBPyConnection) -> RawTable:
    """Read a Parquet file, or a folder of them; cells are cast to strings so every format shares one
    validation path. In a folder, ``__line`` is the row number in its file + 1 and ``__file`` names it."""
    source, params = parquet_source(path, file=file)
    try:
        check_parquet_width(con, source, params, file=file)
        rel = con.sql(f"SELECT * FROM {source}", params=params)
        typed = rel.pl()
    except duckdb.Error as exc:
        what = "folder has a Parquet file that is not readable" if path.is_dir() else "file is not a readable Parquet file"
        msg = f"{file}: the {what} ({cause(exc, file=file, path=path)})"
        raise InputError(msg, file=file, reason="unreadable") from exc
    if not path.is_dir():
        frame = stringify(typed, typed.columns)
        return RawTable(frame, no_structural(), file, "parquet", notes=("line = row number + 1",),
                        nested=nested_columns(typed))
    cols = [c for c in typed.columns if c not in ("filename", "file_row_number")]
    frame = stringify(typed, cols).with_columns(
        (typed["file_row_number"].cast(pl.Int64) + 2).alias(LINE),
        pl.Series(FILE, typed["filename"]).str.strip_prefix(str(path) + "/"),
    )
    return RawTable(frame, no_structural(), file, "parquet", nested=nested_columns(typed),
                    notes=("line = row number in its file + 1", f"{len(params[0])} Parquet files"))


def is_nested(dtype: pl.DataType) -> bool:
    return dtype.is_nested() or dtype == pl.Binary or dtype == pl.Object


def nested_columns(typed: pl.DataFrame) -> tuple[str, ...]:
    return tuple(c for c, d in typed.schema.items() if is_nested(d))


def stringify(typed: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    exprs = []
    for c in cols:
        dtype = typed.schema[c]
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:  # the offset kept: converted on parsing
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S%.f%:z").alias(c))
        elif dtype == pl.Datetime or isinstance(dtype, pl.Datetime):  # fractions of a second kept, if any
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S%.f").alias(c))
        elif dtype == pl.Date:
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%d").alias(c))
        elif dtype == pl.Binary:
            exprs.append(pl.col(c).bin.encode("hex").alias(c))
        elif is_nested(dtype):  # lists and structs as JSON text (`[1.5, 2]`): shown as they are, never a role
            exprs.append(pl.struct(pl.col(c).alias("v")).struct.json_encode().str.slice(5).str.head(-1).alias(c))
        else:
            exprs.append(pl.col(c).cast(pl.String).alias(c))
    frame = typed.select(exprs) if cols else typed
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(LINE))


def no_structural() -> pl.DataFrame:
    return pl.DataFrame(schema={LINE: pl.Int64, "reason": pl.String, "raw": pl.String})
