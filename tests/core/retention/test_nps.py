"""Tests for retention_core.retention.nps (SPEC §4.4)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError
from retention_core.retention.nps import nps_by_period, nps_retention

SURVEY = pl.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "a", "e", None],
        "score": pl.Series([10, 8, 6, 9, 3, 7, 10], dtype=pl.Int8),
        "answered_at": [
            date(2024, 1, 5), date(2024, 1, 6), date(2024, 1, 7), date(2024, 1, 8),
            date(2024, 3, 2), date(2024, 3, 3), date(2024, 3, 4),
        ],
        "region": ["north", "north", "south", "south", "north", None, "south"],
    }
)


def test_nps_by_month() -> None:
    # Jan: a 10, d 9 promoters; b 8 passive; c 6 detractor ⇒ (2 − 1)/4. Feb: no answers.
    # Mar: a 3 detractor, e 7 passive, anonymous 10 promoter ⇒ (1 − 1)/3 = 0.
    got = nps_by_period(SURVEY)
    expected = pl.DataFrame(
        {
            "period_start": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
            "responses": [4, 0, 3],
            "promoters": [2, 0, 1],
            "passives": [1, 0, 1],
            "detractors": [1, 0, 1],
            "nps": [0.25, None, 0.0],
        },
        schema_overrides={k: pl.Int64 for k in ("responses", "promoters", "passives", "detractors")},
    )
    assert_frame_equal(got, expected)


def test_nps_by_quarter_and_segment() -> None:
    # Q1 north: a 10, b 8, a 3 ⇒ (1 − 1)/3 = 0; south: c 6, d 9, anon 10 ⇒ (2 − 1)/3; null region: e 7 ⇒ 0/1.
    got = nps_by_period(SURVEY, grain="quarter", segment="region")
    assert got.columns == ["period_start", "region", "responses", "promoters", "passives", "detractors", "nps"]
    assert got.select("region", "responses", "nps").rows() == [("north", 3, 0.0), ("south", 3, 1 / 3), (None, 1, 0.0)]
    # monthly by segment lists every period × segment value, empty cells with null NPS
    monthly = nps_by_period(SURVEY, segment="region")
    assert monthly.height == 9
    assert monthly.filter(pl.col("period_start") == date(2024, 2, 1))["nps"].null_count() == 3


def test_nps_errors_and_empty() -> None:
    with pytest.raises(ColumnNotFoundError, match='"channel" not found.*available: customer_id, score'):
        nps_by_period(SURVEY, segment="channel")
    empty = nps_by_period(SURVEY.clear(), segment="region")
    assert empty.height == 0 and empty.columns[:2] == ["period_start", "region"]


ORDERS = pl.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "a", "c", "d", "e", "e"],
        "ordered_at": [
            date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4), date(2024, 1, 5),
            date(2024, 2, 10), date(2024, 2, 11), date(2024, 2, 12), date(2024, 4, 1), date(2024, 4, 30),
        ],
        "amount": [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, -10.0, 10.0, 10.0],
    }
)


def test_nps_retention_next_period() -> None:
    # January answers, outcome = an order in February:
    #   promoters a (buys) and d (only a refund ⇒ not an order) ⇒ 1/2; passive b ⇒ 0/1; detractor c ⇒ 1/1.
    # March answers, outcome in April (complete: orders end 30 Apr): a (3, detractor) no order ⇒ 0;
    #   e (7, passive) buys ⇒ 1; the anonymous answer cannot be matched.
    got = nps_retention(SURVEY, ORDERS)
    expected = pl.DataFrame(
        {"group": ["promoter", "passive", "detractor"], "respondents": [2, 2, 2], "retained": [1, 1, 1],
         "retention_rate": [0.5, 0.5, 0.5]},
        schema_overrides={"respondents": pl.Int64, "retained": pl.Int64},
    )
    assert_frame_equal(got, expected)
    # with the data ending in mid-April, March answers cannot be judged yet
    early = nps_retention(SURVEY, ORDERS, data_end=date(2024, 4, 15))
    assert early["respondents"].to_list() == [2, 1, 1]


def test_nps_retention_latest_answer_in_a_period() -> None:
    # a answers 10 then 2 in January: the later answer (detractor) counts, once.
    survey = pl.DataFrame({"customer_id": ["a", "a"], "score": [10, 2], "answered_at": [date(2024, 1, 3), date(2024, 1, 25)]})
    got = nps_retention(survey, ORDERS)
    assert got["respondents"].to_list() == [0, 0, 1]
    # same-day answers: the lowest score counts, whatever the row order
    same_day = survey.with_columns(pl.lit(date(2024, 1, 3)).alias("answered_at"))
    assert nps_retention(same_day, ORDERS)["respondents"].to_list() == [0, 0, 1]
    assert nps_retention(same_day.reverse(), ORDERS)["respondents"].to_list() == [0, 0, 1]


def test_nps_retention_without_matching_ids() -> None:
    survey = SURVEY.with_columns(pl.lit("zz").alias("customer_id"))
    with pytest.raises(NotEnoughDataError, match="none of the 1 survey customer ids appear in the orders"):
        nps_retention(survey, ORDERS)


@settings(max_examples=50, derandomize=True, deadline=None)
@given(scores=st.lists(st.integers(0, 10), min_size=1, max_size=30))
def test_nps_is_promoter_share_minus_detractor_share(scores) -> None:
    survey = pl.DataFrame({"score": scores, "answered_at": [date(2024, 5, 1)] * len(scores)})
    row = nps_by_period(survey).row(0, named=True)
    n = len(scores)
    assert row["promoters"] + row["passives"] + row["detractors"] == n
    assert row["nps"] == pytest.approx(sum(s >= 9 for s in scores) / n - sum(s <= 6 for s in scores) / n)
    assert -1.0 <= row["nps"] <= 1.0
