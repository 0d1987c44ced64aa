"""The hand-written DuckDB SQL an expert would write for monthly metrics + the cohort grid (issue 15).

The yardstick of ``bench_engine``: activity window 1 month, calendar months, SPEC §4.1 definitions
(refunds net revenue but are not orders, zero-amount orders are orders, every month from the first
to the last is listed, ratios with a zero denominator are null) and the customers/on cohort grid of
§4.3. Nothing of the product is used: one SQL text, hash joins on (customer, month ± 1), no window
functions. ``tests/test_bench_reference.py`` checks it equals the product's output.

``python -m bench.reference FILE`` prints the two tables' sizes.
"""

from __future__ import annotations

import sys

import duckdb
import polars as pl

METRICS_SQL = """
WITH o AS (SELECT customer_id, CAST(ordered_at AS TIMESTAMP) AS ordered_at, amount FROM {source}),
cp AS (
  SELECT customer_id, (year(ordered_at) - 1970) * 12 + month(ordered_at) - 1 AS p,
         count(*) FILTER (WHERE amount >= 0) AS n, sum(amount) AS rev
  FROM o GROUP BY ALL),
f AS (SELECT customer_id, min(p) FILTER (WHERE n > 0) AS first FROM cp GROUP BY ALL),
a AS (SELECT cp.*, f.first, cp.n > 0 AS active FROM cp JOIN f USING (customer_id)),
act AS (SELECT customer_id, p, rev FROM a WHERE active),
flags AS (                      -- each row: was the customer active the month before / after?
  SELECT a.*, prev.customer_id IS NOT NULL AS was_active, nxt.customer_id IS NOT NULL AS stays
  FROM a
  LEFT JOIN act prev ON prev.customer_id = a.customer_id AND prev.p = a.p - 1
  LEFT JOIN act nxt ON nxt.customer_id = a.customer_id AND nxt.p = a.p + 1),
here AS (
  SELECT p, sum(rev) AS revenue, sum(n) AS orders,
         count(*) FILTER (WHERE active) AS e, count(*) FILTER (WHERE first = p) AS new,
         count(*) FILTER (WHERE active AND was_active) AS retained,
         coalesce(sum(rev) FILTER (WHERE first = p), 0) AS rev_new,
         coalesce(sum(n) FILTER (WHERE first = p), 0) AS orders_new,
         coalesce(sum(rev) FILTER (WHERE was_active), 0) AS rev_s_now
  FROM flags GROUP BY p),
prev AS (
  SELECT p + 1 AS p, count(*) AS s, sum(rev) AS rev_s_prev,
         coalesce(sum(rev) FILTER (WHERE NOT stays), 0) AS rev_churned_prev
  FROM flags WHERE active GROUP BY ALL),
grid AS (SELECT unnest(range(min(p), greatest(max(p), {last_month}) + 1)) AS p FROM cp),
t AS (
  SELECT grid.p, coalesce(s, 0) AS s, coalesce(new, 0) AS new, coalesce(e, 0) AS e,
         coalesce(retained, 0) AS retained, coalesce(revenue, 0) AS revenue, coalesce(orders, 0) AS orders,
         coalesce(rev_new, 0) AS rev_new, coalesce(orders_new, 0) AS orders_new, coalesce(rev_s_now, 0) AS rev_s_now,
         coalesce(rev_s_prev, 0) AS rev_s_prev, coalesce(rev_churned_prev, 0) AS rev_churned_prev
  FROM grid LEFT JOIN here USING (p) LEFT JOIN prev USING (p))
SELECT make_date(1970 + p // 12, p % 12 + 1, 1) AS period_start,
       s AS customers_start, new AS new_customers, e AS customers_end, retained,
       e - new - retained AS reactivated, s - retained AS churned,
       (e - new) / nullif(s, 0) AS crr, retained / nullif(s, 0) AS retention_rate,
       (s - retained) / nullif(s, 0) AS churn_rate,
       revenue, orders, revenue / nullif(orders, 0) AS aov, revenue / nullif(e, 0) AS arpu,
       (revenue - rev_new) / nullif(revenue, 0) AS repeat_revenue_share,
       rev_churned_prev / nullif(rev_s_prev, 0) AS revenue_churn_rate, rev_s_now / nullif(rev_s_prev, 0) AS nrr
FROM t ORDER BY p
"""

COHORTS_SQL = """
WITH o AS (SELECT customer_id, CAST(ordered_at AS TIMESTAMP) AS ordered_at, amount FROM {source}),
act AS (
  SELECT DISTINCT customer_id, (year(ordered_at) - 1970) * 12 + month(ordered_at) - 1 AS p
  FROM o WHERE amount >= 0),
f AS (SELECT customer_id, min(p) AS c FROM act GROUP BY ALL),
size AS (SELECT c, count(*) AS size FROM f GROUP BY ALL),
cells AS (SELECT f.c, act.p - f.c AS age, count(*) AS n FROM act JOIN f USING (customer_id) GROUP BY ALL),
grid AS (SELECT c, size, unnest(range(0, greatest((SELECT max(p) FROM act), {last_month}) - c + 1)) AS age FROM size)
SELECT make_date(1970 + c // 12, c % 12 + 1, 1) AS cohort, size, CAST(age AS INT) AS age,
       coalesce(n, 0) / size AS value
FROM grid LEFT JOIN cells USING (c, age) ORDER BY c, age
"""


def run(con: duckdb.DuckDBPyConnection, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Monthly metrics and the customers/on cohort grid of the orders ``source`` (a FROM item such as
    ``read_csv('orders.csv')`` with columns customer_id, ordered_at, amount)."""
    con.sql(f"CREATE OR REPLACE TEMP TABLE ref_orders AS SELECT customer_id, ordered_at, amount FROM {source}")
    last = con.sql("SELECT (year(max(ordered_at)) - 1970) * 12 + month(max(ordered_at)) - 1 FROM ref_orders").fetchall()[0][0]
    metrics = con.sql(METRICS_SQL.format(source="ref_orders", last_month=last)).pl()
    cohorts = con.sql(COHORTS_SQL.format(source="ref_orders", last_month=last)).pl()
    return metrics, cohorts


def csv_source(path: str) -> str:
    """The FROM item of the benchmark's CSV (``order_date`` renamed to ``ordered_at``)."""
    return f"(SELECT customer_id, order_date AS ordered_at, amount FROM read_csv('{path}'))"


def parquet_source(path: str) -> str:
    return f"read_parquet('{path}')"


if __name__ == "__main__":
    m, c = run(duckdb.connect(), csv_source(sys.argv[1]))
    print(m.height, c.height)
