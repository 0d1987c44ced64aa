"""Per-key runs sorted on a hash stay exact when two keys share a hash (forced here)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core import runs
from retention_core.journeys.paths import top_paths
from retention_core.retention.flows import period_metrics


@pytest.fixture
def colliding(monkeypatch):
    """Every id hashes to its length: 'c1' … 'c9' all collide, so the fast sort alone would interleave them."""
    monkeypatch.setattr(runs, "key_hash", lambda key: key.str.len_bytes().cast(pl.UInt64))


def _orders(n: int = 4000, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1)
    return pl.DataFrame({
        "customer_id": [f"c{i}" for i in rng.integers(0, 60, n)],
        "ordered_at": [start + timedelta(days=int(d)) for d in rng.integers(0, 400, n)],
        "amount": rng.choice([-5.0, 0.0, 20.0, 35.5], n),
    })


def test_runs_are_contiguous_and_ordered_even_when_hashes_collide(colliding):
    df = _orders()
    out = runs.sort_runs(df, "customer_id", ["ordered_at"])
    assert out.height == df.height
    boundaries = (out["customer_id"] != out["customer_id"].shift(1)).fill_null(True).sum()
    assert boundaries == df["customer_id"].n_unique()  # one run per customer
    assert out.select((pl.col("ordered_at").diff() >= timedelta(0)).all().over("customer_id")).to_series().all()


@pytest.mark.parametrize("window", [1, 3])
def test_period_metrics_do_not_depend_on_the_hash(window, monkeypatch):
    orders = _orders()
    honest = period_metrics(orders, window=window)
    monkeypatch.setattr(runs, "key_hash", lambda key: key.str.len_bytes().cast(pl.UInt64))
    assert_frame_equal(period_metrics(orders, window=window), honest)


def test_paths_do_not_depend_on_the_hash(monkeypatch):
    rng = np.random.default_rng(3)
    n = 3000
    events = pl.DataFrame({
        "user_id": [f"u{i}" for i in rng.integers(0, 80, n)],
        "event": rng.choice(["visit", "cart", "buy"], n).tolist(),
        "occurred_at": [datetime(2024, 1, 1) + timedelta(minutes=int(m)) for m in rng.integers(0, 5000, n)],
    })
    honest = top_paths(events, start_event="visit", depth=3)
    monkeypatch.setattr(runs, "key_hash", lambda key: key.str.len_bytes().cast(pl.UInt64))
    forced = top_paths(events, start_event="visit", depth=3)
    assert_frame_equal(forced.sequences, honest.sequences)


@pytest.mark.parametrize("collide", [False, True])
def test_repeated_rows_are_exactly_the_repeats(collide, monkeypatch):
    """Honest hashes and a hash that makes every row collide give the same, exact answer."""
    if collide:
        monkeypatch.setattr(runs, "key_hash", lambda key: key.hash() * 0 + 7)
    df = pl.DataFrame({"id": ["a", "b", "a", "c", None, None, "b"], "x": [1, 2, 1, 3, 4, 4, 5]})
    assert runs.repeated_rows(df, ["id"])["x"].to_list() == [1, 2, 1, 4, 4, 5]
    assert runs.repeated_rows(df, ["id", "x"])["x"].to_list() == [1, 1, 4, 4]
    assert runs.repeated_rows(df.filter(pl.col("id") == "c"), ["id"]).height == 0


def test_duplicate_orders_are_found_when_hashes_collide(tmp_path, monkeypatch):
    from retention_core.ingest import load_file

    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer,date,amount\n1,a,2024-01-01,10\n2,b,2024-01-02,20\n1,a,2024-01-01,10\n"
                    "3,c,2024-01-03,30\n")
    monkeypatch.setattr(runs, "key_hash", lambda key: key.hash() % 2)  # two buckets: collisions everywhere
    result = load_file(path, kind="orders")
    assert (result.report.rows_read, result.report.rows_accepted, result.report.duplicates) == (4, 3, 1)
    assert result.rejected["__line"].to_list() == [4]
    assert result.rejected["reason"].to_list() == ["order id repeats line 2; counted once"]

