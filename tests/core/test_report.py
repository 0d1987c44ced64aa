"""The HTML report (issue 13): in the chosen language, plotly.js once from the vendored partial bundle, under
3 MB for the sample, only trace types that bundle holds, the app's words for the metrics."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from retention_core.report import LABELS, PLOTLY_JS, TRACE_TYPES, html_report
from tests.pages.texts import english_words

ROOT = Path(__file__).resolve().parents[2]
CARTESIAN = {"bar", "box", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "contour", "image", "pie",
             "scatter", "scatterternary", "violin"}  # plotly.js's "cartesian" partial bundle (its README)


@pytest.fixture(scope="module")
def orders() -> pl.DataFrame:
    import duckdb

    from retention_core.ingest import load_file

    with duckdb.connect() as con:
        return load_file(ROOT / "data/sample/orders.csv", kind="orders", con=con).frame


@pytest.fixture(scope="module")
def pages(orders) -> dict[str, str]:
    when = datetime(2026, 1, 5, 9, 30)
    return {lang: html_report(orders, lang=lang, generated=when) for lang in ("en", "ru")}


def _figures(page: str) -> list[dict]:
    """The figures drawn by the report (the JSON passed to Plotly.newPlot)."""
    body = page.split("</head>", 1)[1]
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{', body, re.S):
        out.append({"data": json.loads(m.group(1)), "layout": json.loads(m.group(2))})
    return out


def _visible_text(page: str) -> list[str]:
    body = page.split("</head>", 1)[1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return [html.unescape(x) for x in re.split(r"<[^>]+>", body) if x.strip()]


def _figure_texts(fig: dict) -> list[str]:
    from tests.pages.texts import _figure_texts

    return _figure_texts(fig)


def test_size_and_one_partial_plotly(pages):
    for page in pages.values():
        assert len(page.encode("utf-8")) < 3_000_000  # was 4.9 MB with the full plotly.min.js
        assert page.count("plotly.js (cartesian - minified) v4.1.1") == 1  # embedded once
        assert "<script src=" not in page  # opens offline
    assert PLOTLY_JS.with_name("LICENSE.plotly.js").exists()


def test_report_draws_only_trace_types_of_the_bundle(pages):
    figures = _figures(pages["en"])
    assert len(figures) == 3
    drawn = {t.get("type", "scatter") for f in figures for t in f["data"]}
    assert drawn <= TRACE_TYPES <= CARTESIAN


def test_russian_report_has_no_english_words(pages):
    texts = _visible_text(pages["ru"]) + [t for f in _figures(pages["ru"]) for t in _figure_texts(f)]
    assert english_words(texts, set()) == {}
    page = pages["ru"]
    assert '<html lang="ru">' in page and "Отчёт об удержании" in page and "Сформирован 05.01.2026 09:30" in page
    assert "к предыдущему" in page and "п.п." in page
    ticks = [t for f in _figures(page) for t in f["layout"].get("xaxis", {}).get("ticktext", [])]
    assert "янв 2024" in ticks  # Russian month names on the date axes
    assert all(f["layout"].get("separators") == ",\u202f" for f in _figures(page))  # 1 234,5


def test_english_report_text(pages):
    page = pages["en"]
    assert "Generated 2026-01-05 09:30" in page and "vs previous" in page
    assert english_words(_visible_text(page), set())  # the checker does see English


def test_titles_and_legends_never_share_the_top(pages):
    for f in _figures(pages["en"]):
        legend = f["layout"].get("legend", {})
        template_legend = f["layout"].get("template", {}).get("layout", {}).get("legend", {})
        where = {**template_legend, **legend}
        assert where.get("yref") == "container" and where.get("yanchor") == "bottom"  # under the plot, not the title


def test_trend_chart_labels_its_second_axis(pages):
    trend = _figures(pages["ru"])[0]
    assert trend["layout"]["yaxis2"]["title"]["text"] == "ARPU"
    assert "CRR" in trend["layout"]["yaxis"]["title"]["text"]


def test_report_words_match_the_app_catalogue():
    from ui.i18n import catalogue

    for lang, cat in (("en", catalogue()["en"]), ("ru", catalogue()["ru"])):
        for key, text in LABELS[lang].items():
            prefix = "chart" if key in ("incomplete", "new", "period", "customers", "cohort", "value", "size") else "metric"
            assert cat[f"{prefix}.{key}"] == text, (lang, key)


def test_many_cohorts_are_cut_to_the_latest_and_said_so(orders):
    page = html_report(orders, grain="week", lang="ru")
    heat = _figures(page)[2]
    assert len(heat["data"][0]["y"]) == 36
    assert "Последние 36 из" in page
