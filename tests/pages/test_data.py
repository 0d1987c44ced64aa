"""Data page as a user works it: upload a messy export, read the report, save it, see it used."""

from __future__ import annotations

from urllib.parse import unquote

import polars as pl
from streamlit.testing.v1 import AppTest

from retention_core.workspace import Workspace
from tests.pages.conftest import ROOT, metric

MESSY = (
    "Клиент;Дата заказа;Сумма, руб.;Канал\n"
    "Иванов;31.12.2024;1 234,50 руб.;сайт\n"
    "Петров;01.02.2024;12,5;магазин\n"
    ";01.02.2024;1;сайт\n"  # rejected: no customer
    "Сидоров;31.02.2024;5;сайт\n"  # rejected: no such day
    "Иванов;31.12.2024;1 234,50 руб.;сайт\n"  # rejected: duplicate of line 2
).encode("cp1251")


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def test_upload_shows_report_counts_and_rejected_rows(workspace):
    at = _data_page()
    at.file_uploader(key="upload").set_value(("заказы.csv", MESSY, "text/csv")).run()
    assert not at.exception
    assert metric(at, "Rows read") == "5"
    assert metric(at, "Accepted") == "2"
    assert metric(at, "Rejected") == "2"  # the duplicate is counted once, not a rejection
    assert metric(at, "Duplicates (counted once)") == "1"
    rejected = next(d.value for d in at.dataframe if "Line" in d.value.columns)  # the rejected rows
    assert list(rejected["Line"]) == [4, 5, 6]
    assert "does not exist" in rejected["Reason"][1]
    # detected roles are offered for override
    assert at.selectbox(key="map_amount").value == "Сумма, руб."
    assert at.selectbox(key="map_customer_id").value == "Клиент"


def test_saved_upload_becomes_the_dataset_every_page_uses(workspace):
    at = _data_page()
    at.file_uploader(key="upload").set_value(("заказы.csv", MESSY, "text/csv")).run()
    at.text_input(key="upload_name").set_value("Магазин")
    at.button[0].click()  # the form's submit button is the first button on the page
    at.run()
    assert not at.exception
    assert any("Магазин" in s.value for s in at.success)
    links = [e.proto for e in at.get("page_link")]  # straight on to the numbers, on the new dataset
    assert [(x.label, unquote(x.query_string)) for x in links][0] == ("See its retention on the Overview", "ds=магазин")
    assert pl.read_parquet(Workspace(workspace).path("магазин", "orders")).height > 0
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    fresh.query_params["ds"] = "магазин"
    fresh.run()
    assert metric(fresh, "Customers") == "2"
    assert metric(fresh, "Revenue") == "1,247"  # 1234.50 + 12.50


def test_bad_file_shows_one_clear_error_and_changes_nothing(workspace):
    before = sorted(p.name for p in workspace.iterdir())
    at = _data_page()
    at.file_uploader(key="upload").set_value(("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and "photo.csv" in at.error[0].value and "not a text table" in at.error[0].value
    assert sorted(p.name for p in workspace.iterdir()) == before


def test_a_parquet_folder_on_the_server_loads_and_saves(workspace, tmp_path, monkeypatch):
    """A dataset too large to upload: a Parquet folder under the server's data folder, named by its path."""
    from datetime import datetime

    import polars as pl

    root = tmp_path / "data"
    (root / "orders_parquet").mkdir(parents=True)
    for part, customers in enumerate((["a", "b", "c"], ["a", "d"])):
        pl.DataFrame({"customer_id": customers, "order_date": [datetime(2024, 1 + part, 5)] * len(customers),
                      "amount": [10.0] * len(customers)}).write_parquet(root / "orders_parquet" / f"part-{part}.parquet")
    monkeypatch.setenv("RETENTION_DATA_ROOT", str(root))
    at = _data_page()
    at.radio(key="data_source").set_value("server").run()
    at.text_input(key="server_path").set_value("../outside").run()
    assert not at.exception
    assert "outside the data folder" in at.error[0].value
    monkeypatch.setenv("RETENTION_DATA_ROOT", str(workspace.parent))
    at.text_input(key="server_path").set_value(workspace.name).run()
    assert "the app's own store of saved datasets" in at.error[0].value
    monkeypatch.setenv("RETENTION_DATA_ROOT", str(root))
    at.text_input(key="server_path").set_value("orders_parquet/").run()
    assert not at.exception
    assert (metric(at, "Rows read"), metric(at, "Accepted"), metric(at, "Rejected")) == ("5", "5", "0")
    assert at.text_input(key="upload_name").value == "orders_parquet"
    at.button[0].click()
    at.run()
    assert pl.read_parquet(Workspace(workspace).path("orders_parquet", "orders")).height == 5


def test_a_workbook_with_several_sheets_offers_the_sheet_to_read(workspace, tmp_path):
    import io

    import polars as pl
    import xlsxwriter

    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf) as wb:
        pl.DataFrame({"note": ["read me first"]}).write_excel(wb, worksheet="Cover")
        pl.DataFrame({"customer_id": ["a", "b", "a"], "order_date": ["2024-01-05", "2024-01-06", "2024-02-01"],
                      "amount": [10.0, 20.0, 5.0]}).write_excel(wb, worksheet="Orders")
    at = _data_page()
    at.file_uploader(key="upload").set_value(("book.xlsx", buf.getvalue(), "application/vnd.ms-excel")).run()
    assert not at.exception
    assert at.selectbox(key="upload_sheet").options == ["Cover", "Orders"]
    assert "cannot find the customer_id" in at.error[0].value  # the cover sheet has no orders: said, not crashed
    at.selectbox(key="upload_sheet").set_value("Orders").run()
    assert not at.exception
    assert (metric(at, "Rows read"), metric(at, "Accepted")) == ("3", "3")


def test_dataset_settings_are_saved_once_and_used_by_every_page(workspace):
    """Issue 10 §4: currency sign, margin and the activity-window override belong to the dataset."""
    import polars as pl

    from retention_core.ingest import DatasetSettings
    from retention_core.workspace import Workspace

    at = _data_page()
    assert at.number_input(key="_set_window_days").value is None  # nothing saved: the purchase cycle
    assert any(c.value == "Measured on this dataset: active = bought in the last 3 months; 80 % of repeat purchases "
               "come within 85 days." for c in at.caption)
    at.selectbox(key="_set_currency").set_value("₽")
    at.number_input(key="_set_margin").set_value(30)
    at.number_input(key="_set_window_days").set_value(30)
    at.number_input(key="_set_cac").set_value(1500.0)
    at.number_input(key="_set_retention_cost").set_value(40.0)
    at.button[[b.label for b in at.button].index("Save settings")].click().run()
    assert not at.exception
    assert Workspace(workspace).settings("sample-shop") == DatasetSettings(currency="₽", margin=0.3, window_days=30,
                                                                           cac=1500.0, retention_cost=40.0)
    assert any("Settings of Sample shop saved" in s.value for s in at.success)
    # every page: money with the dataset's sign, its margin, its window (30 days = 1 month, 5 weeks)
    overview = at.switch_page("pages/overview.py").run()
    assert metric(overview, "Revenue").endswith("\u00a0₽")
    assert any("active = bought in that month; set by hand; the shop's purchase cycle is 85 days" in c.value
               for c in overview.caption)
    assert "cur" not in overview.query_params and "w" not in overview.query_params  # not a link's choice
    assert overview.number_input(key="w").proto.placeholder == "the dataset's setting: 1"
    review = overview.switch_page("pages/review.py").run()
    assert any("active = bought in the last 5 weeks; set by hand" in c.value for c in review.caption)
    assert any("no order for more than 30 days" in c.value for c in review.caption)  # at risk: the user's window
    whatif = review.switch_page("pages/whatif.py").run()  # SPEC §6: CAC and retention cost saved with the dataset
    assert (whatif.number_input(key="wi_cac").value, whatif.number_input(key="wi_cost").value) == (1500.0, 40.0)
    value = whatif.switch_page("pages/value.py").run()
    assert value.number_input(key="margin").value is None  # the page's own input is empty: the dataset's 30 %
    raw = pl.read_csv(ROOT / "data" / "sample" / "orders.csv", schema_overrides={"order_id": pl.String})
    historical = raw["amount"].sum() / raw.filter(pl.col("amount") >= 0)["customer_id"].n_unique() * 0.3
    assert metric(value, "Historical LTV") == f"{historical:,.2f}\u00a0₽"


def test_bad_settings_are_refused_with_a_clear_message(workspace):
    from retention_core.ingest import DatasetSettings
    from retention_core.workspace import Workspace

    at = _data_page()
    at.text_input(key="_set_time_zone").set_value("Mars/Olympus")
    at.button[[b.label for b in at.button].index("Save settings")].click().run()
    assert not at.exception
    assert any("time_zone='Mars/Olympus'" in e.value for e in at.error)
    assert Workspace(workspace).settings("sample-shop") == DatasetSettings()  # nothing saved
