"""What-if page as an owner uses it: move a lever, ask the inverse question, keep named scenarios."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from retention_core.ingest import load_file
from retention_core.retention.activity import activity_window
from retention_core.whatif.backtest import backtest
from retention_core.whatif.measure import measure_baseline, monthly_pools
from retention_core.whatif.model import Scenario, project
from retention_core.whatif.solve import customers_to_keep, solve_target_crr, solve_target_winback
from retention_core.workspace import Workspace
from tests.pages.conftest import ROOT, metric

SAMPLE = ROOT / "data" / "sample"
PAGE = "pages/whatif.py"


@pytest.fixture(scope="module")
def baseline():
    """The baseline measured straight from the bundled sample orders (not through the app)."""
    orders = load_file(SAMPLE / "orders.csv", kind="orders").frame
    return measure_baseline(orders, window=activity_window(orders, grain="month"))


def _page(at: AppTest, **state: object) -> AppTest:
    """Open the What-if page (AppTest finds a page with its own url_path only after a first run)."""
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _money(x: float) -> str:
    return ("+" if x > 0 else "") + f"{x:,.0f}"


def _scenario_names(at: AppTest) -> list[str]:
    return at.dataframe[0].value["Scenario"].tolist()


def test_crr_slider_changes_the_revenue_difference(app, baseline):
    at = _page(app)
    assert metric(at, "Revenue difference") == "0"  # no lever moved: scenario = baseline
    assert metric(at, "Extra customers at end") == "0"
    at.slider(key="wi_crr").set_value(5.0).run()
    expected = project(baseline, Scenario(crr_delta=0.05, margin=1.0))[-1]
    assert metric(at, "Revenue difference") == _money(expected["cumulative_revenue_difference"].item())
    assert metric(at, "Gross profit difference") == _money(expected["cumulative_gross_profit_difference"].item())
    assert at.query_params["wi_crr"] in ("5", ["5"])  # the lever is in the link
    at.slider(key="wi_crr").set_value(0.0).run()
    assert metric(at, "Revenue difference") == "0"


def test_saved_scenario_survives_a_page_switch_and_a_link(app):
    at = _page(app)
    at.slider(key="wi_crr").set_value(5.0)
    at.number_input(key="wi_cost").set_value(1.0)
    at.text_input(key="wi_name").input("Loyalty").run()
    at.button(key="_wi_save").click().run()
    assert _scenario_names(at) == ["Loyalty"]
    link = at.query_params["sc"]
    link = link[0] if isinstance(link, list) else link
    assert Scenario.from_query(link) == Scenario(name="Loyalty", crr_delta=0.05, margin=1.0, retention_cost=1.0)

    at.switch_page("pages/overview.py").run()
    assert not at.exception and metric(at, "Customers")
    at.switch_page(PAGE).run()
    assert _scenario_names(at) == ["Loyalty"]
    assert at.slider(key="wi_crr").value == 5.0  # the levers come back too

    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    fresh.query_params["sc"] = link
    fresh = _page(fresh)
    assert _scenario_names(fresh) == ["Loyalty"]
    row = fresh.dataframe[0].value.iloc[0]
    assert row["r change"] == "+5.0 pp" and row["r change applied"] == "+5.0 pp" and row["Retention cost"] == "1.00"

    # a second scenario sits beside it; loading the first puts its levers back
    fresh.slider(key="wi_crr").set_value(-2.0).run()
    fresh.button(key="_wi_save").click().run()
    assert _scenario_names(fresh) == ["Loyalty", "Scenario 2"]
    fresh.button(key="_wi_load").click().run()
    assert fresh.slider(key="wi_crr").value == 5.0
    fresh.button(key="_wi_delete").click().run()
    assert _scenario_names(fresh) == ["Scenario 2"]


def test_russian_labels(app):
    # chosen in the sidebar between runs: AppTest formats a selectbox's value outside a run (in English),
    # so a page switch after a Russian run would not find "Month" among the Russian options
    at = _page(app, lang="ru")
    assert at.title[0].value == "Что если"
    assert metric(at, "Выручка: разница") == "0"
    assert at.slider(key="wi_crr").label == "Изменение CRR: доля удержания r, п.п."
    assert at.slider(key="wi_wb").label == "Изменение доли возврата, п.п."
    assert any("Проверка на истории" in i.value for i in at.info)
    assert any(e.label == "Как это считается" for e in at.expander)


def test_solver_answer_is_the_core_answer(app, baseline):
    app.query_params.update({"wi_target": "200000", "wi_tmonth": "12"})
    at = _page(app)
    sol = solve_target_crr(baseline, Scenario(margin=1.0), target=200_000, by_month=12)
    assert sol.reachable
    text = at.success[0].value
    assert f"**{sol.rate * 100:.1f}%**" in text and f"+{sol.delta * 100:.1f} pp" in text
    assert f"**{customers_to_keep(baseline, sol.rate):,.0f} more customers a month**" in text
    at.button(key="_wi_apply").click().run()
    assert at.slider(key="wi_crr").value == math.ceil(round(sol.delta * 1000, 6)) / 10
    # a target beyond keeping everyone is answered, not an error
    at.number_input(key="wi_target").set_value(10_000_000.0).run()
    assert "not reachable by retention alone" in at.warning[0].value


def test_retention_vs_acquisition_verdict(app):
    app.query_params.update({"wi_crr": "5", "wi_cost": "1", "wi_cac": "30"})
    at = _page(app)
    texts = [m.value for m in at.markdown]
    assert any("pays for itself" in x for x in texts)
    assert any(x.startswith("**Retention is cheaper.**") for x in texts)


def test_not_enough_data_is_a_message_not_a_traceback(app, workspace, tmp_path: Path):
    csv = tmp_path / "one_month.csv"
    csv.write_text("customer_id,order_date,amount\na,2024-03-01,10\nb,2024-03-05,20\n", encoding="utf-8")
    Workspace(workspace).save("One month", {"orders": load_file(csv, kind="orders")}, slug="one-month")
    app.query_params["ds"] = "one-month"
    at = _page(app)
    assert "Not enough data" in at.error[0].value and "2 complete months" in at.error[0].value
    assert not at.metric


def test_subscriptions_only_dataset_projects_subscribers_with_sbg(app, workspace):
    subs = load_file(SAMPLE / "subscriptions.csv", kind="subscriptions")
    Workspace(workspace).save("Only subscriptions", {"subscriptions": subs}, slug="subs-only")
    app.query_params["ds"] = "subs-only"
    at = _page(app)
    assert at.header[0].value == "Subscribers" and at.subheader[0].value == "Projected survival"
    before = metric(at, "Subscribers in month 12")
    at.slider(key="wi_churn").set_value(-30.0).run()
    assert not at.exception
    after = metric(at, "Subscribers in month 12")
    assert float(after.replace(",", "")) > float(before.replace(",", ""))
    assert any("γ =" in c.value for c in at.caption)
    assert any("projected the next 12 months of subscribers" in i.value for i in at.info)  # the subscriber backtest


def test_winback_lever_and_backtest_shown(app, baseline):
    at = _page(app)
    info = next(i.value for i in at.info if "MAPE" in i.value or "%**" in i.value)  # not the demo-shop banner
    orders = load_file(SAMPLE / "orders.csv", kind="orders").frame
    bt = backtest(monthly_pools(orders, window=activity_window(orders, grain="month").periods), horizon=12)
    assert f"**{bt.mape_active * 100:.1f}%**" in info and f"**{bt.mape_revenue * 100:.1f}%**" in info
    at.slider(key="wi_wb").set_value(2.0).run()
    expected = project(baseline, Scenario(winback_delta=0.02, margin=1.0))[-1]
    assert metric(at, "Revenue difference") == _money(expected["cumulative_revenue_difference"].item())
    # the rates beside the lever: "lapsed ≤ 12 months 4.8% → 6.8%"
    q = baseline.reactivation_rates[0]
    assert any(f"{q * 100:.1f}% → **{(q + 0.02) * 100:.1f}%**" in c.value for c in at.caption)
    # which win-back rate reaches a target
    target = 1.03 * project(baseline, Scenario(margin=1.0))["scenario_revenue"][-1]
    at.selectbox(key="wi_tlever").set_value("winback")
    at.number_input(key="wi_target").set_value(float(round(target))).run()
    sol = solve_target_winback(baseline, Scenario(winback_delta=0.02, margin=1.0), target=float(round(target)),
                               by_month=12)
    assert sol.reachable and f"**{sol.rate * 100:.1f}%**" in at.success[0].value


def test_a_cut_lever_is_reported(app, workspace, tmp_path: Path):
    # 40 customers who buy every month for a year: nobody is ever lost, r = 100 %
    rows = "\n".join(f"c{i},2024-{m:02d}-03,10" for i in range(40) for m in range(1, 13))
    csv = tmp_path / "loyal.csv"
    csv.write_text("customer_id,order_date,amount\n" + rows + "\n", encoding="utf-8")
    Workspace(workspace).save("Loyal", {"orders": load_file(csv, kind="orders")}, slug="loyal")
    app.query_params.update({"ds": "loyal", "wi_crr": "5"})
    at = _page(app)
    assert "cannot pass 100%" in at.warning[0].value and "applies **0.0 pp**" in at.warning[0].value


def test_cac_and_retention_cost_come_from_the_dataset_and_a_link_can_still_say_zero(app, workspace):
    """SPEC §6: margin, CAC and retention cost are saved with the dataset. What-if opens with them (no link
    parameter needed, none written), and a link that sets CAC back to 0 keeps saying 0 when reopened."""
    from retention_core.ingest import DatasetSettings

    Workspace(workspace).save_settings("sample-shop", DatasetSettings(cac=30.0, retention_cost=1.0))
    app.query_params.update({"wi_crr": "5"})
    at = _page(app)
    assert at.number_input(key="wi_cac").value == 30.0 and at.number_input(key="wi_cost").value == 1.0
    assert any(x.startswith("**Retention is cheaper.**") for x in (m.value for m in at.markdown))  # as with ?wi_cac=30
    assert "wi_cac" not in at.query_params and "wi_cost" not in at.query_params  # the dataset's values: no need
    assert any("Saved with the dataset: 30.00" in c.value for c in at.caption)
    zero = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    zero.query_params.update({"wi_crr": "5", "wi_cac": "0"})
    zero = _page(zero)
    assert zero.number_input(key="wi_cac").value == 0.0
    assert zero.query_params.get("wi_cac") == "0"  # 0 differs from the dataset's 30: the link must keep it
