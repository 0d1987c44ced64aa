"""What-if page sections (pages/whatif.py): levers, results with the backtest band, the honesty check,
the inverse questions, is it worth it, named scenarios, subscribers.

Each draws what the core's what-if functions return for the baseline ``b`` and the scenario ``s``.
"""

from dataclasses import replace

import streamlit as st

from retention_core.charts.survival import backtest_chart
from retention_core.charts.whatif import projection_chart, scenarios_chart, sensitivity_chart
from retention_core.errors import RetentionError
from retention_core.retention.activity import ActivityWindow
from retention_core.whatif.backtest import Backtest, NoBacktest, error_band
from retention_core.whatif.model import applied_levers, project
from retention_core.whatif.solve import (
    acquisition_equivalent,
    break_even_retention_cost,
    compare_scenarios,
    customers_to_keep,
    lever_values,
    outcome_at,
    sensitivity,
    solve_target_crr,
    solve_target_winback,
)
from retention_core.whatif.subscriptions import backtest_subscribers, measure_subscribers, project_subscribers
from ui import activity, i18n, state, widgets
from ui.i18n import money, num, pct, points, t
from ui.survival_sections import projected_survival

KEEP = {"persist_state": "session"}  # lever values survive a visit to another page
R = state.WHATIF_RANGES


def money2(x: float | None) -> str:
    return money(x, 2)


def month(d) -> str:
    return d.strftime("%m.%Y" if state.lang() == "ru" else "%Y-%m")


def dataset_window() -> ActivityWindow:
    """The dataset's activity window in months (SPEC §4.1): the purchase cycle of all its orders, before
    segment and date filters, unless the link or the dataset's settings override it — the same rule as
    every other page (:func:`ui.activity.window`)."""
    return activity.window("month")


FORMATS = {"crr": pct, "retention_rate": pct, "reactivation_rate_le12": pct, "reactivation_rate_gt12": pct,
           "customers_kept_extra": num, "customers_won_back_extra": num, "new_customers": num, "aov": money2,
           "purchase_frequency": lambda x: num(x, 2), "revenue_per_customer": money2,
           "margin": lambda x: pct(x, 0), "retention_cost": money2, "cac": money2}


def shown(b, s) -> dict[str, str]:
    """Every model input, formatted: ``<lever>_b`` (baseline) and ``<lever>_s`` (scenario)."""
    values = lever_values(b, s).rows(named=True)
    out = {f"{r['lever']}_{w}": FORMATS[r["lever"]](r[side]) for r in values for w, side in
           (("b", "baseline"), ("s", "scenario"))}
    lapsed = b.lapsed_customers
    return out | {"months": b.months_used, "last": month(b.last_month), "active_customers": num(b.active_customers),
                  "lapsed_le12": num(lapsed[0]), "lapsed_gt12": num(lapsed[1]), "window": b.window,
                  "reactivation_share": pct(b.reactivation_share),
                  "even": money2(break_even_retention_cost(b, s)), "first": i18n.day(project(b, s)["period_start"][0])}


def levers(b, window: ActivityWindow):
    """The levers, each with the rate it moves beside it (before → after), the cuts, and the formulas."""
    saved = activity.dataset_settings()  # margin, CAC and retention cost are the dataset's (Data page, SPEC §6)
    state.dataset_default(state.WI_MARGIN, round(saved.margin * 100, 6))
    state.dataset_default(state.WI_CAC, saved.cac)
    state.dataset_default(state.WI_COST, saved.retention_cost)
    state.prepare_whatif()
    s = state.whatif_scenario(t("whatif.current"))
    f = shown(b, s)
    a = applied_levers(b, s)
    c = st.columns(4)
    c[0].slider(t("whatif.crr"), *R[state.WI_CRR], step=0.5, format=t("whatif.pp_format"), key=state.WI_CRR, **KEEP)
    c[0].caption(t("whatif.crr_base", **f))
    c[1].slider(t("whatif.winback"), *R[state.WI_WINBACK], step=0.5, format=t("whatif.pp_format"),
                key=state.WI_WINBACK, **KEEP)
    c[1].caption(t("whatif.winback_base", **f))
    c[2].slider(t("whatif.aov"), *R[state.WI_AOV], step=1.0, format="%+.0f%%", key=state.WI_AOV, **KEEP)
    c[2].caption(t("whatif.aov_base", **f))
    c[3].slider(t("whatif.freq"), *R[state.WI_FREQ], step=1.0, format="%+.0f%%", key=state.WI_FREQ, **KEEP)
    c[3].caption(t("whatif.freq_base", **f))
    if a.crr_cut:
        st.warning(t("whatif.crr_cut", asked=points(a.crr_delta), applied=points(a.crr_delta_applied),
                     rate=pct(a.scenario_retention_rate)), icon=":material/vertical_align_top:")
    if a.winback_cut:
        st.warning(t("whatif.winback_cut", asked=points(a.winback_delta),
                     applied=" / ".join(points(x) for x in a.winback_delta_applied)), icon=":material/vertical_align_top:")
    c = st.columns(5)
    c[0].slider(t("whatif.horizon"), *R[state.WI_HORIZON], key=state.WI_HORIZON, **KEEP)
    c[0].caption(t("whatif.horizon_base", **f))
    c[1].number_input(t("whatif.new"), *R[state.WI_NEW], step=10.0, format="%.0f", key=state.WI_NEW,
                      placeholder=t("whatif.new_placeholder", **f), **KEEP)
    c[1].caption(t("whatif.new_base", **f))
    c[2].slider(t("whatif.margin"), *R[state.WI_MARGIN], step=1.0, format="%.0f%%", key=state.WI_MARGIN, **KEEP)
    c[2].caption(t("whatif.margin_base", margin=pct(saved.margin, 0)))
    c[3].number_input(t("whatif.cac"), *R[state.WI_CAC], step=5.0, format="%.0f", key=state.WI_CAC, **KEEP)
    c[3].caption(t("whatif.cac_base", cac=money2(saved.cac)) if saved.cac else t("whatif.cac_unset"))
    c[4].number_input(t("whatif.cost"), *R[state.WI_COST], step=0.5, format="%g", key=state.WI_COST, **KEEP)
    c[4].caption(t("whatif.cost_base", **f)
                 + (t("whatif.cost_saved", cost=money2(saved.retention_cost)) if saved.retention_cost else ""))
    st.caption(t("whatif.rule", rule=activity.rule_text(window)))
    with st.expander(t("whatif.how"), icon=":material/functions:"):
        st.markdown(t("whatif.formulas", **f))
    return s, f


def results(b, s, f, bt):
    """Difference tiles, the backtest beside the projection (its error is the band), the tornado."""
    p, row = project(b, s), compare_scenarios(b, [s]).row(0, named=True)
    st.subheader(t("whatif.results", months=s.horizon))
    c = st.columns(4)
    for col, key, fmt in zip(c, ("cumulative_revenue", "cumulative_gross_profit", "active_customers_end"),
                             (money, money, num), strict=False):
        x = row[f"{key}_difference"]
        widgets.tile(col, t(f"whatif.diff_{key}"), i18n.plus(fmt(x), x),
                     help=t("whatif.diff_help", base=fmt(row[f"baseline_{key}"]), scen=fmt(row[f"scenario_{key}"])))
    widgets.tile(c[3], t("whatif.roi"), pct(row["roi"]), help=t("whatif.roi_help", cost=money(row["programme_cost"])))
    names = {"baseline_name": t("whatif.baseline"), "scenario_name": t("whatif.scenario")}
    if isinstance(bt, Backtest):
        st.info(t("whatif.limits", start=month(bt.from_month), h=len(bt.months), active=pct(bt.mape_active),
                  revenue=pct(bt.mape_revenue)), icon=":material/fact_check:")
        names |= {"band": error_band(p, bt), "band_name": t("whatif.band")}
    else:
        st.warning(t("whatif.limits_no_backtest", months=bt.complete_months), icon=":material/info:")
    tabs = st.tabs([t(f"whatif.chart_{m}") for m in ("customers", "revenue", "profit")])
    charts = zip(tabs, ("customers", "revenue", "profit"), ("active_customers", "revenue", "cumulative_gross_profit"),
                 strict=True)
    for tab, chart, measure in charts:
        widgets.chart(projection_chart(p, measure=measure, y_title=t(f"whatif.y_{measure}"), **names),
                      f"wi_chart_{measure}", where=tab, title=t(f"whatif.chart_{chart}"), date_axis="month")
    widgets.download(p, "whatif-projection.csv", label=t("whatif.download_projection"), key="wi_dl_projection")
    widgets.chart(sensitivity_chart(
        sensitivity(b, s), lever_names={k: t(f"whatif.nudge_{k}") for k in ("crr", "winback", "aov", "frequency")},
        lower_name=t("whatif.lower"), higher_name=t("whatif.higher"), title=t("whatif.tornado"),
        x_title=t("whatif.tornado_x", months=s.horizon)), "wi_tornado", title=t("whatif.tornado"))


def honesty(bt):
    """The backtest itself: what the model said from H months ago vs what happened."""
    if not isinstance(bt, Backtest):
        return
    with st.expander(t("whatif.backtest_title", h=len(bt.months), start=month(bt.from_month)),
                     icon=":material/fact_check:"):
        st.markdown(t("whatif.backtest_text", h=len(bt.months), start=month(bt.from_month),
                      active=pct(bt.mape_active), revenue=pct(bt.mape_revenue)))
        months = [m.isoformat() for m in bt.months]
        tabs = st.tabs([t("whatif.chart_customers"), t("whatif.chart_revenue")])
        for tab, (actual, projected, y) in zip(tabs, (
                (bt.actual_active, bt.projected_active, "whatif.y_active_customers"),
                (bt.actual_revenue, bt.projected_revenue, "whatif.y_revenue")), strict=True):
            widgets.chart(backtest_chart(months, list(actual), list(projected), actual_name=t("whatif.actual"),
                                         projected_name=t("whatif.model_said"), y_title=t(y)),
                          f"wi_backtest_{y}", where=tab, date_axis="month")


def solver(b, s):
    """Which retention rate (or win-back rate) reaches a target, and how many more customers that is."""
    st.subheader(t("whatif.solver"))
    c = st.columns(5)
    lever = c[0].selectbox(t("whatif.target_lever"), ["crr", "winback"], key=state.WI_TARGET_LEVER,
                           format_func=lambda m: t(f"whatif.lever_{m}"), **KEEP)
    metric = c[1].selectbox(t("whatif.target_metric"), ["revenue", "gross_profit"], key=state.WI_TARGET_METRIC,
                            format_func=lambda m: t(f"whatif.metric_{m}"), **KEEP)
    basis = c[2].selectbox(t("whatif.target_basis"), ["month", "cumulative"], key=state.WI_TARGET_BASIS,
                           format_func=lambda m: t(f"whatif.basis_{m}"), **KEEP)
    by = c[3].number_input(t("whatif.target_month"), *R[state.WI_TARGET_MONTH], step=1, key=state.WI_TARGET_MONTH,
                           **KEEP)
    target = c[4].number_input(t("whatif.target"), *R[state.WI_TARGET], step=1000.0, format="%.0f",
                               key=state.WI_TARGET, placeholder=t("whatif.target_placeholder"), **KEEP)
    what = t(f"whatif.what_{metric}_{basis}", month=by)
    now = money(outcome_at(b, s, metric=metric, by_month=by, basis=basis))
    if target is None:
        st.caption(t("whatif.target_hint", what=what, now=now))
        return
    solve = solve_target_crr if lever == "crr" else solve_target_winback
    sol = solve(b, s, target=target, metric=metric, by_month=by, basis=basis)
    if sol.reachable and lever == "crr":
        crr = lever_values(b, replace(s, crr_delta=sol.delta)).row(0, named=True)["scenario"]  # the "crr" row
        st.success(t("whatif.solved", what=what, target=money(target), rate=pct(sol.rate), delta=points(sol.delta),
                     base=pct(b.retention_rate), now=now, kept=num(customers_to_keep(b, sol.rate)), crr=pct(crr)),
                   icon=":material/flag:")
        st.button(t("whatif.apply"), key=state.WI_APPLY, on_click=state.set_crr_delta, args=(sol.delta,),
                  disabled=not state.crr_lever_reaches(sol.delta))
    elif sol.reachable:
        st.success(t("whatif.solved_winback", what=what, target=money(target), rate=pct(sol.rate),
                     delta=points(sol.delta), base=pct(b.reactivation_rates[0]), now=now), icon=":material/flag:")
        st.button(t("whatif.apply_winback"), key=state.WI_APPLY, on_click=state.set_winback_delta, args=(sol.delta,),
                  disabled=not state.crr_lever_reaches(sol.delta))
    else:
        reason = sol.reason if lever == "crr" else f"{sol.reason}_winback"
        st.warning(t(f"whatif.unreachable_{reason}", what=what, target=money(target),
                     full=money(sol.value_at_full_retention)), icon=":material/block:")
    st.caption(t("whatif.at_risk_hook"))


def worth_it(b, s):
    """Break-even programme cost and the acquisition that would match the scenario, with a verdict."""
    st.subheader(t("whatif.worth_it"))
    acq, even = acquisition_equivalent(b, s), break_even_retention_cost(b, s)
    c = st.columns(4)
    widgets.tile(c[0], t("whatif.break_even"), money2(even), help=t("whatif.break_even_help"))
    widgets.tile(c[1], t("whatif.acq_customers"), num(acq.new_customers_total), help=t(
        "whatif.acq_customers_help", per_month=num(acq.new_customers_per_month, 1), gap=num(acq.gap)))
    widgets.tile(c[2], t("whatif.acq_cost"), money(acq.acquisition_cost), help=t("whatif.acq_cost_help"))
    widgets.tile(c[3], t("whatif.programme_cost"), money(acq.programme_cost), help=t("whatif.programme_cost_help"))
    if s.retention_cost:
        pays = even is not None and s.retention_cost <= even
        st.markdown(t(f"whatif.pays_{'yes' if pays else 'no'}", cost=money2(s.retention_cost), even=money2(even)))
    verdict = "inputs" if not (s.cac and s.retention_cost) else "no_gain" if acq.gap <= 0 else acq.cheaper
    st.markdown(t(f"whatif.verdict_{verdict}", gap=num(acq.gap), months=s.horizon, bought=num(acq.new_customers_total),
                  cac=money(s.cac), acq=money(acq.acquisition_cost), prog=money(acq.programme_cost)))


def _save():
    name = (state.get(state.WI_NAME) or "").strip()
    state.save_scenario(state.whatif_scenario(name or t("whatif.default_name", n=len(state.saved_scenarios()) + 1)))


COLUMNS = {"horizon": num, "crr_delta": points, "crr_delta_applied": points, "winback_delta": points,
           "aov_change": pct, "frequency_change": pct,
           "new_customers": lambda x: t("whatif.as_baseline") if x is None else num(x), "margin": pct,
           "retention_cost": money2, "cac": money, "active_customers_end_difference": num,
           "cumulative_revenue_difference": money, "cumulative_gross_profit_difference": money,
           "programme_cost": money, "roi": pct}


def scenarios(b):
    """Save the levers under a name; saved scenarios side by side, as CSV and as a chart."""
    st.subheader(t("whatif.scenarios"))
    c = st.columns([3, 2, 3, 1, 1], vertical_alignment="bottom")
    c[0].text_input(t("whatif.name"), max_chars=80, key=state.WI_NAME, placeholder=t("whatif.name_placeholder"), **KEEP)
    c[1].button(t("whatif.save"), key=state.WI_SAVE, on_click=_save, icon=":material/bookmark_add:", type="primary")
    saved = {x.name: x for x in state.saved_scenarios()}
    if not saved:
        st.caption(t("whatif.no_scenarios"))
        return
    state.ensure_choice(state.WI_PICK, list(saved))
    pick = c[2].selectbox(t("whatif.saved"), list(saved), key=state.WI_PICK)
    c[3].button(t("whatif.load"), key=state.WI_LOAD, on_click=state.set_levers, args=(saved[pick],))
    c[4].button(t("whatif.delete"), key=state.WI_DELETE, on_click=state.delete_scenario, args=(pick,))
    table = compare_scenarios(b, list(saved.values()))
    widgets.grid({t("whatif.col_name"): table["name"].to_list()}
                 | {t(f"whatif.col_{k}"): [fmt(x) for x in table[k].to_list()] for k, fmt in COLUMNS.items()},
                 hide_index=True)
    widgets.download(table, "whatif-scenarios.csv", key="wi_dl_scenarios")
    widgets.chart(scenarios_chart(table, measure="cumulative_revenue", baseline_name=t("whatif.baseline"),
                                  scenario_name=t("whatif.scenario"), y_title=t("whatif.y_cumulative_revenue")),
                  "wi_scenarios_chart", title=t("whatif.y_cumulative_revenue"))


_SUBS_AS_PROJECTION = {"baseline_subscribers": "baseline_active_customers", "scenario_subscribers":
                       "scenario_active_customers", "baseline_mrr": "baseline_revenue", "scenario_mrr": "scenario_revenue"}


@st.fragment
def subscribers():
    """Subscriptions data: the subscriber base projected with the fitted sBG; the churn lever scales churn."""
    st.header(t("whatif.subs_title"))
    try:
        sb = widgets.computed(measure_subscribers, "subscriptions", full_history=True)
    except RetentionError as exc:
        widgets.show_error(exc)
        return
    state.prepare_whatif()
    horizon = int(state.get(state.WI_HORIZON) or 12)
    c = st.columns([2, 3])
    c[0].slider(t("whatif.churn"), *R[state.WI_CHURN], step=5.0, format="%+.0f%%", key=state.WI_CHURN, **KEEP)
    change = (state.get(state.WI_CHURN) or 0.0) / 100
    first = sb.gamma / (sb.gamma + sb.delta)
    c[0].caption(t("whatif.churn_base", now=pct(first), scen=pct(min(first * (1 + change), 1.0)),
                   subs=num(sb.subscribers), new=num(sb.new_per_month), mrr=money2(sb.mrr)))
    p = project_subscribers(sb, horizon=horizon, churn_change=change)
    last = p.row(-1, named=True)
    widgets.tile(c[1], t("whatif.subs_end", months=horizon), num(last["scenario_subscribers"]),
                 delta=i18n.plus(num(last["subscribers_difference"]), last["subscribers_difference"]),
                 help=t("whatif.subs_end_help", base=num(last["baseline_subscribers"])))
    c[1].caption(t("whatif.subs_mrr", diff=i18n.plus(money(last["cumulative_mrr_difference"]),
                                                     last["cumulative_mrr_difference"]), months=horizon))
    shaped = p.rename(_SUBS_AS_PROJECTION).with_columns(cumulative_gross_profit=0.0, baseline_cumulative_gross_profit=0.0,
                                                        scenario_cumulative_gross_profit=0.0)
    names = {"baseline_name": t("whatif.baseline"), "scenario_name": t("whatif.scenario")}
    bt = widgets.computed(backtest_subscribers, "subscriptions", full_history=True, horizon=horizon)
    if isinstance(bt, NoBacktest):
        st.warning(t("whatif.limits_no_backtest", months=bt.complete_months), icon=":material/info:")
    else:
        st.info(t("whatif.subs_backtest", start=i18n.day(bt.from_day), h=len(bt.months), mape=pct(bt.mape)),
                icon=":material/fact_check:")
        names |= {"band": error_band(shaped, bt), "band_name": t("whatif.band")}
    widgets.chart(projection_chart(shaped, measure="active_customers", y_title=t("whatif.y_subscribers"), **names),
                  "wi_subs_chart", date_axis="month")
    projected_survival(key="wi_survival")
