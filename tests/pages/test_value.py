"""Customer value page as a user works it: the three LTVs, the holdout check, the lists to download, the
fallback on thin data, a link that reopens the view, and the Russian UI."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from retention_core.ingest import Filters, connect, load_file, query
from retention_core.value.overview import value_overview
from retention_core.value.segments import CRM_COLUMNS, at_risk_customers, lapsed_high_value
from retention_core.workspace import Workspace
from tests.pages.conftest import metric


def _value_page(app: AppTest) -> AppTest:
    """Open /value directly, as a link does."""
    app.switch_page("pages/value.py").run()
    assert not app.exception, app.exception
    return app


def _orders(workspace: Path, slug: str = "sample-shop", filters: Filters | None = None) -> pl.DataFrame:
    """The orders exactly as the app reads them: the saved dataset through the same DuckDB query."""
    return query(connect(), Workspace(workspace).path(slug, "orders"), "orders", filters or Filters())


def _csv(downloads: dict[str, bytes], name: str) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(downloads[name]), schema_overrides={"customer_id": pl.String}, try_parse_dates=True)


def _chart(at: AppTest, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


# The sample's activity rule (SPEC §4.1): purchase cycle 85 days ⇒ W = 3 months; at risk after 85 days
# without an order (tests/pages/test_overview.py derives both independently from the file).
W, CYCLE = 3, 85


def test_three_ltvs_and_the_holdout_show_the_core_numbers(app, workspace):
    at = _value_page(app)
    ov = value_overview(_orders(workspace), window=W)  # formula lifetime = 1 / churn under the rule
    assert metric(at, "Historical LTV") == f"{ov.historical_ltv:,.2f}"
    assert metric(at, "Formula LTV") == f"{ov.formula.ltv:,.2f}"
    assert metric(at, "Predictive CLV, 12 months") == f"{ov.predictive_ltv:,.2f}"
    holdout = ov.check.holdout
    assert metric(at, "Actual repeat purchases") == f"{holdout.actual_repeat_purchases:,}" == "9,582"
    assert metric(at, "Predicted repeat purchases") == f"{holdout.predicted_repeat_purchases:,.0f}"
    assert metric(at, "Prediction error") == f"{ov.holdout_difference * 100:+.1f}%"
    bars = _chart(at, "value_holdout")["data"]
    assert [b["name"] for b in bars] == ["Actual repeat purchases", "Predicted repeat purchases"]
    assert bars[0]["y"] == pytest.approx(holdout.by_frequency["actual_mean"].to_list())
    assert any("fitted on the orders of" in c.value and "(automatic" in c.value for c in at.caption)
    # The formula tile explains its inputs; every chart of the page is drawn.
    assert any(c.value.startswith(f"AOV {ov.formula.aov:,.2f} × ") for c in at.caption)
    assert any(c.value.endswith("Churn under the activity rule: active = bought in the last 3 months; 80 % of "
                                "repeat purchases come within 85 days.") for c in at.caption)
    for key in ("value_holdout", "value_clv", "value_p_alive", "value_pareto", "value_rfm", "value_reactivated"):
        assert _chart(at, key)["data"], key


def test_settings_change_the_numbers_and_stay_in_the_link(app, workspace):
    app.query_params.update({"cal": "2025-03-01", "h": "6", "margin": "40", "disc": "5"})
    at = _value_page(app)
    assert at.date_input(key="cal").value == date(2025, 3, 1)
    ov = value_overview(_orders(workspace), calibration_end=date(2025, 3, 1), horizon=6, margin=0.4,
                        annual_discount_rate=0.05)
    assert metric(at, "Historical LTV") == f"{ov.historical_ltv:,.2f}"
    assert metric(at, "Predictive CLV, 6 months") == f"{ov.predictive_ltv:,.2f}"
    assert metric(at, "Actual repeat purchases") == f"{ov.check.holdout.actual_repeat_purchases:,}"
    at.segmented_control(key="tu").set_value("day").run()
    assert not at.exception
    assert _chart(at, "value_p_alive")["layout"]["xaxis"]["title"]["text"] == "Days since the last purchase"
    assert at.query_params.get("tu") in ("day", ["day"]) and at.query_params.get("h") in ("6", ["6"])


def test_interactions_reuse_the_fit_and_the_customer_table(app, workspace, downloads, monkeypatch):
    """Changing the horizon, discount, margin, the list thresholds or a chart's measure fits nothing again and
    groups the orders per customer no more (issue 15: the page reuses the fitted model and the per-customer
    table), and the numbers are those of the core computed from scratch."""
    import streamlit as st

    from retention_core.value import overview, segments

    st.cache_resource.clear()  # results are shared by the whole process: start from nothing cached
    calls = {"fit": 0, "customer_table": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(overview, "fit_clv", counting("fit", overview.fit_clv))
    monkeypatch.setattr(segments, "customer_table", counting("customer_table", segments.customer_table))
    at = _value_page(app)
    assert calls == {"fit": 2, "customer_table": 1}  # the model on all orders and the holdout check; one table
    at.number_input(key="h").set_value(13).run()  # the purchase curve is then kept for 24 months
    at.number_input(key="margin").set_value(40).run()
    at.number_input(key="disc").set_value(5.0).run()
    at.number_input(key="risk_days").set_value(120).run()
    at.number_input(key="top").set_value(10).run()
    at.segmented_control(key="rfm").set_value("revenue").run()
    at.segmented_control(key="hm").set_value("total").run()
    at.number_input(key="h").set_value(14).run()
    assert not at.exception
    assert calls == {"fit": 2, "customer_table": 1}
    orders = _orders(workspace)
    ov = value_overview(orders, horizon=14, margin=0.4, annual_discount_rate=0.05, window=W)  # nothing reused
    assert metric(at, "Historical LTV") == f"{ov.historical_ltv:,.2f}"
    assert metric(at, "Formula LTV") == f"{ov.formula.ltv:,.2f}"
    assert metric(at, "Predictive CLV, 14 months") == f"{ov.predictive_ltv:,.2f}"
    assert metric(at, "Actual repeat purchases") == f"{ov.check.holdout.actual_repeat_purchases:,}"
    risk = at_risk_customers(orders, clv=ov.predictions, min_days=120)
    got = _csv(downloads, "at_risk_customers.data.csv")
    assert got.height == risk.height and set(got["customer_id"]) == set(risk["customer_id"])
    both = got.join(risk, on="customer_id", suffix="_core")  # CLV at 14 months and 40 % (the CSV has cents)
    assert (both["expected_value"] - both["expected_value_core"]).abs().max() <= 0.005 + 1e-9
    lapsed = lapsed_high_value(orders, clv=ov.predictions, min_days=120, top=0.1)
    got = _csv(downloads, "lapsed_high_value.data.csv")
    assert got.height == lapsed.height and set(got["customer_id"]) == set(lapsed["customer_id"])
    # what does change the model refits it (so the counter sees the page's fits): another time unit
    calls.update(fit=0, customer_table=0)  # the core calls above counted too
    at.segmented_control(key="tu").set_value("day").run()
    assert calls == {"fit": 2, "customer_table": 0}


def test_at_risk_download_has_the_core_rows_and_follows_the_thresholds(app, workspace, downloads):
    at = _value_page(app)
    orders = _orders(workspace)
    clv = value_overview(orders).predictions
    expected = at_risk_customers(orders, clv=clv, min_days=CYCLE)  # the cycle, 2 × typical gap, P(alive) < 30 %
    got = _csv(downloads, "at_risk_customers.data.csv")
    assert got.columns == list(CRM_COLUMNS)
    # The same customers (the order of equal values at risk may differ in the last float digit).
    assert got.height == expected.height and set(got["customer_id"]) == set(expected["customer_id"])
    assert set(got["reason"]) == {"overdue", "low_p_alive", "overdue+low_p_alive"}  # stable codes for the CRM
    shown = next(d for d in at.dataframe if "Value at risk" in d.value.columns)
    assert list(shown.proto.column_order[:3]) == ["Customer", "Value at risk", "Reason"]  # what to sort by, why
    table = shown.value
    assert set(table["Reason"]) == {"Overdue", "Low P(alive)", "Overdue, low P(alive)"}  # translated on screen
    at.number_input(key="risk_days").set_value(180).run()
    at.number_input(key="risk_p").set_value(0).run()
    stricter = _csv(downloads, "at_risk_customers.data.csv")
    expected = at_risk_customers(orders, clv=clv, min_days=180, p_alive_below=0.0)
    assert stricter.height == expected.height and set(stricter["customer_id"]) == set(expected["customer_id"])
    assert 0 < stricter.height < got.height and set(stricter["reason"]) == {"overdue"}
    assert at.query_params.get("risk_days") in ("180", ["180"])


def test_win_back_lists_download_the_core_rows(app, workspace, downloads):
    at = _value_page(app)
    orders = _orders(workspace)
    lapsed = _csv(downloads, "lapsed_high_value.data.csv")
    expected = lapsed_high_value(orders, clv=value_overview(orders).predictions, min_days=CYCLE)
    assert lapsed.columns == list(CRM_COLUMNS)
    assert lapsed.height == expected.height and set(lapsed["customer_id"]) == set(expected["customer_id"])
    at.number_input(key="top").set_value(5).run()
    top5 = _csv(downloads, "lapsed_high_value.data.csv")
    assert top5.height < lapsed.height and set(top5["customer_id"]) <= set(lapsed["customer_id"])
    per_month = _csv(downloads, "reactivated_per_month.csv")
    assert per_month.columns == ["Period", "Reactivated", "Revenue"]
    customers = _csv(downloads, "reactivated_customers_month.csv")
    assert customers.height == per_month["Reactivated"].sum()  # one row per return
    # the same "reactivated" as the Overview's, under the same rule (W = 3 months)
    from retention_core.retention.flows import period_metrics

    flows = period_metrics(orders, window=W).filter(pl.col("reactivated") > 0)
    assert per_month["Reactivated"].to_list() == flows["reactivated"].to_list()
    assert any("Reactivated = bought again after the activity window had run out" in c.value and
               "the last 3 months" in c.value for c in at.caption)
    assert {"rfm_segments.csv", "rfm_customers.csv", "key_customers.csv", "customer_value.csv",
            "holdout_check.csv", "historical_ltv_distribution.csv"} <= set(downloads)


def test_uci_dataset(app, workspace):
    app.query_params.update({"ds": "uci-online-retail"})
    at = _value_page(app)
    ov = value_overview(_orders(workspace, "uci-online-retail"), window=W)  # UCI: cycle 70 days ⇒ 3 months
    assert metric(at, "Historical LTV") == f"{ov.historical_ltv:,.2f}"
    assert metric(at, "Predictive CLV, 12 months") == f"{ov.predictive_ltv:,.2f}"
    assert metric(at, "Actual repeat purchases") == "6,827"
    assert metric(at, "Predicted repeat purchases") == f"{ov.check.holdout.predicted_repeat_purchases:,.0f}"
    assert abs(ov.holdout_difference) < 0.15
    assert not at.warning


def test_dataset_too_thin_to_fit_falls_back(app, workspace, tmp_path):
    """Three repeat customers over four months: historical and formula LTV, a clear message, no model numbers."""
    path = tmp_path / "tiny.csv"
    path.write_text(
        "customer_id,order_date,amount\n"
        "a,2024-01-03,10\nb,2024-01-10,20\nc,2024-01-20,30\nd,2024-01-25,5\n"
        "a,2024-02-05,40\nb,2024-02-14,25\ne,2024-02-06,10\n"
        "a,2024-03-02,20\ne,2024-03-09,30\nf,2024-03-20,15\n"
        "a,2024-04-30,10\n", encoding="utf-8")
    Workspace(workspace).save("Tiny shop", {"orders": load_file(path, kind="orders", con=connect())}, slug="tiny-shop")
    app.query_params.update({"ds": "tiny-shop"})
    at = _value_page(app)
    ov = value_overview(_orders(workspace, "tiny-shop"))
    assert ov.predictions is None and ov.formula is not None
    assert metric(at, "Historical LTV") == f"{ov.historical_ltv:,.2f}" == "35.83"  # 215 / 6 customers
    assert metric(at, "Formula LTV") == f"{ov.formula.ltv:,.2f}"
    assert metric(at, "Predictive CLV, 12 months") == "—"
    assert any("could not be fitted" in w.value and "only 3 of 6 customers bought on two" in w.value for w in at.warning)
    assert any("No check: the model could not be fitted" in i.value for i in at.info)
    assert any("Without the model, only the days rule applies" in c.value for c in at.caption)


def test_date_range_of_a_few_weeks_falls_back(app, workspace):
    app.query_params.update({"from": "2025-11-20"})
    at = _value_page(app)
    ov = value_overview(_orders(workspace, filters=Filters(date_from=date(2025, 11, 20))))
    assert metric(at, "Historical LTV") == f"{ov.historical_ltv:,.2f}"
    assert metric(at, "Formula LTV") == "—" and metric(at, "Predictive CLV, 12 months") == "—"
    assert any("the orders cover 25 days" in w.value and "at least 90" in w.value for w in at.warning)
    assert any("at least one complete calendar month" in c.value for c in at.caption)


def test_russian_labels(app):
    """One run only (AppTest cannot rerun a Russian selectbox; docs/platform.md)."""
    app.query_params.update({"lang": "ru"})
    at = _value_page(app)
    assert at.title[0].value == "Ценность клиентов"
    assert "," in metric(at, "Исторический LTV") and metric(at, "Прогнозный CLV, 12 мес.") != "—"
    assert at.segmented_control(key="tu").options == ["День", "Неделя", "Месяц"]
    assert any(h.value == "Клиенты в зоне риска: кого спасать первым" for h in at.subheader)
    table = next(d.value for d in at.dataframe if "Ценность под угрозой" in d.value.columns)
    assert "Просрочил, низкая P(alive)" in set(table["Причина"])
    assert set(table["RFM-сегмент"]) <= {"В зоне риска", "Нельзя потерять", "Лояльные", "Спящие", "Потерянные",
                                         "Засыпающие", "Требуют внимания", "Чемпионы", "Потенциально лояльные",
                                         "Перспективные", "Новые"}
    assert _chart(at, "value_p_alive")["layout"]["xaxis"]["title"]["text"] == "Недели с последней покупки"


def test_russian_fallback_explains_why(app):
    app.query_params.update({"lang": "ru", "from": "2025-11-20"})
    at = _value_page(app)
    assert metric(at, "LTV по формуле") == "—" and metric(at, "Прогнозный CLV, 12 мес.") == "—"
    assert any("заказы охватывают 25 дн." in w.value for w in at.warning)
    assert any("полный календарный месяц" in c.value for c in at.caption)
