"""Tests for retention_core.journeys.drilldown: the users behind a funnel step (SPEC §7.1)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from retention_core.errors import ParameterError
from retention_core.ingest import connect, load_file
from retention_core.journeys.drilldown import step_users
from retention_core.journeys.funnels import funnel
from retention_core.journeys.spec import FunnelSpec, FunnelStep, as_steps

EVENTS = Path(__file__).resolve().parents[3] / "data" / "sample" / "events.csv"


def test_hand_counted_users_per_step():
    # u1: view → cart → buy; u2: view → buy (skips the optional cart); u3: view only; u4: buy only (never enters)
    t = [datetime(2024, 1, 1, h) for h in range(12)]
    ev = pl.DataFrame({
        "user_id": ["u1", "u1", "u1", "u2", "u2", "u3", "u4"],
        "event": ["view", "cart", "buy", "view", "buy", "view", "buy"],
        "occurred_at": [t[0], t[1], t[2], t[3], t[4], t[5], t[6]],
    })
    spec = FunnelSpec((FunnelStep("view"), FunnelStep("cart", optional=True), FunnelStep("buy")), window="1d")
    result = funnel(ev, spec)
    assert [sorted(step_users(result, j)["user_id"]) for j in (1, 2, 3)] == [["u1", "u2", "u3"], ["u1"], ["u1", "u2"]]
    assert step_users(result, 3).filter(pl.col("user_id") == "u2")["reached_at"].item() == t[4]
    with pytest.raises(ParameterError, match="step"):
        step_users(result, 4)


def test_every_step_of_the_sample_funnel_lists_exactly_its_users():
    events = load_file(EVENTS, kind="events", con=connect()).frame
    spec = FunnelSpec(as_steps(["visit", "product_view", "add_to_cart", "checkout", "purchase"]), window="7d")
    result = funnel(events, spec)
    for step, users in result.steps.select("step", "users").iter_rows():
        listed = step_users(result, step)
        assert listed.height == users and listed["user_id"].n_unique() == users
