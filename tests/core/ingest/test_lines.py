"""Line-level exports (one row per invoice line) become orders; the UCI Online Retail files load exactly.

Expected counts on the real data are computed independently here with the csv and gzip modules.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from retention_core.ingest import load_file

REPO = Path(__file__).parents[3]
LINES = REPO / "data" / "uci" / "online_retail_lines.csv.gz"
ORDERS = REPO / "data" / "uci" / "online_retail_orders.csv"

SMALL = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,A,x,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"  # 2: 6 × 2.55 = 15.30
    "536365,B,y,2,2010-12-01 08:26:00,3.39,17850,United Kingdom\n"  # 3: 2 × 3.39 = 6.78 → order 22.08, qty 8
    "536366,A,x,1,2010-12-01 09:00:00,10,,France\n"  # 4: no customer id → rejected
    "C536367,A,x,-3,2010-12-02 10:00:00,2.55,17850,United Kingdom\n"  # 5: cancellation −7.65
    "C536368,B,y,2,2010-12-02 11:00:00,3.39,17850,United Kingdom\n"  # 6: C-prefixed, positive qty → −6.78, qty −2
    "536369,A,x,4,2010-12-03 10:00:00,1.25,12345,France\n"  # 7: 5.00
    "536369,A,x,4,2010-12-03 10:00:00,1.25,12345,France\n"  # 8: exact duplicate of 7
    "536369,B,y,1,2010-12-03 10:05:00,0,12345,France\n"  # 9: free item 0 → order 5.00, qty 5, first time 10:00
    "536370,A,x,-2,2010-12-04 10:00:00,1.5,12345,France\n"  # 10: negative qty without C → −3.00
    "536371,A,x,two,2010-12-04 10:00:00,1.5,12345,France\n"  # 11: quantity not a number
)


def test_lines_are_grouped_into_orders(write_file):
    result = load_file(write_file("lines.csv", SMALL))
    r = result.report
    assert r.line_level
    assert r.columns == {"customer_id": "CustomerID", "ordered_at": "InvoiceDate", "order_id": "InvoiceNo",
                         "quantity": "Quantity", "unit_price": "UnitPrice"}
    # 10 lines: 7 accepted (2, 3, 5, 6, 7, 9, 10), 3 rejected (4, 8, 11); 5 orders
    assert (r.rows_read, r.rows_accepted, r.rows_rejected, r.duplicates, r.orders) == (10, 7, 3, 1, 5)
    got = result.frame.select("order_id", "customer_id", "ordered_at", "quantity").rows()
    assert got == [
        ("536365", "17850", datetime(2010, 12, 1, 8, 26), 8.0),
        ("C536367", "17850", datetime(2010, 12, 2, 10), -3.0),
        ("C536368", "17850", datetime(2010, 12, 2, 11), -2.0),
        ("536369", "12345", datetime(2010, 12, 3, 10), 5.0),
        ("536370", "12345", datetime(2010, 12, 4, 10), -2.0),
    ]
    assert result.frame["amount"].to_list() == pytest.approx([22.08, -7.65, -6.78, 5.0, -3.0], abs=1e-9)
    assert result.frame["country"].to_list() == ["United Kingdom"] * 3 + ["France"] * 2
    assert result.rejected.select("__line", "reason_code", "reason").rows() == [
        (4, "customer_id_empty", "customer id is empty"),
        (8, "duplicate", "exact duplicate of line 7; counted once"),
        (11, "quantity_invalid", "quantity 'two' is not a number (expected e.g. 1234.50 or 1,234.50)"),
    ]


def test_line_level_without_an_order_id_keeps_each_line(write_file):
    text = "client;date;qty;price\na;01.01.2024;2;1,50\na;01.01.2024;-1;1,50\nb;02.01.2024;3;2\n"
    result = load_file(write_file("l.csv", text))
    assert result.report.line_level
    # 2 × 1.50 = 3.00; −1 × 1.50 = −1.50; 3 × 2 = 6
    assert result.frame.select("customer_id", "amount", "order_id").rows() == [("a", 3.0, None), ("a", -1.5, None), ("b", 6.0, None)]


def test_a_price_column_next_to_a_quantity_is_the_unit_price(write_file):
    # "price" is an amount synonym too; with a quantity present it is the unit price
    text = "order_id,customer_id,order_date,quantity,price\n1,a,2024-01-01,3,2.5\n1,a,2024-01-01,1,4\n"
    result = load_file(write_file("p.csv", text))
    assert result.report.columns["unit_price"] == "price"
    assert result.frame.select("order_id", "amount", "quantity").rows() == [("1", 11.5, 4.0)]  # 3×2.5 + 1×4


def test_uci_orders_file_matches_plain_python():
    with ORDERS.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    result = load_file(ORDERS)
    r = result.report
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (len(rows), len(rows), 0) == (22_190, 22_190, 0)
    frame = result.frame
    assert frame["customer_id"].n_unique() == len({row["customer_id"] for row in rows}) == 4_372
    negatives = sum(float(row["amount"]) < 0 for row in rows)
    assert int((frame["amount"] < 0).sum()) == negatives == 3_654
    assert frame["amount"].sum() == pytest.approx(math.fsum(float(row["amount"]) for row in rows), rel=1e-9)
    assert frame["order_id"].to_list() == [row["order_id"] for row in rows]
    assert frame["ordered_at"][0] == datetime.fromisoformat(rows[0]["order_date"])


@pytest.fixture(scope="module")
def uci_lines():
    """The loaded line-level export and the plain-Python expectation (csv + gzip, no polars)."""
    with gzip.open(LINES, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        records = []  # (physical first line, row)
        start = reader.line_num + 1
        for row in reader:
            records.append((start, tuple(row)))
            start = reader.line_num + 1
    col = {name: i for i, name in enumerate(header)}
    no_customer = [line for line, row in records if not row[col["CustomerID"]].strip()]
    seen: set[tuple] = set()
    kept: list[tuple] = []
    duplicate_lines: list[int] = []
    for line, row in records:
        if not row[col["CustomerID"]].strip():
            continue
        if row in seen:
            duplicate_lines.append(line)
        else:
            seen.add(row)
            kept.append(row)
    per_order: dict[str, float] = defaultdict(float)
    for row in kept:
        per_order[row[col["InvoiceNo"]]] += float(row[col["Quantity"]]) * float(row[col["UnitPrice"]])
    expected = {
        "rows_read": len(records),
        "no_customer": no_customer,
        "duplicate_lines": duplicate_lines,
        "accepted": len(kept),
        "orders": per_order,
        "customers": len({row[col["CustomerID"]] for row in kept}),
        "total": math.fsum(per_order.values()),
    }
    return load_file(LINES), expected


@pytest.mark.slow
def test_uci_lines_counts_match_plain_python(uci_lines):
    result, exp = uci_lines
    r = result.report
    assert r.rows_read == exp["rows_read"] == 541_909
    assert r.reason_counts["customer_id_empty"] == len(exp["no_customer"]) == 135_080
    assert r.duplicates == len(exp["duplicate_lines"])
    assert r.rows_accepted == exp["accepted"]
    assert r.rows_rejected == len(exp["no_customer"]) + len(exp["duplicate_lines"])
    assert set(r.reason_counts) == {"customer_id_empty", "duplicate"}
    assert r.orders == result.frame.height == len(exp["orders"]) == 22_190
    assert result.frame["customer_id"].n_unique() == exp["customers"]


@pytest.mark.slow
def test_uci_lines_rejected_at_their_physical_lines(uci_lines):
    result, exp = uci_lines
    rej = result.rejected
    assert rej.filter(pl.col("reason_code") == "customer_id_empty")["__line"].to_list() == exp["no_customer"]
    assert rej.filter(pl.col("reason_code") == "duplicate")["__line"].to_list() == exp["duplicate_lines"]


@pytest.mark.slow
def test_uci_lines_amounts_are_quantity_times_price(uci_lines):
    result, exp = uci_lines
    assert result.frame["amount"].sum() == pytest.approx(exp["total"], rel=1e-6)
    expected = pl.DataFrame({"order_id": list(exp["orders"]), "expected": list(exp["orders"].values())})
    joined = result.frame.join(expected, on="order_id", how="full", coalesce=True)
    assert joined.height == len(exp["orders"])
    worst = joined.select((pl.col("amount") - pl.col("expected")).abs().max()).item()
    assert worst < 1e-6
    # every cancellation invoice (C…) is a refund, every other invoice is not
    cancelled = joined.filter(pl.col("order_id").str.starts_with("C"))
    assert cancelled.height == sum(k.startswith("C") for k in exp["orders"])
    assert int((cancelled["amount"] < 0).sum()) == cancelled.height
