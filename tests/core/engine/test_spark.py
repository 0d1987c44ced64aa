"""DuckDB and Spark (local[2]) give identical compact tables and identical CLI JSON (SPEC §9).

One SparkSession for the whole run (``spark_session`` in conftest.py); every test here is in the
``spark`` xdist group, so one worker runs them all. A handful of generated cases (the DuckDB side is
checked against the polars oracle on hundreds in test_engine.py), the sample shop and UCI Online
Retail through the real CLI code, and a Parquet folder read by Spark itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core import engine
from retention_core.cli.main import main
from retention_core.ingest import load_file
from tests.core.engine.test_engine import SAMPLE, UCI, _orders, _rows

pytestmark = pytest.mark.xdist_group("spark")


def _both(source, grain: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    duck = engine.customer_periods(source, grain=grain, engine="duckdb")
    spark = engine.customer_periods(source, grain=grain, engine="spark")
    assert (duck.engine, spark.engine) == ("duckdb", "spark")
    assert duck.data_end == spark.data_end
    return duck.frame.sort("customer_id", "period"), spark.frame.sort("customer_id", "period")


@settings(max_examples=5, deadline=None)
@given(rows=_rows, grain=st.sampled_from(["day", "week", "month", "quarter", "half-year", "year"]))
def test_generated_order_sets_identical(spark_session, rows, grain) -> None:
    duck, spark = _both(_orders(rows), grain)
    assert_frame_equal(spark, duck, check_exact=True)


@pytest.mark.parametrize(("path", "grains"), [(SAMPLE / "orders.csv", ("week",)), (UCI, ("quarter",))],
                         ids=["sample", "uci"])
def test_compact_tables_identical(spark_session, path: Path, grains) -> None:
    orders = load_file(path, kind="orders").frame
    for grain in grains:
        duck, spark = _both(orders, grain)
        assert_frame_equal(spark, duck, check_exact=True)
        assert duck.height > 1000


def _cli(capsys, *args: str) -> dict:
    assert main(list(args)) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("path", [SAMPLE / "orders.csv", UCI], ids=["sample", "uci"])
def test_metrics_and_cohorts_json_identical(spark_session, capsys, path: Path) -> None:
    for command in (["metrics", "--window", "2"], ["cohorts", "--value", "ltv"]):
        duck = _cli(capsys, command[0], str(path), *command[1:], "--engine", "duckdb")
        spark = _cli(capsys, command[0], str(path), *command[1:], "--engine", "spark")
        assert json.dumps(spark, sort_keys=True) == json.dumps(duck, sort_keys=True)
        assert len(json.dumps(duck)) > 2000  # a real table, not an empty one


def test_spark_reads_a_parquet_folder_itself(spark_session, tmp_path: Path) -> None:
    orders = load_file(SAMPLE / "orders.csv", kind="orders").frame
    folder = tmp_path / "lake"
    folder.mkdir()
    half = orders.height // 2
    orders.head(half).write_parquet(folder / "part-0.parquet")
    orders.slice(half).write_parquet(folder / "part-1.parquet")
    duck, spark = _both(folder, "month")
    assert_frame_equal(spark, duck, check_exact=True)


def test_event_counts_identical(spark_session) -> None:
    events = load_file(SAMPLE / "events.csv", kind="events").frame
    duck = engine.event_counts(events, grain="week", engine="duckdb").sort("user_id", "period", "event")
    spark = engine.event_counts(events, grain="week", engine="spark").sort("user_id", "period", "event")
    assert_frame_equal(spark, duck, check_exact=True)
    assert int(duck["events"].sum()) == events.height
