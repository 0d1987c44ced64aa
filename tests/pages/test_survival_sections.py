"""Projected survival (sBG) on the Cohorts page and subscription LTV on Customer value, for datasets with
subscriptions (issue 10 §3): the numbers the pages show are the core's."""

from __future__ import annotations

import json

from retention_core.ingest import load_file
from retention_core.retention.survival import survival_report
from tests.pages.conftest import ROOT, metric

SUBS = ROOT / "data" / "sample" / "subscriptions.csv"


def _chart(at, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


def test_cohorts_shows_projected_survival_of_the_sample_subscriptions(app):
    app.run()
    app.switch_page("pages/cohorts.py").run()
    assert not app.exception
    assert "Projected survival" in [s.value for s in app.subheader]
    seg = survival_report(load_file(SUBS, kind="subscriptions").frame, period="month", horizon=12)["segments"][0]
    fig = _chart(app, "cohorts_survival")
    observed, fitted, projected = fig["data"]
    assert observed["y"] == seg["observed"] and fitted["y"] == seg["fitted"]
    assert projected["y"][1:] == seg["projected"]  # the dashed part starts at the last observed age
    assert any(f"γ = {seg['gamma']:.3f}" in c.value for c in app.caption)


def test_customer_value_shows_subscription_ltv(app):
    app.run()
    app.switch_page("pages/value.py").run()
    assert not app.exception
    seg = survival_report(load_file(SUBS, kind="subscriptions").frame, period="month", horizon=12)["segments"][0]
    assert metric(app, "Subscription LTV") == f"{seg['ltv']:,.2f}"
    assert seg["ltv"] == seg["del"] * seg["mrr"]
