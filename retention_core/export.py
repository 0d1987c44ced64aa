"""The one export writer: every table a user downloads (UI, CLI, report) is written here (SPEC §7, §10).

Three forms of one table:

- ``convention="ru"`` — CSV a Russian spreadsheet opens as columns: ``;`` between fields, decimal comma,
  dates ``dd.mm.yyyy``, UTF-8 with BOM;
- ``convention="en"`` — ``,`` and a decimal dot, ISO dates, UTF-8 with BOM (so Excel reads Cyrillic ids);
- ``convention="machine"`` — for scripts: the SPEC keys as headers, ISO dates, full precision, ``,``, no BOM.

For people, floats are rounded to their display precision (``decimals``) and the ``percent`` columns (ratios,
fractions in the core) are written as percentages (14.8, header marked by the caller). :func:`to_xlsx` writes
typed cells (numbers, dates, booleans) with number formats and a frozen header row.

Formula safety (SPEC §10, OWASP "CSV injection"): every text cell starting with ``= + - @``, a tab or a carriage
return that is not a number gets a leading ``'`` — in every form, CSV and XLSX (whose strings are also never
turned into formulas or links by the writer).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Literal, get_args

import polars as pl

from retention_core.errors import ParameterError

Convention = Literal["ru", "en", "machine"]
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit less the header row

_TRIGGER = r"^[=+\-@\t\r]"
# A cell that is a number in any convention we write or read (-5, +3.2, -1 234,50, 1e-3) stays as it is.
_NUMBER = r"^[+-]?(?:\d[\d \u00a0\u202f]*(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?$"
_SEPARATOR = {"ru": ";", "en": ",", "machine": ","}
_DATE = {"ru": "%d.%m.%Y", "en": "%Y-%m-%d", "machine": "%Y-%m-%d"}
_DATETIME = {"ru": "%d.%m.%Y %H:%M:%S", "en": "%Y-%m-%d %H:%M:%S", "machine": "%Y-%m-%dT%H:%M:%S%.f"}
_XLSX_DATE = {"ru": "dd.mm.yyyy", "en": "yyyy-mm-dd", "machine": "yyyy-mm-dd"}


def _check(convention: str) -> None:
    if convention not in get_args(Convention):
        raise ParameterError("convention", convention, get_args(Convention))


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr | None:
    """Nested, categorical and binary columns as text (a spreadsheet cell holds one value); None for the rest."""
    col = pl.col(column)
    if isinstance(dtype, pl.List | pl.Array):
        return col.cast(pl.List(pl.String)).list.join(", ")
    if isinstance(dtype, pl.Struct):
        return col.struct.json_encode()
    if isinstance(dtype, pl.Categorical | pl.Enum | pl.Object | pl.Binary | pl.Decimal | pl.Time | pl.Duration):
        return col.cast(pl.String) if not isinstance(dtype, pl.Decimal) else col.cast(pl.Float64)
    return None


def formula_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula neutralised by a leading ``'``.

    A cell is neutralised when it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not
    a number (SPEC §10). Nested and categorical columns become text first; other columns are unchanged.

    Examples
    --------
    >>> df = pl.DataFrame({"id": ["=CMD|' /C calc'!A0", "+shop", "-5", "-1 234,50", "@x", "ok", None]})
    >>> formula_safe(df)["id"].to_list()
    ["'=CMD|' /C calc'!A0", "'+shop", '-5', '-1 234,50', "'@x", 'ok', None]
    """
    exprs = []
    for column, dtype in frame.schema.items():
        text = _as_text(column, dtype)
        if text is not None and dtype != pl.Decimal and not isinstance(dtype, pl.Decimal):
            dtype = pl.String
        if dtype == pl.String:
            value = text if text is not None else pl.col(column)
            risky = value.str.contains(_TRIGGER) & ~value.str.contains(_NUMBER)
            exprs.append(pl.when(risky).then(pl.lit("'") + value).otherwise(value).alias(column))
        elif text is not None:
            exprs.append(text.alias(column))
    return frame.with_columns(exprs) if exprs else frame


def for_people(frame: pl.DataFrame, *, percent: tuple[str, ...] = (), decimals: int | Mapping[str, int] = 2,
               percent_decimals: int = 1) -> pl.DataFrame:
    """The values a reader sees: NaN/inf as empty, floats rounded to ``decimals`` (per column with a mapping),
    ``percent`` columns (fractions) as percentages rounded to ``percent_decimals``.

    Examples
    --------
    >>> df = pl.DataFrame({"revenue": [22076.760000000006], "crr": [0.23481], "n": [3]})
    >>> for_people(df, percent=("crr",)).row(0)
    (22076.76, 23.5, 3)
    """
    exprs = []
    for column, dtype in frame.schema.items():
        if not dtype.is_numeric():
            continue
        col = pl.col(column)
        if dtype.is_float():
            col = pl.when(col.is_finite()).then(col)
        if column in percent:
            exprs.append((col.cast(pl.Float64) * 100).round(percent_decimals).alias(column))
        elif dtype.is_float():
            places = decimals.get(column, 2) if isinstance(decimals, Mapping) else decimals
            exprs.append(col.round(places).alias(column))
    return frame.with_columns(exprs) if exprs else frame


def _renamed(frame: pl.DataFrame, headers: Mapping[str, str] | None) -> pl.DataFrame:
    if not headers:
        return frame
    return frame.rename({c: headers[c] for c in frame.columns if c in headers and headers[c] != c})


def to_csv(frame: pl.DataFrame, *, convention: Convention, headers: Mapping[str, str] | None = None,
           percent: tuple[str, ...] = (), decimals: int | Mapping[str, int] = 2, percent_decimals: int = 1,
           booleans: tuple[str, str] | None = None) -> bytes:
    """``frame`` as CSV bytes in ``convention`` (module docstring), formula-safe.

    ``headers`` maps columns to display names and ``booleans`` gives the words for (true, false) — both for
    people only: ``"machine"`` keeps the SPEC keys, ``true``/``false`` and full precision.

    Examples
    --------
    >>> df = pl.DataFrame({"revenue": [1234.5], "crr": [0.2348], "name": ["=1+1"]})
    >>> to_csv(df, convention="ru", percent=("crr",), headers={"crr": "CRR, %"}).decode("utf-8-sig")
    "revenue;CRR, %;name\\n1234,50;23,5;'=1+1\\n"
    >>> to_csv(df, convention="machine").decode()
    "revenue,crr,name\\n1234.5,0.2348,'=1+1\\n"
    """
    _check(convention)
    out = formula_safe(frame)
    if convention != "machine":
        out = for_people(out, percent=percent, decimals=decimals, percent_decimals=percent_decimals)
        out = out.with_columns(
            _fixed(pl.col(c), percent_decimals if c in percent else
                   decimals.get(c, 2) if isinstance(decimals, Mapping) else decimals, convention).alias(c)
            for c, d in out.schema.items() if d.is_float())
        if booleans is not None:
            yes, no = booleans
            out = out.with_columns(pl.when(pl.col(c)).then(pl.lit(yes)).when(~pl.col(c)).then(pl.lit(no)).alias(c)
                                   for c, d in out.schema.items() if d == pl.Boolean)
        out = _renamed(out, headers)
    text = out.write_csv(separator=_SEPARATOR[convention], date_format=_DATE[convention],
                         datetime_format=_DATETIME[convention], null_value="")
    return text.encode("utf-8-sig" if convention != "machine" else "utf-8")


def _fixed(col: pl.Expr, n: int, convention: str) -> pl.Expr:
    """A float as text with exactly ``n`` decimals and the convention's decimal mark (no grouping: a
    spreadsheet reads ``1234,50`` as a number in every locale that uses the comma)."""
    scaled = (col * 10**n).round(0).cast(pl.Int64)
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = (scaled.abs() // 10**n).cast(pl.String)
    if n == 0:
        return (sign + whole)
    frac = (scaled.abs() % 10**n).cast(pl.String).str.zfill(n)
    mark = "," if convention == "ru" else "."
    return sign + whole + pl.lit(mark) + frac


def to_xlsx(frame: pl.DataFrame, *, convention: Convention = "en", headers: Mapping[str, str] | None = None,
            percent: tuple[str, ...] = (), decimals: int | Mapping[str, int] = 2, percent_decimals: int = 1,
            sheet: str = "data") -> bytes:
    """``frame`` as an XLSX workbook: typed cells (numbers, dates, booleans, text), number formats to the
    display precision (``percent`` columns as ``0.0%`` of the fraction), a bold frozen header row with a filter,
    formula-safe text (never written as a formula or a link). ``convention`` picks the date format; Excel
    shows numbers in its own locale. Rows past Excel's limit are left out (:data:`XLSX_MAX_ROWS`)."""
    import xlsxwriter  # noqa: PLC0415 - only exports need it

    _check(convention)
    out = formula_safe(frame.head(XLSX_MAX_ROWS))
    out = out.with_columns(pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c)
                           for c, d in out.schema.items() if d.is_float())
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False, "remove_timezone": True})
    ws = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", "_", sheet)[:31] or "data")
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    names = [(headers or {}).get(c, c) for c in out.columns]
    for j, (column, dtype) in enumerate(out.schema.items()):
        ws.write_string(0, j, formula_safe(pl.DataFrame({"h": [names[j]]}))["h"][0])
        places = decimals.get(column, 2) if isinstance(decimals, Mapping) else decimals
        series = out[column]
        if column in percent and dtype.is_numeric():
            fmt = book.add_format({"num_format": "0." + "0" * percent_decimals + "%" if percent_decimals else "0%"})
            series = series.cast(pl.Float64).round(percent_decimals + 2)
        elif dtype.is_float():
            fmt = book.add_format({"num_format": "#,##0" + ("." + "0" * places if places else "")})
            series = series.round(places)
        elif dtype.is_integer():
            fmt = book.add_format({"num_format": "#,##0"})
        elif dtype == pl.Date:
            fmt = book.add_format({"num_format": _XLSX_DATE[convention]})
        elif isinstance(dtype, pl.Datetime):
            fmt = book.add_format({"num_format": _XLSX_DATE[convention] + " hh:mm:ss"})
            series = series.dt.replace_time_zone(None) if dtype.time_zone else series
        else:
            fmt = None
        values = series.to_list()
        if dtype == pl.String:
            for i, v in enumerate(values, start=1):  # write_string: text stays text whatever it looks like
                if v is not None:
                    ws.write_string(i, j, v)
        else:
            ws.write_column(1, j, values, fmt)
        longest = max([len(names[j])] + [len(str(v)) for v in values[:200] if v is not None])
        ws.set_column(j, j, min(max(longest + 2, 8), 50))
    ws.set_row(0, None, head)
    ws.freeze_panes(1, 0)
    if out.width:
        ws.autofilter(0, 0, max(out.height, 1), out.width - 1)
    book.close()
    return buffer.getvalue()
