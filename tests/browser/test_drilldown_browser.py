"""Drill-down in a real Chromium: a click on a cohort heatmap cell lists that cell's customers (SPEC §7.1)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

# Where a heatmap cell is on the screen: plotly's own axes convert data to pixels.
_CELL_CENTRE = """([cohort, age]) => {
    const gd = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[0];
    gd.scrollIntoView({block: "start"});
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
    return {x: box.left + xa._offset + xa.l2p(age), y: box.top + ya._offset + ya.l2p(ya.d2l(cohort))};
}"""


def _click_until(page, spot: dict, shown) -> None:
    """Click the point until ``shown`` (a locator) appears: on a loaded machine plotly may bind its click handler a
    moment after the paint, and a click before that is lost (a person would simply click again)."""
    for _ in range(3):
        page.mouse.move(spot["x"], spot["y"])
        page.mouse.click(spot["x"], spot["y"])
        try:
            expect(shown).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            page.wait_for_timeout(1000)
    expect(shown).to_be_visible()


def test_clicking_a_heatmap_cell_lists_its_customers(server, page):
    page.goto(f"{server}/cohorts")
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.locator("image").first.wait_for(state="attached")  # the heatmap is painted
    expect(page.get_by_text("Click a cell to list the customers behind it.")).to_be_visible()
    # the cell's value · size, as the heatmap's own marker for it says (cohort, size, value)
    marks = page.evaluate("""() => document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[0]
                              .data[1].customdata.filter((c, i, all) => c[0] === "2023-03-01")""")
    size, share = marks[2][1], marks[2][2]  # age 2 of the March 2023 cohort
    expected = round(size * share)
    page.wait_for_timeout(500)  # plotly binds its click handlers after the first paint
    spot = page.evaluate(_CELL_CENTRE, ["2023-03-01", 2])
    _click_until(page, spot, page.get_by_text(re.compile(r"^Cohort 2023-03-01, age 2 \(months\)")))
    expect(page.get_by_text(re.compile(rf"^{expected:,} customers"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Download")).first).to_be_visible()  # the export menu (CSV, XLSX)
    shot(page, "cohorts_drilldown")


def _plotly_centre(page, trace_type: str, x_expr: str, y_expr: str) -> dict:
    """Screen point of a data point of the first chart with a ``trace_type`` trace (plotly's axes give pixels)."""
    page.wait_for_function(f"""() => [...document.querySelectorAll('.js-plotly-plot')]
                               .some(g => g.data && g.data.some(t => t.type === '{trace_type}') && g._fullLayout.xaxis)""")
    page.wait_for_timeout(500)
    return page.evaluate(f"""() => {{
        const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.data.some(t => t.type === '{trace_type}'));
        gd.scrollIntoView({{block: "center"}});
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        return {{x: box.left + xa._offset + xa.l2p({x_expr}), y: box.top + ya._offset + ya.l2p({y_expr})}}; }}""")


def test_clicking_a_flow_bar_and_a_funnel_step_lists_their_people(server, page):
    page.goto(f"{server}/")
    page.get_by_text("Click a bar to list the customers behind it.").wait_for()
    # the retained bar of November 2023, at half its height
    spot = _plotly_centre(page, "bar", "xa.d2l('2023-11-01')",
                          "gd.data[0].y[gd.data[0].x.indexOf('2023-11-01')] / 2")
    _click_until(page, spot, page.get_by_text("Retained in the period from 2023-11-01"))
    retained = page.evaluate("""() => { const gd = [...document.querySelectorAll('.js-plotly-plot')]
        .find(g => g.data.some(t => t.type === 'bar')); return gd.data[0].y[gd.data[0].x.indexOf('2023-11-01')]; }""")
    expect(page.get_by_text(re.compile(rf"^{retained:,} customers"))).to_be_visible()
    page.goto(f"{server}/journeys")
    page.get_by_text("Click a step to list the users who reached it.").wait_for()
    spot = _plotly_centre(page, "funnel", "0", "2")  # the third step, at the funnel's centre line
    _click_until(page, spot, page.get_by_text(re.compile(r"^Reached step 3")))
    users = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .find(g => g.data.some(t => t.type === 'funnel')).data[0].x[2]""")
    expect(page.get_by_text(re.compile(r"^Reached step 3"))).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^{users:,} users"))).to_be_visible()
    shot(page, "funnel_drilldown")
