"""The weekly review report (SPEC §7.1): numbers from the review functions, language, escaping."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from retention_core.errors import NotEnoughDataError, ParameterError
from retention_core.weekly import weekly_report

# Week of 2024-01-01: a, b buy (30); week of 01-08: a again and new c (20); 01-15 (incomplete): a.
ORDERS = pl.DataFrame({
    "customer_id": ["a", "b", "a", "c", "a"],
    "amount": [10.0, 20.0, 15.0, 5.0, 1.0],
    "ordered_at": [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 8), date(2024, 1, 9), date(2024, 1, 15)],
})


def test_russian_summary_says_what_changed_with_hand_computed_numbers():
    r = weekly_report(ORDERS, dataset="Магазин", version=3, lang="ru")
    assert r.period_start == date(2024, 1, 8)
    lines = r.summary.splitlines()
    assert lines[0] == "Еженедельный обзор: Магазин"
    assert "Выручка: 20 (−33,3\u00a0% к предыдущему периоду)" in lines  # 20 vs 30
    assert "Заказы: 2 (+0,0\u00a0% к предыдущему периоду)" not in lines and "Заказы: 2 (0,0\u00a0% к предыдущему периоду)" in lines
    assert "Новые клиенты: 1 (−50,0\u00a0% к предыдущему периоду)" in lines  # c vs a, b
    assert r.subject == "Еженедельный обзор: Магазин: период с 08.01.2024"
    assert '<html lang="ru">' in r.html and "С кем связаться" in r.html and "версия данных 3" in r.html


def test_english_and_the_month_review():
    r = weekly_report(ORDERS, dataset="Shop", version=1, lang="en")
    assert "Revenue: 20 (−33.3% vs the previous week)" in r.summary.splitlines()
    with pytest.raises(NotEnoughDataError):
        weekly_report(ORDERS, dataset="Shop", version=1, grain="month")
    with pytest.raises(ParameterError, match="lang='de'"):
        weekly_report(ORDERS, dataset="Shop", version=1, lang="de")  # type: ignore[arg-type]


def test_user_text_is_escaped_and_only_this_periods_notes_are_listed():
    notes = pl.DataFrame({"week": [date(2024, 1, 8), date(2024, 1, 1)], "text": ["<img src=x onerror=alert(1)>", "old"],
                          "author": ["vic", "vic"]})
    marks = pl.DataFrame({"date": [date(2024, 1, 10), date(2024, 2, 1)], "label": ["promo <b>started</b>", "later"],
                          "author": ["eve", "eve"]})
    r = weekly_report(ORDERS, dataset="<script>alert(1)</script>", version=1, notes=notes, annotations=marks)
    assert "<script>alert(1)</script>" not in r.html and "&lt;script&gt;" in r.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in r.html and "<img src=x" not in r.html
    assert "promo &lt;b&gt;started&lt;/b&gt;" in r.html
    assert "vic: old</li>" not in r.html and "eve: later</li>" not in r.html
