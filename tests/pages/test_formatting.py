"""Numbers as the pages print them: grouping per language, and no "-0" / "+0" from float noise."""

from __future__ import annotations

import pytest

from ui import i18n, state

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture(params=["en", "ru"])
def lang(request, monkeypatch):
    monkeypatch.setattr(state, "lang", lambda: request.param)
    monkeypatch.setattr(state, "currency", lambda: "")
    return request.param


def test_grouping_per_language(lang):
    assert i18n.num(1234567.891, 2) == {"en": "1,234,567.89", "ru": f"1{NNBSP}234{NNBSP}567,89"}[lang]
    assert i18n.pct(0.0375) == {"en": "3.8%", "ru": f"3,8{NBSP}%"}[lang]
    assert i18n.points(0.012) == {"en": "+1.2 pp", "ru": "+1,2 п.п."}[lang]


@pytest.mark.parametrize("noise", [-1e-9, 1e-9, -0.4, 0.0, -0.0])
def test_a_difference_that_rounds_to_zero_shows_as_plain_zero(lang, noise):
    assert i18n.plus(i18n.num(noise), noise) == "0"
    assert i18n.points(noise / 1000).startswith("0")
    assert i18n.pct(noise / 1000, signed=True).startswith("0")


def test_a_real_difference_keeps_its_sign(lang):
    assert i18n.plus(i18n.num(1234.0), 1234.0) == {"en": "+1,234", "ru": f"+1{NNBSP}234"}[lang]
    assert i18n.plus(i18n.num(-0.6), -0.6) == "-1"
