"""RFM segments and lists to act on: at-risk customers, win-back, CRM export (SPEC §4.5).

RFM at an analysis date ``as_of`` (orders after it are ignored): recency = days from the customer's
last order to ``as_of``; frequency = orders (rows with amount ≥ 0; refunds are not orders);
monetary = net revenue (refunds netted).

Scores 1–5 by quintiles, ties to the same score: with n customers and ``rank`` the "min" rank
(tied values share the lowest rank), score = 1 + ⌊5 · (rank − 1) / n⌋, ranking so that better is
higher (fewer recency days, more orders, more revenue). Equal values therefore always get equal
scores: the lowest score of the positions the tie spans. A value shared by many customers (typically
frequency 1) puts them all in the bottom quintile, and with a single customer every score is 1. FM = ⌊(F + M + 1) / 2⌋, the mean of F and M rounded half up.

Segments: the widely used R × F segment map with F replaced by FM and its lowest corner split off as
"Lost" (rows R, columns FM):

============  ==============  ==============  ==============  ===============  ===============
R \\ FM        1               2               3               4                5
============  ==============  ==============  ==============  ===============  ===============
5             New             Potential       Potential       Champions        Champions
                              loyalists       loyalists
4             Promising       Potential       Potential       Loyal            Loyal
                              loyalists       loyalists
3             About to sleep  About to sleep  Need attention  Loyal            Loyal
2             Hibernating     Hibernating     At risk         At risk          Can't lose them
1             Lost            Lost            At risk         At risk          Can't lose them
============  ==============  ==============  ==============  ===============  ===============
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.periods import Grain, index_start, period_index, validate_grain
from retention_core.value.ltv import _as_date, _check_orders, _until, customer_revenue

SEGMENTS: tuple[str, ...] = (
    "Champions",
    "Loyal",
    "Potential loyalists",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose them",
    "Hibernating",
    "Lost",
)
# SEGMENT_GRID[r - 1][fm - 1]: the table in the module docstring.
SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("Lost", "Lost", "At risk", "At risk", "Can't lose them"),
    ("Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"),
    ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),
    ("Promising", "Potential loyalists", "Potential loyalists", "Loyal", "Loyal"),
    ("New", "Potential loyalists", "Potential loyalists", "Champions", "Champions"),
)
_SEGMENT_TYPE = pl.Enum(SEGMENTS)
AT_RISK_COLUMNS = (
    "customer_id",
    "last_order",
    "orders",
    "revenue",
    "typical_gap_days",
    "days_since_last",
    "expected_next_order",
    "rfm_segment",
    "p_alive",
    "expected_value",
    "value_at_risk",
    "reason",
)
CRM_COLUMNS = ("customer_id", "last_order", "orders", "revenue", "expected_value", "reason")


def _score(expr: pl.Expr, *, descending: bool = False) -> pl.Expr:
    """1 + ⌊5·(min-rank − 1)/n⌋ (ties share the lowest rank, hence the same score)."""
    rank = expr.rank("min", descending=descending)
    return (1 + (5 * (rank - 1)) // pl.len()).cast(pl.Int8)


def _segment(r: pl.Expr, fm: pl.Expr) -> pl.Expr:
    key = (r - 1).cast(pl.Int32) * 5 + (fm - 1).cast(pl.Int32)
    flat = [name for row in SEGMENT_GRID for name in row]
    return key.replace_strict(list(range(25)), flat, return_dtype=_SEGMENT_TYPE)


def _resolve_as_of(orders: pl.DataFrame, as_of: date | None) -> date | None:
    if as_of is not None:
        return _as_date(as_of)
    return orders.select(pl.col("ordered_at").cast(pl.Date).max()).item()


def rfm_table(orders: pl.DataFrame, *, as_of: date | None = None) -> pl.DataFrame:
    """RFM values, quintile scores and named segment per customer at ``as_of`` (SPEC §4.5).

    See the module docstring for the scores (1 + ⌊5·(rank_min − 1)/n⌋, ties equal) and the segment map.

    Parameters
    ----------
    orders
        Canonical orders frame.
    as_of
        Analysis date (inclusive); default the last order date in the data.

    Returns
    -------
    pl.DataFrame
        Sorted by ``customer_id``: ``customer_id``, ``last_order`` Date, ``recency_days`` Int64,
        ``frequency`` Int64, ``monetary`` Float64, ``r_score``/``f_score``/``m_score``/``fm_score``
        Int8, ``segment`` Enum of :data:`SEGMENTS`.

    Raises
    ------
    ColumnNotFoundError
        A required orders column is missing.

    Examples
    --------
    Five one-order customers: distinct recency and revenue give scores 5…1, the tied frequency gives
    F = 1 to all. a: R = 5, FM = ⌊(1 + 5 + 1)/2⌋ = 3 ⇒ Potential loyalists; b: R = 4, FM = ⌊(1 + 4 + 1)/2⌋ = 3.

    >>> orders = pl.DataFrame({"customer_id": list("abcde"), "amount": [50.0, 40.0, 30.0, 20.0, 10.0],
    ...     "ordered_at": [datetime(2024, 1, d) for d in (31, 25, 20, 10, 1)]})
    >>> rfm_table(orders).select("customer_id", "recency_days", "r_score", "f_score", "m_score", "segment").rows()[:2]
    [('a', 0, 5, 1, 5, 'Potential loyalists'), ('b', 6, 4, 1, 4, 'Potential loyalists')]
    """
    _check_orders(orders)
    as_of = _resolve_as_of(orders, as_of)
    return _rfm(customer_revenue(orders, as_of=as_of), as_of)


def _rfm(base: pl.DataFrame, as_of: date | None) -> pl.DataFrame:
    """:func:`rfm_table` from :func:`~retention_core.value.ltv.customer_revenue`'s frame at ``as_of``."""
    r = _score(pl.col("recency_days"), descending=True)
    f = _score(pl.col("frequency"))
    m = _score(pl.col("monetary"))
    return (
        base.lazy()
        .select(
            "customer_id",
            "last_order",
            (pl.lit(as_of, dtype=pl.Date) - pl.col("last_order"))
            .dt.total_days()
            .cast(pl.Int64)
            .alias("recency_days"),
            pl.col("orders").alias("frequency"),
            pl.col("revenue").alias("monetary"),
        )
        .with_columns(r.alias("r_score"), f.alias("f_score"), m.alias("m_score"))
        .with_columns(((pl.col("f_score") + pl.col("m_score") + 1) // 2).cast(pl.Int8).alias("fm_score"))
        .with_columns(_segment(pl.col("r_score"), pl.col("fm_score")).alias("segment"))
        .collect()
    )


def rfm_segment_summary(rfm: pl.DataFrame) -> pl.DataFrame:
    """Customers and revenue per RFM segment, every segment listed in :data:`SEGMENTS` order.

    Returns
    -------
    pl.DataFrame
        ``segment`` Enum, ``customers`` Int64, ``revenue`` Float64, ``customer_share`` and
        ``revenue_share`` Float64 (null when the total is 0).

    Examples
    --------
    >>> rfm = pl.DataFrame({"segment": ["Lost", "Lost", "New"], "monetary": [5.0, 5.0, 30.0]})
    >>> rfm_segment_summary(rfm).filter(pl.col("customers") > 0).rows()
    [('New', 1, 30.0, 0.3333333333333333, 0.75), ('Lost', 2, 10.0, 0.6666666666666666, 0.25)]
    """
    counts = (
        rfm.lazy()
        .group_by(pl.col("segment").cast(pl.String))
        .agg(pl.len().cast(pl.Int64).alias("customers"), pl.col("monetary").sum().alias("revenue"))
    )
    n = pl.col("customers").sum()
    total = pl.col("revenue").sum()
    return (
        pl.LazyFrame({"segment": list(SEGMENTS)})
        .join(counts, on="segment", how="left", maintain_order="left")
        .select(
            pl.col("segment").cast(_SEGMENT_TYPE),
            pl.col("customers").fill_null(0),
            pl.col("revenue").fill_null(0.0).cast(pl.Float64),
        )
        .with_columns(
            (pl.col("customers") / pl.when(n > 0).then(n)).alias("customer_share"),
            (pl.col("revenue") / pl.when(total != 0).then(total)).alias("revenue_share"),
        )
        .collect()
    )


class RfmSegmentJson(TypedDict):
    segment: str
    customers: int
    revenue: float


class RfmJson(TypedDict):
    as_of: str | None
    segments: list[RfmSegmentJson]


def rfm_summary_json(orders: pl.DataFrame, *, as_of: date | None = None) -> RfmJson:
    """SPEC §8 ``rfm``: ``{"as_of", "segments": [{"segment", "customers", "revenue"}]}``, all 11 segments.

    Examples
    --------
    A single customer ties with itself on every measure, so all its scores are 1 (Lost).

    >>> orders = pl.DataFrame({"customer_id": ["a"], "amount": [5.0], "ordered_at": [datetime(2024, 3, 1)]})
    >>> out = rfm_summary_json(orders)
    >>> out["as_of"], len(out["segments"]), [s for s in out["segments"] if s["customers"]]
    ('2024-03-01', 11, [{'segment': 'Lost', 'customers': 1, 'revenue': 5.0}])
    """
    resolved = _resolve_as_of(orders, as_of)
    summary = rfm_segment_summary(rfm_table(orders, as_of=resolved))
    return {
        "as_of": resolved.isoformat() if resolved is not None else None,
        "segments": [
            {"segment": str(seg), "customers": int(n), "revenue": float(rev)}
            for seg, n, rev in summary.select("segment", "customers", "revenue").iter_rows()
        ],
    }


def _purchase_gaps(orders: pl.DataFrame, as_of: date) -> pl.LazyFrame:
    """customer_id → typical_gap_days: median days between consecutive distinct order days."""
    days = (
        _until(orders, as_of)
        .filter(pl.col("amount") >= 0)
        .select("customer_id", "_day")
        .unique()
        .sort("customer_id", "_day")
    )
    return (
        days.with_columns(
            (pl.col("_day") - pl.col("_day").shift(1).over("customer_id")).dt.total_days().alias("_gap")
        )
        .group_by("customer_id")
        .agg(pl.col("_gap").median().alias("typical_gap_days"))
    )


@dataclass(frozen=True, eq=False)
class CustomerTable:
    """One row per customer at ``as_of``: what the lists to act on filter (:func:`customer_table`)."""

    as_of: date | None
    frame: pl.DataFrame


def customer_table(orders: pl.DataFrame, *, as_of: date | None = None) -> CustomerTable:
    """The per-customer table the lists to act on are cut from, made once per dataset and filters.

    :func:`~retention_core.value.ltv.customer_revenue`'s columns (first and last order, orders, purchase
    days, net revenue) plus ``typical_gap_days`` (median days between consecutive distinct order days;
    null with one order day) and ``rfm_segment`` (:func:`rfm_table`'s segment), sorted by
    ``customer_id``. :func:`at_risk_customers` and :func:`lapsed_high_value` take it as
    ``customers=`` so that moving a threshold only filters this table instead of grouping the orders
    again (the Customer value page and the Weekly review keep it cached).

    Parameters
    ----------
    orders
        Canonical orders frame.
    as_of
        Analysis date (inclusive); default the last order date in the data.

    Returns
    -------
    CustomerTable

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "a", "b"], "amount": [10.0, 10.0, -4.0, 7.0],
    ...     "ordered_at": [datetime(2024, 1, 1), datetime(2024, 1, 11), datetime(2024, 1, 12), datetime(2024, 1, 5)]})
    >>> t = customer_table(orders)
    >>> t.as_of, t.frame.select("customer_id", "orders", "revenue", "typical_gap_days").rows()
    (datetime.date(2024, 1, 12), [('a', 2, 16.0, 10.0), ('b', 1, 7.0, None)])
    """
    _check_orders(orders)
    as_of = _resolve_as_of(orders, as_of)
    base = customer_revenue(orders, as_of=as_of)
    segments = _rfm(base, as_of).lazy().select("customer_id", pl.col("segment").alias("rfm_segment"))
    gaps = _purchase_gaps(orders, as_of if as_of is not None else date(1970, 1, 1))
    frame = (
        base.lazy()
        .join(gaps, on="customer_id", how="left", maintain_order="left")
        .join(segments, on="customer_id", how="left", maintain_order="left")
        .collect()
    )
    return CustomerTable(as_of, frame)


def _customers(orders: pl.DataFrame, as_of: date | None, customers: CustomerTable | None) -> CustomerTable:
    """``customers`` when it was made at ``as_of`` (None: the data's last day), else a new table."""
    if customers is None:
        return customer_table(orders, as_of=as_of)
    if as_of is not None and _as_date(as_of) != customers.as_of:
        raise ParameterError("customers", customers.as_of, f"a customer_table made at as_of = {_as_date(as_of)}")
    return customers


def _check_clv(clv: pl.DataFrame | None) -> None:
    if clv is not None:
        for col in ("customer_id", "p_alive", "clv"):
            if col not in clv.columns:
                raise ColumnNotFoundError.from_missing(col, clv.columns, role="customer value")


def at_risk_customers(
    orders: pl.DataFrame,
    *,
    as_of: date | None = None,
    min_days: int = 90,
    gap_multiple: float = 2.0,
    p_alive_below: float = 0.3,
    clv: pl.DataFrame | None = None,
    customers: CustomerTable | None = None,
) -> pl.DataFrame:
    """Repeat customers who are overdue or probably gone, sorted by value at risk (SPEC §4.5).

    A repeat customer (≥ 2 distinct order days) is listed when
    ``overdue``: days_since_last > ``min_days`` and days_since_last > ``gap_multiple`` × typical gap
    (median days between their consecutive order days), or ``low_p_alive``: P(alive) < ``p_alive_below``
    (only when ``clv``, the output of :func:`retention_core.value.clv.customer_value`, is given; its P(alive)
    is at its calibration end). ``reason`` is ``overdue``, ``low_p_alive`` or ``overdue+low_p_alive``.

    value_at_risk = the customer's yearly spend so far = revenue × 365.25 / max(days since their first
    order + 1, 365.25) — a customer younger than a year is worth their revenue to date; expected_value = the customer's predicted CLV from ``clv`` (null without it).

    Parameters
    ----------
    orders
        Canonical orders frame.
    as_of
        Analysis date (inclusive); default the last order date in the data.
    min_days
        Days without an order before anyone counts as overdue (≥ 0).
    gap_multiple
        How many typical gaps without an order make a customer overdue (> 0).
    p_alive_below
        P(alive) threshold in [0, 1] for the model-based rule.
    clv
        Optional frame with ``customer_id``, ``p_alive``, ``clv``.
    customers
        :func:`customer_table` of these orders at ``as_of``, when the caller keeps one (made here otherwise).

    Returns
    -------
    pl.DataFrame
        Columns :data:`AT_RISK_COLUMNS`: ``customer_id``, ``last_order`` Date, ``orders`` Int64,
        ``revenue`` Float64, ``typical_gap_days`` Float64, ``days_since_last`` Int64,
        ``expected_next_order`` Date (last order + typical gap, rounded to whole days),
        ``rfm_segment``, ``p_alive`` Float64, ``expected_value`` Float64, ``value_at_risk`` Float64,
        ``reason`` String; sorted by value at risk, largest first.

    Raises
    ------
    ColumnNotFoundError
        A required orders or ``clv`` column is missing.
    ParameterError
        A threshold out of range.

    Examples
    --------
    a bought every 10 days, then nothing for 100 days: overdue (100 > 90 and 100 > 2 × 10).
    b's typical gap is 60 days: 100 days is not yet 2 × 60.

    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "a", "b", "b"], "amount": [10.0] * 5,
    ...     "ordered_at": [datetime(2024, 1, 1), datetime(2024, 1, 11), datetime(2024, 1, 21),
    ...                    datetime(2024, 1, 1), datetime(2024, 3, 1)]})
    >>> risk = at_risk_customers(orders, as_of=date(2024, 4, 30))
    >>> risk.select("customer_id", "typical_gap_days", "days_since_last", "reason").rows()
    [('a', 10.0, 100, 'overdue')]
    """
    _check_orders(orders)
    _check_clv(clv)
    if not min_days >= 0:
        raise ParameterError("min_days", min_days, "a number of days ≥ 0")
    if not gap_multiple > 0:
        raise ParameterError("gap_multiple", gap_multiple, "a multiple of the typical gap > 0, e.g. 2.0")
    if not 0 <= p_alive_below <= 1:
        raise ParameterError("p_alive_below", p_alive_below, "a probability in [0, 1]")
    table = _customers(orders, as_of, customers)
    as_of = table.as_of or date(1970, 1, 1)  # no orders at all: an empty list
    model = (
        clv.lazy().select("customer_id", "p_alive", pl.col("clv").alias("expected_value"))
        if clv is not None
        else pl.LazyFrame(
            schema={"customer_id": pl.String, "p_alive": pl.Float64, "expected_value": pl.Float64}
        )
    )
    days_since = (pl.lit(as_of, dtype=pl.Date) - pl.col("last_order")).dt.total_days().cast(pl.Int64)
    # days the customer has been a customer: their yearly spend so far is revenue over that (a year at least,
    # so two orders a day apart do not extrapolate to a fortune)
    tenure = (pl.lit(as_of, dtype=pl.Date) - pl.col("first_order")).dt.total_days().cast(pl.Float64) + 1.0
    overdue = (pl.col("days_since_last") > min_days) & (
        pl.col("days_since_last") > gap_multiple * pl.col("typical_gap_days")
    )
    low = (pl.col("p_alive") < p_alive_below).fill_null(False)
    return (
        table.frame.lazy()
        .filter(pl.col("purchase_days") >= 2)
        .join(model, on="customer_id", how="left")
        .with_columns(days_since.alias("days_since_last"))
        .with_columns(
            pl.when(overdue & low)
            .then(pl.lit("overdue+low_p_alive"))
            .when(overdue)
            .then(pl.lit("overdue"))
            .when(low)
            .then(pl.lit("low_p_alive"))
            .alias("reason"),
            (
                pl.col("last_order")
                + pl.duration(days=(pl.col("typical_gap_days") + 0.5).floor().cast(pl.Int64))
            ).alias("expected_next_order"),
            (pl.col("revenue") * 365.25 / tenure.clip(lower_bound=365.25)).alias("value_at_risk"),
        )
        .filter(pl.col("reason").is_not_null())
        .sort(["value_at_risk", "customer_id"], descending=[True, False], nulls_last=True)
        .select(AT_RISK_COLUMNS)
        .collect()
    )


def reactivated_customers(orders: pl.DataFrame, *, grain: Grain = "month", window: int = 1) -> pl.DataFrame:
    """Customers who came back after a lapse (SPEC §4.1 ``reactivated``, §4.5 win-back).

    A customer buys in a period with at least one order (amount ≥ 0); with the activity window ``W``
    (``window``) a return is a period with an order whose previous period with an order is more than W
    periods earlier (at least W empty periods in between): the customer was not active in p − 1 and is
    active in p, exactly :func:`~retention_core.retention.flows.period_metrics`' ``reactivated``.

    Returns
    -------
    pl.DataFrame
        One row per return, sorted by period then customer: ``customer_id``, ``period_start`` Date,
        ``previous_period_start`` Date, ``gap_periods`` Int32 (empty periods in between, ≥ 1),
        ``orders`` Int64 and ``revenue`` Float64 in the return period.

    Raises
    ------
    ColumnNotFoundError
        A required orders column is missing.
    ParameterError
        Unknown grain.

    Examples
    --------
    a buys in January and April (February and March empty) ⇒ one return in April, gap 2.

    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "a"], "amount": [5.0, 7.0, 1.0],
    ...     "ordered_at": [datetime(2024, 1, 5), datetime(2024, 1, 31), datetime(2024, 4, 2)]})
    >>> reactivated_customers(orders).select("period_start", "gap_periods", "revenue").rows()
    [(datetime.date(2024, 4, 1), 2, 1.0)]

    With a three-month window a was still active in April (January + 3 months): no return.

    >>> reactivated_customers(orders, window=3).height
    0
    """
    _check_orders(orders)
    validate_grain(grain)
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ParameterError("window", window, "a whole number of periods ≥ 1")
    active = (
        orders.lazy()
        .with_columns(period_index(pl.col("ordered_at"), grain).alias("_p"))
        .group_by("customer_id", "_p")
        .agg(
            (pl.col("amount") >= 0).sum().cast(pl.Int64).alias("orders"),
            pl.col("amount").sum().alias("revenue"),
        )
        .filter(pl.col("orders") > 0)
        .sort("customer_id", "_p")
        .with_columns(pl.col("_p").shift(1).over("customer_id").alias("_prev"))
    )
    return (
        active.filter(pl.col("_p") - pl.col("_prev") > window)
        .select(
            "customer_id",
            index_start(pl.col("_p"), grain).alias("period_start"),
            index_start(pl.col("_prev"), grain).alias("previous_period_start"),
            (pl.col("_p") - pl.col("_prev") - 1).cast(pl.Int32).alias("gap_periods"),
            "orders",
            "revenue",
        )
        .sort("period_start", "customer_id")
        .collect()
    )


def reactivated_per_period(orders: pl.DataFrame, *, grain: Grain = "month", window: int = 1) -> pl.DataFrame:
    """Number of returning customers and their revenue per period (win-back trend, SPEC §4.5), under the
    activity window ``window`` (see :func:`reactivated_customers`).

    Returns
    -------
    pl.DataFrame
        ``period_start`` Date, ``reactivated`` Int64, ``revenue`` Float64 — periods with at least one
        return, sorted.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "b", "b"], "amount": [5.0, 7.0, 1.0, 2.0],
    ...     "ordered_at": [datetime(2024, 1, 5), datetime(2024, 3, 5), datetime(2024, 1, 9), datetime(2024, 3, 1)]})
    >>> reactivated_per_period(orders).rows()
    [(datetime.date(2024, 3, 1), 2, 9.0)]
    """
    return (
        reactivated_customers(orders, grain=grain, window=window)
        .group_by("period_start")
        .agg(pl.len().cast(pl.Int64).alias("reactivated"), pl.col("revenue").sum())
        .sort("period_start")
    )


def lapsed_high_value(
    orders: pl.DataFrame,
    *,
    as_of: date | None = None,
    min_days: int = 90,
    top: float = 0.2,
    clv: pl.DataFrame | None = None,
    customers: CustomerTable | None = None,
) -> pl.DataFrame:
    """High-value customers with no order for more than ``min_days`` days: win-back targets (SPEC §4.5).

    High value = among the top ``top`` fraction of all customers by net revenue (rank by revenue,
    largest first, ties to the better rank; the top ⌈top × n⌉ ranks).
    ``customers``: :func:`customer_table` of these orders at ``as_of`` when the caller keeps one.

    Returns
    -------
    pl.DataFrame
        :data:`CRM_COLUMNS` plus ``days_since_last`` Int64 and ``rfm_segment``; ``reason`` is
        ``lapsed_high_value``; ``expected_value`` from ``clv`` (null without it). Sorted by revenue.

    Raises
    ------
    ParameterError
        ``min_days`` < 0 or ``top`` outside (0, 1].

    Examples
    --------
    Top 50 % of 4 customers = the 2 biggest (a, b); only a has been away for more than 90 days.

    >>> orders = pl.DataFrame({"customer_id": list("abcd"), "amount": [100.0, 80.0, 5.0, 1.0],
    ...     "ordered_at": [datetime(2024, 1, 1), datetime(2024, 6, 1), datetime(2024, 1, 1), datetime(2024, 1, 1)]})
    >>> lapsed_high_value(orders, top=0.5).select("customer_id", "days_since_last").rows()
    [('a', 152)]
    """
    _check_orders(orders)
    _check_clv(clv)
    if not min_days >= 0:
        raise ParameterError("min_days", min_days, "a number of days ≥ 0")
    if not 0 < top <= 1:
        raise ParameterError("top", top, "a fraction of customers in (0, 1], e.g. 0.2 for the top 20 %")
    table = _customers(orders, as_of, customers)
    as_of, base = table.as_of, table.frame
    cutoff = -(-top * base.height // 1)  # ⌈top × n⌉
    expected = (
        clv.lazy().select("customer_id", pl.col("clv").alias("expected_value"))
        if clv is not None
        else pl.LazyFrame(schema={"customer_id": pl.String, "expected_value": pl.Float64})
    )
    return (
        base.lazy()
        .filter(pl.col("revenue").rank("min", descending=True) <= cutoff)
        .with_columns(
            (pl.lit(as_of, dtype=pl.Date) - pl.col("last_order"))
            .dt.total_days()
            .cast(pl.Int64)
            .alias("days_since_last")
        )
        .filter(pl.col("days_since_last") > min_days)
        .join(expected, on="customer_id", how="left")
        .with_columns(pl.lit("lapsed_high_value").alias("reason"))
        .sort(["revenue", "customer_id"], descending=[True, False])
        .select(*CRM_COLUMNS, "days_since_last", "rfm_segment")
        .collect()
    )


def crm_export(customers: pl.DataFrame) -> pl.DataFrame:
    """CRM-ready columns of a customer list (at risk, lapsed): :data:`CRM_COLUMNS` (SPEC §4.5).

    ``expected_value`` is null when the list has none. Download as CSV with ``.write_csv()``.

    Raises
    ------
    ColumnNotFoundError
        The list lacks one of the other CRM columns.

    Examples
    --------
    >>> lst = pl.DataFrame({"customer_id": ["a"], "last_order": [date(2024, 1, 1)], "orders": [3],
    ...     "revenue": [30.0], "reason": ["overdue"], "typical_gap_days": [10.0]})
    >>> crm_export(lst).columns
    ['customer_id', 'last_order', 'orders', 'revenue', 'expected_value', 'reason']
    """
    for col in CRM_COLUMNS:
        if col != "expected_value" and col not in customers.columns:
            raise ColumnNotFoundError.from_missing(col, customers.columns, role="customer list")
    value = (
        pl.col("expected_value") if "expected_value" in customers.columns else pl.lit(None, dtype=pl.Float64)
    )
    return customers.select(
        "customer_id",
        "last_order",
        "orders",
        "revenue",
        value.cast(pl.Float64).alias("expected_value"),
        "reason",
    )


def rfm_segment_customers(rfm: pl.DataFrame, segment: str) -> pl.DataFrame:
    """The customers of one RFM segment (the drill-down behind a treemap cell, SPEC §7.1), CRM-ready.

    ``rfm`` is :func:`rfm_table`'s frame; the list's length is the segment's ``customers`` in
    :func:`rfm_segment_summary`.

    Returns
    -------
    pl.DataFrame
        ``customer_id``, ``last_order``, ``orders`` (= frequency), ``revenue`` (= monetary), ``recency_days``,
        ``r_score``, ``fm_score``, ``segment`` (String), sorted by revenue (highest first), then customer id.

    Raises
    ------
    ParameterError
        ``segment`` is not one of :data:`SEGMENTS`.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": list("abcde"), "amount": [50.0, 40.0, 30.0, 20.0, 10.0],
    ...     "ordered_at": [datetime(2024, 1, d) for d in (31, 25, 20, 10, 1)]})
    >>> rfm_segment_customers(rfm_table(orders), "Potential loyalists")["customer_id"].to_list()
    ['a', 'b']
    """
    if segment not in SEGMENTS:
        raise ParameterError("segment", segment, SEGMENTS)
    return (
        rfm.filter(pl.col("segment") == segment)
        .select(
            "customer_id", "last_order", pl.col("frequency").alias("orders"), pl.col("monetary").alias("revenue"),
            "recency_days", "r_score", "fm_score", pl.col("segment").cast(pl.String),
        )
        .sort(["revenue", "customer_id"], descending=[True, False])
    )
