"""Every UI text exists in both languages; every metric the core computes is registered with its formula."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import polars as pl
import pytest

import ui.strings
from retention_core.definitions import METRIC_BY_KEY
from retention_core.retention.flows import period_metrics
from retention_core.retention.subscriptions import subscription_metrics

MODULES = sorted(m.name for m in pkgutil.iter_modules(ui.strings.__path__))


@pytest.mark.parametrize("module", MODULES)
def test_catalogue_has_the_same_keys_in_both_languages(module):
    m = importlib.import_module(f"ui.strings.{module}")
    assert set(m.EN) == set(m.RU), sorted(set(m.EN) ^ set(m.RU))
    assert all(v.strip() for v in [*m.EN.values(), *m.RU.values()])  # no empty text


def test_no_key_is_defined_twice_with_different_texts():
    seen: dict[str, tuple[str, str]] = {}
    for module in MODULES:
        m = importlib.import_module(f"ui.strings.{module}")
        for key, text in m.EN.items():
            assert seen.setdefault(key, (module, text))[1] == text, f"{key} differs in {module} and {seen[key][0]}"


def test_every_computed_metric_is_registered():
    orders = pl.DataFrame({"customer_id": ["a", "b", "a"], "amount": [10.0, 20.0, 15.0],
                           "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 2)]})
    subs = pl.DataFrame({"customer_id": ["a", "b"], "started_at": [date(2024, 1, 1), date(2024, 2, 1)],
                         "ended_at": [None, date(2024, 3, 1)], "mrr": [10.0, 20.0], "plan": ["x", "y"]},
                        schema_overrides={"ended_at": pl.Date})
    columns = set(period_metrics(orders).columns) | set(subscription_metrics(subs).columns)
    assert sorted(columns - {"period_start"} - set(METRIC_BY_KEY)) == []
    assert all(m.formula and m.spec.startswith("§") for m in METRIC_BY_KEY.values())
