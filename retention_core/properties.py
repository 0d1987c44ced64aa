"""Event property filters (SPEC §5 step filters, §4.3 start/return filters; issue 14).

A :class:`PropertyFilter` is ``column OP value`` over one property column of an event log:

* ``=`` / ``!=`` compare the value as text (``!=`` also holds when the event has no value);
* ``>``, ``>=``, ``<``, ``<=`` compare as numbers: the cell is read as a number (``1 234,5`` and
  ``1234.5`` alike); a cell that is not a number never passes;
* ``~`` holds when the text contains the value, ignoring case.

Ingest keeps properties as text and writes an empty cell as ``(none)`` (docs/data-model.md); an
empty cell counts as "no value" here. :func:`parse_filters` reads the text form used by the
command line and the URL: ``amount>100``, ``device=mobile&browser!=Safari``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from retention_core.errors import ParameterError

OPS: tuple[str, ...] = ("=", "!=", ">", ">=", "<", "<=", "~")
NUMERIC_OPS = (">", ">=", "<", "<=")
EMPTY_VALUES = ("", "(none)")  # what ingest writes for an empty property cell
_TEXT = re.compile(r"^\s*([^=!<>~]+?)\s*(!=|>=|<=|=|>|<|~)\s*(.*?)\s*$")


def _number(text: str) -> float | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", str(text)).replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def number_expr(column: str) -> pl.Expr:
    """A property column read as numbers (``1 234,5`` → 1234.5; anything else → null)."""
    text = pl.col(column).cast(pl.String).str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)
    return text.cast(pl.Float64, strict=False)


def has_value(column: str) -> pl.Expr:
    """The event carries a value of the property (not null, not empty, not ``(none)``)."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return (text.is_not_null() & ~text.is_in(list(EMPTY_VALUES))).fill_null(False)


@dataclass(frozen=True)
class PropertyFilter:
    """``column op value`` (see the module docs).

    Examples
    --------
    >>> PropertyFilter.parse("amount > 100")
    PropertyFilter(column='amount', op='>', value='100')
    >>> str(PropertyFilter("device", "=", "mobile"))
    'device=mobile'
    >>> ev = pl.DataFrame({"amount": ["50", "150", "1 200,5", "n/a", None]})
    >>> ev.select(PropertyFilter("amount", ">", "100").expr()).to_series().to_list()
    [False, True, True, False, False]
    """

    column: str
    op: str
    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column.strip():
            raise ParameterError("filter column", self.column, "a property column name")
        if self.op not in OPS:
            raise ParameterError("filter operator", self.op, OPS)
        object.__setattr__(self, "column", self.column.strip())
        object.__setattr__(self, "value", str(self.value))
        if self.op in NUMERIC_OPS and _number(self.value) is None:
            raise ParameterError("filter value", self.value, f"a number after {self.op} (e.g. {self.column}{self.op}100)")

    @classmethod
    def parse(cls, text: str) -> PropertyFilter:
        """``amount>100``, ``device=mobile``, ``browser!=Safari``, ``url~pricing``."""
        m = _TEXT.match(str(text))
        if not m:
            raise ParameterError("filter", text, "COLUMN OP VALUE with OP one of = != > >= < <= ~ (e.g. amount>100)")
        return cls(m.group(1), m.group(2), m.group(3))

    def __str__(self) -> str:
        return f"{self.column}{self.op}{self.value}"

    def expr(self) -> pl.Expr:
        """Boolean expression over an events frame (null → false, except ``!=`` on a missing value)."""
        text = pl.col(self.column).cast(pl.String)
        if self.op == "=":
            return (text == self.value).fill_null(False)
        if self.op == "!=":
            return (~has_value(self.column) | (text != self.value)).fill_null(True)
        if self.op == "~":
            return text.str.to_lowercase().str.contains(self.value.lower(), literal=True).fill_null(False)
        num, bound = number_expr(self.column), _number(self.value)
        compare = {">": num > bound, ">=": num >= bound, "<": num < bound, "<=": num <= bound}[self.op]
        return compare.fill_null(False)


FilterLike = PropertyFilter | str | tuple


def as_filters(items: Iterable[FilterLike] | str | None) -> tuple[PropertyFilter, ...]:
    """Filters from filters, ``"col=value"`` texts, ``(col, value)`` pairs (equality) or ``(col, op, value)``;
    a mapping gives equality filters."""
    if items is None:
        return ()
    if isinstance(items, str):
        return parse_filters(items)
    if hasattr(items, "items"):
        items = list(items.items())  # type: ignore[union-attr]
    out = []
    for item in items:
        if isinstance(item, PropertyFilter):
            out.append(item)
        elif isinstance(item, str):
            out.append(PropertyFilter.parse(item))
        elif isinstance(item, tuple) and len(item) == 2:
            out.append(PropertyFilter(str(item[0]), "=", str(item[1])))
        elif isinstance(item, tuple) and len(item) == 3:
            out.append(PropertyFilter(str(item[0]), str(item[1]), str(item[2])))
        else:
            raise ParameterError("filter", item, "a filter such as amount>100 or (column, value)")
    return tuple(out)


def parse_filters(text: str) -> tuple[PropertyFilter, ...]:
    """Several filters joined by ``&``: ``device=mobile&amount>=10`` (all must hold)."""
    return tuple(PropertyFilter.parse(part) for part in str(text).split("&") if part.strip())


def all_of(filters: Iterable[PropertyFilter]) -> pl.Expr:
    """Every filter holds (true when there are none)."""
    expr = pl.lit(True)
    for f in filters:
        expr = expr & f.expr()
    return expr


def check_columns(frame_columns: Iterable[str], filters: Iterable[PropertyFilter], *, role: str = "filter") -> None:
    """Raise :class:`~retention_core.errors.ColumnNotFoundError` for a filter on a column the log lacks."""
    from retention_core.errors import ColumnNotFoundError

    cols = list(frame_columns)
    for f in filters:
        if f.column not in cols:
            raise ColumnNotFoundError.from_missing(f.column, cols, role=role)


__all__ = ["EMPTY_VALUES", "OPS", "PropertyFilter", "all_of", "as_filters", "check_columns", "has_value",
           "number_expr", "parse_filters"]
