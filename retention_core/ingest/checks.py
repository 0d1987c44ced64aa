"""Cell checks: parse each role column and say, in plain words, why a row is rejected (SPEC §3).

Each check is a pair of polars expressions (parsed value, reason or null). The first failing check of
a row is its reason; a row with no reason is accepted. Reason texts name the column and the value:
``amount 'abc' is not a number (expected e.g. 1234.50 or 1 234,50)``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """A non-empty string (ids, event names)."""
    stripped = _raw(header)
    value = pl.when(stripped != "").then(stripped)  # null for a null or blank cell
    reason = pl.when(_empty(header)).then(pl.lit(f"{ROLE_WORDS.get(role, role)} is empty")) if required else pl.lit(None)
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
    reason = pl.when(~_empty(header) & value.is_null()).then(bad)
    if required:
        reason = pl.when(_empty(header)).then(pl.lit(f"{word} is empty")).otherwise(reason)
    check = Check(role, header, value, reason.otherwise(None) if not required else reason, f"{role}_invalid",
                  required=required)
    return check, fmt


def date_check(
    role: str, header: str, frame: pl.DataFrame, *, required: bool, date_order: str | None
) -> tuple[Check, DateFormat | None]:
    """A date or date-time in the column's detected family (day-first/month-first settled by the data)."""
    fmt = detect_date_format(frame[header], date_order=date_order)  # type: ignore[arg-type]
    word = ROLE_WORDS.get(role, role)
    fast = None
    if fmt is None:
        value = pl.lit(None, dtype=pl.Datetime("us"))
        bad = pl.lit(f"{word} ") + _quoted(header) + pl.lit(" is not a date (expected e.g. 2024-12-31 or 31.12.2024)")
        reason = pl.when(~_empty(header)).then(bad)
    else:
        value = parse_datetime(pl.col(header), fmt)
        fast = fast_datetime(pl.col(header), frame[header], fmt)
        missing_day = pl.lit(f"{word} ") + _quoted(header) + pl.lit(" does not exist")
        not_date = pl.lit(f"{word} ") + _quoted(header) + pl.lit(f" is not a date (expected e.g. {EXAMPLES[fmt.family]})")
        reason = pl.when(~_empty(header) & value.is_null()).then(
            pl.when(date_shape_ok(pl.col(header), fmt)).then(missing_day).otherwise(not_date)
        )
    if required:
        reason = pl.when(_empty(header)).then(pl.lit(f"{word} is empty")).otherwise(reason)
    return Check(role, header, value, reason, f"{role}_invalid", required=required, fast=fast), fmt
