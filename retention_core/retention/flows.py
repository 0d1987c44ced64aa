"""Customer flow and revenue per period for orders data (SPEC §4.1, §8 ``metrics``, §9).

Two steps, kept apart on purpose (SPEC §9):

1. :func:`customer_periods` — the heavy step. Orders in, one row per customer × period out. It is a
   single ``GROUP BY customer_id, period`` (plus a per-customer minimum), so it can run as SQL on
   another engine; its input and output are documented there.
2. :func:`period_metrics` — everything after works on that compact table: the activity window,
   the customer flow (S, N, E, retained, churned, reactivated) and the ratios.

Conventions (SPEC §4): a period is numbered by :func:`retention_core.periods.period_index`; a ratio
with denominator 0 is null; refund rows (amount < 0) net against revenue but are not orders and do
not make a customer active; zero-amount orders are orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.periods import Grain, index_start, period_index, validate_grain
from retention_core.runs import sort_runs

METRIC_COLUMNS: tuple[str, ...] = (
    "period_start",
    "customers_start",
    "new_customers",
    "customers_end",
    "retained",
    "reactivated",
    "churned",
    "churned_new",
    "crr",
    "retention_rate",
    "churn_rate",
    "total_churn_rate",
    "revenue",
    "orders",
    "aov",
    "arpu",
    "repeat_revenue_share",
    "revenue_churn_rate",
    "nrr",
    "incomplete",
    "reactivation_share",
    "lapsed",
    "reactivation_rate",
)
"""The SPEC §8 ``metrics`` keys, in order (one column each in :func:`period_metrics`)."""

ORDER_EXTRA_COLUMNS: tuple[str, ...] = ("purchase_frequency", "aov_new", "aov_repeat")
"""Orders-only SPEC §4.1 metrics appended after :data:`METRIC_COLUMNS`."""

_COUNT_COLUMNS = ("customers_start", "new_customers", "customers_end", "retained", "reactivated", "churned", "lapsed")


def require_columns(frame: pl.DataFrame, columns: Iterable[str], *, kind: str) -> None:
    """Raise :class:`ColumnNotFoundError` (with a "did you mean") if a column is missing.

    Examples
    --------
    >>> require_columns(pl.DataFrame({"customer_id": ["a"]}), ["customer_id", "amount"], kind="orders")
    Traceback (most recent call last):
    ...
    retention_core.errors.ColumnNotFoundError: orders: column "amount" not found; available: customer_id
    """
    for column in columns:
        if column not in frame.columns:
            raise ColumnNotFoundError.from_missing(column, frame.columns, file=kind)


def validate_window(window: int) -> int:
    """Return ``window`` if it is a whole number of periods ≥ 1, else raise :class:`ParameterError`."""
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ParameterError("window", window, "a whole number of periods ≥ 1")
    return window


def as_date(value: date | datetime | None) -> date | None:
    """A ``datetime`` is reduced to its day; ``None`` stays ``None``."""
    if isinstance(value, datetime):
        return value.date()
    return value


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator`` as Float64, null when the denominator is 0 or null (SPEC §4).

    Examples
    --------
    >>> pl.DataFrame({"n": [1, 1], "d": [4, 0]}).select(ratio(pl.col("n"), pl.col("d"))).to_series().to_list()
    [0.25, None]
    """
    return pl.when(denominator != 0).then(numerator.cast(pl.Float64) / denominator.cast(pl.Float64))


def incomplete_expr(period: pl.Expr, grain: Grain, data_end: date) -> pl.Expr:
    """True when ``data_end`` falls before the last day of the period (the data ends inside it or before it).

    Examples
    --------
    >>> df = pl.DataFrame({"p": [648, 649]})  # 2024-01, 2024-02
    >>> df.select(incomplete_expr(pl.col("p"), "month", date(2024, 1, 31))).to_series().to_list()
    [False, True]
    """
    return index_start(period + 1, grain) > pl.lit(data_end + timedelta(days=1))


def period_grid(first: int, last: int) -> pl.DataFrame:
    """Every period index from ``first`` to ``last`` inclusive, as an Int32 column ``period``."""
    return pl.DataFrame({"period": pl.int_range(first, last + 1, dtype=pl.Int32, eager=True)})


def customer_periods(orders: pl.DataFrame, *, grain: Grain = "month") -> pl.DataFrame:
    """The heavy step (SPEC §9): orders → one row per customer × period with any order or refund.

    ``orders = count(amount ≥ 0)``, ``revenue = Σ amount`` (refunds net), ``first_period = min period
    with an order`` over all of the customer's rows. Everything after (:func:`period_metrics`,
    cohorts, NPS retention) works on this compact table only. The same step in SQL::

        WITH cp AS (
          SELECT customer_id, period_index(ordered_at) AS period,
                 count(*) FILTER (WHERE amount >= 0) AS orders, sum(amount) AS revenue
          FROM orders GROUP BY 1, 2)
        SELECT *, min(period) FILTER (WHERE orders > 0) OVER (PARTITION BY customer_id) AS first_period
        FROM cp

    Parameters
    ----------
    orders
        Canonical orders frame; reads ``customer_id``, ``ordered_at`` (Date or Datetime), ``amount``.
    grain
        Period grain (SPEC §4).

    Returns
    -------
    pl.DataFrame
        ``customer_id`` (input dtype), ``period`` (Int32 period index), ``orders`` (Int64, rows with
        amount ≥ 0), ``revenue`` (Float64, refunds included), ``first_period`` (Int32, the customer's
        first period with an order; null for a customer with refunds only). Row order unspecified.

    Raises
    ------
    ColumnNotFoundError
        A required column is missing.
    ParameterError
        Unknown grain.

    Examples
    --------
    a: 10 in Jan, −4 (refund) in Feb; b: a refund only.

    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "b"], "amount": [10.0, -4.0, -1.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 2, 1), date(2024, 2, 3)]})
    >>> customer_periods(orders).sort("customer_id", "period").rows()
    [('a', 648, 1, 10.0, 648), ('a', 649, 0, -4.0, 648), ('b', 649, 0, -1.0, None)]
    """
    validate_grain(grain)
    require_columns(orders, ("customer_id", "ordered_at", "amount"), kind="orders")
    ordered = pl.col("orders") > 0
    return (
        orders.lazy()
        .group_by("customer_id", period_index(pl.col("ordered_at"), grain).alias("period"))
        .agg(
            (pl.col("amount") >= 0).sum().cast(pl.Int64).alias("orders"),
            pl.col("amount").cast(pl.Float64).sum().alias("revenue"),
        )
        .with_columns(pl.when(ordered).then(pl.col("period")).min().over("customer_id").alias("first_period"))
        .collect()
    )


@dataclass(frozen=True)
class CustomerPeriods:
    """The heavy step's table (:func:`customer_periods`) with the grain it was made for.

    Made once (:func:`compact`) and handed to :func:`period_metrics` and
    :func:`~retention_core.retention.cohorts.cohort_matrix` through ``periods=``, so switching a cohort view or
    the activity window does not group every order again (10M orders: ~2 s saved each time).
    """

    frame: pl.DataFrame
    grain: Grain


def compact(orders: pl.DataFrame, *, grain: Grain = "month") -> CustomerPeriods:
    """:func:`customer_periods` of ``orders``, labelled with its grain."""
    return CustomerPeriods(customer_periods(orders, grain=grain), grain)


def periods_of(orders: pl.DataFrame, grain: Grain, periods: CustomerPeriods | None) -> pl.DataFrame:
    """The compact table for ``grain``: the one given (checked to be for that grain), else made now."""
    if periods is None:
        return customer_periods(orders, grain=grain)
    if periods.grain != grain:
        raise ParameterError("periods", periods.grain, f"a compact table made for grain={grain!r}")
    return periods.frame


def _sorted_rows(cp: pl.DataFrame, *, window: int) -> pl.LazyFrame:
    """The compact table sorted by customer and period, with each row's place in the customer flow.

    Rows of one customer are contiguous and in period order (:func:`~retention_core.runs.sort_runs`), so "this
    customer's previous / next row" is a plain shift guarded by ``same customer``. Adds:
    ``last_order`` (latest period ≤ p with an order), ``active`` (active(p): p − last_order < W),
    ``in_start`` (active(p−1), i.e. member of S(p)), ``active_next`` (active(p+1)), ``is_new``.
    """
    c, p, w = pl.col("customer_id"), pl.col("period"), window
    ordered = pl.col("orders") > 0
    same_prev, same_next = c.shift(1) == c, c.shift(-1) == c
    return (
        sort_runs(cp, "customer_id", ["period"])
        .lazy()
        .with_columns(
            pl.when(ordered).then(p).forward_fill().alias("_lo"),
            pl.when(ordered).then(c).forward_fill().alias("_lo_customer"),
        )
        .with_columns(pl.when(pl.col("_lo_customer") == c).then(pl.col("_lo")).alias("last_order"))
        .with_columns(
            pl.when(same_prev).then(pl.col("last_order").shift(1)).alias("_prev_order"),
            (same_next & (p.shift(-1) == p + 1) & (pl.col("orders").shift(-1) > 0))
            .fill_null(False)
            .alias("_next_ordered"),
        )
        .select(
            "customer_id",
            "period",
            "orders",
            "revenue",
            (p - pl.col("last_order") < w).fill_null(False).alias("active"),
            (p - 1 - pl.col("_prev_order") < w).fill_null(False).alias("in_start"),
            (pl.col("_next_ordered") | (p + 1 - pl.col("last_order") < w).fill_null(False)).alias(
                "active_next"
            ),
            (pl.col("first_period") == p).fill_null(False).alias("is_new"),
        )
    )


def _spans(rows: pl.LazyFrame, *, window: int, last: int) -> pl.LazyFrame:
    """Per-period counts of activity spans: an order in q keeps the customer active in q … q+W−1.

    Consecutive orders at most W periods apart form one span [start, end]; ``starts`` counts spans
    beginning in p (N plus reactivated), ``ends_before`` spans whose last active period is p−1
    (the churned of p), ``delta`` is the change of |active| at p (+starts − ends_before).
    """
    c, p, w = pl.col("customer_id"), pl.col("period"), window
    orders = rows.filter(pl.col("orders") > 0).select("customer_id", "period")
    prev_q = pl.when(c.shift(1) == c).then(p.shift(1))
    next_q = pl.when(c.shift(-1) == c).then(p.shift(-1))
    marked = orders.with_columns(
        (prev_q.is_null() | (p - prev_q > w)).alias("span_start"),
        (next_q.is_null() | (next_q - p > w)).alias("span_end"),
    )
    starts = marked.filter("span_start").group_by("period").agg(pl.len().cast(pl.Int64).alias("starts"))
    ends = (
        marked.filter("span_end")
        .select((p + w).alias("period"))  # first inactive period = last active (q + W − 1) + 1
        .filter(pl.col("period") <= last)
        .group_by("period")
        .agg(pl.len().cast(pl.Int64).alias("ends_before"))
    )
    return starts.join(ends, on="period", how="full", coalesce=True)


def _flows(cp: pl.DataFrame, *, window: int, first: int, last: int) -> pl.DataFrame:
    """Per-period customer flow and money on the compact table, one row per period first … last."""
    rows = _sorted_rows(cp, window=window).collect().lazy()
    p, new, s, e, e_next = (pl.col(k) for k in ("period", "is_new", "in_start", "active", "active_next"))
    here = rows.group_by("period").agg(
        pl.col("revenue").sum().alias("revenue"),
        pl.col("orders").sum().cast(pl.Int64).alias("orders"),
        new.sum().cast(pl.Int64).alias("new_customers"),
        pl.col("revenue").filter(new).sum().alias("revenue_new"),
        pl.col("orders").filter(new).sum().cast(pl.Int64).alias("orders_new"),
        pl.col("revenue").filter(s).sum().alias("revenue_start_now"),
    )
    before = rows.group_by((p + 1).alias("period")).agg(
        pl.col("revenue").filter(e).sum().alias("revenue_start_prev"),
        pl.col("revenue").filter(e & ~e_next).sum().alias("revenue_churned_prev"),
    )
    table = (
        period_grid(first, last)
        .lazy()
        .join(_spans(rows, window=window, last=last), on="period", how="left")
        .join(here, on="period", how="left")
        .join(before, on="period", how="left")
        .fill_null(0)
        .sort("period")
        .with_columns((pl.col("starts") - pl.col("ends_before")).cum_sum().alias("customers_end"))
        .with_columns(
            pl.col("customers_end").shift(1, fill_value=0).alias("customers_start"),
            pl.col("ends_before").alias("churned"),
            (pl.col("starts") - pl.col("new_customers")).alias("reactivated"),
        )
        .with_columns((pl.col("customers_start") - pl.col("churned")).alias("retained"))
    )
    return table.collect()


def empty_metrics(columns: Iterable[str] = METRIC_COLUMNS + ORDER_EXTRA_COLUMNS) -> pl.DataFrame:
    """A zero-row period table with the metric columns and their dtypes."""
    ints = {*_COUNT_COLUMNS, "churned_new", "orders"}
    special = {"period_start": pl.Date, "incomplete": pl.Boolean}
    schema = {c: special.get(c, pl.Int64 if c in ints else pl.Float64) for c in columns}
    return pl.DataFrame(schema=schema)


def period_metrics(
    orders: pl.DataFrame, *, grain: Grain = "month", window: int = 1, data_end: date | None = None,
    periods: CustomerPeriods | None = None,
) -> pl.DataFrame:
    """Customer flow and revenue per period for orders (SPEC §4.1, §8 ``metrics``).

    S = active(p−1), E = active(p), N = first order ever in p; retained = |S ∩ E|, churned = |S \\ E|,
    reactivated = |E \\ S \\ N|; CRR = (E − N) / S, retention_rate = retained / S, churn_rate =
    churned / S, reactivation_share = reactivated / S (so CRR = retention_rate + reactivation_share);
    lapsed = customers who bought before p and are not active in p (= Σ N before p − (E − N)),
    reactivation_rate = reactivated(p) / lapsed(p−1) (every reactivated customer of p was lapsed in p−1);
    aov = revenue / orders, arpu = revenue / E, purchase_frequency = orders / E;
    revenue_churn_rate = revenue(p−1) of S \\ E / revenue(p−1) of S; nrr = revenue(p) of S /
    revenue(p−1) of S. A ratio with denominator 0 is null (so the first period's are).

    Parameters
    ----------
    orders
        Canonical orders frame (``customer_id``, ``ordered_at``, ``amount``; other columns ignored).
        Refund rows (amount < 0) reduce the revenue of their period but are not orders and do not
        make a customer active; zero-amount orders are orders.
    grain
        Period grain (SPEC §4).
    window
        Activity window W ≥ 1: a customer is active in p with an order in the W periods ending at p.
    data_end
        Last day the data covers (default: the last ``ordered_at`` day). Periods run from the first
        period in the data to the later of the last period in the data and the period of
        ``data_end``; ``incomplete`` is true for a period whose last day is after ``data_end``.
    periods
        ``compact(orders, grain=grain)`` when the caller already has it (same orders, same grain).

    Returns
    -------
    pl.DataFrame
        One row per period, every period listed (empty ones too), sorted by ``period_start``:
        :data:`METRIC_COLUMNS` then :data:`ORDER_EXTRA_COLUMNS`. ``period_start`` Date; counts and
        ``orders`` Int64; money and ratios Float64; ``incomplete`` Boolean. ``churned_new`` and
        ``total_churn_rate`` apply to subscriptions only and are null here.

    Raises
    ------
    ColumnNotFoundError
        ``customer_id``, ``ordered_at`` or ``amount`` is missing.
    ParameterError
        Unknown grain, or window not a whole number ≥ 1.

    Examples
    --------
    Jan: a, b buy. Feb: a returns, c is new, b is gone ⇒ S=2, N=1, E=2, CRR=(2−1)/2.

    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a", "c"], "amount": [10.0, 20.0, 15.0, 5.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 2), date(2024, 2, 20)]})
    >>> period_metrics(orders).select("customers_start", "new_customers", "customers_end", "crr").row(1)
    (2, 1, 2, 0.5)

    Revenue lost with b: b spent 20 of the 30 that S spent in January; a brought 15 of those 30 back.

    >>> period_metrics(orders).select("churned", "revenue_churn_rate", "nrr", "incomplete").row(1)
    (1, 0.6666666666666666, 0.5, True)

    March: b comes back (reactivated; b was lapsed in February), a and c do not buy.

    >>> march = pl.DataFrame({"customer_id": ["b"], "amount": [8.0], "ordered_at": [date(2024, 3, 3)]})
    >>> period_metrics(pl.concat([orders, march])).select("lapsed", "reactivated", "reactivation_rate").rows()
    [(0, 0, None), (1, 0, None), (2, 1, 1.0)]
    """
    validate_grain(grain)
    validate_window(window)
    cp = periods_of(orders, grain, periods)
    if cp.height == 0:
        return empty_metrics()
    data_end = as_date(data_end)
    if data_end is None:
        data_end = orders.select(pl.col("ordered_at").max().cast(pl.Date)).item()
    first = int(cp["period"].min())  # type: ignore[arg-type]
    last = max(int(cp["period"].max()), pl.select(period_index(pl.lit(data_end), grain)).item())  # type: ignore[arg-type]
    table = _flows(cp, window=window, first=first, last=last)
    s, e, n = pl.col("customers_start"), pl.col("customers_end"), pl.col("new_customers")
    revenue, n_orders = pl.col("revenue"), pl.col("orders")
    # bought before p = every customer new in an earlier period (the grid starts at the first period of the
    # data); of them, E − N are active in p, the rest are lapsed
    lapsed = n.cum_sum().shift(1, fill_value=0) - (e - n)
    table = table.with_columns(lapsed.cast(pl.Int64).alias("lapsed"))
    return table.with_columns(
        index_start(pl.col("period"), grain).alias("period_start"),
        pl.lit(None, pl.Int64).alias("churned_new"),
        ratio(e - n, s).alias("crr"),
        ratio(pl.col("retained"), s).alias("retention_rate"),
        ratio(s - pl.col("retained"), s).alias("churn_rate"),
        pl.lit(None, pl.Float64).alias("total_churn_rate"),
        ratio(pl.col("reactivated"), s).alias("reactivation_share"),
        ratio(pl.col("reactivated"), pl.col("lapsed").shift(1)).alias("reactivation_rate"),
        ratio(revenue, n_orders).alias("aov"),
        ratio(revenue, e).alias("arpu"),
        ratio(revenue - pl.col("revenue_new"), revenue).alias("repeat_revenue_share"),
        ratio(pl.col("revenue_churned_prev"), pl.col("revenue_start_prev")).alias("revenue_churn_rate"),
        ratio(pl.col("revenue_start_now"), pl.col("revenue_start_prev")).alias("nrr"),
        incomplete_expr(pl.col("period"), grain, data_end).alias("incomplete"),
        ratio(n_orders, e).alias("purchase_frequency"),
        ratio(pl.col("revenue_new"), pl.col("orders_new")).alias("aov_new"),
        ratio(revenue - pl.col("revenue_new"), n_orders - pl.col("orders_new")).alias("aov_repeat"),
    ).select(METRIC_COLUMNS + ORDER_EXTRA_COLUMNS)
