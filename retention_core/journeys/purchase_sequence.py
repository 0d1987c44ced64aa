"""The purchase sequence as a journey (SPEC §5): 1st → 2nd → 3rd → 4th+ order, from orders alone.

Orders are rows with ``amount ≥ 0``; refunds (negative amounts) are not orders (SPEC §4.1). Every
order row counts, so two orders on one day are two steps (unlike CLV's purchase days, §4.4).
"""

from __future__ import annotations

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.periods import Grain, period_start, validate_grain

COHORT = "cohort"
_REQUIRED = ("customer_id", "ordered_at", "amount")


def purchase_sequence(
    orders: pl.DataFrame, *, max_order: int = 4, by: str | None = None, grain: Grain = "month"
) -> pl.DataFrame:
    """Customers reaching their n-th order, n = 1..max_order, with conversion and time between orders.

    customers_n = |{c : orders(c) ≥ n}| (the last row, n = max_order, is "max_order-th or later");
    conversion_from_start = customers_n / customers_1; conversion_from_previous = customers_n /
    customers_(n−1) (0/0 is null); median_days_from_previous = median over customers reaching n of
    (t_n − t_(n−1)) in days. A customer's orders are taken in ``ordered_at`` order, ties in row order.

    Parameters
    ----------
    orders
        Canonical orders frame (``customer_id``, ``ordered_at``, ``amount``, segment columns).
    max_order
        The last step (≥ 2); 4 gives 1st → 2nd → 3rd → 4th+.
    by
        None: one sequence. ``"cohort"``: per acquisition cohort (period of the first order at
        ``grain``; column ``cohort``, Date). Any other name: a segment column, taking each customer's
        value on their first order (column of that name).
    grain
        Period grain of the acquisition cohort.

    Returns
    -------
    pl.DataFrame
        [group column,] ``order_number`` (Int32), ``customers`` (Int64), ``conversion_from_start``,
        ``conversion_from_previous``, ``median_days_from_previous`` (Float64); every order number is
        listed for every group.

    Raises
    ------
    ParameterError
        ``max_order`` < 2, or an unknown grain.
    ColumnNotFoundError
        A required column or the ``by`` column is missing.

    Examples
    --------
    a orders on Jan 1, 11 and 31; b on Jan 5 and 7; c once; b's refund is not an order.
    2nd order: a after 10 days, b after 2 → median 6; 3rd: a only, after 20 days.

    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "b", "c"],
    ...     "ordered_at": [datetime(2024, 1, d) for d in (1, 11, 31, 5, 7, 9, 3)],
    ...     "amount": [10.0, 12.0, 9.0, 20.0, 5.0, -5.0, 7.0]})
    >>> purchase_sequence(orders, max_order=3).rows()
    [(1, 3, 1.0, None, None), (2, 2, 0.6666666666666666, 0.6666666666666666, 6.0), (3, 1, 0.3333333333333333, 0.5, 20.0)]
    """
    for column in _REQUIRED:
        if column not in orders.columns:
            raise ColumnNotFoundError.from_missing(column, orders.columns, role="orders")
    if not isinstance(max_order, int) or max_order < 2:
        raise ParameterError("max_order", max_order, "an integer of at least 2")
    validate_grain(grain)
    if by is not None and by != COHORT and by not in orders.columns:
        raise ColumnNotFoundError.from_missing(by, [*orders.columns, COHORT], role="by")

    seq = (
        orders.with_row_index("_row")
        .filter(pl.col("amount") >= 0)
        .sort("customer_id", "ordered_at", "_row")
        .with_row_index("_pos")
    )
    first = (pl.col("customer_id") != pl.col("customer_id").shift(1)).fill_null(True)
    first_pos = pl.when(first).then(pl.col("_pos")).forward_fill()
    seq = seq.with_columns(
        order_number=(pl.col("_pos") - first_pos + 1).cast(pl.Int32),
        _gap=pl.when(~first).then((pl.col("ordered_at") - pl.col("ordered_at").shift(1)).dt.total_microseconds() / 86_400e6),
        _first=first_pos,
    )
    group: list[str] = []
    if by == COHORT:  # period of the first order
        seq = seq.with_columns(cohort=period_start(pl.col("ordered_at").gather(pl.col("_first")), grain))
        group = [COHORT]
    elif by is not None:  # value on the first order
        seq = seq.with_columns(pl.col(by).gather(pl.col("_first")).cast(pl.String))
        group = [by]
    seq = seq.filter(pl.col("order_number") <= max_order)

    counts = seq.group_by([*group, "order_number"]).agg(
        customers=pl.len().cast(pl.Int64), median_days_from_previous=pl.col("_gap").median()
    )
    steps = pl.DataFrame({"order_number": pl.int_range(1, max_order + 1, dtype=pl.Int32, eager=True)})
    grid = counts.select(group).unique().join(steps, how="cross") if group else steps
    table = (
        grid.join(counts, on=[*group, "order_number"], how="left", nulls_equal=True)
        .with_columns(pl.col("customers").fill_null(0))
        .sort([*group, "order_number"], nulls_last=True)
    )
    start = pl.col("customers").first().over(group) if group else pl.col("customers").first()
    prev = pl.col("customers").shift(1).over(group) if group else pl.col("customers").shift(1)
    return table.select(
        *group,
        "order_number",
        "customers",
        conversion_from_start=pl.when(start > 0).then(pl.col("customers") / start),
        conversion_from_previous=pl.when(prev > 0).then(pl.col("customers") / prev),
        median_days_from_previous=pl.col("median_days_from_previous"),
    )
