"""Nothing is lost silently (SPEC §3): every rejection reason, its line, its raw values, the counts."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from retention_core.ingest import load_file


def rejected_view(result) -> list[tuple]:
    return result.rejected.select("__line", "reason_code", "reason").rows()


def counts(result) -> tuple[int, int, int]:
    r = result.report
    assert r.rows_read == r.rows_accepted + r.rows_rejected  # SPEC §3, always
    assert r.rows_rejected == result.rejected.height
    return r.rows_read, r.rows_accepted, r.rows_rejected


ORDERS = (
    "customer_id;order_date;amount\n"  # 1
    "a;31.12.2024;10,50\n"  # 2 ok
    ";01.01.2024;5\n"  # 3 customer id empty
    "   ;01.01.2024;5\n"  # 4 customer id blank (spaces only)
    "c;31.02.2024;5\n"  # 5 date does not exist
    "d;yesterday;5\n"  # 6 not a date
    "e;;5\n"  # 7 date empty
    "f;01.01.2024;abc\n"  # 8 amount not a number
    "g;01.01.2024;\n"  # 9 amount empty
    ";32.01.2024;xyz\n"  # 10 three faults: the first check (customer id) is the reason
    "h;01.01.2024;0\n"  # 11 zero is kept
    "i;02.01.2024;-7,25\n"  # 12 refund is kept
    "j;01.01.2024;5;extra\n"  # 13 too many fields
    "k;01.01.2024\n"  # 14 too few fields
    "a;31.12.2024;10,50\n"  # 15 exact duplicate of line 2
)


def test_each_orders_rejection_reason_with_its_line(write_file):
    result = load_file(write_file("orders.csv", ORDERS))
    assert counts(result) == (14, 3, 11)
    assert rejected_view(result) == [
        (3, "customer_id_empty", "customer id is empty"),
        (4, "customer_id_empty", "customer id is empty"),
        (5, "ordered_at_invalid", "date '31.02.2024' does not exist"),
        (6, "ordered_at_invalid", "date 'yesterday' is not a date (expected e.g. 31.12.2024 or 31.12.2024 10:30)"),
        (7, "ordered_at_invalid", "date is empty"),
        (8, "amount_invalid", "amount 'abc' is not a number (expected e.g. 1234,50 or 1 234,50)"),
        (9, "amount_invalid", "amount is empty"),
        (10, "customer_id_empty", "customer id is empty"),
        (13, "malformed_line", "the line has more fields than the header"),
        (14, "malformed_line", "the line has fewer fields than the header"),
        (15, "duplicate", "exact duplicate of line 2; counted once"),
    ]
    assert result.frame.select("customer_id", "ordered_at", "amount").rows() == [
        ("a", datetime(2024, 12, 31), 10.5),
        ("h", datetime(2024, 1, 1), 0.0),
        ("i", datetime(2024, 1, 2), -7.25),
    ]
    assert result.report.duplicates == 1
    assert result.report.reason_counts == {
        "customer_id_empty": 3, "ordered_at_invalid": 3, "amount_invalid": 2, "malformed_line": 2, "duplicate": 1,
    }


def test_rejected_rows_keep_raw_values_and_the_failing_column(write_file):
    result = load_file(write_file("orders.csv", ORDERS))
    rej = result.rejected
    assert rej.columns[:4] == ["__line", "column", "reason_code", "reason"]
    row5 = rej.filter(pl.col("__line") == 5).select("column", "customer_id", "order_date", "amount").row(0)
    assert row5 == ("order_date", "c", "31.02.2024", "5")
    row8 = rej.filter(pl.col("__line") == 8).select("column", "amount").row(0)
    assert row8 == ("amount", "abc")
    # a line that cannot be split keeps the whole raw line instead of cells
    raw = rej.filter(pl.col("__line") == 13).select("column", "customer_id", "raw_line").row(0)
    assert raw == (None, None, "j;01.01.2024;5;extra")


def test_validate_json_lists_the_first_rejected_rows(write_file):
    result = load_file(write_file("orders.csv", ORDERS))
    doc = result.report.to_json(result.rejected, limit=2)
    assert doc["rows_read"] == 14 and doc["rows_accepted"] == 3 and doc["rows_rejected"] == 11
    assert doc["rejected"] == [
        {"line": 3, "column": "customer_id", "reason": "customer id is empty"},
        {"line": 4, "column": "customer_id", "reason": "customer id is empty"},
    ]
    assert (doc["kind"], doc["duplicates"], doc["encoding"], doc["delimiter"]) == ("orders", 1, "utf-8", ";")


def test_order_id_repeats_are_duplicates_counted_once(write_file):
    text = (
        "order_id,customer_id,order_date,amount\n"
        "1,a,2024-01-01,10\n"  # 2
        "2,b,2024-01-02,20\n"  # 3
        "1,a,2024-01-01,10\n"  # 4 same order id (and same row)
        "1,a,2024-01-05,99\n"  # 5 same order id, other values: still the same order, counted once
        "3,c,2024-01-03,x\n"  # 6 bad amount
        "3,c,2024-01-03,30\n"  # 7 the first GOOD row of order 3 is kept
    )
    result = load_file(write_file("o.csv", text))
    assert counts(result) == (6, 3, 3)
    assert result.frame.select("order_id", "amount").rows() == [("1", 10.0), ("2", 20.0), ("3", 30.0)]
    assert rejected_view(result) == [
        (4, "duplicate", "order id repeats line 2; counted once"),
        (5, "duplicate", "order id repeats line 2; counted once"),
        (6, "amount_invalid", "amount 'x' is not a number (expected e.g. 1234.50 or 1,234.50)"),
    ]


def test_rows_differing_in_one_cell_are_not_duplicates(write_file):
    text = "customer_id,order_date,amount\na,2024-01-01,10\na,2024-01-01,10.5\na,2024-01-02,10\nb,2024-01-01,10\n"
    result = load_file(write_file("o.csv", text))
    assert counts(result) == (4, 4, 0)


def test_subscription_rejections(write_file):
    text = (
        "customer_id,start_date,end_date,mrr,plan\n"
        "a,2024-01-01,2024-03-01,10,basic\n"  # 2 ok
        "b,2024-05-01,2024-03-01,10,basic\n"  # 3 end before start
        "c,2024-01-01,,20,pro\n"  # 4 ok, still active
        "d,,2024-03-01,20,pro\n"  # 5 start empty
        "e,2024-01-01,2024-02-30,20,pro\n"  # 6 end does not exist
        "f,2024-01-01,2024-01-01,abc,pro\n"  # 7 price not a number
        "g,2024-01-01,2024-01-01,0,pro\n"  # 8 ok: ends the day it starts, free plan
    )
    result = load_file(write_file("s.csv", text))
    assert result.report.kind == "subscriptions"
    assert counts(result) == (7, 3, 4)
    assert rejected_view(result) == [
        (3, "end_before_start", "end date is before the start date"),
        (5, "started_at_invalid", "start date is empty"),
        (6, "ended_at_invalid", "end date '2024-02-30' does not exist"),
        (7, "mrr_invalid", "price 'abc' is not a number (expected e.g. 1234.50 or 1,234.50)"),
    ]
    assert result.frame.select("customer_id", "started_at", "ended_at", "mrr", "plan").rows() == [
        ("a", date(2024, 1, 1), date(2024, 3, 1), 10.0, "basic"),
        ("c", date(2024, 1, 1), None, 20.0, "pro"),
        ("g", date(2024, 1, 1), date(2024, 1, 1), 0.0, "pro"),
    ]


def test_survey_score_out_of_range(write_file):
    text = (
        "customer_id,score,date\n"
        "a,9,2024-01-01\n"  # 2 ok
        "b,11,2024-01-02\n"  # 3 above 10
        "c,-1,2024-01-03\n"  # 4 below 0
        "d,7.5,2024-01-03\n"  # 5 not whole
        "e,x,2024-01-03\n"  # 6 not a number
        "f,0,2024-01-03\n"  # 7 ok: 0 is a valid score
        "g,10,2024-01-04\n"  # 8 ok
        "h,,2024-01-04\n"  # 9 empty
    )
    result = load_file(write_file("nps.csv", text))
    assert result.report.kind == "survey"
    assert counts(result) == (8, 3, 5)
    assert rejected_view(result) == [
        (3, "score_range", "score 11 is not a whole number from 0 to 10"),
        (4, "score_range", "score -1 is not a whole number from 0 to 10"),
        (5, "score_range", "score 7.5 is not a whole number from 0 to 10"),
        (6, "score_invalid", "score 'x' is not a number (expected e.g. 1234.50 or 1,234.50)"),
        (9, "score_invalid", "score is empty"),
    ]
    assert result.frame["score"].to_list() == [9, 0, 10]
    assert result.frame.schema["score"] == pl.Int8


def test_event_rejections_and_file_order(write_file):
    text = (
        "user_id,event,timestamp,device\n"
        "a,visit,2024-01-01 10:00,ios\n"  # 2
        "a,buy,2024-01-01 10:00,ios\n"  # 3 same second as line 2: seq keeps the file order
        "b,,2024-01-01 10:00,web\n"  # 4 event empty
        ",visit,2024-01-01 10:00,web\n"  # 5 user empty
        "c,visit,not a time,web\n"  # 6 timestamp
        "c,visit,2024-01-01 11:00,web\n"  # 7
    )
    result = load_file(write_file("ev.csv", text))
    assert result.report.kind == "events"
    assert counts(result) == (6, 3, 3)
    assert [r[:2] for r in rejected_view(result)] == [(4, "event_empty"), (5, "user_id_empty"), (6, "occurred_at_invalid")]
    assert result.frame.select("user_id", "event", "seq").rows() == [("a", "visit", 0), ("a", "buy", 1), ("c", "visit", 2)]
    assert rejected_view(result)[0][2] == "event name is empty"


def test_optional_quantity_that_is_not_a_number_is_rejected_not_dropped(write_file):
    text = "customer_id,order_date,amount,quantity\na,2024-01-01,10,2\nb,2024-01-01,10,two\nc,2024-01-01,10,\n"
    result = load_file(write_file("q.csv", text))
    assert counts(result) == (3, 2, 1)
    assert rejected_view(result)[0][:2] == (3, "quantity_invalid")
    assert result.frame["quantity"].to_list() == [2.0, None]


def test_every_row_rejected_still_reports(write_file):
    text = "customer_id,order_date,amount\n,2024-01-01,1\nb,2024-01-01,x\nc,nope,1\n"
    result = load_file(write_file("bad.csv", text))
    assert counts(result) == (3, 0, 3)
    assert result.frame.height == 0
    assert result.frame.columns == ["customer_id", "ordered_at", "amount", "order_id", "quantity"]


@pytest.mark.parametrize("bad", ["31.02.2024", "29.02.2023", "31.04.2024", "00.01.2024", "15.13.2024"])
def test_impossible_calendar_days_do_not_exist(write_file, bad):
    text = f"customer_id;order_date;amount\na;01.01.2024;1\nb;{bad};1\n"
    result = load_file(write_file("d.csv", text))
    assert rejected_view(result) == [(3, "ordered_at_invalid", f"date '{bad}' does not exist")]


def test_rows_without_an_order_id_are_not_one_shared_order(write_file):
    text = (
        "order_id,customer_id,order_date,amount\n"
        "1,a,2024-01-01,10\n"  # 2
        ",b,2024-01-02,20\n"  # 3 no order id: compared on all columns
        ",c,2024-01-03,30\n"  # 4 another order without an id: kept
        ",c,2024-01-03,30\n"  # 5 exact duplicate of line 4
        "1,a,2024-01-01,10\n"  # 6 order id repeats line 2
    )
    result = load_file(write_file("o.csv", text))
    assert counts(result) == (5, 3, 2)
    assert result.frame.select("customer_id", "order_id", "amount").rows() == [("a", "1", 10.0), ("b", None, 20.0), ("c", None, 30.0)]
    assert rejected_view(result) == [
        (5, "duplicate", "exact duplicate of line 4; counted once"),
        (6, "duplicate", "order id repeats line 2; counted once"),
    ]


@pytest.mark.parametrize(
    ("text", "bad_line"),
    [
        ("customer,date,amount\nx,2024-01-01,1\ny,2024-01-02,oops\nz,2024-01-03,3\n", 3),  # plain: no quotes, no blank lines
        ("customer,date,amount\nx,2024-01-01,1\ny,2024-01-02,oops\nz,2024-01-03,3", 3),  # no final line break
        ("customer,date,amount\r\nx,2024-01-01,1\r\ny,2024-01-02,oops\r\nz,2024-01-03,3\r\n", 3),  # Windows line ends
        ("customer,date,amount\nx,2024-01-01,1\n\ny,2024-01-02,oops\nz,2024-01-03,3\n", 4),  # a blank line before it
        ('customer,date,amount\n"x\ny",2024-01-01,1\ny,2024-01-02,oops\nz,2024-01-03,3\n', 4),  # a quoted line break before it
        ("customer,date,amount\nx,2024-01-01,1\ny,2024-01-02,oops\nz,2024-01-03,3\n\n\n", 3),  # blank lines at the end
    ],
)
def test_rejected_line_is_the_physical_line_in_every_layout(write_file, text, bad_line):
    """Line numbers a person finds in a text editor, whichever way the file is laid out."""
    result = load_file(write_file("orders.csv", text), kind="orders")
    assert counts(result) == (3, 2, 1)
    assert result.rejected["__line"].to_list() == [bad_line]
    assert result.frame["amount"].to_list() == [1.0, 3.0]
