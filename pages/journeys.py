"""Journeys: the funnel builder, paths and the purchase sequence (SPEC §5)."""

import streamlit as st

from retention_core.charts.journeys import conversion_trend_chart, funnel_chart
from retention_core.errors import RetentionError
from retention_core.journeys.catalogue import event_catalogue, event_properties, suggested_steps
from retention_core.journeys.funnels import (
    dropped_users,
    funnel,
    funnel_breakdown,
    funnel_summary,
    funnel_trend,
)
from ui import drilldown, i18n, notes_sections, routing, widgets
from ui import funnel_builder as fb
from ui.i18n import t
from ui.journeys_sections import (
    breakdown_section,
    paths_section,
    retention_section,
    sequence_section,
    ttc_section,
)
from ui.text import plain

routing.in_frame()


def funnel_section(events: list[str], suggested: tuple[str, ...]) -> None:
    built = fb.builder(events, suggested, widgets.computed(event_properties, "events", full_history=True))
    if built.spec is None:
        return
    spec = built.spec
    with st.spinner(t("common.loading")):
        result = widgets.computed(funnel, "events", full_history=True, spec=spec, breakdown=built.breakdown,
                                  attribution=built.attribution, all_users=built.all_users)
    s = funnel_summary(result)
    if s.entered == 0:
        st.info(t("journeys.no_attempts"), icon=":material/info:")
        return
    labels = fb.step_labels(spec)
    last = labels[s.last_step - 1]
    c = st.columns(5)
    widgets.tile(c[0], t("journeys.entered"), i18n.num(s.entered), help=t("journeys.entered_help"))
    widgets.tile(c[1], t("journeys.converted"), i18n.num(s.converted),
                 help=t("journeys.converted_help", step=plain(last)))
    widgets.tile(c[2], t("journeys.conversion"), i18n.pct(s.conversion), help=t("journeys.conversion_help"))
    widgets.tile(c[3], t("journeys.time_to_convert"), fb.duration(s.median_seconds_to_convert),
                 help=t("journeys.time_to_convert_help", step=plain(last)))
    widgets.tile(c[4], t("journeys.average_to_convert"), fb.duration(s.average_seconds_to_convert),
                 help=t("journeys.time_to_convert_help", step=plain(last)))
    st.caption(fb.caption(spec))
    left, right = st.columns(2)
    with left:
        drilldown.funnel_chart(funnel_chart(result.steps, step_labels=labels, title=t("journeys.funnel_chart")),
                               result, labels)  # a click on a step lists its users
    with right:
        st.markdown(f"**{t('journeys.steps_table')}**")
        widgets.grid(fb.steps_view(result.steps, labels), hide_index=True)
        widgets.download(result.steps, "funnel_steps.csv", label=t("journeys.download_steps"), key="steps_csv")
        j = fb.drop_step_picker(spec)
        dropped = dropped_users(result, j)
        st.caption(t("journeys.dropped_count", users=i18n.num(dropped.height), step=plain(labels[j - 1])))
        widgets.download(dropped.select("user_id", "entered_at", "furthest_step"), f"dropped_before_step_{j}.csv",
                             label=t("journeys.download_dropped"), key="dropped_csv", audit="dropped_users")
    left, right = st.columns(2)
    with left:
        grain = fb.trend_grain()
        fig = conversion_trend_chart(funnel_trend(result, grain=grain), step_labels=labels, incomplete_label=t("journeys.incomplete"),
                                     y_label=t("journeys.trend_y"), title=t(f"journeys.trend.{grain}"))
        fb.show_chart(notes_sections.mark(fb.period_axis(fig, grain)), "trend_chart")  # + annotations
        st.caption(t("journeys.trend_caption") + " " + fb.caption(spec))
    with right:
        if s.converted and s.last_step > 1:
            ttc_section(result, built.bins, labels, s.last_step)
        else:
            st.info(t("journeys.ttc_none"))
    if built.breakdown:
        breakdown_section(funnel_breakdown(result, limit=built.limit), fb.label(built.breakdown), spec, labels,
                          built.attribution)


def guarded(section, *args) -> None:
    """Run one section; a core error shows as a message there, and the other sections still draw."""
    try:
        section(*args)
    except RetentionError as exc:
        widgets.show_error(exc)


st.title(t("journeys.title"))
has_events, has_orders = widgets.has_table("events"), widgets.has_table("orders")
if not has_events:
    st.info(t("journeys.no_events" if has_orders else "journeys.no_tables"), icon=":material/info:")
    if has_orders:
        guarded(sequence_section)
    st.stop()
events = widgets.computed(event_catalogue, "events", full_history=True)["event"].to_list()
if not events:
    st.info(t("journeys.no_event_rows"))
    st.stop()
suggested = widgets.computed(suggested_steps, "events", full_history=True)
properties = list(widgets.computed(event_properties, "events", full_history=True))
ids = ["funnel", "retention", "paths", *(["sequence"] if has_orders else [])]
tabs = dict(zip(ids, fb.tabs(ids), strict=True))  # only the open tab computes (a link names it: ?jtab=retention)
if tabs["funnel"].open:
    with tabs["funnel"]:
        guarded(funnel_section, events, suggested)
if tabs["retention"].open:
    with tabs["retention"]:
        guarded(retention_section, events, properties, suggested[0] if suggested else events[0])
if tabs["paths"].open:
    with tabs["paths"]:
        guarded(paths_section, events, suggested[0] if suggested else events[0])
if has_orders and tabs["sequence"].open:
    with tabs["sequence"]:
        guarded(sequence_section)
notes_sections.annotations_section()  # dated annotations drawn on every time chart
