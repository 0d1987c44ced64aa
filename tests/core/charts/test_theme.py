"""The language layer of every chart (issue 13): Russian number grouping and decimal comma, Russian month names
on date axes, whole numbers instead of plotly's English "10k"."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import localized
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
