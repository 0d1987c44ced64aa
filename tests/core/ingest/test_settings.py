"""Dataset settings saved with the dataset (issue 10 §4): validated, persisted in the workspace, kept on re-save."""

from __future__ import annotations

import json
import math

import pytest

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.ingest import DatasetSettings, load_file
from retention_core.workspace import Workspace

ORDERS = "customer_id,order_date,amount\na,2024-01-01,10\nb,2024-02-01,20\n"


def test_defaults_are_spec_defaults():
    s = DatasetSettings()
    assert (s.currency, s.margin, s.window_days, s.week_start, s.time_zone) == ("", 1.0, None, "monday", None)


@pytest.mark.parametrize(("field", "value"), [
    ("margin", 0.0), ("margin", 1.01), ("margin", -0.3), ("margin", math.nan), ("margin", True), ("margin", "0.3"),
    ("window_days", 0), ("window_days", 367), ("window_days", 2.5), ("window_days", True),
    ("currency", "dollars"), ("currency", "\u202e$"), ("currency", " $"),
    ("week_start", "sunday"), ("time_zone", "Mars/Olympus"), ("time_zone", ""),
])
def test_invalid_values_are_refused_by_name(field, value):
    with pytest.raises(ParameterError) as err:
        DatasetSettings(**{field: value})
    assert err.value.param == field


def test_round_trip_and_tolerant_reading():
    s = DatasetSettings(currency="₽", margin=0.3, window_days=90, time_zone="Europe/Moscow")
    assert DatasetSettings.from_json(json.loads(json.dumps(s.to_json()))) == s
    assert DatasetSettings.from_json({"margin": 1}).margin == 1.0  # a whole number from JSON
    with pytest.raises(ParameterError):
        DatasetSettings.from_json({"margin": 7})  # a bad saved value is reported, not silently replaced


def test_workspace_saves_settings_with_the_dataset(tmp_path, write_file):
    ws = Workspace(tmp_path / "ws")
    info = ws.save("Shop", {"orders": load_file(write_file("o.csv", ORDERS))})
    assert ws.settings(info.slug) == DatasetSettings()  # nothing saved yet: the defaults
    chosen = DatasetSettings(currency="$", margin=0.4, window_days=60)
    ws.save_settings(info.slug, chosen)
    assert ws.settings(info.slug) == chosen
    assert Workspace(tmp_path / "ws").settings(info.slug) == chosen  # another process reads the same
    # saving the data again (a new file into the same dataset) keeps the settings
    ws.save("Shop", {"orders": load_file(write_file("o2.csv", ORDERS + "c,2024-03-01,5\n"))}, slug=info.slug)
    assert ws.settings(info.slug) == chosen
    assert not list((tmp_path / "ws" / info.slug).glob(".*tmp"))  # no temporary file left behind


def test_unknown_dataset_is_named(tmp_path, write_file):
    ws = Workspace(tmp_path / "ws")
    ws.save("Shop", {"orders": load_file(write_file("o.csv", ORDERS))})
    with pytest.raises(ColumnNotFoundError, match=r'"shoop".*did you mean "Shop" \(shop\)'):
        ws.settings("shoop")
    with pytest.raises(ColumnNotFoundError):
        ws.save_settings("shoop", DatasetSettings())
    with pytest.raises(ParameterError):
        ws.save_settings("shop", {"margin": 0.3})  # type: ignore[arg-type]


@pytest.mark.parametrize(("field", "value"), [("cac", -1.0), ("cac", math.inf), ("retention_cost", "5"),
                                              ("retention_cost", True), ("cac", 2e9)])
def test_costs_are_amounts_or_refused_by_name(field, value):
    """SPEC §6: CAC and retention cost are saved with the dataset; a negative, infinite or text value is refused."""
    with pytest.raises(ParameterError) as err:
        DatasetSettings(**{field: value})
    assert err.value.param == field
    old = DatasetSettings.from_json({"currency": "₽", "margin": 0.3})  # saved before the costs existed
    assert (old.cac, old.retention_cost) == (0.0, 0.0)
    assert DatasetSettings.from_json({"cac": 30, "retention_cost": 1.5}).to_json()["cac"] == 30.0
