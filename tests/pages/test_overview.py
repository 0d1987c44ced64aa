"""Overview as a user sees it: tiles on the sample data, the sidebar filters, the language."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from streamlit.testing.v1 import AppTest

from retention_core.ingest import load_file
from retention_core.workspace import Workspace
from tests.pages.conftest import metric
from tests.pages.test_cohorts import _chart

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "orders.csv"


def _expected(frame: pl.DataFrame) -> tuple[int, int]:
    """Customers with an order and orders (refunds are not orders), computed straight from the file."""
    ok = frame.filter(pl.col("amount") >= 0)
    return ok["customer_id"].n_unique(), ok.height


def test_app_starts_on_sample_data(app):
    at = app.run()
    assert not at.exception
    raw = pl.read_csv(SAMPLE, schema_overrides={"order_id": pl.String})
    customers, orders = _expected(raw)
    assert metric(at, "Customers") == f"{customers:,}"
    assert metric(at, "Orders") == f"{orders:,}"


def test_segment_filter_changes_overview(app):
    at = app.run()
    before = metric(at, "Customers")
    at.multiselect(key="seg_channel").set_value(["email"]).run()
    raw = pl.read_csv(SAMPLE, schema_overrides={"order_id": pl.String}).filter(pl.col("channel") == "email")
    customers, orders = _expected(raw)
    assert metric(at, "Customers") == f"{customers:,}" != before
    assert metric(at, "Orders") == f"{orders:,}"
    assert at.query_params.get("seg_channel") in ("email", ["email"])  # the filter is in the link


def test_link_restores_language_grain_and_filters(app):
    app.query_params.update({"lang": "ru", "grain": "quarter", "seg_region": "North"})
    at = app.run()
    assert not at.exception
    assert at.selectbox(key="grain").value == "quarter"
    assert at.multiselect(key="seg_region").value == ["North"]
    raw = pl.read_csv(SAMPLE, schema_overrides={"order_id": pl.String}).filter(pl.col("region") == "North")
    customers, _ = _expected(raw)
    assert metric(at, "Клиенты") == f"{customers:,}".replace(",", "\u202f")


def test_date_range_filters_orders(app):
    app.query_params.update({"from": "2024-01-01", "to": "2024-12-31"})
    at = app.run()
    raw = pl.read_csv(SAMPLE, schema_overrides={"order_id": pl.String}, try_parse_dates=True)
    raw = raw.filter(pl.col("order_date").dt.year() == 2024)
    _, orders = _expected(raw)
    assert metric(at, "Orders") == f"{orders:,}"


# --- Retention section (SPEC §4.1, §7): tiles, incomplete period, grain, window, downloads -----------------

NOV, DEC, OCT = date(2025, 11, 1), date(2025, 12, 1), date(2025, 10, 1)


def _orders_by_month() -> pl.DataFrame:
    """Orders (refund rows are not orders) with their calendar month, straight from the sample file."""
    raw = pl.read_csv(SAMPLE, schema_overrides={"order_id": pl.String}, try_parse_dates=True)
    return raw.filter(pl.col("amount") >= 0).with_columns(pl.col("order_date").dt.truncate("1mo").cast(pl.Date).alias("month"))


def _cycle_window() -> tuple[int, int]:
    """The purchase cycle (80th percentile of repeat gaps by nearest rank) and W in months, computed
    independently of retention_core: sorted distinct purchase days per customer, Python arithmetic."""
    orders = _orders_by_month().with_columns(pl.col("order_date").dt.date().alias("day"))
    days = orders.select("customer_id", "day").unique().sort("customer_id", "day")
    gaps = sorted(days.with_columns((pl.col("day") - pl.col("day").shift(1).over("customer_id")).dt.total_days()
                                    .alias("gap"))["gap"].drop_nulls().to_list())
    cycle = gaps[math.ceil(0.8 * len(gaps)) - 1]
    return cycle, math.ceil(cycle / (365.25 / 12))


def _shift(month: date, k: int) -> date:
    n = month.year * 12 + month.month - 1 - k
    return date(n // 12, n % 12 + 1, 1)


def _crr(month: date, previous: date, window: int | None = None) -> float:
    """CRR = (E − N) / S computed independently of retention_core: sets of customers per month; active(m) =
    an order in the W months ending at m (W = the purchase-cycle rule unless given)."""
    window = window or _cycle_window()[1]
    orders = _orders_by_month()

    def active(m: date) -> set:
        return set(orders.filter(pl.col("month").is_in([_shift(m, k) for k in range(window)]))["customer_id"])

    first = orders.group_by("customer_id").agg(pl.col("month").min())
    new = first.filter(pl.col("month") == month).height
    return (len(active(month)) - new) / len(active(previous))


def _parts(month: date, previous: date) -> tuple[float, float]:
    """(kept, came back) shares of S, independently: retained = S ∩ E, came back = E − S − N."""
    w = _cycle_window()[1]
    orders = _orders_by_month()
    act = {m: set(orders.filter(pl.col("month").is_in([_shift(m, k) for k in range(w)]))["customer_id"])
           for m in (month, previous)}
    first = orders.group_by("customer_id").agg(pl.col("month").min())
    new = set(first.filter(pl.col("month") == month)["customer_id"])
    s, e = act[previous], act[month]
    return len(s & e) / len(s), len(e - s - new) / len(s)


def _caption(at, start: str) -> str:
    return next(c.value for c in at.caption if c.value.startswith(start))


def test_crr_tile_is_the_last_complete_month(app):
    """December 2025 is incomplete (data ends on the 15th): tiles describe November vs October."""
    at = app.run()
    assert not at.exception
    assert metric(at, "CRR") == f"{_crr(NOV, OCT):.1%}"
    orders = _orders_by_month()
    new = orders.group_by("customer_id").agg(pl.col("month").min()).filter(pl.col("month") == NOV).height
    assert metric(at, "New customers") == f"{new:,}"
    assert "2025-11-01" in _caption(at, "Tiles describe")
    assert any("2025-12-01" in i.value and "incomplete" in i.value for i in at.info)
    crr = next(m for m in at.metric if m.label == "CRR")
    assert "(E − N) / S" in crr.help  # the formula on hover
    assert crr.delta == f"+{(_crr(NOV, OCT) - _crr(OCT, date(2025, 9, 1))) * 100:.1f} pp"


def test_incomplete_toggle_moves_tiles_to_the_partial_month(app):
    at = app.run()
    at.toggle(key="incl").set_value(True).run()
    assert not at.exception
    assert metric(at, "CRR") == f"{_crr(DEC, NOV):.1%}"
    assert "2025-12-01" in _caption(at, "Tiles describe")
    assert any("included" in c.value for c in at.caption if c.value.startswith("Periods:"))
    assert at.query_params.get("incl") in ("1", ["1"])  # the choice is in the link


def test_grain_switch_changes_the_table(app):
    at = app.run()
    table = at.dataframe[0].value
    assert len(table) == 36 and list(table.columns[:2]) == ["Period", "Customers at start (S)"]
    at.selectbox(key="grain").set_value("quarter").run()
    table = at.dataframe[0].value
    assert len(table) == 12  # 2023-Q1 … 2025-Q4
    assert str(table["Period"].iloc[-1])[:10] == "2025-10-01"
    assert bool(table["Incomplete period"].iloc[-1]) and not table["Incomplete period"].iloc[:-1].any()


def test_activity_window_is_the_purchase_cycle_and_crr_shows_its_parts(app):
    at = app.run()
    cycle, w = _cycle_window()
    assert (cycle, w) == (85, 3)  # the sample shop: 80 % of repeat purchases within 85 days ⇒ 3 months
    rule = "active = bought in the last 3 months; 80 % of repeat purchases come within 85 days"
    periods = [c.value for c in at.caption if c.value.startswith("Periods:")]
    assert len(periods) == 3 and all(rule in c for c in periods)  # trend, flow and the table
    assert at.number_input(key="w").value is None  # no value = the rule, not in the link
    assert "w" not in at.query_params
    kept, back = _parts(NOV, OCT)
    crr = _crr(NOV, OCT)
    assert abs(crr - kept - back) < 1e-12
    assert metric(at, "Retention rate") == f"{kept:.1%}" and metric(at, "Came back (share of S)") == f"{back:.1%}"
    assert _caption(at, "CRR ") == f"CRR {crr:.1%} = {kept:.1%} kept + {back:.1%} came back · {rule}"
    table = at.dataframe[0].value
    assert {"Came back (share of S)", "Lapsed customers", "Reactivation rate"} <= set(table.columns)


def test_activity_window_override_is_kept_in_the_link_only_when_set(app):
    at = app.run()
    at.number_input(key="w").set_value(1).run()
    assert not at.exception
    assert metric(at, "CRR") == f"{_crr(NOV, OCT, window=1):.1%}"
    assert "active = bought in that month; set by hand; the shop's purchase cycle is 85 days" in _caption(at, "Periods:")
    assert at.query_params.get("w") in ("1", ["1"])
    at.number_input(key="w").set_value(None).run()  # emptied: back to the rule
    assert metric(at, "CRR") == f"{_crr(NOV, OCT):.1%}" and "w" not in at.query_params


def test_activity_window_from_a_link_and_a_bad_one(app):
    app.query_params.update({"w": "1"})
    at = app.run()
    assert metric(at, "CRR") == f"{_crr(NOV, OCT, window=1):.1%}"
    at2 = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at2.query_params.update({"w": "99"})
    at2.run()
    assert not at2.exception and at2.number_input(key="w").value is None  # out of range: the rule
    assert metric(at2, "CRR") == f"{_crr(NOV, OCT):.1%}"


def test_date_range_limits_periods_and_tiles(app):
    app.query_params.update({"from": "2024-01-01", "to": "2024-12-31"})
    at = app.run()
    assert len(at.dataframe[0].value) == 12
    assert "2024-12-01" in _caption(at, "Tiles describe")  # a range that ends before the data: no incomplete period
    assert metric(at, "CRR") == f"{_crr(date(2024, 12, 1), date(2024, 11, 1)):.1%}"


def test_download_lists_every_period_and_marks_the_incomplete_one(app, downloads):
    app.run()
    rows = pl.read_csv(downloads["period_metrics_month.csv"])  # for people: labels, yes/no, ratios in %
    assert rows.height == 36
    assert rows["Incomplete period"].to_list() == ["no"] * 35 + ["yes"]
    assert rows["New customers"].sum() == 20_000  # every customer is new exactly once
    data = pl.read_csv(downloads["period_metrics_month.data.csv"])  # for scripts: SPEC keys, fractions
    assert data["incomplete"].to_list() == [False] * 35 + [True]
    assert rows["CRR, %"].to_list() == (data["crr"] * 100).round(1).to_list()


def test_russian_labels_numbers_and_formulas(app):
    app.query_params.update({"lang": "ru"})
    at = app.run()
    assert not at.exception
    assert metric(at, "CRR") == f"{_crr(NOV, OCT) * 100:.1f}\u00a0%".replace(".", ",")
    churn = next(m for m in at.metric if m.label == "Отток")
    assert "ушедшие / S" in churn.help
    assert churn.delta.endswith("п.п.")
    assert at.subheader[0].value == "Удержание по периодам"
    assert "Периоды: месяцы" in _caption(at, "Периоды:")
    rule = "активен = покупал за последние 3 месяца; 80 % повторных покупок совершаются в пределах 85 дн."
    assert rule in _caption(at, "Периоды:")
    kept, back = _parts(NOV, OCT)
    ru = lambda x: f"{x * 100:.1f}\u00a0%".replace(".", ",")  # noqa: E731
    assert _caption(at, "CRR ") == f"CRR {ru(_crr(NOV, OCT))} = {ru(kept)} удержано + {ru(back)} вернулись · {rule}"


def test_seasonality_and_nps_are_shown_for_the_sample(app):
    at = app.run()
    titles = [_chart(at, key)["layout"]["title"]["text"] for key in ("overview_seasonality", "overview_nps")]
    assert titles == ["Seasonality: revenue by calendar month", "NPS by period"]  # inside the figures (and PNGs)
    assert not {"Seasonality: revenue by calendar month", "NPS by period"} & {s.value for s in at.subheader}
    assert "over 2 complete year(s)" in _caption(at, "Coefficient")


def test_seasonality_explains_when_the_range_is_shorter_than_a_year(app):
    app.query_params.update({"from": "2025-06-01"})
    at = app.run()
    assert not at.exception
    assert any("at least 12 complete months" in i.value for i in at.info)


def test_subscriptions_only_dataset_shows_subscription_tiles(app, workspace):
    with duckdb.connect() as con:
        subs = load_file(SAMPLE.parent / "subscriptions.csv", kind="subscriptions", con=con)
    Workspace(workspace).save("Subs", {"subscriptions": subs}, slug="subs")
    app.query_params.update({"ds": "subs"})
    at = app.run()
    assert not at.exception
    assert "MRR churn" in [m.label for m in at.metric]
    assert any("subscriptions" in c.value for c in at.caption)
    assert metric(at, "CRR").endswith("%")


def test_html_report_download(app, downloads):
    at = app.run()
    at.button(key="report_prepare").click().run()
    assert not at.exception
    page = downloads["retention_report.html"].decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<h1>Retention report</h1>" in page
    assert f"{_crr(NOV, OCT) * 100:.1f}%" in page  # the report's CRR tile is the Overview's


def test_too_few_repeats_say_why_the_window_is_one_period(app, workspace, tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("customer_id,order_date,amount\n" + "".join(
        f"c{i},2024-0{1 + i % 3}-1{i % 9},10\n" for i in range(12)) + "c0,2024-05-02,5\nc1,2024-06-03,5\n",
        encoding="utf-8")
    with duckdb.connect() as con:
        Workspace(workspace).save("Few", {"orders": load_file(path, kind="orders", con=con)}, slug="few")
    app.query_params.update({"ds": "few"})
    at = app.run()
    assert not at.exception
    note = ("active = bought in that month; only 2 repeat purchases, fewer than 30: too few to measure the "
            "purchase cycle, so one period")
    assert sum(note in c.value for c in at.caption) >= 3
    ru = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    ru.query_params.update({"ds": "few", "lang": "ru"})
    ru.run()
    assert any("активен = покупал в этом месяце; повторных покупок всего 2, меньше 30: цикл покупки не измерить"
               in c.value for c in ru.caption)


def test_filters_never_change_the_rule(app):
    """Measured on the filtered rows, North would give 88 days and October 2025 on 26 days (1 month);
    the rule is measured before the filters, so every view of the dataset keeps 85 days / 3 months."""
    app.query_params.update({"seg_region": "North", "from": "2025-10-01"})
    at = app.run()
    assert not at.exception
    rule = "active = bought in the last 3 months; 80 % of repeat purchases come within 85 days"
    assert sum(rule in c.value for c in at.caption if c.value.startswith("Periods:")) == 3


def test_caption_names_the_engine_saved_then_computed_for_a_filter(app):
    """Opening a saved dataset reads its stored customer × period table; a segment filter makes the
    engine compute one from the filtered orders, and the caption says which."""
    at = app.run()
    captions = " ".join(c.value for c in at.caption)
    assert "computed by DuckDB when the dataset was saved" in captions
    at.multiselect(key="seg_channel").set_value(["email"]).run()
    captions = " ".join(c.value for c in at.caption)
    assert "computed by DuckDB (embedded) from the orders" in captions


def test_an_undefined_crr_shows_as_a_dash_in_the_period_table(app):
    """The first month has nobody at its start, so its CRR is undefined: the table must say "—", the same
    in both languages, not Streamlit's English "None"."""
    at = app.run()
    table = next(d for d in at.dataframe if "CRR" in d.value.columns)
    assert table.value["CRR"].isna().iloc[0]  # the sample's first month: S = 0
    assert table.proto.placeholder == "—"


def test_the_camera_button_saves_svg_when_the_reader_chose_it(app):
    """PNG by default; ``?img=svg`` (the sidebar's choice, kept in the link) makes every chart save a vector SVG,
    named after the chart, the dataset and the day."""
    import json

    def options(at):
        chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("-overview_trend"))
        return json.loads(chart.proto.config)["toImageButtonOptions"]

    assert options(app.run())["format"] == "png"
    link = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    link.query_params["img"] = "svg"
    svg = options(link.run())
    assert svg["format"] == "svg" and svg["filename"].startswith("overview_trend_sample-shop_")
