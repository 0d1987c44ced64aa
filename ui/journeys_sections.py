"""Journeys page sections (pages/journeys.py): funnel breakdown, paths, the purchase sequence."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from retention_core.charts.journeys import funnel_breakdown_chart, paths_sankey, purchase_sequence_chart
from retention_core.charts.retention import cohort_heatmap
from retention_core.journeys.funnels import OTHER, FunnelResult, time_to_convert
from retention_core.journeys.paths import top_paths
from retention_core.journeys.purchase_sequence import purchase_sequence
from ui import funnel_builder as fb
from ui import i18n, state, widgets
from ui.i18n import t
from ui.text import plain


def breakdown_section(table, column: str, spec, labels: list[str], attribution: str = "step:1") -> None:
    table = table.with_columns(pl.col("value").replace(OTHER, t("journeys.other_values")))
    fig = funnel_breakdown_chart(table, step_labels=labels, null_label=t("journeys.no_value"), y_label=t("journeys.trend_y"),
                                 title=t("journeys.breakdown_chart", column=column))
    fb.show_chart(fig, "breakdown_chart")
    st.caption(t("journeys.attribution_caption", rule=fb.attribution_label(attribution)) + " " + fb.caption(spec))
    with st.expander(t("journeys.breakdown_table", column=plain(column))):
        widgets.grid(fb.steps_view(table, labels, group="value"), hide_index=True)
        widgets.download(table, "funnel_breakdown.csv", label=t("journeys.download_breakdown"), key="breakdown_csv")


def paths_section(events: list[str], start: str) -> None:
    event, depth, top = fb.paths_controls(events, start)
    paths = widgets.computed(top_paths, "events", start_event=event, depth=depth, top=top)
    if paths.sequences.height == 0:
        st.info(t("journeys.no_paths", event=plain(event)))
        return
    fb.show_chart(paths_sankey(paths.links, other_label=t("journeys.other"), title=t("journeys.sankey", event=event)),
                  "paths_sankey", height=560)
    st.caption(t("journeys.paths_caption", event=plain(event)))
    st.markdown(f"**{t('journeys.paths_table')}**")
    widgets.grid(fb.paths_view(paths.sequences), hide_index=True)
    widgets.download(paths.sequences.drop("events"), "paths.csv", label=t("journeys.download_paths"), key="paths_csv")


def sequence_section() -> None:
    by, grain = fb.sequence_picker(widgets.segment_columns("orders"))
    overall = widgets.computed(purchase_sequence, "orders", full_history=True, max_order=4)
    table = overall if by is None else widgets.computed(purchase_sequence, "orders", full_history=True, max_order=4,
                                                        by=by, grain=grain)
    first, second = overall.row(0, named=True), overall.row(1, named=True)
    c = st.columns(3)
    widgets.tile(c[0], t("journeys.col.customers"), i18n.num(first["customers"]))
    widgets.tile(c[1], t("journeys.repeat"), i18n.pct(second["conversion_from_start"]), help=t("journeys.repeat_help"))
    widgets.tile(c[2], t("journeys.days_to_second"), i18n.num(second["median_days_from_previous"], 1))
    fig = purchase_sequence_chart(table, order_labels=fb.order_labels(), by=by, y_label=t("journeys.sequence_y"),
                                  title=t("journeys.sequence_chart"))
    fb.show_chart(fig, "sequence_chart")
    st.caption(t("journeys.sequence_caption"))
    widgets.grid(fb.sequence_view(table, group=by), hide_index=True)
    widgets.download(table, "purchase_sequence.csv", label=t("journeys.download_sequence"), key="sequence_csv")


def ttc_section(result: FunnelResult, bins: int | None, labels: list[str], last_step: int) -> None:
    """Time to convert between two chosen steps (default first → the last required step), in the core's
    bins (PostHog's count by default)."""
    k = len(result.spec.steps)
    spans = [f"{a}-{b}" for a in range(1, k) for b in range(a + 1, k + 1)]
    state.ensure_choice(state.TTC_STEPS, spans, fallback=f"1-{last_step}")
    span = st.selectbox(t("journeys.ttc_steps"), spans, key=state.TTC_STEPS,
                        format_func=lambda v: f"{labels[int(v.split('-')[0]) - 1]} → {labels[int(v.split('-')[1]) - 1]}")
    a, b = (int(x) for x in span.split("-"))
    table, stats = time_to_convert(result, from_step=a, to_step=b, bins=bins)
    if stats["users"] == 0:
        st.info(t("journeys.ttc_none"))
        return
    unit = fb.time_unit(float(table["to_seconds"].max()))
    size = {"minutes": 60, "hours": 3600, "days": 86400}[unit]
    rows = table.to_dicts()
    names = [f"{i18n.num(r['from_seconds'] / size, 1)}–{i18n.num(r['to_seconds'] / size, 1)}" for r in rows]
    fig = go.Figure(go.Bar(x=names, y=[r["users"] for r in rows], marker_color="#4C78A8",
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(title=t("journeys.ttc_between", start=labels[a - 1], step=labels[b - 1]),
                      xaxis_title=t("journeys.ttc_x", unit=t(f"journeys.unit.{unit}")),
                      yaxis_title=t("journeys.ttc_y"), bargap=0.05)
    fb.show_chart(fig, "ttc_chart")
    st.caption(t("journeys.ttc_caption", bins=i18n.num(stats["bins"]), users=i18n.num(stats["users"]),
                 median=fb.duration(stats["median_seconds"]), average=fb.duration(stats["average_seconds"])))


MAX_ER_COHORTS = 60  # the heatmap shows the latest cohorts; the table has them all


def retention_section(events: list[str], properties: list[str], first: str) -> None:
    """Event retention (SPEC §4.3): cohorts by a start event (default ``first``), returns by a return event."""
    options = fb.retention_controls(events, properties, first)
    date_from, date_to = widgets.date_range()
    with st.spinner(t("common.loading")):
        matrix = widgets.event_retention(date_from=date_from, date_to=date_to, **options)  # stored counts if they do
    if matrix.height == 0:
        st.info(t("journeys.er.empty"))
        return
    shown = matrix
    if options["breakdown"]:
        values = matrix["breakdown"].unique(maintain_order=True).to_list()
        keys = ["" if v is None else v for v in values]
        state.ensure_choice(state.ER_VALUE, keys)
        chosen = st.selectbox(t("journeys.er.value"), keys, key=state.ER_VALUE,
                              format_func=lambda v: v if v else t("journeys.no_value"))
        shown = matrix.filter(pl.col("breakdown").is_null() if chosen == "" else pl.col("breakdown") == chosen).drop("breakdown")
    cohorts = shown["cohort"].unique().sort()
    if cohorts.len() > MAX_ER_COHORTS:
        shown = shown.filter(pl.col("cohort") >= cohorts[-MAX_ER_COHORTS])
        st.caption(t("journeys.er.latest", n=i18n.num(MAX_ER_COHORTS)))
    period = options["grain"]
    unit = t(f"journeys.er.periods.{period}")
    labels = widgets.chart_labels(value=t("journeys.er.share"), cohort=t("journeys.er.col.cohort"),
                                  age=t("journeys.er.age", unit=unit, start=fb.event_label(options["start_event"])))
    fig = cohort_heatmap(shown, labels=labels, title=t("journeys.er.title", start=fb.event_label(options["start_event"]),
                                                         back=fb.event_label(options["return_event"])))
    fig.update_layout(height=max(360, min(1400, 140 + 26 * shown["cohort"].n_unique())))
    fb.show_chart(fig, "er_heatmap")
    rule = t("journeys.er.caption_cumulative" if options["cumulative"] else "journeys.er.caption_on")
    st.caption(t("journeys.er.caption", rule=rule, n=i18n.num(options["min_occurrences"]),
                 zone=options["time_zone"], type=t(f"journeys.er.type.{options['type']}"),
                 unit=t(f"journeys.er.period.{period}")))
    widgets.grid(retention_view(shown, hourly=period == "hour"), hide_index=True)
    names = {c: t(f"journeys.er.col.{c}") for c in ("cohort", "size", "age", "share", "complete")}
    widgets.download(matrix, "event_retention.csv", label=t("journeys.er.download"), key="er_csv",
                     names={**names, "value": t("journeys.er.col.users"), "breakdown": t("journeys.er.col.breakdown")},
                     percent=("share",))


def retention_view(matrix: pl.DataFrame, *, hourly: bool) -> pl.DataFrame:
    """An event-retention matrix as a table: translated headers, numbers and dates per language."""
    rows = matrix.to_dicts()
    when = (lambda d: f"{i18n.day(d.date())} {d:%H:%M}") if hourly else i18n.day  # noqa: E731
    return pl.DataFrame({
        t("journeys.er.col.cohort"): [when(r["cohort"]) for r in rows],
        t("journeys.er.col.size"): [i18n.num(r["size"]) for r in rows],
        t("journeys.er.col.age"): [r["age"] for r in rows],
        t("journeys.er.col.users"): [i18n.num(r["value"]) for r in rows],
        t("journeys.er.col.share"): [i18n.pct(r["share"]) for r in rows],
        t("journeys.er.col.complete"): [t("journeys.er.yes") if r["complete"] else t("journeys.er.no") for r in rows],
    })
