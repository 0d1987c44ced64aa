"""Root conftest: names available to every doctest (STYLE: Doctests)."""

from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import settings

# Hypothesis' per-example deadline is a timed assertion: on a loaded 2-core CI machine it fails tests whose
# logic is right (seen: 646 ms against 200 ms). Speed is bench/'s job (STYLE: Tests), so no deadline.
settings.register_profile("retention", deadline=None)
settings.load_profile("retention")


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(pl=pl, date=date, datetime=datetime)
