"""Journeys as a user sees it: the funnel builder on the sample event log, links, the orders-only journey.

Expected numbers come straight from the core on the bundled CSV files, so a page that shows anything
but the core's counts for the chosen funnel fails.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import pytest

from retention_core.ingest import connect, load_file
from retention_core.journeys.catalogue import suggested_steps
from retention_core.journeys.funnels import FunnelSpec, FunnelStep, dropped_users, funnel
from retention_core.journeys.purchase_sequence import purchase_sequence
from tests.pages.conftest import metric

ROOT = Path(__file__).resolve().parents[2]
TYPICAL = ["visit", "product_view", "add_to_cart", "checkout", "purchase"]


@cache
def sample_events() -> pl.DataFrame:
    return load_file(ROOT / "data" / "sample" / "events.csv", kind="events", con=connect()).frame


def expected_users(spec: FunnelSpec) -> list[int]:
    return funnel(sample_events(), spec).steps["users"].to_list()


def journeys(app, **params):
    """The app opened with ``params`` in the link, then switched to the Journeys page."""
    app.query_params.update(params)
    at = app.run()
    at.switch_page("pages/journeys.py").run()
    assert not at.exception, at.exception
    return at


def shown_users(at) -> list[int]:
    """The Users column of the steps table, as numbers."""
    return [int(v.replace(",", "").replace("\u202f", "")) for v in at.dataframe[0].value.iloc[:, 1]]


def test_default_funnel_is_the_typical_path_with_the_core_counts(app):
    at = journeys(app)
    assert at.multiselect(key="steps").value == TYPICAL == list(suggested_steps(sample_events()))
    expected = expected_users(FunnelSpec(tuple(TYPICAL), window="7d"))
    assert shown_users(at) == expected
    assert expected == sorted(expected, reverse=True) and expected[-1] < expected[0]  # monotone, not flat
    assert metric(at, "Entered") == f"{expected[0]:,}"
    assert metric(at, "Converted") == f"{expected[-1]:,}"
    assert metric(at, "Overall conversion") == f"{100 * expected[-1] / expected[0]:.1f}%"
    assert any("Window 7 d" in c.value and "first step" in c.value for c in at.caption)


def test_mode_window_and_steps_change_the_counts(app):
    at = journeys(app)
    ordered = shown_users(at)

    at.segmented_control(key="order").set_value("strict").run()
    strict = expected_users(FunnelSpec(tuple(TYPICAL), window="7d", order="strict"))
    assert shown_users(at) == strict != ordered

    at.number_input(key="window").set_value(2).run()
    at.selectbox(key="window_unit").set_value("minutes").run()
    short = expected_users(FunnelSpec(tuple(TYPICAL), window="2m", order="strict"))
    assert shown_users(at) == short != strict

    at.multiselect(key="steps").set_value(["visit", "purchase"]).run()
    assert shown_users(at) == expected_users(FunnelSpec(("visit", "purchase"), window="2m", order="strict"))
    assert at.query_params["steps"] == ["visit", "purchase"] and at.query_params["order"] == "strict"


def test_link_restores_steps_window_and_order(app):
    at = journeys(app, steps=["product_view", "checkout", "purchase"], window="3", window_unit="hours", order="any")
    assert at.multiselect(key="steps").value == ["product_view", "checkout", "purchase"]
    spec = FunnelSpec(("product_view", "checkout", "purchase"), window="3h", order="any")
    assert shown_users(at) == expected_users(spec)
    # with any order, row j is "did at least j of the steps", not a named step
    assert at.dataframe[0].value.iloc[:, 0].tolist() == ["1 of 3 steps", "2 of 3 steps", "3 of 3 steps"]


def test_advanced_options_from_a_link(app):
    # Only visits from ads, cart optional, purchase excluded by a support chat in between.
    at = journeys(app, steps=["visit", "add_to_cart", "checkout"], where_visit="source=ads", optional="add_to_cart",
                  exclude="support_chat", drop_step="3")
    spec = FunnelSpec((FunnelStep("visit", where={"source": "ads"}), FunnelStep("add_to_cart", optional=True),
                       "checkout"), window="7d", exclusions=("support_chat",))
    result = funnel(sample_events(), spec)
    assert shown_users(at) == result.steps["users"].to_list()
    dropped = dropped_users(result, 3).height
    assert any(c.value.startswith(f"{dropped:,} users reached the previous step") for c in at.caption)


def test_sidebar_dates_select_attempts_by_their_first_step(app):
    at = journeys(app, **{"from": "2025-09-01", "to": "2025-09-30"})
    spec = FunnelSpec(tuple(TYPICAL), window="7d", date_from="2025-09-01", date_to="2025-09-30")
    assert shown_users(at) == expected_users(spec)
    assert any("from 2025-09-01 to 2025-09-30" in c.value for c in at.caption)


def test_breakdown_by_a_property(app):
    at = journeys(app, breakdown="device")
    table = at.dataframe[1].value  # the breakdown table (in its expander)
    result = funnel(sample_events(), FunnelSpec(tuple(TYPICAL), window="7d"), breakdown="device")
    mobile = result.users.filter(pl.col("device") == "mobile").height
    assert table.iloc[0, 0] == "mobile" and table.iloc[0, 2] == f"{mobile:,}"


def test_orders_only_dataset_shows_the_purchase_sequence(app):
    at = journeys(app, ds="uci-online-retail")
    assert not at.error
    assert any("no journey events" in i.value for i in at.info)
    assert at.get("tab") == [] and "steps" not in [m.key for m in at.multiselect]  # no funnel builder
    orders = load_file(ROOT / "data" / "uci" / "online_retail_orders.csv", kind="orders", con=connect()).frame
    seq = purchase_sequence(orders)
    assert metric(at, "Customers") == f"{seq['customers'][0]:,}"
    assert metric(at, "Second order") == f"{100 * seq['conversion_from_start'][1]:.1f}%"
    assert at.dataframe[0].value.iloc[:, 0].tolist() == ["1st", "2nd", "3rd", "4th+"]


@pytest.mark.parametrize("by", ["cohort_quarter", "channel"])
def test_purchase_sequence_by_cohort_or_segment(app, by):
    at = journeys(app, seq_by=by, jtab="sequence")
    assert not at.error
    table = at.dataframe[-1].value
    assert table.columns[0] == "Value" and len(table) % 4 == 0 and len(table) > 4


def test_russian_labels(app):
    # Switch the language in the sidebar (AppTest formats widget values with the test thread's
    # language, English, so a second run after a Russian one would not find the Russian labels).
    at = journeys(app)
    at.selectbox(key="lang").set_value("ru").run()
    assert not at.exception and at.query_params["lang"] == "ru"  # the link keeps the language
    assert [t.label for t in at.tabs] == ["Воронка", "Удержание", "Пути", "Последовательность покупок"]
    expected = expected_users(FunnelSpec(tuple(TYPICAL), window="7d"))
    assert metric(at, "Вошли") == f"{expected[0]:,}".replace(",", "\u202f")
    assert at.multiselect(key="steps").label == "Шаги воронки"
    assert list(at.dataframe[0].value.columns) == ["Шаг", "Пользователи", "От 1-го", "От пред.", "Медиана", "Среднее"]
    assert metric(at, "Среднее время")  # the average beside the median, in Russian
    assert "er_start" not in [s.key for s in at.selectbox]  # a closed tab does not compute


def test_mangled_link_values_fall_back_to_defaults(app):
    at = journeys(app, window="abc", order="sideways", steps=["no_such_event", "visit", "purchase"])
    assert at.number_input(key="window").value == 7 and at.segmented_control(key="order").value == "ordered"
    assert at.multiselect(key="steps").value == ["visit", "purchase"]  # unknown events are dropped
    assert shown_users(at) == expected_users(FunnelSpec(("visit", "purchase"), window="7d"))


def test_catalogues_have_the_same_keys_in_both_languages():
    from ui.strings import journeys as texts

    assert set(texts.EN) == set(texts.RU) and all(texts.EN.values()) and all(texts.RU.values())


def test_funnel_options_from_a_link_match_the_core(app):
    # refund-like exclusion on steps 2-3 with PostHog's rule, only mobile events, a checkout condition,
    # last-touch breakdown by source limited to 2 values, conversion of all users
    at = journeys(app, steps=["visit", "add_to_cart", "checkout"], exclude="support_chat", xspan_support_chat="2-3",
                  xrule="posthog", fwhere="device=mobile", cond_checkout="source!=email", breakdown="source",
                  attr="last_touch", blimit="2", allu="1")
    assert not at.error
    spec = FunnelSpec(("visit", "add_to_cart", FunnelStep("checkout", where=["source!=email"])), window="7d",
                      exclusions=("support_chat:2-3",), exclusion_rule="posthog", where=("device=mobile",))
    result = funnel(sample_events(), spec, breakdown="source", attribution="last_touch", all_users=True)
    assert shown_users(at) == result.steps["users"].to_list()
    everyone = sample_events()["user_id"].n_unique()
    shown_all = at.dataframe[0].value.iloc[:, -1].tolist()
    assert shown_all[0] == f"{100 * result.steps['users'][0] / everyone:.1f}%"
    groups = at.dataframe[1].value.iloc[:, 0].unique().tolist()
    assert len(groups) == 3 and groups[-1] == "other values"
    assert any("last touch" in c.value for c in at.caption)
    assert at.dataframe[0].value.iloc[2, 0] == "3. checkout [source!=email]"  # a step's filter is in its label
    assert at.query_params["xrule"] == "posthog" and at.query_params["xspan_support_chat"] == "2-3"


def test_average_time_to_convert_tile_and_column(app):
    at = journeys(app)
    s = funnel(sample_events(), FunnelSpec(tuple(TYPICAL), window="7d"))
    assert metric(at, "Average time") != "—"
    assert at.dataframe[0].value.columns[-1] == "Average time"
    assert s.steps["average_seconds_from_previous"][1] is not None


def test_a_filter_that_does_not_parse_shows_one_message(app):
    at = journeys(app, fwhere="amount>lots")
    assert not at.exception
    assert any("amount" in e.value for e in at.error)


def test_event_retention_tab_matches_the_core(app):
    at = journeys(app, jtab="retention", er_start="visit", er_return="*", er_period="day", er_cum="1", er_min="2",
                  er_tz="Europe/Moscow", er_by="device", er_val="mobile")
    assert not at.error
    from retention_core.retention.cohorts import event_retention

    m = event_retention(sample_events(), start_event="visit", return_event="*", grain="day", cumulative=True,
                        min_occurrences=2, time_zone="Europe/Moscow", breakdown="device")
    mobile = m.filter(pl.col("breakdown") == "mobile")
    table = next(d.value for d in at.dataframe if "Cohort size" in d.value.columns)
    latest = mobile.filter(pl.col("cohort") >= mobile["cohort"].unique().sort()[-60])
    assert len(table) == latest.height
    assert table.iloc[:, 3].tolist() == [f"{v:,}" for v in latest["value"]]
    assert at.selectbox(key="er_tz").value == "Europe/Moscow" and at.toggle(key="er_cum").value is True


def test_only_the_open_tab_computes_and_the_link_names_it(app):
    at = journeys(app, jtab="retention")
    assert "steps" not in [m.key for m in at.multiselect] and at.selectbox(key="er_start").value
    assert at.query_params["jtab"] == "retention"


def test_an_unknown_tab_in_a_link_opens_the_funnel(app):
    at = journeys(app, jtab="nonsense")
    assert at.multiselect(key="steps").value == TYPICAL


def test_retention_tab_in_russian(app):
    at = journeys(app, jtab="retention", er_cum="1")
    at.selectbox(key="lang").set_value("ru").run()
    assert not at.exception
    assert at.selectbox(key="er_start").label == "Когорта по событию"
    assert at.toggle(key="er_cum").label == "В этот период или позже"
    table = next(d.value for d in at.dataframe if "Размер когорты" in d.value.columns)
    assert list(table.columns) == ["Когорта", "Размер когорты", "Период", "Вернулись", "Доля", "Полный"]
    assert any("в этом периоде или позже" in c.value for c in at.caption)


def test_time_to_convert_between_chosen_steps_uses_the_core_bins(app):
    at = journeys(app, ttc="2-3", bins="4")
    from retention_core.journeys.funnels import time_to_convert

    _, stats = time_to_convert(funnel(sample_events(), FunnelSpec(tuple(TYPICAL), window="7d")), from_step=2, to_step=3, bins=4)
    assert at.selectbox(key="ttc").value == "2-3"
    assert any(c.value.startswith(f"4 bins over {stats['users']:,} converted users") for c in at.caption)


def test_event_retention_of_a_saved_dataset_reads_its_stored_counts(app, monkeypatch):
    """Weekly and monthly event retention in UTC without a breakdown or filter come from the user × period ×
    event counts stored with the saved version (SPEC §9): the events are not grouped again (the from-events
    function and the engine's query both fail if called) and the numbers equal the from-events computation."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from retention_core import engine
    from retention_core.retention import cohorts

    expected = {grain: cohorts.event_retention(sample_events(), start_event="visit", return_event="purchase",
                                               grain=grain, min_occurrences=2)
                for grain in ("week", "month")}
    st.cache_resource.clear()  # nothing computed earlier in this process may answer for the stored counts

    real, calls = cohorts.event_retention, []

    def from_events(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    def heavy(*args, **kwargs):
        raise AssertionError("the engine grouped the events again")

    monkeypatch.setattr(cohorts, "event_retention", from_events)
    monkeypatch.setattr(engine, "_run", heavy)
    for grain in ("week", "month"):  # a fresh session each (a link's values are read when a session starts)
        fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at = journeys(fresh, jtab="retention", er_start="visit", er_return="purchase", er_period=grain, er_min="2")
        assert not at.error
        table = next(d.value for d in at.dataframe if "Cohort size" in d.value.columns)
        m = expected[grain]
        latest = m.filter(pl.col("cohort").is_in(m["cohort"].unique().sort().tail(60).implode()))  # the latest 60
        assert len(table) == latest.height > 0
        assert table.iloc[:, 1].tolist() == [f"{v:,}" for v in latest["size"]]
        assert table.iloc[:, 3].tolist() == [f"{v:,}" for v in latest["value"]]
    assert calls == []
    # a time zone other than UTC needs each event's own time: computed from the events
    at = journeys(app, jtab="retention", er_start="visit", er_return="purchase", er_period="week", er_tz="Europe/Moscow")
    assert at.selectbox(key="er_tz").value == "Europe/Moscow" and not at.error
    assert len(calls) == 1 and calls[0]["time_zone"] == "Europe/Moscow"
