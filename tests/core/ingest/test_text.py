"""Text exports (SPEC §2): delimiters, encodings, number and date styles, line numbers, gzip.

Every test writes (or reads from tests/data) a small file and checks the canonical frame cell by cell.
"""

from __future__ import annotations

import codecs
import gzip
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core.ingest import load_file
from retention_core.ingest.decode import detect_encoding
from retention_core.ingest.parse import (
    DateFormat,
    NumberFormat,
    detect_date_format,
    detect_number_format,
    parse_datetime,
    parse_number,
)

DATA = Path(__file__).parents[2] / "data"
ORDERS = ["customer_id", "ordered_at", "amount", "order_id", "quantity"]


def orders(rows: list[tuple], segments: dict[str, list[str]] | None = None) -> pl.DataFrame:
    """Expected canonical orders frame from (customer_id, ordered_at, amount) rows (no order id / quantity)."""
    frame = pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ordered_at": [r[1] for r in rows],
            "amount": [float(r[2]) for r in rows],
            "order_id": [None] * len(rows),
            "quantity": [None] * len(rows),
        },
        schema={"customer_id": pl.String, "ordered_at": pl.Datetime("us"), "amount": pl.Float64,
                "order_id": pl.String, "quantity": pl.Float64},
    )
    return frame.with_columns(pl.Series(k, v, dtype=pl.String) for k, v in (segments or {}).items())


def rejected_view(result) -> list[tuple]:
    """(line, reason_code, reason) of every rejected row, in file order."""
    return result.rejected.select("__line", "reason_code", "reason").rows()


# --- delimiters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_each_common_delimiter_gives_the_same_frame(write_file, delim):
    text = "customer_id,order_date,amount\na,2024-01-05,10.5\nb,2024-02-06 13:45,20\nc,2024-03-07,-3.25\n"
    result = load_file(write_file("d.csv", text.replace(",", delim)))
    assert result.report.delimiter == delim
    expected = orders([
        ("a", datetime(2024, 1, 5), 10.5),
        ("b", datetime(2024, 2, 6, 13, 45), 20),
        ("c", datetime(2024, 3, 7), -3.25),  # a refund is kept, negative
    ])
    assert_frame_equal(result.frame, expected)
    assert (result.report.rows_read, result.report.rows_accepted, result.report.rows_rejected) == (3, 3, 0)


def test_semicolon_file_with_commas_inside_values_keeps_semicolon(write_file):
    # the header has 2 semicolons and no comma; values carry decimal commas — the delimiter is ';'
    text = "customer_id;order_date;amount\na;2024-01-05;1,5\nb;2024-01-06;2,25\n"
    result = load_file(write_file("s.csv", text))
    assert result.report.delimiter == ";"
    assert result.frame["amount"].to_list() == [1.5, 2.25]


# --- encodings ----------------------------------------------------------------------------------------------

RU = "Клиент;Дата;Сумма\nиван;31.12.2024;1 234,50\nпётр;01.02.2024;12,5\n"
RU_EXPECTED = orders([("иван", datetime(2024, 12, 31), 1234.5), ("пётр", datetime(2024, 2, 1), 12.5)])


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (RU.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + RU.encode("utf-8"), "utf-8-sig"),
        (RU.encode("utf-16"), "utf-16"),  # with BOM, as Excel writes "Unicode text"
        (codecs.BOM_UTF16_BE + RU.encode("utf-16-be"), "utf-16"),
        (RU.encode("utf-16-le"), "utf-16-le"),  # no BOM: detected from the NUL pattern
        (RU.encode("cp1251"), "windows-1251"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "utf16-le-nobom", "cp1251"],
)
def test_each_encoding_reads_the_same_cyrillic_table(write_file, encoded, encoding):
    result = load_file(write_file("ru.csv", encoded))
    assert result.report.encoding == encoding
    assert result.report.columns == {"customer_id": "Клиент", "ordered_at": "Дата", "amount": "Сумма"}
    assert_frame_equal(result.frame, RU_EXPECTED)


def test_bom_does_not_stick_to_the_first_header(write_file):
    # a BOM glued to "customer_id" would hide the column from role detection
    text = codecs.BOM_UTF8 + b"customer_id,order_date,amount\na,2024-01-01,1\n"
    result = load_file(write_file("bom.csv", text))
    assert result.report.columns["customer_id"] == "customer_id"
    assert result.frame["customer_id"].to_list() == ["a"]


def test_detect_encoding_names_each_encoding():
    assert detect_encoding("клиент;сумма\nиван;10".encode("cp1251"), file="f") == "windows-1251"
    assert detect_encoding("клиент;сумма".encode(), file="f") == "utf-8"
    assert detect_encoding(codecs.BOM_UTF8 + b"a", file="f") == "utf-8-sig"
    assert detect_encoding("a;b".encode("utf-16"), file="f") == "utf-16"


def test_windows_1251_names_far_down_an_ascii_file_are_read_as_cyrillic(write_file):
    """Thousands of Latin-only lines first: the encoding is judged where the first non-ASCII byte is."""
    head = "customer_id,order_date,amount,note\n" + "".join(f"a{i},2024-01-05,10,ok\n" for i in range(5000))
    path = write_file("late.csv", head.encode() + "b,2024-01-06,12,Привет\n".encode("cp1251"))
    result = load_file(path)
    assert result.report.encoding == "windows-1251"
    assert result.report.rows_accepted == 5001
    assert result.frame["customer_id"].to_list()[-1] == "b"


# --- golden files in tests/data -----------------------------------------------------------------------------


def test_golden_cp1251_semicolon_file():
    result = load_file(DATA / "orders_cp1251_semicolon.csv")
    r = result.report
    assert (r.encoding, r.delimiter, r.kind) == ("windows-1251", ";", "orders")
    assert r.columns == {"customer_id": "Клиент", "ordered_at": "Дата заказа", "amount": "Сумма"}
    assert r.formats == {"ordered_at": "dot_dmy", "amount": "decimal ','"}
    assert r.segments == ("канал",)
    # 8 data lines: 4 accepted, 4 rejected (lines 4, 5, 7 bad cells; line 8 repeats line 2)
    assert (r.rows_read, r.rows_accepted, r.rows_rejected, r.duplicates) == (8, 4, 4, 1)
    expected = orders(
        [
            ("Иванов", datetime(2024, 1, 5), 1234.5),  # "1 234,50 руб."
            ("Петров", datetime(2024, 1, 31, 14, 30), 2000.0),  # "2\u00a0000,00 руб." (non-breaking space)
            ("Иванов", datetime(2024, 2, 15), -200.0),  # refund kept
            ("Смирнов", datetime(2024, 3, 1), 0.0),  # zero kept
        ],
        {"канал": ["сайт", "магазин", "сайт", "магазин"]},
    )
    assert_frame_equal(result.frame, expected)
    assert rejected_view(result) == [
        (4, "ordered_at_invalid", "date '31.02.2024' does not exist"),
        (5, "customer_id_empty", "customer id is empty"),
        (7, "amount_invalid", "amount 'abc' is not a number (expected e.g. 1234,50 or 1 234,50)"),
        (8, "duplicate", "exact duplicate of line 2; counted once"),
    ]
    # the rejected rows keep their raw cells, decoded
    assert result.rejected.filter(pl.col("__line") == 4)["Клиент"].to_list() == ["Сидоров"]


def test_golden_utf8_bom_currency_signs_and_quoted_newlines():
    result = load_file(DATA / "orders_utf8_bom_rub.csv")
    r = result.report
    assert (r.encoding, r.delimiter) == ("utf-8-sig", ";")
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (5, 4, 1)
    assert result.frame.select("customer_id", "amount").rows() == [
        ("a1", 1234.5),  # 1 234,50 ₽
        ("a2", 12.0),  # €12,00
        ("a3", 7.0),  # $7
        ("a5", 100.0),  # 100 руб.
    ]
    assert result.frame["ordered_at"].to_list() == [datetime(2024, 1, d) for d in (5, 6, 7, 9)]
    # a1 spans physical lines 2–3, so a4 starts on line 6 (not record 5)
    assert rejected_view(result) == [(6, "amount_invalid", "amount 'abc ₽' is not a number (expected e.g. 1234,50 or 1 234,50)")]


def test_golden_utf16_tab_month_first_settled_by_data():
    result = load_file(DATA / "orders_utf16_tab.txt")
    r = result.report
    assert (r.encoding, r.delimiter, r.formats["ordered_at"]) == ("utf-16", "\t", "slash_mdy")
    assert r.warnings == ()  # 12/25/2024 settles month-first: nothing ambiguous
    assert_frame_equal(
        result.frame,
        orders([("x", datetime(2024, 1, 2), 10.5), ("y", datetime(2024, 12, 25), 1234.5)]),
    )
    assert rejected_view(result) == [(4, "ordered_at_invalid", "date '02/30/2024' does not exist")]


# --- numbers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "delim", "expected"),
    [
        (["1 234,50", "12,5", "-7,25"], ";", [1234.5, 12.5, -7.25]),  # decimal comma, thousands space
        (["1\u00a0234,50", "12\u202f345,00", "0,5"], ";", [1234.5, 12345.0, 0.5]),  # nbsp / narrow nbsp
        (['"1,234.50"', '"1,000,000"', "3.5"], ",", [1234.5, 1_000_000.0, 3.5]),  # comma thousands, dot decimal
        (["1.234,50", "2.000,00", "7,1"], ";", [1234.5, 2000.0, 7.1]),  # dot thousands, comma decimal
        (["1234,5", "12", "0,25"], ";", [1234.5, 12.0, 0.25]),
        (["1 234,50 ₽", "$12", "€7,5"], ";", [1234.5, 12.0, 7.5]),  # signs stripped
        (["100 руб.", "2 500,00 руб.", "-50 руб."], ";", [100.0, 2500.0, -50.0]),
        (["(12,50)", "12,50-", "\u221212,50"], ";", [-12.5, -12.5, -12.5]),  # accounting / trailing / unicode minus
    ],
)
def test_number_styles_parse_to_exact_values(write_file, cells, delim, expected):
    lines = ["customer_id,order_date,amount".replace(",", delim)]
    lines += [delim.join([f"c{i}", "2024-01-01", cell]) for i, cell in enumerate(cells)]
    result = load_file(write_file("n.csv", "\n".join(lines) + "\n"))
    assert result.report.rows_rejected == 0, result.rejected
    assert result.frame["amount"].to_list() == expected


def test_parse_number_rejects_malformed_groupings():
    df = pl.DataFrame({"v": ["1,2,3", "1.2.3", "12abc", "", "  ", "7"]})
    comma = df.select(parse_number(pl.col("v"), NumberFormat(","))).to_series().to_list()
    assert comma == [None, None, None, None, None, 7.0]


def test_detect_number_format_from_the_column():
    assert detect_number_format(pl.Series(["1 234,50", "12"])).decimal == ","
    assert detect_number_format(pl.Series(["1,234.50", "12"])).decimal == "."
    assert detect_number_format(pl.Series(["1.234,50"])).decimal == ","


# --- dates --------------------------------------------------------------------------------------------------


def dates_file(write_file, cells: list[str], **kwargs):
    text = "customer_id,order_date,amount\n" + "".join(f"c{i},{cell},1\n" for i, cell in enumerate(cells))
    return load_file(write_file("dates.csv", text), **kwargs)


@pytest.mark.parametrize(
    ("cells", "family", "expected"),
    [
        (["2024-12-31", "2024-01-02 10:30:15", "2024-02-29T23:59"], "iso",
         [datetime(2024, 12, 31), datetime(2024, 1, 2, 10, 30, 15), datetime(2024, 2, 29, 23, 59)]),
        (["31.12.2024", "01.02.2024 10:30", "29.02.2024 23:59:59"], "dot_dmy",
         [datetime(2024, 12, 31), datetime(2024, 2, 1, 10, 30), datetime(2024, 2, 29, 23, 59, 59)]),
        (["2024/12/31", "2024/01/02 08:00"], "ymd_slash", [datetime(2024, 12, 31), datetime(2024, 1, 2, 8)]),
        # day-first settled: 25 can only be a day
        (["01/02/2024", "25/03/2024"], "slash_dmy", [datetime(2024, 2, 1), datetime(2024, 3, 25)]),
        # month-first settled: 25 in the second place can only be a day
        (["01/02/2024", "03/25/2024"], "slash_mdy", [datetime(2024, 1, 2), datetime(2024, 3, 25)]),
        # Excel serial: 45292 = 2024-01-01 (days since 1899-12-30); .5 = noon, .25 = 06:00
        (["45292", "45292.5", "45293.25"], "excel_serial",
         [datetime(2024, 1, 1), datetime(2024, 1, 1, 12), datetime(2024, 1, 2, 6)]),
        # Unix seconds: 1704067200 = 2024-01-01 00:00:00 UTC
        (["1704067200", "1704153600", "1704157200"], "unix_s",
         [datetime(2024, 1, 1), datetime(2024, 1, 2), datetime(2024, 1, 2, 1)]),
        # Unix milliseconds: the same instants ×1000 (+500 ms)
        (["1704067200000", "1704153600500"], "unix_ms",
         [datetime(2024, 1, 1), datetime(2024, 1, 2, 0, 0, 0, 500_000)]),
    ],
    ids=["iso", "dot_dmy", "ymd_slash", "slash_dmy", "slash_mdy", "excel_serial", "unix_s", "unix_ms"],
)
def test_date_styles_parse_to_exact_datetimes(write_file, cells, family, expected):
    result = dates_file(write_file, cells)
    assert result.report.formats["ordered_at"] == family
    assert result.report.rows_rejected == 0, result.rejected
    assert result.frame["ordered_at"].to_list() == expected
    assert result.report.warnings == ()


def test_ambiguous_day_month_is_read_day_first_and_flagged(write_file):
    result = dates_file(write_file, ["01/02/2024", "03/04/2024"])
    assert result.frame["ordered_at"].to_list() == [datetime(2024, 2, 1), datetime(2024, 4, 3)]
    assert len(result.report.warnings) == 1
    assert "could be day-first or month-first" in result.report.warnings[0]
    assert '"order_date"' in result.report.warnings[0]


def test_ambiguous_day_month_follows_the_chosen_order_without_warning(write_file):
    result = dates_file(write_file, ["01/02/2024", "03/04/2024"], date_order="mdy")
    assert result.frame["ordered_at"].to_list() == [datetime(2024, 1, 2), datetime(2024, 3, 4)]
    assert result.report.warnings == ()


def test_data_overrides_a_contradicting_date_order(write_file):
    # 25/03 cannot be month-first whatever the user chose
    result = dates_file(write_file, ["01/02/2024", "25/03/2024"], date_order="mdy")
    assert result.frame["ordered_at"].to_list() == [datetime(2024, 2, 1), datetime(2024, 3, 25)]


def test_date_order_is_validated(write_file):
    from retention_core.errors import ParameterError

    with pytest.raises(ParameterError, match="date_order='ymd' is not allowed; expected dmy, mdy"):
        dates_file(write_file, ["01/02/2024"], date_order="ymd")


def test_detect_and_parse_dates_directly():
    assert detect_date_format(pl.Series(["31.12.2024", None, ""])).family == "dot_dmy"
    assert detect_date_format(pl.Series(["hello", "world"])) is None
    df = pl.DataFrame({"v": ["29.02.2023", "29.02.2024", "31.04.2024"]})
    got = df.select(parse_datetime(pl.col("v"), DateFormat("dot_dmy"))).to_series().to_list()
    assert got == [None, datetime(2024, 2, 29), None]  # 2023 is not a leap year; April has 30 days


# --- physical line numbers ----------------------------------------------------------------------------------


def test_line_numbers_count_newlines_inside_quoted_fields(write_file):
    text = (
        "customer_id,order_date,amount,note\n"  # 1
        'a,2024-01-01,1,"two\nlines"\n'  # 2-3
        'b,2024-01-02,x,"three\nline\ns"\n'  # 4-6  rejected at 4
        "c,2024-01-03,1,ok\n"  # 7
        "d,2024-01-03,1,ok,extra\n"  # 8  too many fields
        "e,2024-01-04,oops,ok\n"  # 9
    )
    result = load_file(write_file("q.csv", text))
    assert [r[:2] for r in rejected_view(result)] == [(4, "amount_invalid"), (8, "malformed_line"), (9, "amount_invalid")]
    assert result.frame["customer_id"].to_list() == ["a", "c"]
    # the embedded newline is part of the value
    assert result.rejected.filter(pl.col("__line") == 4)["note"].to_list() == ["three\nline\ns"]


def test_line_numbers_after_a_malformed_record_with_a_quoted_newline(write_file):
    text = (
        "customer_id,order_date,amount,note\n"  # 1
        'a,2024-01-01,1,"x\ny"\n'  # 2-3
        'b,2024-01-02,2,"p\nq",extra\n'  # 4-5  too many fields
        "c,2024-01-03,z,w\n"  # 6  bad amount
        'd,2024-01-03,1,"m\nn"\n'  # 7-8
        "e,2024-01-03,1\n"  # 9  too few fields
        "f,2024-01-03,q,w\n"  # 10 bad amount
    )
    result = load_file(write_file("qm.csv", text))
    assert [r[:2] for r in rejected_view(result)] == [
        (4, "malformed_line"), (6, "amount_invalid"), (9, "malformed_line"), (10, "amount_invalid"),
    ]


def test_line_numbers_count_blank_lines(write_file):
    text = (
        "customer_id,order_date,amount\n"  # 1
        "a,2024-01-01,1\n"  # 2
        "\n"  # 3
        "b,2024-01-02,x\n"  # 4
        "\n\n"  # 5, 6
        "c,2024-01-03,1,9\n"  # 7 too many fields
        "d,2024-01-03,y\n"  # 8
    )
    result = load_file(write_file("blank.csv", text))
    assert [r[:2] for r in rejected_view(result)] == [(4, "amount_invalid"), (7, "malformed_line"), (8, "amount_invalid")]
    assert result.report.rows_read == 4  # blank lines are not rows


def test_line_numbers_with_crlf_and_quoted_crlf(write_file):
    text = 'customer_id,order_date,amount,note\r\na,2024-01-01,1,"x\r\ny"\r\nb,2024-01-02,x,z\r\n'
    result = load_file(write_file("crlf.csv", text))
    assert rejected_view(result)[0][:2] == (4, "amount_invalid")
    assert result.frame["customer_id"].to_list() == ["a"]


# --- gzip ---------------------------------------------------------------------------------------------------


def test_gzip_compressed_csv_is_read_by_content(write_file):
    raw = b"customer_id,order_date,amount\na,2024-01-01,1.5\nb,2024-01-02,x\n"
    for name in ("orders.csv.gz", "orders.csv"):  # the gzip magic decides, not the name
        result = load_file(write_file(name, gzip.compress(raw)))
        assert result.frame["amount"].to_list() == [1.5]
        assert rejected_view(result)[0][:2] == (3, "amount_invalid")


def test_gzip_of_a_cp1251_export(write_file):
    raw = "Клиент;Дата;Сумма\nа;01.01.2024;1 234,50 руб.\n".encode("cp1251")
    result = load_file(write_file("ru.csv.gz", gzip.compress(raw)))
    assert result.report.encoding == "windows-1251"
    assert_frame_equal(result.frame, orders([("а", datetime(2024, 1, 1), 1234.5)]))


def test_a_dot_in_a_comma_column_is_not_read_as_thousands(write_file):
    # "12.00" cannot be 1 200 (thousands groups have 3 digits): it is rejected, not silently ×100
    text = "customer_id;order_date;amount\na;2024-01-01;1 234,50\nb;2024-01-01;12.00\nc;2024-01-01;7,5\n"
    result = load_file(write_file("mixed.csv", text))
    assert result.frame["amount"].to_list() == [1234.5, 7.5]
    assert rejected_view(result) == [
        (3, "amount_invalid", "amount '12.00' is not a number (expected e.g. 1234,50 or 1 234,50)")
    ]


def test_a_comma_in_a_dot_column_must_group_thousands(write_file):
    # "1,5" in a column written 1,234.50 is not 15
    text = 'customer_id,order_date,amount\na,2024-01-01,"1,234.50"\nb,2024-01-01,"1,5"\nc,2024-01-01,2.25\n'
    result = load_file(write_file("mixed.csv", text))
    assert result.frame["amount"].to_list() == [1234.5, 2.25]
    assert [r[:2] for r in rejected_view(result)] == [(3, "amount_invalid")]


def test_a_stray_quote_still_gives_line_numbers(write_file):
    # an unclosed quote: the value keeps the quote and later lines keep their numbers
    text = 'customer_id,order_date,amount\na,2024-01-01,1\nb,2024-01-02,"2\nc,2024-01-03,zz\n'
    result = load_file(write_file("stray.csv", text))
    assert result.report.rows_read == result.report.rows_accepted + result.report.rows_rejected == 3
    assert [r[:2] for r in rejected_view(result)] == [(3, "amount_invalid"), (4, "amount_invalid")]


def test_a_shared_connection_does_not_carry_rejects_between_files(write_file):
    import duckdb

    con = duckdb.connect()
    bad = load_file(write_file("bad.csv", "customer_id,order_date,amount\na,2024-01-01,1\nb,2024-01-01\n"), con=con)
    assert bad.report.rows_rejected == 1
    good = load_file(write_file("good.csv", "customer_id,order_date,amount\na,2024-01-01,1\nb,2024-01-02,2\n"), con=con)
    assert (good.report.rows_read, good.report.rows_accepted, good.report.rows_rejected) == (2, 2, 0)
    assert good.rejected.height == 0


def test_cp1251_with_many_symbols_and_few_letters(write_file):
    # € « » № and non-breaking spaces are not letters: the few Cyrillic letters still decide Windows-1251
    rows = "".join(f"{i};01.01.2024;€1\u00a0234,50;«№{i}»\n" for i in range(40))
    raw = ("Клиент;Дата;Сумма;Док\n" + rows).encode("cp1251")
    assert detect_encoding(raw, file="f") == "windows-1251"
    result = load_file(write_file("eur.csv", raw))
    assert result.report.rows_accepted == 40
    assert set(result.frame["amount"].to_list()) == {1234.5}


def test_a_single_ambiguous_date_is_flagged_but_a_same_day_month_is_not(write_file):
    one = dates_file(write_file, ["01/02/2024"])
    assert one.frame["ordered_at"].to_list() == [datetime(2024, 2, 1)]
    assert len(one.report.warnings) == 1  # 1 February or 2 January: the user must be asked
    same = dates_file(write_file, ["01/01/2024", "05/05/2024"])
    assert same.report.warnings == ()  # reads the same either way


def test_inch_marks_do_not_upset_line_numbers(write_file):
    text = (
        "customer_id,order_date,amount,descr\n"  # 1
        'a,2024-01-01,1,"multi\nline"\n'  # 2-3
        'b,2024-01-02,2,5" screen\n'  # 4  a quote inside an unquoted value is text
        "\n"  # 5
        "c,2024-01-03,y,ok\n"  # 6
        'd,2024-01-03,z,"q\nq"\n'  # 7-8
    )
    result = load_file(write_file("inch.csv", text))
    assert result.frame.select("customer_id").to_series().to_list() == ["a", "b"]
    assert [r[:2] for r in rejected_view(result)] == [(6, "amount_invalid"), (7, "amount_invalid")]
