"""Parse text cells into numbers and dates, column by column (SPEC §2).

Numbers: ``1234.5``, ``1 234,50``, ``1,234.50``, ``1234,5``, with ``₽ $ € £ руб. р.`` and spaces
(including non-breaking ones) stripped; the decimal separator is decided per column from the data.
Dates: ISO, ``dd.mm.yyyy[ hh:mm[:ss]]``, ``dd/mm/yyyy`` vs ``mm/dd/yyyy`` decided from the data
(a first part > 12 means day-first, a second part > 12 month-first; when no value settles it the
caller's ``date_order`` decides, default day-first, and the report says it was ambiguous), Excel
serial dates and Unix timestamps (seconds or milliseconds).

Everything is a polars expression over the whole column: no Python loop over values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import polars as pl

from retention_core.errors import check_choice

DateOrder = Literal["dmy", "mdy"]
DATE_ORDERS = get_args(DateOrder)

_CURRENCY = r"(?i)(руб\.?|р\.|rub|usd|eur|[₽$€£¥])"
_SPACES = r"[\s\u00a0\u202f\u2009']"
_NUMBER_SHAPE = r"^[+-]?(\d+([.,]\d+)*)?([.,]\d+)?$"


@dataclass(frozen=True)
class NumberFormat:
    """How a column writes numbers: ``decimal`` is "." or ","."""

    decimal: str


def _clean_number(col: pl.Expr) -> pl.Expr:
    s = col.str.strip_chars().str.replace_all(_CURRENCY, "").str.replace_all(_SPACES, "")
    s = s.str.replace_all("\u2212", "-")  # unicode minus
    # (12.50) accounting negatives, and a trailing minus 12.50-
    s = pl.when(s.str.contains(r"^\(.*\)$")).then(pl.lit("-") + s.str.strip_chars("()")).otherwise(s)
    return pl.when(s.str.contains(r"^[^-]+-$")).then(pl.lit("-") + s.str.strip_chars_end("-")).otherwise(s)


def detect_number_format(values: pl.Series) -> NumberFormat:
    """Decide the decimal separator of a column of number strings.

    A comma is decimal when some value has a comma followed by 1–2 or 4+ digits at the end, or when
    dots appear as thousands groups before a comma (``1.234,50``); otherwise the dot is decimal and
    commas are thousands separators.

    Examples
    --------
    >>> detect_number_format(pl.Series(["1 234,50 ₽", "12"])).decimal
    ','
    >>> detect_number_format(pl.Series(["1,234.50", "1,000"])).decimal
    '.'
    """
    s = values.drop_nulls().head(50_000).to_frame("v").select(_clean_number(pl.col("v"))).to_series()
    comma_decimal = s.str.contains(r",(\d{1,2}|\d{4,})$") | s.str.contains(r"\.\d{3},\d+$")
    dot_decimal = s.str.contains(r"\.(\d{1,2}|\d{4,})$") | s.str.contains(r",\d{3}\.\d+$")
    return NumberFormat("," if comma_decimal.sum() > dot_decimal.sum() else ".")


def plain_numbers(values: pl.Series) -> bool:
    """True when every non-empty value is a plain ``-1234.5`` number (then a cast is all it takes).

    Examples
    --------
    >>> plain_numbers(pl.Series(["1.5", "-2", None])), plain_numbers(pl.Series(["1 234,5"]))
    (True, False)
    """
    s = values.str.strip_chars()
    return bool(s.is_null().sum() == s.cast(pl.Float64, strict=False).is_null().sum() - (s == "").sum())


def parse_number(col: pl.Expr, fmt: NumberFormat, *, plain: bool = False) -> pl.Expr:
    """Float64 from text in ``fmt``; null where the text is not a number (empty stays null).

    Examples
    --------
    >>> df = pl.DataFrame({"v": ["1 234,50 ₽", "-12,5", "abc", None, "12,3,4"]})
    >>> df.select(parse_number(pl.col("v"), NumberFormat(","))).to_series().to_list()
    [1234.5, -12.5, None, None, None]
    """
    if plain:
        return col.str.strip_chars().cast(pl.Float64, strict=False)
    s = _clean_number(col)
    shape_ok = s.str.contains(_NUMBER_SHAPE)
    # thousands separators only between whole 3-digit groups (so 12.00 in a comma column is not 1200)
    if fmt.decimal == ",":
        groups_ok = s.str.contains(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)?(,\d+)?$")  # at most one decimal comma
        s = s.str.replace_all(r"\.", "").str.replace(",", ".")
    else:
        groups_ok = s.str.contains(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)?(\.\d+)?$")
        s = s.str.replace_all(",", "")
    return pl.when(shape_ok & groups_ok & (s != "")).then(s.cast(pl.Float64, strict=False)).otherwise(None)


# Date formats by family; a family's formats are tried in order and coalesced.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "iso": ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"),
    "dot_dmy": ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y"),
    "slash_dmy": ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"),
    "slash_mdy": ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"),
    "ymd_slash": ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d"),
}
_SHAPES: dict[str, str] = {
    "iso": r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$",
    "dot_dmy": r"^\d{1,2}\.\d{1,2}\.\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?$",
    "slash_dmy": r"^\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?)?$",
    "slash_mdy": r"^\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?)?$",
    "ymd_slash": r"^\d{4}/\d{1,2}/\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$",
    "excel_serial": r"^\d{5}([.,]\d+)?$",
    "unix_s": r"^\d{9,10}$",
    "unix_ms": r"^\d{12,13}$",
}
EXAMPLES: dict[str, str] = {
    "iso": "2024-12-31 or 2024-12-31 10:30:00",
    "dot_dmy": "31.12.2024 or 31.12.2024 10:30",
    "slash_dmy": "31/12/2024",
    "slash_mdy": "12/31/2024",
    "ymd_slash": "2024/12/31",
    "excel_serial": "45657 (Excel serial date)",
    "unix_s": "1735603200 (Unix seconds)",
    "unix_ms": "1735603200000 (Unix milliseconds)",
}


@dataclass(frozen=True)
class DateFormat:
    """The family of date formats a column uses; ``ambiguous`` when dd/mm vs mm/dd was not settled."""

    family: str
    ambiguous: bool = False


_TZ = r"(Z|[+-]\d{2}:?\d{2})$"
_ISO_TZ = r"\d[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?" + _TZ  # an offset after a time of day (not 2024-01-05 alone)


def _strip_tz(col: pl.Expr) -> pl.Expr:
    return col.str.strip_chars().str.replace(_TZ, "")


def has_offset(col: pl.Expr) -> pl.Expr:
    """True where an ISO timestamp carries a time-zone offset (``Z``, ``+03:00``, ``-0500``)."""
    return col.str.strip_chars().str.contains(_ISO_TZ)


def _offset_minutes(col: pl.Expr) -> pl.Expr:
    """The offset of an ISO timestamp in minutes east of UTC (0 for ``Z`` and for none)."""
    tz = col.str.strip_chars().str.extract(_TZ, 1)
    sign = pl.when(tz.str.starts_with("-")).then(-1).otherwise(1)
    digits = tz.str.replace_all(r"[^0-9]", "")
    minutes = digits.str.slice(0, 2).cast(pl.Int64, strict=False) * 60 + digits.str.slice(2, 2).cast(pl.Int64, strict=False)
    return (sign * minutes).fill_null(0)


def to_zone(local: pl.Expr, col: pl.Expr, timezone: str) -> pl.Expr:
    """Wall-clock ``local`` times read from ``col``: those written with an offset become the same instant in
    ``timezone`` (naive); the others are taken as already in it."""
    utc = local - pl.duration(minutes=_offset_minutes(col))
    if timezone != "UTC":
        utc = utc.dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.replace_time_zone(None)
    return pl.when(has_offset(col)).then(utc).otherwise(local)


def _family_expr(col: pl.Expr, family: str, timezone: str = "UTC") -> pl.Expr:
    s = _strip_tz(col)
    if family == "excel_serial":
        days = s.str.replace(",", ".").cast(pl.Float64, strict=False)
        ok = (days > 1000) & (days < 80000)
        micros = ((days - 25569.0) * 86_400_000_000).round(0).cast(pl.Int64, strict=False)
        return pl.when(ok).then(micros.cast(pl.Datetime("us"))).otherwise(None)
    if family in ("unix_s", "unix_ms"):
        n = pl.when(s.str.contains(_SHAPES[family])).then(s.cast(pl.Int64, strict=False))  # 10 vs 13 digits
        unit = 1_000_000 if family == "unix_s" else 1_000
        return (n * unit).cast(pl.Datetime("us"))
    local = pl.coalesce(s.str.to_datetime(f, strict=False, time_unit="us", cache=False) for f in _FAMILIES[family])
    return to_zone(local, col, timezone) if family == "iso" else local


def fast_datetime(col: pl.Expr, values: pl.Series, fmt: DateFormat) -> pl.Expr | None:
    """The single format of ``fmt``'s family that parses most of a sample, as a cheap first pass.

    Its result is right wherever it is not null; null cells go through :func:`parse_datetime`.
    None for families with one parser anyway (Excel serial, Unix).
    """
    formats = _FAMILIES.get(fmt.family)
    if not formats or len(formats) == 1:
        return None
    # polars parses a format without "%.f" ~5x faster; on a tie (no fractions in the sample) it wins
    formats = tuple(f.replace("%.f", "") for f in formats if "%.f" in f) + formats
    sample = values.drop_nulls().head(5000).to_frame("v")
    counts = sample.select(
        [pl.col("v").str.strip_chars().str.to_datetime(f, strict=False, time_unit="us", cache=False).is_not_null().sum().alias(f)
         for f in formats]
    ).row(0, named=True)
    best = max(formats, key=lambda f: counts[f])
    return col.str.strip_chars().str.to_datetime(best, strict=False, time_unit="us", cache=False)


def detect_date_format(values: pl.Series, *, date_order: DateOrder | None = None) -> DateFormat | None:
    """Pick the date family that parses the most values of a column (None when nothing parses).

    Examples
    --------
    >>> detect_date_format(pl.Series(["31.12.2024", "01.02.2024 10:00"])).family
    'dot_dmy'
    >>> detect_date_format(pl.Series(["12/31/2024", "01/02/2024"])).family
    'slash_mdy'
    >>> f = detect_date_format(pl.Series(["01/02/2024", "03/04/2024"]))
    >>> f.family, f.ambiguous
    ('slash_dmy', True)
    """
    if date_order is not None:
        check_choice("date_order", date_order, DATE_ORDERS)
    s = values.drop_nulls().head(20_000).to_frame("v").select(_strip_tz(pl.col("v")).alias("v")).to_series()
    s = s.filter(s != "")
    if s.len() == 0:
        return None
    frame = s.to_frame("v")
    counts = frame.select(
        [_family_expr(pl.col("v"), fam).is_not_null().sum().alias(fam) for fam in (*_FAMILIES, "excel_serial", "unix_s", "unix_ms")]
    ).row(0, named=True)
    slash = frame.filter(pl.col("v").str.contains(r"^\d{1,2}/\d{1,2}/\d{4}"))
    ambiguous = False
    if slash.height:
        parts = slash.select(
            a=pl.col("v").str.extract(r"^(\d{1,2})/", 1).cast(pl.Int32),
            b=pl.col("v").str.extract(r"^\d{1,2}/(\d{1,2})/", 1).cast(pl.Int32),
        )
        day_first, month_first = bool((parts["a"] > 12).any()), bool((parts["b"] > 12).any())
        if day_first and not month_first:
            counts["slash_mdy"] = -1
        elif month_first and not day_first:
            counts["slash_dmy"] = -1
        else:
            preferred = date_order or "dmy"
            counts["slash_mdy" if preferred == "dmy" else "slash_dmy"] = -1
            # ambiguous when some value reads differently either way (01/01 does not; one 01/02 does)
            ambiguous = date_order is None and bool((parts["a"] != parts["b"]).any())
    best = max(counts, key=lambda k: counts[k])
    if counts[best] <= 0:
        return None
    return DateFormat(best, ambiguous and best.startswith("slash"))


def parse_datetime(col: pl.Expr, fmt: DateFormat, *, timezone: str = "UTC") -> pl.Expr:
    """Datetime("us") from text in ``fmt``; null where it does not parse.

    An ISO timestamp with an offset (``2024-01-05T23:30:00+03:00``) becomes that instant's wall-clock
    time in ``timezone`` (``2024-01-05 20:30`` in UTC); one without is taken as already in it.

    Examples
    --------
    >>> df = pl.DataFrame({"v": ["31.12.2024", "31.02.2024", "01.02.2024 10:30"]})
    >>> df.select(parse_datetime(pl.col("v"), DateFormat("dot_dmy"))).to_series().to_list()
    [datetime.datetime(2024, 12, 31, 0, 0), None, datetime.datetime(2024, 2, 1, 10, 30)]
    >>> df = pl.DataFrame({"v": ["2024-01-05T23:30:00+03:00", "2024-01-05T23:30:00Z", "2024-01-05 23:30"]})
    >>> df.select(parse_datetime(pl.col("v"), DateFormat("iso"))).to_series().dt.strftime("%d %H:%M").to_list()
    ['05 20:30', '05 23:30', '05 23:30']
    """
    return _family_expr(col, fmt.family, timezone)


def date_shape_ok(col: pl.Expr, fmt: DateFormat) -> pl.Expr:
    """True where the text has the shape of the family (so a null parse means 'does not exist')."""
    return _strip_tz(col).str.contains(_SHAPES[fmt.family])
