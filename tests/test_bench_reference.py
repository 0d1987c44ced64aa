"""The benchmark's hand-written DuckDB SQL (bench/reference.py) computes what the product computes.

Otherwise the ratio to it in docs/performance.md would compare different work.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bench import reference
from retention_core.ingest import load_file
from retention_core.retention.cohorts import cohort_matrix
from retention_core.retention.flows import period_metrics

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["period_start", "customers_start", "new_customers", "customers_end", "retained", "reactivated", "churned",
           "crr", "retention_rate", "churn_rate", "revenue", "orders", "aov", "arpu", "repeat_revenue_share",
           "revenue_churn_rate", "nrr"]


@pytest.mark.parametrize("path", [ROOT / "data" / "sample" / "orders.csv", ROOT / "data" / "uci" / "online_retail_orders.csv"],
                         ids=["sample", "uci"])
def test_reference_sql_equals_the_product(path: Path, tmp_path: Path) -> None:
    orders = load_file(path, kind="orders").frame
    parquet = tmp_path / "orders.parquet"
    orders.write_parquet(parquet)
    metrics, cohorts = reference.run(duckdb.connect(), reference.parquet_source(str(parquet)))
    product = period_metrics(orders).select(COLUMNS)
    assert metrics.height == product.height > 10
    assert_frame_equal(metrics.select(COLUMNS), product, check_dtypes=False, rel_tol=1e-9, abs_tol=1e-6)
    matrix = cohort_matrix(orders).select("cohort", "size", "age", "value")
    assert_frame_equal(cohorts, matrix, check_dtypes=False, rel_tol=1e-12)
    assert matrix.filter(pl.col("age") > 0)["value"].sum() > 0  # real retention, not an empty grid


def test_pandas_peer_equals_the_product() -> None:
    from bench import pandas_peer

    orders = load_file(ROOT / "data" / "sample" / "orders.csv", kind="orders").frame
    metrics, cohorts = pandas_peer.run(orders.select("customer_id", "ordered_at", "amount").to_pandas())
    product = period_metrics(orders).select(COLUMNS)
    got = pl.from_pandas(metrics).with_columns(pl.col("period_start").cast(pl.Date))
    assert_frame_equal(got.select(COLUMNS), product, check_dtypes=False, rel_tol=1e-9, abs_tol=1e-6)
    matrix = cohort_matrix(orders).select("cohort", "size", "age", "value")
    assert_frame_equal(pl.from_pandas(cohorts).with_columns(pl.col("cohort").cast(pl.Date)), matrix,
                       check_dtypes=False, rel_tol=1e-12)
