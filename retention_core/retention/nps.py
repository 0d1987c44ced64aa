"""Net Promoter Score by period and segment, and retention by NPS group (SPEC §4.4).

Groups: promoters score 9–10, passives 7–8, detractors 0–6. NPS = share of promoters − share of
detractors, as a fraction in [−1, 1] (the UI shows it ×100).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from retention_core.errors import NotEnoughDataError
from retention_core.periods import Grain, index_start, period_index, validate_grain
from retention_core.retention.flows import as_date, customer_periods, period_grid, ratio, require_columns

NPS_GROUPS: tuple[str, ...] = ("promoter", "passive", "detractor")


def nps_group(score: pl.Expr) -> pl.Expr:
    """``promoter`` (9–10), ``passive`` (7–8) or ``detractor`` (0–6) for a score expression.

    Examples
    --------
    >>> pl.DataFrame({"s": [10, 7, 6]}).select(nps_group(pl.col("s"))).to_series().to_list()
    ['promoter', 'passive', 'detractor']
    """
    return (
        pl.when(score >= 9)
        .then(pl.lit("promoter"))
        .when(score >= 7)
        .then(pl.lit("passive"))
        .otherwise(pl.lit("detractor"))
    )


def nps_by_period(
    survey: pl.DataFrame, *, grain: Grain = "month", segment: str | None = None
) -> pl.DataFrame:
    """NPS per period (and segment value): (promoters − detractors) / responses (SPEC §4.4).

    Parameters
    ----------
    survey
        Canonical survey frame (``score`` 0–10, ``answered_at``; segment columns).
    grain
        Period grain (SPEC §4).
    segment
        Optional segment column: one row per period × segment value (null is a value of its own).

    Returns
    -------
    pl.DataFrame
        ``period_start`` (Date), [``segment`` column], ``responses``, ``promoters``, ``passives``,
        ``detractors`` (Int64), ``nps`` (Float64, null without responses). Every period from the first
        to the last answer is listed, sorted by period (and segment).

    Raises
    ------
    ColumnNotFoundError
        ``score``, ``answered_at`` or the segment column is missing.
    ParameterError
        Unknown grain.

    Examples
    --------
    January: 10, 9, 7, 3 ⇒ (2 − 1) / 4 = 0.25; February has no answers; March: 0 ⇒ −1.

    >>> survey = pl.DataFrame({"score": [10, 9, 7, 3, 0], "answered_at": [date(2024, 1, 2)] * 4 + [date(2024, 3, 1)]})
    >>> nps_by_period(survey).select("period_start", "responses", "nps").rows()
    [(datetime.date(2024, 1, 1), 4, 0.25), (datetime.date(2024, 2, 1), 0, None), (datetime.date(2024, 3, 1), 1, -1.0)]
    """
    validate_grain(grain)
    require_columns(
        survey, ("score", "answered_at") + ((segment,) if segment is not None else ()), kind="survey"
    )
    keys = [segment] if segment is not None else []
    group = nps_group(pl.col("score"))
    counts = (
        survey.lazy()
        .group_by(period_index(pl.col("answered_at"), grain).alias("period"), *keys)
        .agg(
            pl.len().cast(pl.Int64).alias("responses"),
            (group == "promoter").sum().cast(pl.Int64).alias("promoters"),
            (group == "passive").sum().cast(pl.Int64).alias("passives"),
            (group == "detractor").sum().cast(pl.Int64).alias("detractors"),
        )
    )
    columns = ["period_start", *keys, "responses", "promoters", "passives", "detractors", "nps"]
    if survey.height == 0:
        schema = {"period_start": pl.Date, **{k: survey.schema[k] for k in keys}}
        return pl.DataFrame(
            schema={**schema, **dict.fromkeys(columns[len(schema) : -1], pl.Int64), "nps": pl.Float64}
        )
    bounds = survey.select(
        period_index(pl.col("answered_at"), grain).min().alias("lo"),
        period_index(pl.col("answered_at"), grain).max().alias("hi"),
    )
    grid = period_grid(bounds["lo"].item(), bounds["hi"].item()).lazy()
    if keys:
        grid = grid.join(survey.lazy().select(keys).unique(), how="cross")
    return (
        grid.join(counts, on=["period", *keys], how="left", nulls_equal=True)
        .with_columns(pl.col("responses", "promoters", "passives", "detractors").fill_null(0))
        .with_columns(
            index_start(pl.col("period"), grain).alias("period_start"),
            ratio(pl.col("promoters") - pl.col("detractors"), pl.col("responses")).alias("nps"),
        )
        .sort("period", *keys, nulls_last=True)
        .select(columns)
        .collect()
    )


def nps_retention(
    survey: pl.DataFrame, orders: pl.DataFrame, *, grain: Grain = "month", data_end: date | None = None
) -> pl.DataFrame:
    """Next-period retention of promoters, passives and detractors (SPEC §4.4).

    For a respondent answering in period p: retained ⇔ an order (amount ≥ 0) in period p+1;
    retention_rate = retained / respondents per group. A respondent is a (customer, answer period)
    pair whose ``customer_id`` appears in the orders; their group is that period's latest answer
    (same-day ties: the lowest score). Answers whose next period ends after ``data_end`` are left
    out (the outcome is not known yet).

    Parameters
    ----------
    survey
        Canonical survey frame (``customer_id``, ``score``, ``answered_at``).
    orders
        Canonical orders frame (``customer_id``, ``ordered_at``, ``amount``).
    grain
        Period grain (SPEC §4): "next period" is the next month, week, ….
    data_end
        Last day the orders cover (default: the last ``ordered_at`` day).

    Returns
    -------
    pl.DataFrame
        Three rows in the order promoter, passive, detractor: ``group`` (String), ``respondents``,
        ``retained`` (Int64), ``retention_rate`` (Float64, null without respondents).

    Raises
    ------
    NotEnoughDataError
        No survey ``customer_id`` appears in the orders.
    ColumnNotFoundError
        A required column is missing.
    ParameterError
        Unknown grain.

    Examples
    --------
    a (10) and b (9) answer in January, c (2) too; a and c buy in February ⇒ promoters 1/2, detractors 1/1.

    >>> survey = pl.DataFrame({"customer_id": ["a", "b", "c"], "score": [10, 9, 2],
    ...     "answered_at": [date(2024, 1, 20)] * 3})
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "c", "a", "c"], "amount": [5.0] * 5,
    ...     "ordered_at": [date(2024, 1, 3)] * 3 + [date(2024, 2, 2), date(2024, 2, 29)]})
    >>> nps_retention(survey, orders).rows()
    [('promoter', 2, 1, 0.5), ('passive', 0, 0, None), ('detractor', 1, 1, 1.0)]
    """
    validate_grain(grain)
    require_columns(survey, ("customer_id", "score", "answered_at"), kind="survey")
    cp = customer_periods(orders, grain=grain)
    known = cp.select("customer_id").unique()
    answers = (
        survey.lazy()
        .filter(pl.col("customer_id").is_not_null())
        .join(known.lazy(), on="customer_id", how="semi")
    )
    if answers.select(pl.len()).collect().item() == 0:
        msg = (
            f"none of the {survey['customer_id'].drop_nulls().n_unique()} survey customer ids appear in the orders; "
            "retention by NPS group needs the survey's customer_id to match the orders' customer_id"
        )
        raise NotEnoughDataError(msg)
    data_end = as_date(data_end)
    if data_end is None:
        data_end = orders.select(pl.col("ordered_at").max().cast(pl.Date)).item()
    respondents = (
        answers.with_columns(period_index(pl.col("answered_at"), grain).alias("period"))
        .group_by("customer_id", "period")
        .agg(pl.col("score").sort_by("answered_at", "score", descending=[False, True]).last())
        # observable: the next period (p+1) ends on or before data_end
        .filter(index_start(pl.col("period") + 2, grain) <= pl.lit(data_end + timedelta(days=1)))
    )
    bought = (
        cp.lazy()
        .filter(pl.col("orders") > 0)
        .select("customer_id", (pl.col("period") - 1).alias("period"), pl.lit(True).alias("retained"))
    )
    per_group = (
        respondents.join(bought, on=["customer_id", "period"], how="left")
        .group_by(nps_group(pl.col("score")).alias("group"))
        .agg(
            pl.len().cast(pl.Int64).alias("respondents"),
            pl.col("retained").fill_null(False).sum().cast(pl.Int64).alias("retained"),
        )
    )
    return (
        pl.LazyFrame({"group": list(NPS_GROUPS)})
        .join(per_group, on="group", how="left", maintain_order="left")
        .with_columns(pl.col("respondents", "retained").fill_null(0))
        .with_columns(ratio(pl.col("retained"), pl.col("respondents")).alias("retention_rate"))
        .collect()
    )
