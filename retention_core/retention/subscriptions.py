"""Customer flow and MRR per period for subscriptions data (SPEC §4.2, §8 ``metrics``).

Definitions, for a period p = [p_start, next_start):

* A customer's rows are first merged into *spans* of uninterrupted subscription: rows sorted by
  ``started_at``; a row continues the current span when it starts no later than the day after the
  latest ``ended_at`` so far (so "ends 31 Mar, next starts 1 Apr" and "ends 1 Apr, next starts 1 Apr"
  are both one span — a price change, not a churn and a new customer). A span ends at the latest
  ``ended_at`` of its rows (null = still active).
* *active at the start of p*: ``span_start < p_start`` and (``span_end`` is null or ``span_end ≥ p_start``).
* *end falls in p*: ``p_start ≤ span_end < next_start``; *starts in p*: ``p_start ≤ span_start < next_start``.
* S = spans active at the start of p; N = spans starting in p; churned = of S, those ending in p;
  churned_new = of N, those ending in p; E = S − churned + N − churned_new (= S of p+1).

MRR (when the frame has a non-null ``mrr``): a row's price is *in force at the start of p* when
``started_at < p_start ≤ ended_at'``, where ``ended_at'`` is ``ended_at`` moved one day later if another
row of the same customer starts that next day (the hand-over of a price change; so exactly one of the
two rows is in force). A customer's MRR at the start of p is the sum over their rows in force.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from retention_core.periods import Grain, index_start, period_index, validate_grain
from retention_core.retention.flows import (
    METRIC_COLUMNS,
    ORDER_EXTRA_COLUMNS,
    as_date,
    empty_metrics,
    incomplete_expr,
    period_grid,
    ratio,
    require_columns,
)

MRR_COLUMNS: tuple[str, ...] = ("mrr_start", "new_mrr", "churned_mrr", "mrr_churn_rate")
"""MRR metrics appended after the orders columns in :func:`subscription_metrics`."""

SUBSCRIPTION_COLUMNS: tuple[str, ...] = METRIC_COLUMNS + ORDER_EXTRA_COLUMNS + MRR_COLUMNS

_OPEN = date(9999, 12, 31)  # stands for "still active" while taking maxima


def subscription_rows(subs: pl.DataFrame) -> pl.DataFrame:
    """Normalised subscription rows with the span each belongs to (see the module docstring).

    Returns
    -------
    pl.DataFrame
        ``customer_id``, ``started_at``, ``ended_at`` (Date, null = open; moved one day later at a
        hand-over; an end before the start is read as ending on the start day), ``mrr`` (Float64,
        null read as 0), ``span_start``, ``span_end`` (Date, null = open), sorted by customer and start.

    Examples
    --------
    A price change (31 Mar → 1 Apr) is one span; a return after a gap is a second span.

    >>> subs = pl.DataFrame({"customer_id": ["a", "a", "a"],
    ...     "started_at": [date(2024, 1, 15), date(2024, 4, 1), date(2024, 6, 10)],
    ...     "ended_at": [date(2024, 3, 31), date(2024, 5, 1), None], "mrr": [10.0, 15.0, 15.0]})
    >>> subscription_rows(subs).select("ended_at", "span_start", "span_end").rows()
    [(datetime.date(2024, 4, 1), datetime.date(2024, 1, 15), datetime.date(2024, 5, 1)),
     (datetime.date(2024, 5, 1), datetime.date(2024, 1, 15), datetime.date(2024, 5, 1)),
     (None, datetime.date(2024, 6, 10), None)]
    """
    require_columns(subs, ("customer_id", "started_at", "ended_at"), kind="subscriptions")
    mrr = pl.col("mrr").cast(pl.Float64).fill_null(0.0) if "mrr" in subs.columns else pl.lit(0.0)
    c, s, e = pl.col("customer_id"), pl.col("started_at"), pl.col("ended_at")
    rows = subs.lazy().select(
        "customer_id",
        s.cast(pl.Date),
        pl.when(e.is_not_null()).then(pl.max_horizontal(e.cast(pl.Date), s.cast(pl.Date))).alias("ended_at"),
        mrr.alias("mrr"),
    )
    starts = rows.select("customer_id", s.alias("_handover"), pl.lit(True).alias("_is_handover")).unique()
    day = timedelta(days=1)
    end_key = e.fill_null(_OPEN)
    return (
        rows.join(starts, left_on=[c, e + day], right_on=[c, pl.col("_handover")], how="left")
        .with_columns(pl.when(pl.col("_is_handover")).then(e + day).otherwise(e).alias("ended_at"))
        .sort(c.hash(), c, s, end_key)
        .with_columns(end_key.cum_max().shift(1).over("customer_id").alias("_reach"))
        .with_columns(
            (pl.col("_reach").is_null() | (s > pl.col("_reach") + day))
            .cum_sum()
            .over("customer_id")
            .alias("_span")
        )
        .with_columns(
            s.min().over("customer_id", "_span").alias("span_start"),
            end_key.max().over("customer_id", "_span").alias("span_end"),
        )
        .select(
            "customer_id",
            "started_at",
            "ended_at",
            "mrr",
            "span_start",
            pl.when(pl.col("span_end") != _OPEN).then(pl.col("span_end")).alias("span_end"),
        )
        .collect()
    )


def subscription_metrics(
    subs: pl.DataFrame, *, grain: Grain = "month", data_end: date | None = None
) -> pl.DataFrame:
    """Customer flow and MRR per period for subscriptions (SPEC §4.2, §8 ``metrics``).

    S = spans active at the start of p, N = spans starting in p, churned = of S ending in p,
    churned_new = of N ending in p; E = S − churned + N − churned_new; CRR = (E − N) / S,
    churn_rate = churned / S, total_churn_rate = (churned + churned_new) / S,
    retention_rate = retained / S with retained = S − churned. With MRR: mrr_churn_rate =
    churned_mrr / mrr_start; nrr = (mrr_start − churned_mrr + expansion − contraction) / mrr_start,
    i.e. the MRR at the start of p+1 of the customers in S who did not churn, over mrr_start.
    Definitions of spans and "in force" are in the module docstring.

    Parameters
    ----------
    subs
        Canonical subscriptions frame: ``customer_id``, ``started_at``, ``ended_at`` (null = still
        active), optional ``mrr`` (null read as 0).
    grain
        Period grain (SPEC §4).
    data_end
        Last day the data covers (default: the latest ``started_at`` or ``ended_at``). Periods run
        from the first start's period to the period of ``data_end``; ``incomplete`` flags a period
        whose last day is after ``data_end``.

    Returns
    -------
    pl.DataFrame
        One row per period: :data:`SUBSCRIPTION_COLUMNS` (the orders table's columns, then
        ``mrr_start``, ``new_mrr``, ``churned_mrr``, ``mrr_churn_rate``). Null for subscriptions:
        ``reactivated`` (a return after a gap is a new span, counted in N), ``revenue``, ``orders``,
        ``aov``, ``purchase_frequency``, ``aov_new``, ``aov_repeat``, ``repeat_revenue_share``,
        ``revenue_churn_rate`` (its MRR counterpart is ``mrr_churn_rate``). With MRR, ``arpu`` is the
        MRR at the end of p over E and ``nrr`` is MRR-based; without MRR they and the MRR columns are null.
        ``new_mrr`` = Σ MRR of the rows that open a span in p; ``churned_mrr`` = the MRR at the start of
        p of the churned.

    Raises
    ------
    ColumnNotFoundError
        ``customer_id``, ``started_at`` or ``ended_at`` is missing.
    ParameterError
        Unknown grain.

    Examples
    --------
    a, b subscribed before September; b leaves in September; c joins and leaves in September,
    d joins and stays ⇒ S=2, churned=1, N=2, churned_new=1, E=2−1+2−1=2, CRR=(2−2)/2.

    >>> subs = pl.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "started_at": [date(2024, 8, 3), date(2024, 8, 9), date(2024, 9, 2), date(2024, 9, 5)],
    ...     "ended_at": [None, date(2024, 9, 20), date(2024, 9, 25), None]})
    >>> sep = subscription_metrics(subs, data_end=date(2024, 9, 30)).row(1, named=True)
    >>> [sep[k] for k in ("customers_start", "churned", "new_customers", "churned_new", "customers_end")]
    [2, 1, 2, 1, 2]
    >>> sep["crr"], sep["churn_rate"], sep["total_churn_rate"]
    (0.0, 0.5, 1.0)
    """
    validate_grain(grain)
    rows = subscription_rows(subs)
    if rows.height == 0:
        return empty_metrics(SUBSCRIPTION_COLUMNS)
    has_mrr = "mrr" in subs.columns and subs["mrr"].null_count() < subs.height
    data_end = as_date(data_end)
    if data_end is None:
        data_end = rows.select(pl.max_horizontal(pl.col("started_at").max(), pl.col("ended_at").max())).item()
    idx = lambda column: period_index(pl.col(column), grain)  # noqa: E731
    rows = rows.with_columns(
        idx("started_at").alias("rs"),
        idx("ended_at").alias("re"),
        idx("span_start").alias("ps"),
        idx("span_end").alias("pe"),
    )
    first = int(rows["ps"].min())  # type: ignore[arg-type]
    last = max(pl.select(period_index(pl.lit(data_end), grain)).item(), int(rows["ps"].max()))  # type: ignore[arg-type]
    table = _period_sums(rows, first=first, last=last)
    s, n = pl.col("customers_start"), pl.col("new_customers")
    churned, churned_new = pl.col("churned"), pl.col("churned_new")
    e = s - churned + n - churned_new
    money = (lambda expr: expr) if has_mrr else (lambda expr: pl.lit(None, pl.Float64))
    null_f, null_i = pl.lit(None, pl.Float64), pl.lit(None, pl.Int64)
    return (
        table.with_columns(e.alias("customers_end"), (s - churned).alias("retained"))
        .with_columns(
            index_start(pl.col("period"), grain).alias("period_start"),
            null_i.alias("reactivated"),
            ratio(pl.col("customers_end") - n, s).alias("crr"),
            ratio(pl.col("retained"), s).alias("retention_rate"),
            ratio(churned, s).alias("churn_rate"),
            ratio(churned + churned_new, s).alias("total_churn_rate"),
            null_f.alias("revenue"),
            null_i.alias("orders"),
            null_f.alias("aov"),
            money(ratio(pl.col("mrr_end"), pl.col("customers_end"))).alias("arpu"),
            null_f.alias("repeat_revenue_share"),
            null_f.alias("revenue_churn_rate"),
            money(
                ratio(
                    pl.col("mrr_start") - pl.col("churned_mrr") + pl.col("expansion_mrr"), pl.col("mrr_start")
                )
            ).alias("nrr"),
            incomplete_expr(pl.col("period"), grain, data_end).alias("incomplete"),
            null_f.alias("purchase_frequency"),
            null_f.alias("aov_new"),
            null_f.alias("aov_repeat"),
            null_f.alias("reactivation_share"),  # a return after a gap is a new subscription span here
            null_i.alias("lapsed"),
            null_f.alias("reactivation_rate"),
            money(pl.col("mrr_start")).alias("mrr_start"),
            money(pl.col("new_mrr")).alias("new_mrr"),
            money(pl.col("churned_mrr")).alias("churned_mrr"),
            money(ratio(pl.col("churned_mrr"), pl.col("mrr_start"))).alias("mrr_churn_rate"),
        )
        .select(SUBSCRIPTION_COLUMNS)
    )


def _period_sums(rows: pl.DataFrame, *, first: int, last: int) -> pl.DataFrame:
    """Counts and MRR sums per period ``first … last`` from the indexed rows.

    Uses period indexes rs/re (row start/end) and ps/pe (span start/end). Stocks (S, MRR at the
    start) are running sums of changes: a span adds 1 from ps+1 and drops at pe+1; a row's MRR is in
    force from rs+1 to re.
    """
    spans = (
        rows.lazy().filter(pl.col("started_at") == pl.col("span_start")).unique(["customer_id", "span_start"])
    )
    rs, re, ps, pe, mrr = (pl.col(k) for k in ("rs", "re", "ps", "pe", "mrr"))
    continuing = pe.is_null()

    def at(frame: pl.LazyFrame, period: pl.Expr, **values: pl.Expr) -> pl.LazyFrame:
        return frame.group_by(period.alias("period")).agg(**values)

    count, money = pl.len().cast(pl.Int64), mrr.sum()
    parts = [
        at(spans, ps + 1, s_change=count),
        at(spans.filter(pe.is_not_null()), pe + 1, s_change=-count),
        at(spans, ps, new_customers=count),
        at(spans.filter(pe > ps), pe, churned=count),
        at(spans.filter(pe == ps), pe, churned_new=count),
        at(rows.lazy(), rs + 1, m_change=money),
        at(rows.lazy().filter(re.is_not_null()), re + 1, m_change=-money),
        at(rows.lazy().filter(pl.col("started_at") == pl.col("span_start")), rs, new_mrr=money),
        at(rows.lazy().filter((rs < re) & (re == pe)), re, churned_mrr=money),
        at(rows.lazy().filter((ps < rs) & (continuing | (pe > rs))), rs, expansion_mrr=money),
        at(rows.lazy().filter((ps < re) & (continuing | (pe > re))), re, expansion_mrr=-money),
    ]
    sums = pl.concat(parts, how="diagonal_relaxed").group_by("period").agg(pl.all().sum())
    return (
        period_grid(first, last + 1)
        .lazy()
        .join(sums, on="period", how="left")
        .fill_null(0)
        .sort("period")
        .with_columns(
            pl.col("s_change").cum_sum().alias("customers_start"),
            pl.col("m_change").cum_sum().alias("mrr_start"),
        )
        .with_columns(pl.col("mrr_start").shift(-1).alias("mrr_end"))
        .filter(pl.col("period") <= last)
        .collect()
    )
