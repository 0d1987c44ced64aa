"""File formats and unreadable files (SPEC §2–3): Parquet, XLSX, content over extension, one clear message."""

from __future__ import annotations

import random
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, InputError, ParameterError
from retention_core.ingest import load_file

ORDERS_SCHEMA = {"customer_id": pl.String, "ordered_at": pl.Datetime("us"), "amount": pl.Float64,
                 "order_id": pl.String, "quantity": pl.Float64}


def typed_orders() -> pl.DataFrame:
    """4 rows: two good, one without a customer, one without a date (a refund and a channel segment)."""
    return pl.DataFrame(
        {
            "customer_id": ["a", "b", None, "d"],
            "order_date": [datetime(2024, 1, 1, 10), datetime(2024, 2, 1), datetime(2024, 3, 1), None],
            "amount": [1.5, -2.0, 3.0, 4.0],
            "channel": ["web", "shop", "web", "web"],
        }
    )


EXPECTED_TYPED = pl.DataFrame(
    {"customer_id": ["a", "b"], "ordered_at": [datetime(2024, 1, 1, 10), datetime(2024, 2, 1)],
     "amount": [1.5, -2.0], "order_id": [None, None], "quantity": [None, None], "channel": ["web", "shop"]},
    schema={**ORDERS_SCHEMA, "channel": pl.String},
)


def rejected_view(result) -> list[tuple]:
    return result.rejected.select("__line", "reason_code", "reason").rows()


# --- Parquet and XLSX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_typed_parquet_and_xlsx_load_like_csv(tmp_path, fmt):
    path = tmp_path / f"orders.{fmt}"
    typed_orders().write_parquet(path) if fmt == "parquet" else typed_orders().write_excel(path)
    result = load_file(path)
    assert_frame_equal(result.frame, EXPECTED_TYPED)
    r = result.report
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (4, 2, 2)
    assert r.segments == ("channel",)
    assert (r.encoding, r.delimiter) == (None, None)
    # line = spreadsheet row / row number + 1 (the header is line 1)
    assert rejected_view(result) == [(4, "customer_id_empty", "customer id is empty"), (5, "ordered_at_invalid", "date is empty")]


def test_xlsx_with_text_cells_in_russian_formats(tmp_path):
    path = tmp_path / "ru.xlsx"
    pl.DataFrame(
        {"Клиент": ["иван", "пётр", "анна"], "Дата": ["31.12.2024", "01.02.2024 10:30", "31.02.2024"],
         "Сумма": ["1 234,50 ₽", "12,5", "7"]}
    ).write_excel(path)
    result = load_file(path)
    assert result.frame.select("customer_id", "ordered_at", "amount").rows() == [
        ("иван", datetime(2024, 12, 31), 1234.5),
        ("пётр", datetime(2024, 2, 1, 10, 30), 12.5),
    ]
    assert rejected_view(result) == [(4, "ordered_at_invalid", "date '31.02.2024' does not exist")]


def test_xlsx_date_cells_and_excel_serial_numbers(tmp_path):
    cells = tmp_path / "dates.xlsx"
    pl.DataFrame({"customer_id": ["a", "b"], "order_date": [date(2024, 1, 1), date(2024, 5, 6)], "amount": [1, 2]}).write_excel(cells)
    assert load_file(cells).frame["ordered_at"].to_list() == [datetime(2024, 1, 1), datetime(2024, 5, 6)]
    serial = tmp_path / "serial.xlsx"
    # 45292 = 2024-01-01; 45293.25 = 2024-01-02 06:00
    pl.DataFrame({"customer_id": ["a", "b"], "order_date": [45292.0, 45293.25], "amount": [1, 2]}).write_excel(serial)
    result = load_file(serial)
    assert result.report.formats["ordered_at"] == "excel_serial"
    assert result.frame["ordered_at"].to_list() == [datetime(2024, 1, 1), datetime(2024, 1, 2, 6)]


def test_parquet_with_date_and_integer_columns(tmp_path):
    path = tmp_path / "subs.parquet"
    pl.DataFrame(
        {"client": ["a", "b", "c"], "start_date": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
         "end_date": [date(2024, 3, 1), None, date(2024, 2, 1)], "mrr": [10, 20, 30]}
    ).write_parquet(path)
    result = load_file(path)
    assert result.report.kind == "subscriptions"
    assert_frame_equal(
        result.frame,
        pl.DataFrame(
            {"customer_id": ["a", "b"], "started_at": [date(2024, 1, 1), date(2024, 2, 1)],
             "ended_at": [date(2024, 3, 1), None], "mrr": [10.0, 20.0], "plan": [None, None]},
            schema={"customer_id": pl.String, "started_at": pl.Date, "ended_at": pl.Date, "mrr": pl.Float64,
                    "plan": pl.String},
        ),
    )
    assert rejected_view(result) == [(4, "end_before_start", "end date is before the start date")]


# --- content decides, not the extension ---------------------------------------------------------------------


def test_parquet_and_xlsx_under_any_name_are_read_by_content(tmp_path):
    for real, name in [("parquet", "export.csv"), ("xlsx", "export.csv"), ("xlsx", "export.parquet"), ("parquet", "export.xlsx")]:
        path = tmp_path / name
        typed_orders().write_parquet(path) if real == "parquet" else typed_orders().write_excel(path)
        result = load_file(path)
        assert_frame_equal(result.frame, EXPECTED_TYPED), (real, name)


def test_csv_named_parquet_says_it_is_not_parquet(write_file):
    path = write_file("orders.parquet", "customer_id,order_date,amount\na,2024-01-01,1\n")
    with pytest.raises(InputError, match=r"orders\.parquet: the name says Parquet but the content is not Parquet") as err:
        load_file(path)
    assert err.value.fields["reason"] == "unreadable"


def test_png_named_csv_is_binary(write_file):
    rng = random.Random(7)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(300))
    with pytest.raises(InputError, match=r"photo\.csv: this is not a text table \(binary content\)") as err:
        load_file(write_file("photo.csv", png))
    assert err.value.fields["reason"] == "binary"


def test_binary_garbage_is_one_clear_message(write_file):
    rng = random.Random(1)
    garbage = bytes(rng.randrange(256) for _ in range(4000))
    with pytest.raises(InputError, match="this is not a text table"):
        load_file(write_file("garbage.csv", garbage))


def test_zip_that_is_not_a_workbook(tmp_path):
    for name in ("archive.zip", "archive.csv"):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("orders.csv", "customer_id,order_date,amount\na,2024-01-01,1\n")
        with pytest.raises(InputError, match=rf"{name}: this is a ZIP archive, not a table"):
            load_file(path)


def test_damaged_workbook_and_parquet(tmp_path):
    good = tmp_path / "good.parquet"
    typed_orders().write_parquet(good)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[:60])
    with pytest.raises(InputError, match=r"cut\.parquet: the file is not a readable Parquet file"):
        load_file(cut)
    book = tmp_path / "good.xlsx"
    typed_orders().write_excel(book)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(book.read_bytes()[:200])
    with pytest.raises(InputError, match=r"broken\.xlsx: the workbook cannot be read"):
        load_file(broken)


# --- files that cannot be read at all -----------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n  \r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf \r\n"], ids=["empty", "blank-lines", "bom-only", "utf16-bom-only", "bom-blank"])
def test_empty_file(write_file, content):
    with pytest.raises(InputError, match=r"e\.csv: the file is empty; expected a header row and data rows") as err:
        load_file(write_file("e.csv", content))
    assert err.value.fields["reason"] == "empty"


@pytest.mark.parametrize(
    "content",
    [
        b"customer_id,order_date,amount\n",
        b"customer_id,order_date,amount",  # no final newline
        b"\xef\xbb\xbfcustomer_id;order_date;amount\r\n",
        "customer_id\torder_date\tamount\r\n".encode("utf-16"),
        "Клиент;Дата;Сумма\n".encode("cp1251"),
    ],
    ids=["utf8", "no-newline", "bom-crlf", "utf16", "cp1251"],
)
def test_header_only_file(write_file, content):
    with pytest.raises(InputError, match=r"h\.csv: the file has column names but no data rows") as err:
        load_file(write_file("h.csv", content))
    assert err.value.fields["reason"] == "no_rows"


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_header_only_parquet_and_xlsx(tmp_path, fmt):
    path = tmp_path / f"h.{fmt}"
    empty = pl.DataFrame(schema={"customer_id": pl.String, "order_date": pl.Date, "amount": pl.Float64})
    empty.write_parquet(path) if fmt == "parquet" else empty.write_excel(path)
    with pytest.raises(InputError, match="the file has column names but no data rows"):
        load_file(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        load_file(tmp_path / "nope.csv")


def test_no_recognisable_columns_names_what_is_missing_and_what_is_there(write_file):
    with pytest.raises(InputError, match=r"cannot find the customer_id, ordered_at, amount column for orders data among: foo, bar") as err:
        load_file(write_file("x.csv", "foo,bar\n1,2\n"))
    assert err.value.fields["missing"] == ["customer_id", "ordered_at", "amount"]
    assert err.value.fields["available"] == ["foo", "bar"]


def test_damaged_gzip(write_file):
    import gzip

    cut = gzip.compress(b"customer_id,order_date,amount\na,2024-01-01,1\n")[:20]
    with pytest.raises(InputError, match=r"z\.csv\.gz: the gzip archive is damaged"):
        load_file(write_file("z.csv.gz", cut))


# --- roles: detection is a suggestion the mapping overrides -------------------------------------------------


def test_mapping_overrides_detection(write_file):
    path = write_file("m.csv", "Покупатель ID,when,how much\nx,2024-01-01,1.5\n")
    result = load_file(path, mapping={"customer_id": "Покупатель ID", "ordered_at": "when", "amount": "how much"})
    assert result.frame.select("customer_id", "ordered_at", "amount").rows() == [("x", datetime(2024, 1, 1), 1.5)]


def test_mapping_to_an_unknown_header_suggests_the_closest(write_file):
    path = write_file("m.csv", "Покупатель ID,when,how much\nx,2024-01-01,1.5\n")
    with pytest.raises(ColumnNotFoundError, match=r'customer_id column "Покупатель" not found; .*did you mean "Покупатель ID"\?'):
        load_file(path, mapping={"customer_id": "Покупатель", "ordered_at": "when", "amount": "how much"})


def test_unknown_role_and_kind_are_parameter_errors(write_file):
    path = write_file("m.csv", "customer_id,order_date,amount\nx,2024-01-01,1.5\n")
    with pytest.raises(ParameterError, match="role='customer' is not allowed"):
        load_file(path, mapping={"customer": "customer_id"})
    with pytest.raises(ParameterError, match="kind='sales' is not allowed; expected orders, subscriptions, events, survey"):
        load_file(path, kind="sales")


@pytest.mark.parametrize(
    ("header", "kind", "columns"),
    [
        ("Клиент;Дата заказа;Сумма, руб.", "orders", {"customer_id": "Клиент", "ordered_at": "Дата заказа", "amount": "Сумма, руб."}),
        ("email;created_at;revenue", "orders", {"customer_id": "email", "ordered_at": "created_at", "amount": "revenue"}),
        ("client;start_date;end_date;mrr", "subscriptions",
         {"customer_id": "client", "started_at": "start_date", "ended_at": "end_date", "mrr": "mrr"}),
        ("user_id;event;timestamp", "events", {"user_id": "user_id", "event": "event", "occurred_at": "timestamp"}),
        ("customer_id;nps;date", "survey", {"customer_id": "customer_id", "score": "nps", "answered_at": "date"}),
    ],
)
def test_kind_and_roles_are_detected_from_headers(write_file, header, kind, columns):
    row = {"orders": "a;01.01.2024;10", "subscriptions": "a;01.01.2024;01.02.2024;10",
           "events": "a;visit;01.01.2024", "survey": "a;9;01.01.2024"}[kind]
    result = load_file(write_file("k.csv", f"{header}\n{row}\n"))
    assert result.report.kind == kind
    assert result.report.columns == columns
    assert result.report.rows_accepted == 1


def test_file_name_is_used_in_messages(tmp_path):
    path = tmp_path / "upload_0001.tmp"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"^Мои заказы\.csv: the file is empty"):
        load_file(Path(path), file_name="Мои заказы.csv")


def test_xlsx_empty_rows_are_skipped_but_keep_the_row_numbers(tmp_path):
    path = tmp_path / "gaps.xlsx"
    pl.DataFrame(
        {"customer_id": ["a", None, "b", None, "c"], "order_date": ["2024-01-01", None, "2024-01-02", None, "2024-01-03"],
         "amount": ["1", None, "x", None, "3"]}
    ).write_excel(path)
    # spreadsheet rows: 1 header, 2 a, 3 empty, 4 b (bad amount), 5 empty, 6 c
    result = load_file(path)
    assert (result.report.rows_read, result.report.rows_accepted, result.report.rows_rejected) == (3, 2, 1)
    assert rejected_view(result) == [(4, "amount_invalid", "amount 'x' is not a number (expected e.g. 1234.50 or 1,234.50)")]


def test_workbook_sheets_are_listed_and_any_one_can_be_read(tmp_path):
    import xlsxwriter

    from retention_core.ingest import excel_sheets

    path = tmp_path / "book.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        pl.DataFrame({"note": ["a cover sheet"]}).write_excel(wb, worksheet="Cover")
        typed_orders().write_excel(wb, worksheet="Orders 2024")
    assert excel_sheets(path, file="book.xlsx") == ["Cover", "Orders 2024"]
    with pytest.raises(InputError, match="cannot find the customer_id"):
        load_file(path)  # the first sheet, as in Excel: no orders there, and the message says so
    result = load_file(path, sheet="Orders 2024")
    assert_frame_equal(result.frame, EXPECTED_TYPED)
    with pytest.raises(InputError, match=r"book.xlsx: the workbook has no sheet 'Orders'; its sheets are: Cover, Orders 2024"):
        load_file(path, sheet="Orders")
