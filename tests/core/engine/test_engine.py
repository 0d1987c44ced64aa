"""The DuckDB engine against the polars oracle (SPEC §9): hundreds of generated order sets, every grain,
every kind of source (frame, CSV, Parquet file, Parquet folder), and the saved-version tables."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core import engine
from retention_core.engine import sql
from retention_core.errors import ParameterError
from retention_core.ingest import load_file
from retention_core.periods import GRAINS
from retention_core.retention.cohorts import cohort_matrix
from retention_core.retention.flows import compact, period_metrics
from retention_core.workspace import Workspace
from tests.core.engine import oracle

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "data" / "sample"
UCI = ROOT / "data" / "uci" / "online_retail_orders.csv"

# Days around 1970-01-01 (negative period indexes: floor, not truncation) and around a leap February.
_BASES = [date(1969, 12, 20), date(2024, 1, 25), date(2023, 12, 28)]
_amounts = st.sampled_from([-7.5, -0.1, 0.0, 0.1, 0.2, 9.99, 10.0, 123.45, 1e6 + 0.01])
_rows = st.lists(
    st.tuples(st.sampled_from("abcdefg"), st.sampled_from(range(len(_BASES))), st.integers(0, 120),
              st.integers(0, 86_399), _amounts),
    min_size=1, max_size=40,
)


def _orders(rows) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ordered_at": [datetime.combine(_BASES[r[1]] + timedelta(days=r[2]), datetime.min.time())
                           + timedelta(seconds=r[3]) for r in rows],
            "amount": [r[4] for r in rows],
        },
        schema_overrides={"ordered_at": pl.Datetime("us")},
    )


def _check_against_oracle(orders: pl.DataFrame, grain: str, made: engine.Compact) -> None:
    expected = oracle.compact(orders, grain)
    got = oracle.sorted_compact(made.frame)
    assert_frame_equal(got.drop("revenue"), expected.drop("revenue"))
    assert_frame_equal(got.select("revenue"), expected.select("revenue"), abs_tol=1e-6)
    assert made.data_end == orders["ordered_at"].max().date()  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, grain=st.sampled_from(GRAINS))
def test_duckdb_compact_table_equals_the_polars_oracle(rows, grain) -> None:
    orders = _orders(rows)
    _check_against_oracle(orders, grain, engine.customer_periods(orders, grain=grain, engine="duckdb"))


@settings(max_examples=100, deadline=None)
@given(rows=_rows, grain=st.sampled_from(GRAINS))
def test_duckdb_event_counts_equal_the_polars_oracle(rows, grain) -> None:
    events = _orders(rows).select(pl.col("customer_id").alias("user_id"),
                                  pl.col("amount").cast(pl.String).alias("event"),
                                  pl.col("ordered_at").alias("occurred_at"))
    got = engine.event_counts(events, grain=grain).sort("user_id", "period", "event")
    assert_frame_equal(got, oracle.event_counts(events, grain))


@settings(max_examples=150, deadline=None)
@given(rows=_rows, grain=st.sampled_from(["week", "month", "quarter"]), window=st.integers(1, 4), seed=st.integers(0, 99))
def test_numbers_do_not_depend_on_the_row_order_the_engine_returns(rows, grain, window, seed) -> None:
    """Revenue is summed exactly (Decimal), so shuffling the compact table changes no number at all."""
    orders = _orders(rows)
    made = compact(orders, grain=grain)
    shuffled = engine.Compact(made.frame.sample(fraction=1.0, shuffle=True, seed=seed), grain, made.data_end)  # type: ignore[arg-type]
    assert_frame_equal(period_metrics(orders, grain=grain, window=window, periods=made),
                       period_metrics(orders, grain=grain, window=window, periods=shuffled), check_exact=True)
    assert_frame_equal(cohort_matrix(orders, grain=grain, value="ltv", periods=made),
                       cohort_matrix(orders, grain=grain, value="ltv", periods=shuffled), check_exact=True)


def test_hand_computed_compact_rows() -> None:
    """a: Jan 10, Feb refund −4, Apr 5 + 0 (a zero order counts) · b: a refund only · c: 31 Dec 1969."""
    orders = pl.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b", "c"],
        "ordered_at": [date(2024, 1, 5), date(2024, 2, 1), date(2024, 4, 9), date(2024, 4, 30), date(2024, 2, 3),
                       date(1969, 12, 31)],
        "amount": [10.0, -4.0, 5.0, 0.0, -1.0, 2.5],
    })
    got = oracle.sorted_compact(engine.customer_periods(orders).frame).rows()
    assert got == [
        ("a", 648, 1, 10.0, 648, None, 651, None),
        ("a", 649, 0, -4.0, 648, 648, 651, 1),
        ("a", 651, 2, 5.0, 648, 648, None, 3),
        ("b", 649, 0, -1.0, None, None, None, None),
        ("c", -1, 1, 2.5, -1, None, None, None),  # December 1969 is month −1
    ]
    weeks = engine.customer_periods(orders, grain="week").frame.filter(pl.col("customer_id") == "c")
    assert weeks["period"].to_list() == [0]  # Wed 31 Dec 1969 is in the week of Mon 29 Dec 1969: week 0


@pytest.mark.parametrize("grain", GRAINS)
def test_period_sql_matches_period_index_on_every_day_of_two_years(grain) -> None:
    days = pl.DataFrame({"ordered_at": pl.date_range(date(1969, 1, 1), date(1970, 12, 31), eager=True)})
    import duckdb

    got = duckdb.sql(f"SELECT {sql.period_sql('ordered_at', grain)} AS p FROM days").pl()["p"]
    from retention_core.periods import period_index

    assert got.to_list() == days.select(period_index(pl.col("ordered_at"), grain)).to_series().to_list()  # type: ignore[arg-type]


def test_every_source_gives_the_same_table(tmp_path: Path) -> None:
    """A frame, the CSV read directly, one Parquet file and a folder of them: one result."""
    orders = load_file(SAMPLE / "orders.csv", kind="orders").frame
    want = oracle.sorted_compact(engine.customer_periods(orders).frame)
    csv = tmp_path / "o.csv"
    orders.select("customer_id", "ordered_at", "amount").rename({"ordered_at": "order_date"}).write_csv(csv)
    one = tmp_path / "o.parquet"
    orders.write_parquet(one)
    folder = tmp_path / "lake"
    folder.mkdir()
    third = orders.height // 3
    for i in range(3):
        orders.slice(i * third, third if i < 2 else None).write_parquet(folder / f"part-{i}.parquet")
    for src in (engine.source(csv, columns={"ordered_at": "order_date"}), one, folder):
        made = engine.customer_periods(src)  # type: ignore[arg-type]
        assert_frame_equal(oracle.sorted_compact(made.frame), want)
        assert made.data_end == orders["ordered_at"].max().date()  # type: ignore[union-attr]


def test_uci_online_retail_equals_the_oracle() -> None:
    orders = load_file(UCI, kind="orders").frame
    for grain in ("week", "month"):
        _check_against_oracle(orders, grain, engine.customer_periods(orders, grain=grain))


def test_save_stores_the_compact_tables_and_opening_uses_them(tmp_path: Path, monkeypatch) -> None:
    loaded = load_file(SAMPLE / "orders.csv", kind="orders")
    ws = Workspace(tmp_path)
    info = ws.save("Shop", {"orders": loaded})
    folder = ws.compact_folder(info.slug, "orders")
    assert folder.parent.parent == ws.path(info.slug, "orders").parent  # inside the version's own folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"orders.{g}.parquet" for g in engine.STORED_GRAINS] + ["orders.json"])

    want = {g: (compact(loaded.frame, grain=g), period_metrics(loaded.frame, grain=g), cohort_matrix(loaded.frame, grain=g))
            for g in ("month", "quarter")}

    def no_grouping(*args, **kwargs):
        raise AssertionError("the orders were grouped again")

    monkeypatch.setattr(engine, "_run", no_grouping)  # opening must not run the heavy step
    for grain, (fresh, metrics, cohorts) in want.items():
        stored = engine.load_compact(folder, "orders", grain)
        assert stored is not None and stored.saved and stored.grain == grain
        assert_frame_equal(oracle.sorted_compact(stored.frame), oracle.sorted_compact(fresh.frame))
        # the Overview's numbers from the stored table alone (no orders frame) equal the full computation
        assert_frame_equal(period_metrics(None, grain=grain, periods=stored), metrics)
        assert_frame_equal(cohort_matrix(None, grain=grain, periods=stored), cohorts)
    assert engine.load_compact(folder, "orders", "day") is None  # not stored: computed when asked


def test_save_stores_event_counts_with_the_log_end_and_event_retention_reads_them(tmp_path: Path, monkeypatch) -> None:
    from retention_core.retention.cohorts import event_retention, event_retention_from_counts

    loaded = load_file(SAMPLE / "events.csv", kind="events")
    ws = Workspace(tmp_path)
    info = ws.save("Shop", {"events": loaded})
    folder = ws.compact_folder(info.slug, "events")
    assert sorted(p.name for p in folder.iterdir()) == ["events.json", "events.month.parquet", "events.week.parquet"]
    assert engine.stored_data_end(folder, "events") == loaded.frame["occurred_at"].max().date()
    assert engine.stored_data_end(tmp_path / "nowhere", "events") is None
    want = {g: event_retention(loaded.frame, start_event="visit", return_event="*", grain=g, cumulative=True)
            for g in ("week", "month")}

    def no_grouping(*args, **kwargs):
        raise AssertionError("the events were grouped again")

    monkeypatch.setattr(engine, "_run", no_grouping)
    for grain, matrix in want.items():
        counts = engine.load_compact(folder, "events", grain)
        got = event_retention_from_counts(counts, data_end=engine.stored_data_end(folder, "events"),
                                          start_event="visit", return_event="*", grain=grain, cumulative=True)
        assert_frame_equal(got, matrix)


def test_saving_again_replaces_the_stored_tables(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    full = load_file(SAMPLE / "orders.csv", kind="orders")
    ws.save("Shop", {"orders": full})
    half = dataclasses.replace(full, frame=full.frame.head(full.frame.height // 2))
    ws.save("Shop", {"orders": half}, slug="shop")
    stored = engine.load_compact(ws.compact_folder("shop", "orders"), "orders", "month")
    assert stored is not None
    assert int(stored.frame["orders"].sum()) == int((half.frame["amount"] >= 0).sum())
    first = engine.load_compact(ws.compact_folder("shop", "orders", version=1), "orders", "month")
    assert first is not None  # the first version keeps its own tables
    assert int(first.frame["orders"].sum()) == int((full.frame["amount"] >= 0).sum())


def test_engine_choice_env_argument_and_block(monkeypatch) -> None:
    monkeypatch.delenv(engine.ENGINE_ENV, raising=False)
    assert engine.engine_name() == "duckdb"
    monkeypatch.setenv(engine.ENGINE_ENV, "Spark")
    assert engine.engine_name() == "spark"
    with engine.using("duckdb"):
        assert engine.engine_name() == "duckdb"
    assert engine.engine_name("duckdb") == "duckdb"
    monkeypatch.setenv(engine.ENGINE_ENV, "oracle")
    with pytest.raises(ParameterError, match="engine='oracle'.*duckdb, spark"):
        engine.engine_name()


def test_spark_sql_is_the_same_definition_transpiled() -> None:
    text = sql.for_dialect(sql.customer_periods_sql("week"), "spark")
    assert "DATEDIFF(DAY" in text and "FILTER(WHERE amount >= 0)" in text and "DECIMAL(38, 6)" in text
    assert "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING" in text


def test_cli_engine_option(tmp_path: Path) -> None:
    """``--engine duckdb`` gives the same JSON as the default; an unknown engine is one line, exit 2."""
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "retention_core", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "RETENTION_ENGINE": "duckdb"})

    path = str(SAMPLE / "orders.csv")
    default, chosen = run("metrics", path), run("metrics", path, "--engine", "duckdb")
    assert default.returncode == chosen.returncode == 0, default.stderr + chosen.stderr
    assert default.stdout == chosen.stdout and '"customers_start"' in default.stdout
    bad = run("metrics", path, "--engine", "oracle")
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "oracle" in bad.stderr and "duckdb" in bad.stderr
