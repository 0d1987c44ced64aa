"""The customers behind a number (SPEC §7.1 drill-down): a cohort cell, a customer-flow bar.

Each function returns one row per customer with the CRM-ready columns of :func:`customer_list`
(``customer_id``, ``first_order``, ``last_order``, ``orders``, ``revenue`` over the whole table given)
plus the columns that tie the list to the number it explains. The lists use the same compact
customer × period table (:func:`~retention_core.retention.flows.customer_periods`) and the same
rules as :func:`~retention_core.retention.flows.period_metrics` and
:func:`~retention_core.retention.cohorts.cohort_matrix`, so a list's length (or its revenue) equals
the number that was clicked; the tests check that on the bundled sample.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

import polars as pl

from retention_core.errors import ParameterError, check_choice
from retention_core.periods import Grain, period_index, validate_grain
from retention_core.retention.cohorts import CohortMode, CohortValue
from retention_core.retention.flows import (
    CustomerPeriods,
    as_date,
    periods_of,
    require_columns,
    validate_window,
)

CustomerFlow = Literal["retained", "new", "reactivated", "churned"]
"""The four customer-flow bars of SPEC §4.1 (``new`` is the ``new_customers`` column)."""

LIST_COLUMNS: tuple[str, ...] = ("customer_id", "first_order", "last_order", "orders", "revenue")
"""Columns every drill-down list starts with (CRM-ready: who, since when, how recently, how much)."""


def _period_of(day: date, grain: Grain) -> int:
    return pl.select(period_index(pl.lit(as_date(day)), grain)).item()


def customer_list(orders: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """:data:`LIST_COLUMNS` for the customers in ``customers`` (its other columns are kept after them).

    ``first_order`` / ``last_order`` = first / last day with an order (amount ≥ 0); ``orders`` = rows with
    amount ≥ 0; ``revenue`` = Σ amount (refunds net). Sorted by revenue (highest first), then customer id.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "b"], "amount": [10.0, -4.0, 5.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 2, 1), date(2024, 3, 3)]})
    >>> customer_list(orders, pl.DataFrame({"customer_id": ["a"]})).rows()
    [('a', datetime.date(2024, 1, 5), datetime.date(2024, 1, 5), 1, 6.0)]
    """
    require_columns(orders, ("customer_id", "ordered_at", "amount"), kind="orders")
    day = pl.col("ordered_at").cast(pl.Date)
    bought = pl.col("amount") >= 0
    stats = (
        orders.lazy()
        .join(customers.lazy().select("customer_id").unique(), on="customer_id", how="semi")
        .group_by("customer_id")
        .agg(
            day.filter(bought).min().alias("first_order"),
            day.filter(bought).max().alias("last_order"),
            bought.sum().cast(pl.Int64).alias("orders"),
            pl.col("amount").cast(pl.Float64).sum().alias("revenue"),
        )
    )
    extra = [c for c in customers.columns if c not in LIST_COLUMNS]
    return (
        customers.lazy()
        .select("customer_id", *extra)
        .join(stats, on="customer_id", how="left")
        .select(*LIST_COLUMNS, *extra)
        .sort(["revenue", "customer_id"], descending=[True, False], nulls_last=True)
        .collect()
    )


def cohort_cell_customers(
    orders: pl.DataFrame,
    *,
    cohort: date,
    age: int,
    grain: Grain = "month",
    value: CohortValue = "customers",
    mode: CohortMode = "on",
    periods: CustomerPeriods | None = None,
) -> pl.DataFrame:
    """The customers behind one cell (cohort c, age k) of :func:`~retention_core.retention.cohorts.cohort_matrix`.

    customers/on: members of c with an order in c+k (count = value · size); customers/unbounded: members
    with an order in c+k or later; revenue: members with any row in c+k, ``cell_revenue`` their revenue
    there (Σ = the cell); ltv: every member, ``cell_revenue`` their revenue in ages 0…k (Σ / size = the cell).

    Parameters
    ----------
    orders
        Canonical orders frame (the same one the matrix was made from).
    cohort
        Any day of the cohort's period (the matrix's ``cohort`` column is its first day).
    age
        Age k ≥ 0 in periods.
    grain, value, mode, periods
        As for :func:`~retention_core.retention.cohorts.cohort_matrix`.

    Returns
    -------
    pl.DataFrame
        :data:`LIST_COLUMNS` then ``cell_revenue`` (Float64), sorted by revenue (highest first).

    Raises
    ------
    ParameterError
        Unknown grain, value or mode; ``age`` not a whole number ≥ 0; ``unbounded`` with a money value.

    Examples
    --------
    January cohort a, b; a comes back in March (the matrix's cells: on 1, 0, 0.5 of 2).

    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a"], "amount": [10.0, 20.0, 5.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 3, 31)]})
    >>> cohort_cell_customers(orders, cohort=date(2024, 1, 1), age=2)["customer_id"].to_list()
    ['a']
    >>> cohort_cell_customers(orders, cohort=date(2024, 1, 1), age=1).height
    0
    >>> cohort_cell_customers(orders, cohort=date(2024, 1, 1), age=1, mode="unbounded")["customer_id"].to_list()
    ['a']
    """
    validate_grain(grain)
    check_choice("value", value, get_args(CohortValue))
    check_choice("mode", mode, get_args(CohortMode))
    if isinstance(age, bool) or not isinstance(age, int) or age < 0:
        raise ParameterError("age", age, "a whole number of periods ≥ 0")
    if mode == "unbounded" and value != "customers":
        raise ParameterError("mode", mode, 'on (mode="unbounded" applies to value="customers" only)')
    c = _period_of(cohort, grain)
    members = periods_of(orders, grain, periods).lazy().filter(pl.col("first_period") == c)
    at = pl.col("period") == c + age
    bought = pl.col("orders") > 0
    if value == "customers" and mode == "on":
        rows = members.filter(at & bought).group_by("customer_id").agg(pl.col("revenue").sum())
    elif value == "customers":
        rows = (
            members.group_by("customer_id")
            .agg(pl.col("period").filter(bought).max().alias("_last"), pl.col("revenue").filter(at).sum())
            .filter(pl.col("_last") >= c + age)
        )
    elif value == "revenue":
        rows = members.filter(at).group_by("customer_id").agg(pl.col("revenue").sum())
    else:
        rows = members.group_by("customer_id").agg(pl.col("revenue").filter(pl.col("period") <= c + age).sum())
    cell = rows.select("customer_id", pl.col("revenue").cast(pl.Float64).alias("cell_revenue")).collect()
    return customer_list(orders, cell)


def flow_customers(
    orders: pl.DataFrame,
    *,
    period: date,
    flow: CustomerFlow,
    grain: Grain = "month",
    window: int = 1,
    periods: CustomerPeriods | None = None,
) -> pl.DataFrame:
    """The customers behind one bar of the customer flow (SPEC §4.1) in the period containing ``period``.

    With S = active(p−1), E = active(p), N = first order ever in p (active = an order in the W periods
    ending there): retained = S ∩ E, churned = S \\ E, new = N, reactivated = E \\ S \\ N. The list's length
    is the bar's value in :func:`~retention_core.retention.flows.period_metrics` with the same ``window``.

    Returns
    -------
    pl.DataFrame
        :data:`LIST_COLUMNS` then ``period_revenue`` (Float64: the customer's revenue in p; 0 for the churned),
        sorted by revenue (highest first).

    Raises
    ------
    ParameterError
        Unknown grain or flow; window not a whole number ≥ 1.

    Examples
    --------
    Jan: a, b buy. Feb: a returns, c is new, b is gone (period_metrics: retained 1, new 1, churned 1).

    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a", "c"], "amount": [10.0, 20.0, 15.0, 5.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 2), date(2024, 2, 20)]})
    >>> [flow_customers(orders, period=date(2024, 2, 1), flow=f)["customer_id"].to_list()
    ...  for f in ("retained", "new", "reactivated", "churned")]
    [['a'], ['c'], [], ['b']]
    """
    validate_grain(grain)
    validate_window(window)
    check_choice("flow", flow, get_args(CustomerFlow))
    p = _period_of(period, grain)
    cp = periods_of(orders, grain, periods).lazy()
    bought = pl.col("orders") > 0
    q = pl.col("period")
    near = (
        cp.filter(bought & (q >= p - window) & (q <= p))
        .group_by("customer_id")
        .agg(
            (q >= p - window + 1).any().alias("in_end"),  # active(p): an order in p−W+1 … p
            (q <= p - 1).any().alias("in_start"),  # active(p−1): an order in p−W … p−1
            (pl.col("first_period").first() == p).alias("is_new"),
            pl.col("revenue").filter(q == p).sum().alias("period_revenue"),
        )
    )
    s, e, n = pl.col("in_start"), pl.col("in_end"), pl.col("is_new")
    rule = {"retained": s & e, "churned": s & ~e, "new": n, "reactivated": e & ~s & ~n}[flow]
    chosen = near.filter(rule).select("customer_id", pl.col("period_revenue").cast(pl.Float64)).collect()
    return customer_list(orders, chosen)


__all__ = ["LIST_COLUMNS", "CustomerFlow", "cohort_cell_customers", "customer_list", "flow_customers"]
