"""Paths (SPEC §5): top sequences after a start / before an end event, Sankey links."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.journeys.paths import OTHER, top_paths

T0 = datetime(2024, 3, 1)


def ev(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    """(user, event, minutes after T0) rows; seq = row order."""
    return pl.DataFrame(
        {
            "user_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "occurred_at": [T0 + timedelta(minutes=r[2]) for r in rows],
            "seq": pl.Series(range(len(rows)), dtype=pl.UInt32),
        },
        schema_overrides={"occurred_at": pl.Datetime("us")},
    )


# u1: visit view cart buy; u2: visit view view; u3: visit view cart; u4: search visit cart;
# u5 never visits.
LOG = ev([
    ("u1", "visit", 0), ("u1", "view", 1), ("u1", "cart", 2), ("u1", "buy", 3),
    ("u2", "visit", 0), ("u2", "view", 1), ("u2", "view", 2),
    ("u3", "visit", 0), ("u3", "view", 1), ("u3", "cart", 5),
    ("u4", "search", 0), ("u4", "visit", 1), ("u4", "cart", 2),
    ("u5", "view", 0),
])


def test_sequences_after_a_start_event_golden():
    # depth 2 after the first visit: u1, u3 → visit→view→cart (2); u2 → visit→view→view; u4 → visit→cart.
    # 4 users with a visit; top=2 keeps the 2-user path and, of the 1-user ties, "visit → cart"
    # (alphabetical); the other 1 user is "other".
    p = top_paths(LOG, start_event="visit", depth=2, top=2)
    expected = pl.DataFrame(
        {
            "path": ["visit → view → cart", "visit → cart", OTHER],
            "events": [["visit", "view", "cart"], ["visit", "cart"], None],
            "users": [2, 1, 1],
            "share": [0.5, 0.25, 0.25],
        },
        schema_overrides={"events": pl.List(pl.String)},
    )
    assert_frame_equal(p.sequences, expected)


def test_sequences_before_an_end_event():
    # Two events before the first cart: u1 visit view cart, u3 visit view cart, u4 search visit cart.
    p = top_paths(LOG, end_event="cart", depth=2)
    assert p.sequences.select("path", "users").rows() == [("visit → view → cart", 2), ("search → visit → cart", 1)]
    steps = sorted(set(p.links["source_step"].to_list()) | set(p.links["target_step"].to_list()))
    assert steps == [-2, -1, 0]
    assert "step -2: search" in p.links["source"].to_list()


def test_anchor_is_the_first_occurrence_and_repeats_are_kept():
    e = ev([("u", "visit", 0), ("u", "view", 1), ("u", "view", 2), ("u", "visit", 3), ("u", "buy", 4)])
    p = top_paths(e, start_event="visit", depth=3)
    assert p.sequences["path"].to_list() == ["visit → view → view → visit"]


def test_equal_timestamps_follow_file_order():
    e = ev([("u", "visit", 0), ("u", "cart", 1), ("u", "view", 1)])
    assert top_paths(e, start_event="visit", depth=2).sequences["path"].to_list() == ["visit → cart → view"]


def test_links_golden_with_other_nodes():
    # depth 2, top 1 node per step. Step 1: view (u1,u2,u3) kept, cart (u4) → other.
    # Step 2: cart (u1,u3) kept; view (u2) → other; u4 has no step 2.
    p = top_paths(LOG, start_event="visit", depth=2, top=1)
    assert p.links.select("source", "target", "value").rows() == [
        ("step 0: visit", "step 1: view", 3),
        ("step 0: visit", "step 1: other", 1),
        ("step 1: view", "step 2: cart", 2),
        ("step 1: view", "step 2: other", 1),
    ]


def test_no_user_has_the_anchor():
    p = top_paths(LOG, start_event="refund")
    assert p.sequences.height == 0 and p.links.height == 0


def test_errors():
    with pytest.raises(ParameterError, match="exactly one of start_event or end_event"):
        top_paths(LOG)
    with pytest.raises(ParameterError, match="exactly one"):
        top_paths(LOG, start_event="visit", end_event="buy")
    with pytest.raises(ParameterError, match="depth=0"):
        top_paths(LOG, start_event="visit", depth=0)
    with pytest.raises(ParameterError, match="top=0"):
        top_paths(LOG, start_event="visit", top=0)
    with pytest.raises(ColumnNotFoundError, match='"event" not found'):
        top_paths(LOG.drop("event"), start_event="visit")


rows_st = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["visit", "view", "cart", "buy"]), st.integers(0, 6)),
    max_size=30,
)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(rows=rows_st, depth=st.integers(1, 4), top=st.integers(1, 4), after=st.booleans())
def test_users_are_conserved(rows, depth, top, after):
    e = ev(rows)
    kw = {"start_event": "visit"} if after else {"end_event": "cart"}
    p = top_paths(e, depth=depth, top=top, **kw)
    anchor = "visit" if after else "cart"
    users = e.filter(pl.col("event") == anchor)["user_id"].n_unique()
    assert p.sequences["users"].sum() == users  # every user with the anchor is in exactly one row
    assert p.sequences.height <= top + 1
    # flow into a step equals the flow out of the anchor side's adjacent step, level by level
    links = p.links
    for s in set(links["source_step"].to_list()):
        into = links.filter(pl.col("target_step") == s)["value"].sum()
        out = links.filter(pl.col("source_step") == s)["value"].sum()
        assert (out <= into) if after and s != 0 else True
        assert (into <= out) if not after and s != 0 and into else True
