"""The language layer of every chart (issue 13): Russian number grouping and decimal comma, Russian month names
on date axes, whole numbers instead of plotly's English "10k"; and the house template, set without plotly's
per-assignment validation but the same as the validated way (issue 15)."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import TEMPLATE, localized, styled
from retention_core.charts.value import clv_histogram


def test_russian_dates_get_russian_month_ticks_and_day_first_hovers():
    months = [date(2025, m, 1) for m in (1, 2, 3)]
    fig = localized(go.Figure(go.Scatter(x=months, y=[1, 2, 3])), lang="ru", grain="month")
    assert fig.layout.separators == ",\u202f"
    assert list(fig.layout.xaxis.ticktext) == ["янв 2025", "фев 2025", "мар 2025"]
    assert fig.layout.xaxis.hoverformat == "%d.%m.%Y"
    weeks = localized(go.Figure(go.Scatter(x=[date(2025, 1, 6)], y=[1])), lang="ru", grain="week")
    assert list(weeks.layout.xaxis.ticktext) == ["06.01.2025"]


def test_large_values_are_not_abbreviated_the_english_way():
    """A CLV histogram reaching 10 000 ₽ read "10k" on its axis; now plotly prints the whole number with the
    language's grouping ("10 000" in Russian)."""
    fig = localized(clv_histogram(pl.DataFrame({"clv": [100.0, 5_000.0, 12_000.0]}), x_title="CLV", y_title="n"),
                    lang="ru")
    assert fig.layout.xaxis.exponentformat == "none" and fig.layout.yaxis.exponentformat == "none"
    assert fig.layout.yaxis.separatethousands  # "10 000" with the Russian separator, not "10000"
    english = localized(go.Figure(go.Bar(x=["a"], y=[2_000_000])), lang="en")
    assert english.layout.separators == ".," and english.layout.yaxis.exponentformat == "none"


def test_styled_sets_exactly_the_validated_template_and_each_figure_owns_its_copy():
    validated = go.Figure(go.Bar(x=[1, 2], y=[3, 4])).update_layout(template=TEMPLATE)
    fast = styled(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), title="T")
    assert fast.to_plotly_json()["layout"]["template"] == validated.to_plotly_json()["layout"]["template"]
    assert fast.layout.template.layout.font.size == 15 and fast.layout.title.text == "T"
    other = styled(go.Figure())
    other.layout.template.layout.font.size = 30  # a change to one figure's template stays in that figure
    assert styled(go.Figure()).layout.template.layout.font.size == 15 == fast.layout.template.layout.font.size
    fast.update_layout(height=300)  # validation is back on for everything after the template
    try:
        fast.update_layout(heigth=300)
    except ValueError:
        pass
    else:
        raise AssertionError("a misspelt layout property must still be rejected")
