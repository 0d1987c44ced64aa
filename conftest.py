"""Root conftest: names available to every doctest (STYLE: Doctests)."""

from datetime import date, datetime

import polars as pl
import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(pl=pl, date=date, datetime=datetime)
