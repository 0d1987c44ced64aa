"""The heavy steps of SPEC §9, defined once as SQL (DuckDB dialect) and transpiled for Spark by SQLGlot.

Two queries, both over a relation called ``src`` that has the canonical column names
(docs/data-model.md):

- :func:`customer_periods_sql` — orders → one row per customer × period with an order or a refund:
  ``orders`` (rows with amount ≥ 0), ``revenue`` (Σ amount as ``DECIMAL(38, 6)``: an exact sum, so
  every engine and every row order gives the same number), ``first_period`` (the customer's first
  period with an order), ``last_purchase`` (the latest period *before* this one with an order),
  ``next_purchase`` (the earliest period *after* it with an order) and ``lapse_age``
  (``period − last_purchase``). Every customer flow for any activity window follows from these
  columns without sorting the table again (:mod:`retention_core.retention.flows`).
- :func:`event_counts_sql` — events → one row per user × period × event with the number of events.

A period is the integer index of :func:`retention_core.periods.period_index` (months since 1970-01,
Monday weeks since 1969-12-29, …), written here with functions both dialects have (``YEAR``,
``MONTH``, ``DATE_DIFF``, ``FLOOR``); :func:`for_dialect` turns the text into Spark SQL.
"""

from __future__ import annotations

from functools import lru_cache

from retention_core.periods import Grain, validate_grain

_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}
DIALECTS = ("duckdb", "spark")


def period_sql(column: str, grain: Grain) -> str:
    """SQL (DuckDB dialect) for the period index of a DATE/TIMESTAMP column, as INT.

    Examples
    --------
    >>> period_sql("ordered_at", "quarter")
    'CAST(FLOOR(((YEAR(CAST(ordered_at AS DATE)) - 1970) * 12 + MONTH(CAST(ordered_at AS DATE)) - 1) / 3) AS INT)'
    """
    validate_grain(grain)
    day = f"CAST({column} AS DATE)"
    days = f"DATE_DIFF('day', DATE '1970-01-01', {day})"
    if grain == "day":
        return f"CAST({days} AS INT)"
    if grain == "week":
        return f"CAST(FLOOR(({days} + 3) / 7) AS INT)"
    months = f"(YEAR({day}) - 1970) * 12 + MONTH({day}) - 1"
    k = _MONTHS[grain]
    return f"CAST({months} AS INT)" if k == 1 else f"CAST(FLOOR(({months}) / {k}) AS INT)"


def customer_periods_sql(grain: Grain) -> str:
    """Orders (``src``: customer_id, ordered_at, amount) → the compact customer × period table."""
    ordered = "CASE WHEN orders > 0 THEN period END"  # the three windows share one sort: one spec
    by_customer = "PARTITION BY customer_id ORDER BY period"
    return f"""
WITH cp AS (
  SELECT customer_id,
         {period_sql("ordered_at", grain)} AS period,
         CAST(COUNT(*) FILTER (WHERE amount >= 0) AS BIGINT) AS orders,
         SUM(CAST(amount AS DECIMAL(38, 6))) AS revenue
  FROM src
  GROUP BY 1, 2
), marked AS (
  SELECT customer_id, period, orders, revenue,
         MIN({ordered}) OVER ({by_customer} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS first_period,
         MAX({ordered}) OVER ({by_customer} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_purchase,
         MIN({ordered}) OVER ({by_customer} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_purchase
  FROM cp
)
SELECT customer_id, period, orders, revenue, first_period, last_purchase, next_purchase,
       period - last_purchase AS lapse_age
FROM marked
"""


def event_counts_sql(grain: Grain) -> str:
    """Events (``src``: user_id, event, occurred_at) → one row per user × period × event."""
    return f"""
SELECT user_id, {period_sql("occurred_at", grain)} AS period, event, CAST(COUNT(*) AS BIGINT) AS events
FROM src
GROUP BY 1, 2, 3
"""


def data_end_sql(column: str) -> str:
    """The last day in the data (``max(column)`` as DATE): the default analysis end."""
    return f"SELECT CAST(MAX({column}) AS DATE) AS data_end FROM src"


@lru_cache(maxsize=64)
def for_dialect(sql: str, dialect: str) -> str:
    """``sql`` (DuckDB dialect) written for ``dialect`` (``duckdb`` unchanged, ``spark`` by SQLGlot).

    Examples
    --------
    >>> for_dialect("SELECT DATE_DIFF('day', DATE '1970-01-01', d) FROM src", "spark")
    "SELECT DATEDIFF(DAY, CAST('1970-01-01' AS DATE), d) FROM src"
    """
    if dialect == "duckdb":
        return sql
    import sqlglot  # only for Spark: importing it costs every CLI command 0.1 s

    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write=dialect))
