"""Cell checks: parse each role column and say, in plain words, why a row is rejected (SPEC §3).

Each check is a pair of polars expressions (parsed value, reason or null). The first failing check of
a row is its reason; a row with no reason is accepted. Reason texts name the column and the value:
``amount 'abc' is not a number (expected e.g. 1234.50 or 1 234,50)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from retention_core.ingest.parse import (
    EXAMPLES,
    DateFormat,
    NumberFormat,
    date_shape_ok,
    detect_date_format,
    detect_number_format,
    fast_datetime,
    parse_datetime,
    parse_number,
    plain_numbers,
)

ID_ROLES = ("customer_id", "user_id", "order_id")
# invisible characters that make two equal-looking ids differ: controls (NUL …), soft hyphen, zero-width
# spaces and joiners, direction marks, word joiner, BOM
_INVISIBLE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]"
_UNUSUAL = r"[^\x20-\x7e]|^\s|\s$|^[\"']|[\"']$"  # only such ids need the (slower) normalisation


def normalise_id(col: pl.Expr) -> pl.Expr:
    r"""An id as compared: Unicode NFC, invisible characters removed, surrounding spaces and stray quotes
    stripped; null when nothing is left.

    Examples
    --------
    >>> ids = pl.Series(["Jose\u0301", "José\u200b", ' "C300', "a\x00b", "C1 "])
    >>> ids.to_frame("v").select(normalise_id(pl.col("v"))).to_series().to_list()
    ['José', 'José', 'C300', 'ab', 'C1']
    """
    full = (col.str.normalize("NFC").str.replace_all(_INVISIBLE, "").str.strip_chars()
            .str.strip_chars("\"'").str.strip_chars())
    value = pl.when(col.str.contains(_UNUSUAL)).then(full).otherwise(col)
    return pl.when(value != "").then(value)

ROLE_WORDS = {
    "customer_id": "customer id",
    "user_id": "user id",
    "ordered_at": "date",
    "started_at": "start date",
    "ended_at": "end date",
    "occurred_at": "timestamp",
    "answered_at": "date",
    "amount": "amount",
    "quantity": "quantity",
    "unit_price": "price",
    "mrr": "price",
    "score": "score",
    "event": "event name",
    "order_id": "order id",
    "plan": "plan",
}


@dataclass(frozen=True)
class Check:
    """A parsed column (``value``) and the reason a row fails it (``reason``, null when it passes).

    Validation runs in two passes (``load.validate``): ``fast`` (default ``value``) parses every row
    cheaply; only *suspect* rows — a non-empty cell whose fast value is null, an empty required cell,
    or ``condition`` true — get the full ``value`` parse and the ``reason`` text. ``condition``, when
    set, *is* the suspect test: for checks across parsed columns (score range, end before start) and
    for text checks, whose value is null exactly when the cell is empty. It may use ``__v_<role>``.
    """

    role: str
    header: str
    value: pl.Expr | None
    reason: pl.Expr
    code: str
    required: bool = False
    fast: pl.Expr | None = None
    condition: pl.Expr | None = None

    def suspect(self) -> pl.Expr:
        """True where this check may fail (computed after the fast pass)."""
        if self.condition is not None:
            return self.condition.fill_null(False)
        empty = _empty(self.header)
        missing = ~empty & pl.col(f"__v_{self.role}").is_null()
        return (missing | empty) if self.required else missing


def _raw(header: str) -> pl.Expr:
    return pl.col(header).str.strip_chars()


def _empty(header: str) -> pl.Expr:
    return pl.col(header).is_null() | (_raw(header) == "")


def _quoted(header: str) -> pl.Expr:
    return pl.lit("'") + pl.col(header).str.slice(0, 40) + pl.lit("'")


def text_check(role: str, header: str, *, required: bool) -> Check:
    """A non-empty string (event names, plans); ids are normalised (:func:`normalise_id`)."""
    stripped = _raw(header)
    value = normalise_id(pl.col(header)) if role in ID_ROLES else pl.when(stripped != "").then(stripped)
    empty = _empty(header) | (value.is_null() if role in ID_ROLES else pl.lit(False))  # only invisible characters
    reason = pl.when(empty).then(pl.lit(f"{ROLE_WORDS.get(role, role)} is empty")) if required else pl.lit(None)
    # the parsed value is null exactly when the cell is empty: only that can fail, and only if required
    suspect = pl.col(f"__v_{role}").is_null() if required else pl.lit(False)
    return Check(role, header, value, reason if required else pl.lit(None, dtype=pl.String), f"{role}_empty",
                 required=required, condition=suspect)


def number_check(role: str, header: str, frame: pl.DataFrame, *, required: bool) -> tuple[Check, NumberFormat]:
    """A number in the column's own format (decimal comma or dot, thousands spaces, currency signs)."""
    plain = plain_numbers(frame[header])
    fmt = NumberFormat(".") if plain else detect_number_format(frame[header])
    value = parse_number(pl.col(header), fmt, plain=plain)
    example = "1234,50 or 1 234,50" if fmt.decimal == "," else "1234.50 or 1,234.50"
    word = ROLE_WORDS.get(role, role)
    bad = pl.lit(f"{word} ") + _quoted(header) + pl.lit(f" is not a number (expected e.g. {example})")
    infinite = pl.lit(f"{word} ") + _quoted(header) + pl.lit(" is not a finite number (NaN, infinity or too large)")
    reason = pl.when(~_empty(header) & value.is_null()).then(bad).when(~value.is_finite()).then(infinite)
    if required:
        reason = pl.when(_empty(header)).then(pl.lit(f"{word} is empty")).otherwise(reason)
    suspect = ~pl.col(f"__v_{role}").is_finite() | (~_empty(header) & pl.col(f"__v_{role}").is_null())
    if required:
        suspect = suspect | _empty(header)
    check = Check(role, header, value, reason.otherwise(None) if not required else reason, f"{role}_invalid",
                  required=required, condition=suspect)
    return check, fmt


def default_date_range(today: date | None = None) -> tuple[date, date]:
    """The dates an export may hold unless the caller widens them: 1970-01-01 … today + 1 year (SPEC §10)."""
    today = today or date.today()
    return date(1970, 1, 1), today.replace(year=today.year + 1) if (today.month, today.day) != (2, 29) else date(today.year + 1, 3, 1)


def range_check(role: str, header: str, lo: date, hi: date) -> Check:
    """A parsed date outside [lo, hi] (years 0001 or 9999 break every period computation)."""
    v = pl.col(f"__v_{role}")
    outside = (v < datetime.combine(lo, datetime.min.time())) | (v >= datetime.combine(hi + timedelta(days=1), datetime.min.time()))
    word = ROLE_WORDS.get(role, role)
    text = (pl.lit(f"{word} ") + _quoted(header)
            + pl.lit(f" is outside {lo.isoformat()} … {hi.isoformat()} (allow a wider date range to keep it)"))
    return Check(f"{role}_range", header, None, pl.when(outside).then(text), f"{role}_out_of_range",
                 condition=outside)


def date_check(
    role: str, header: str, frame: pl.DataFrame, *, required: bool, date_order: str | None, timezone: str = "UTC"
) -> tuple[Check, DateFormat | None]:
    """A date or date-time in the column's detected family (day-first/month-first settled by the data);
    timestamps with an offset are converted to ``timezone``."""
    fmt = detect_date_format(frame[header], date_order=date_order)  # type: ignore[arg-type]
    word = ROLE_WORDS.get(role, role)
    fast = None
    if fmt is None:
        value = pl.lit(None, dtype=pl.Datetime("us"))
        bad = pl.lit(f"{word} ") + _quoted(header) + pl.lit(" is not a date (expected e.g. 2024-12-31 or 31.12.2024)")
        reason = pl.when(~_empty(header)).then(bad)
    else:
        value = parse_datetime(pl.col(header), fmt, timezone=timezone)
        fast = fast_datetime(pl.col(header), frame[header], fmt)
        missing_day = pl.lit(f"{word} ") + _quoted(header) + pl.lit(" does not exist")
        not_date = pl.lit(f"{word} ") + _quoted(header) + pl.lit(f" is not a date (expected e.g. {EXAMPLES[fmt.family]})")
        reason = pl.when(~_empty(header) & value.is_null()).then(
            pl.when(date_shape_ok(pl.col(header), fmt)).then(missing_day).otherwise(not_date)
        )
    if required:
        reason = pl.when(_empty(header)).then(pl.lit(f"{word} is empty")).otherwise(reason)
    return Check(role, header, value, reason, f"{role}_invalid", required=required, fast=fast), fmt
