"""Russian end to end (issue 13): every page rendered in Russian shows no English word outside the allow-list
(metric acronyms, brand, the user's own data), asks for no catalogue key missing in either language, and
shows no raw key."""

from __future__ import annotations

import re

import polars as pl
import pytest

from tests.pages.conftest import ROOT
from tests.pages.texts import english_words, page_texts

PAGES = ("overview", "cohorts", "value", "journeys", "whatif", "review", "data")
KEY_LIKE = re.compile(r"^[a-z_]+(\.[a-z0-9_+\-]+)+$")


def _data_words() -> set[str]:
    """Words in the user's data (segment values, event names, dataset names): theirs, not the UI's."""
    words = {"uci", "online", "retail", "system"}  # the bundled dataset's proper name; "system" saved the samples
    for kind in ("orders", "events", "subscriptions", "survey"):
        df = pl.read_csv(ROOT / f"data/sample/{kind}.csv", infer_schema=False)
        for column in df.columns:
            values = df[column].drop_nulls().unique()
            if values.len() < 300:
                words |= {w.lower() for v in values for w in re.findall(r"[A-Za-z]+", v)}
    return words


@pytest.mark.parametrize("page", PAGES)
def test_russian_page_has_no_english_words_nor_missing_keys(app, page, monkeypatch):
    from ui import i18n

    i18n.MISSING.clear()
    app.query_params["lang"] = "ru"
    at = app.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    texts = page_texts(at)
    assert len(texts) > 20  # the collector sees the page
    assert english_words(texts, _data_words()) == {}
    assert [x for x in texts if KEY_LIKE.match(x.strip())] == []
    assert {k for lang, k in i18n.MISSING} == set()
    labels = [m.label for m in at.metric]
    assert len(labels) == len(set(labels)), labels  # no two tiles with one name (was: two "Средний чек")


@pytest.mark.parametrize("page", PAGES)
def test_english_page_asks_for_no_missing_key(app, page):
    from ui import i18n

    i18n.MISSING.clear()
    at = app.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert {k for lang, k in i18n.MISSING} == set()


def test_the_collector_finds_english_in_a_russian_page(app, monkeypatch):
    """Guard the guard: an English sentence slipped into the Russian catalogue is caught."""
    from ui import i18n

    monkeypatch.setitem(i18n.catalogue()["ru"], "overview.trend", "Trend of retention")
    app.query_params["lang"] = "ru"
    at = app.switch_page("pages/overview.py").run()
    assert "Trend" in english_words(page_texts(at), _data_words())
