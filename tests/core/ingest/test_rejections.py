"""Rejected rows grouped by reason, with shares of rows and revenue; duplicates apart (issue 13)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from retention_core.ingest import load_file
from retention_core.ingest.rejections import WARN_SHARE, rejection_summary

ROOT = Path(__file__).resolve().parents[3]


def _load(tmp_path: Path, text: str):
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    with duckdb.connect() as con:
        return load_file(path, kind="orders", con=con)


def test_hand_computed_reasons_shares_and_duplicates(tmp_path):
    # 8 rows: 3 good (10 + 20 + 70 = 100), 2 without customer (25 + 25 = 50), 1 bad amount, 1 bad date (amount 50),
    # 1 exact duplicate of line 2. Invalid = 4 of 8 = 50 % of the rows; their readable revenue 50 + 50 = 100
    # (the bad amount has none) of 100 + 100 ⇒ 50 %. The duplicate is counted once, not a rejection.
    s = rejection_summary(_load(tmp_path, "customer_id,order_date,amount\n"
                                          "a,2024-01-01,10\nb,2024-01-02,20\nc,2024-01-03,70\n"
                                          ",2024-01-04,25\n,2024-01-05,25\n"
                                          "d,2024-01-06,abc\ne,2024-02-31,50\n"
                                          "a,2024-01-01,10\n"))
    assert (s.rows_read, s.rows_accepted, s.rows_invalid, s.duplicates) == (8, 3, 4, 1)
    assert s.rows_read == s.rows_accepted + s.rows_invalid + s.duplicates
    assert s.row_share == 0.5 and s.revenue_rejected == 100.0 and s.revenue_share == 0.5 and s.warn
    rows = {r["reason_code"]: r for r in s.by_reason.to_dicts()}
    assert list(rows) == ["customer_id_empty", "amount_invalid", "ordered_at_invalid"]  # most rows first
    assert rows["customer_id_empty"]["rows"] == 2 and rows["customer_id_empty"]["row_share"] == 0.25
    assert rows["customer_id_empty"]["revenue"] == 50.0 and rows["customer_id_empty"]["revenue_share"] == 0.25
    assert rows["amount_invalid"]["revenue"] is None or rows["amount_invalid"]["revenue"] == 0.0
    assert "duplicate" not in rows
    json = s.to_json()
    assert json["rows_invalid"] == 4 and json["rejected_warning"] is True and len(json["rejected_by_reason"]) == 3


def test_a_clean_file_has_no_warning(tmp_path):
    s = rejection_summary(_load(tmp_path, "customer_id,order_date,amount\na,2024-01-01,10\nb,2024-01-02,20\n"))
    assert s.rows_invalid == 0 and s.row_share == 0.0 and not s.warn and s.by_reason.height == 0


def test_one_bad_row_in_forty_is_below_the_warning(tmp_path):
    rows = "".join(f"c{i},2024-01-{i % 28 + 1:02d},10\n" for i in range(39))
    s = rejection_summary(_load(tmp_path, "customer_id,order_date,amount\n" + rows + ",2024-01-01,10\n"))
    assert s.row_share == pytest.approx(1 / 40) and s.row_share < WARN_SHARE
    assert s.revenue_share == pytest.approx(10 / 400) and not s.warn


@pytest.mark.skipif(not (ROOT / "data/uci/online_retail_lines.csv.gz").exists(), reason="UCI lines not bundled")
def test_uci_lines_most_rejections_are_missing_customer_ids():
    """The UCI Online Retail lines (541,909): 135,080 have no CustomerID (the published figure)."""
    with duckdb.connect() as con:
        result = load_file(ROOT / "data/uci/online_retail_lines.csv.gz", kind="orders", con=con)
    s = rejection_summary(result)
    top = s.by_reason.row(0, named=True)
    assert top["reason_code"] == "customer_id_empty" and top["rows"] == 135_080
    assert top["row_share"] == pytest.approx(135_080 / s.rows_read)
    assert s.warn and s.revenue_share > WARN_SHARE
    assert s.rows_read == s.rows_accepted + s.rows_invalid + s.duplicates
