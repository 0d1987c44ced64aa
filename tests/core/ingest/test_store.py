"""Saved datasets and filtered queries (SPEC §7: filters run in DuckDB with bound values)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, InputError, ParameterError
from retention_core.ingest import (
    Filters,
    date_bounds,
    load_file,
    query,
    segment_columns,
    segment_values,
)
from retention_core.workspace import Workspace

ORDERS = (
    "customer_id,order_date,amount,channel,region\n"
    "a,2024-01-01 09:00,10,web,north\n"
    "b,2024-01-15 12:00,20,shop,south\n"
    "c,2024-01-31 23:59,30,web,south\n"  # last minute of January: inside date_to = 2024-01-31
    "a,2024-02-01 00:00,40,app,north\n"  # first minute of February: outside
    "d,2024-02-10 10:00,-5,web,north\n"  # refund
    "e,2024-03-05 08:00,60,shop,north\n"
)
SUBS = (
    "customer_id,start_date,end_date,mrr,plan\n"
    "a,2024-01-01,2024-01-31,10,basic\n"
    "b,2024-02-01,,20,pro\n"
    "c,2023-06-01,2024-02-15,30,pro\n"
    "d,2024-04-01,2024-05-01,10,basic\n"
)


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture
def orders(write_file):
    return load_file(write_file("orders.csv", ORDERS))


@pytest.fixture
def saved(tmp_path, orders, write_file):
    """A workspace with one dataset holding orders and subscriptions."""
    ws = Workspace(tmp_path / "ws")
    ws.save("Магазин 2024", {"orders": orders, "subscriptions": load_file(write_file("subs.csv", SUBS))})
    return ws


def customers(frame: pl.DataFrame) -> list[str]:
    return frame["customer_id"].to_list()


# --- workspace ----------------------------------------------------------------------------------------------


def test_save_and_list(saved, orders):
    (info,) = saved.datasets()
    assert (info.slug, info.name, info.kinds) == ("магазин-2024", "Магазин 2024", ("orders", "subscriptions"))
    assert info.reports["orders"]["rows_read"] == 6
    assert info.reports["orders"]["segments"] == ["channel", "region"]
    assert saved.exists("магазин-2024")
    assert_frame_equal(pl.read_parquet(saved.path("магазин-2024", "orders")), orders.frame)


def test_saving_again_replaces_that_kind_and_keeps_the_rest(saved, write_file):
    created = saved.get("магазин-2024").created
    smaller = load_file(write_file("o2.csv", "customer_id,order_date,amount\nz,2024-05-01,1\n"))
    info = saved.save("Магазин 2024", {"orders": smaller})
    assert info.kinds == ("orders", "subscriptions")
    assert info.created == created
    assert info.reports["orders"]["rows"] == 1
    assert customers(pl.read_parquet(saved.path(info.slug, "orders"))) == ["z"]
    assert pl.read_parquet(saved.path(info.slug, "subscriptions")).height == 4
    assert len(saved.datasets()) == 1
    folders = sorted(p.name.split("-")[0] for p in (saved.root / "магазин-2024").iterdir())
    assert folders == ["v", "v"]  # two published versions, no temporary folder left behind
    assert [v.version for v in saved.versions(info.slug)] == [2, 1]


def test_datasets_are_listed_oldest_first(saved, orders):
    saved.save("Aardvark", {"orders": orders})
    with sqlite3.connect(saved.root / "workspace.sqlite3") as db:  # created before the sample, whatever the clock says
        db.execute("UPDATE datasets SET created_at = '2000-01-01T00:00:00' WHERE slug = 'магазин-2024'")
    assert [d.slug for d in saved.datasets()] == ["магазин-2024", "aardvark"]


def test_unknown_dataset_suggests_the_closest(saved):
    with pytest.raises(ColumnNotFoundError, match=r'no dataset "магазин-2025"; saved datasets: Магазин 2024; did you mean "Магазин 2024" \(магазин-2024\)\?'):
        saved.get("магазин-2025")


def test_delete_moves_to_the_trash(saved):
    saved.delete("магазин-2024")
    assert saved.datasets() == []
    assert not saved.exists("магазин-2024")
    assert [d.slug for d in saved.trash()] == ["магазин-2024"]


def test_saving_an_unknown_kind_changes_nothing(saved, orders):
    with pytest.raises(ParameterError, match="kind='sales' is not allowed"):
        saved.save("Магазин 2024", {"sales": orders})
    assert saved.get("магазин-2024").kinds == ("orders", "subscriptions")


# --- query --------------------------------------------------------------------------------------------------


def test_no_filters_returns_every_row(saved, con, orders):
    got = query(con, saved.path("магазин-2024", "orders"), "orders")
    assert_frame_equal(got, orders.frame)


def test_date_range_includes_both_end_days(saved, con):
    path = saved.path("магазин-2024", "orders")
    january = query(con, path, "orders", Filters(date_from=date(2024, 1, 1), date_to=date(2024, 1, 31)))
    assert customers(january) == ["a", "b", "c"]  # 2024-01-31 23:59 in, 2024-02-01 00:00 out
    assert january["ordered_at"].to_list() == [datetime(2024, 1, 1, 9), datetime(2024, 1, 15, 12), datetime(2024, 1, 31, 23, 59)]
    from_feb = query(con, path, "orders", Filters(date_from=date(2024, 2, 1)))
    assert customers(from_feb) == ["a", "d", "e"]
    until_jan15 = query(con, path, "orders", Filters(date_to=date(2024, 1, 15)))
    assert customers(until_jan15) == ["a", "b"]


def test_segment_filter_and_date_range_combine(saved, con):
    path = saved.path("магазин-2024", "orders")
    f = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 2, 28), segments=(("channel", ("web",)), ("region", ("north",))))
    assert customers(query(con, path, "orders", f)) == ["a", "d"]
    two_values = Filters(segments=(("channel", ("web", "app")),))
    assert customers(query(con, path, "orders", two_values)) == ["a", "c", "a", "d"]


@pytest.mark.parametrize("column", ["channel", "region"])
def test_a_segment_filter_and_its_complement_partition_the_rows(saved, con, column):
    path = saved.path("магазин-2024", "orders")
    everything = query(con, path, "orders")
    values = segment_values(con, path, column)
    for k in range(len(values) + 1):
        chosen, rest = tuple(values[:k]), tuple(values[k:])
        part = query(con, path, "orders", Filters(segments=((column, chosen),))) if chosen else everything.clear()
        other = query(con, path, "orders", Filters(segments=((column, rest),))) if rest else everything.clear()
        assert part.height + other.height == everything.height
        assert_frame_equal(pl.concat([part, other]).sort("ordered_at"), everything.sort("ordered_at"))


def test_an_empty_value_list_does_not_filter(saved, con):
    path = saved.path("магазин-2024", "orders")
    assert query(con, path, "orders", Filters(segments=(("channel", ()),))).height == 6
    assert not Filters(segments=(("channel", ()),)).active
    assert Filters(segments=(("channel", ("web",)),)).active


def test_unknown_segment_column_suggests_the_closest(saved, con):
    path = saved.path("магазин-2024", "orders")
    with pytest.raises(ColumnNotFoundError, match=r'segment column "chanel" not found; available: .*channel.*; did you mean "channel"\?'):
        query(con, path, "orders", Filters(segments=(("chanel", ("web",)),)))
    with pytest.raises(ColumnNotFoundError, match='segment column "chanel" not found'):
        segment_values(con, path, "chanel")


@pytest.mark.parametrize("value", ["x' OR '1'='1", "web' --", "web\"; DROP TABLE t; --", "'"])
def test_values_are_bound_not_spliced(saved, con, value):
    path = saved.path("магазин-2024", "orders")
    got = query(con, path, "orders", Filters(segments=(("channel", (value,)),)))
    assert got.height == 0
    assert got.columns == ["customer_id", "ordered_at", "amount", "order_id", "quantity", "channel", "region"]


def test_a_column_name_with_sql_in_it_is_not_a_column(saved, con):
    path = saved.path("магазин-2024", "orders")
    with pytest.raises(ColumnNotFoundError, match="not found"):
        query(con, path, "orders", Filters(segments=(('channel" OR 1=1 --', ("web",)),)))


def test_subscriptions_overlapping_the_range_are_kept(saved, con):
    path = saved.path("магазин-2024", "subscriptions")
    # February: a ended 2024-01-31 (out); b started 02-01 (in); c ends 02-15 (in); d starts in April (out)
    feb = query(con, path, "subscriptions", Filters(date_from=date(2024, 2, 1), date_to=date(2024, 2, 29)))
    assert customers(feb) == ["b", "c"]
    jan31 = query(con, path, "subscriptions", Filters(date_from=date(2024, 1, 31), date_to=date(2024, 1, 31)))
    assert customers(jan31) == ["a", "c"]
    active_from_may = query(con, path, "subscriptions", Filters(date_from=date(2024, 5, 2)))
    assert customers(active_from_may) == ["b"]  # still active (no end date)


def test_events_and_survey_date_filters(tmp_path, con, write_file):
    ws = Workspace(tmp_path / "ws")
    events = load_file(write_file("e.csv", "user_id,event,timestamp,device\na,visit,2024-01-01 10:00,ios\na,buy,2024-01-02 10:00,web\n"))
    survey = load_file(write_file("s.csv", "customer_id,score,date\na,9,2024-01-01\nb,3,2024-02-01\n"))
    info = ws.save("x", {"events": events, "survey": survey})
    ev = query(con, ws.path(info.slug, "events"), "events", Filters(date_to=date(2024, 1, 1)))
    assert ev.select("user_id", "event", "seq").rows() == [("a", "visit", 0)]
    sv = query(con, ws.path(info.slug, "survey"), "survey", Filters(date_from=date(2024, 1, 15)))
    assert sv.select("customer_id", "score").rows() == [("b", 3)]
    assert segment_columns(con, ws.path(info.slug, "events"), "events") == ["device"]


def test_segment_helpers(saved, con):
    path = saved.path("магазин-2024", "orders")
    assert segment_columns(con, path, "orders") == ["channel", "region"]
    assert segment_values(con, path, "channel") == ["app", "shop", "web"]
    assert date_bounds(con, path, "orders") == (date(2024, 1, 1), date(2024, 3, 5))
    assert date_bounds(con, saved.path("магазин-2024", "subscriptions"), "subscriptions") == (date(2023, 6, 1), date(2024, 4, 1))


def test_query_errors(saved, con):
    with pytest.raises(InputError, match="магазин-2024: the dataset has no events table"):
        query(con, saved.path("магазин-2024", "events"), "events")
    with pytest.raises(ParameterError, match="kind='sales' is not allowed"):
        query(con, saved.path("магазин-2024", "orders"), "sales")
    with pytest.raises(ParameterError, match="date_from='2024-03-01' is not allowed; expected a date on or before 2024-02-01"):
        Filters(date_from=date(2024, 3, 1), date_to=date(2024, 2, 1))


def test_date_times_are_exact_instants_and_dates_whole_days(saved, con):
    """SPEC §8 --from/--to: a date-time bound is that instant (inclusive); a date-only --to is its whole day."""
    path = saved.path(saved.datasets()[0].slug, "orders")
    to_noon = query(con, path, "orders", Filters(date_to=datetime(2024, 1, 15, 12, 0)))
    assert sorted(to_noon["customer_id"]) == ["a", "b"]  # b at 12:00 is in (inclusive)
    before_noon = query(con, path, "orders", Filters(date_to=datetime(2024, 1, 15, 11, 59)))
    assert sorted(before_noon["customer_id"]) == ["a"]
    from_late = query(con, path, "orders", Filters(date_from=datetime(2024, 1, 31, 23, 59), date_to=date(2024, 2, 1)))
    assert sorted(from_late["customer_id"]) == ["a", "c"]  # c at 23:59 and a at 00:00 on Feb 1 (whole day)
    with pytest.raises(ParameterError):
        Filters(date_from=datetime(2024, 1, 2, 0, 1), date_to=datetime(2024, 1, 2, 0, 0))
    assert Filters(date_from=datetime(2024, 1, 2, 10, 0), date_to=date(2024, 1, 2)).date_to == date(2024, 1, 2)
