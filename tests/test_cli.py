"""The command line as a script uses it: JSON on stdout, exit 2 and one stderr line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "retention_core", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def messy_ru(tmp_path: Path) -> Path:
    """Windows-1251, semicolons, dd.mm.yyyy, '1 234,50 руб.', with one bad row of each kind."""
    text = (
        "Клиент;Дата заказа;Сумма, руб.\n"
        "Иванов;31.12.2024;1 234,50 руб.\n"  # line 2: ok, 1234.50
        "Петров;01.02.2024;12,5\n"  # line 3: ok
        ";01.02.2024;1\n"  # line 4: no customer
        "Сидоров;31.02.2024;5\n"  # line 5: no such day
        "Сидоров;30.01.2024;abc\n"  # line 6: not a number
    )
    path = tmp_path / "заказы.csv"
    path.write_bytes(text.encode("cp1251"))
    return path


def test_validate_prints_spec_json(messy_ru: Path):
    res = run("validate", str(messy_ru))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["kind"] == "orders"
    assert (out["rows_read"], out["rows_accepted"], out["rows_rejected"]) == (5, 2, 3)
    assert out["columns"] == {"customer_id": "Клиент", "ordered_at": "Дата заказа", "amount": "Сумма, руб."}
    assert [(r["line"], r["reason"]) for r in out["rejected"]] == [
        (4, "customer id is empty"),
        (5, "date '31.02.2024' does not exist"),
        (6, "amount 'abc' is not a number (expected e.g. 1234,50 or 1 234,50)"),
    ]


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", b"PK\x03\x04zip"])
def test_unreadable_file_exits_2_with_one_line(tmp_path: Path, content: bytes):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    res = run("validate", str(path))
    assert res.returncode == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.csv" in lines[0] and "Traceback" not in res.stderr


def test_missing_file_and_bad_option_exit_2(tmp_path: Path):
    res = run("validate", str(tmp_path / "nope.csv"))
    assert res.returncode == 2 and "nope.csv: no such file" in res.stderr
    res = run("validate", str(tmp_path / "nope.csv"), "--kind", "invoices")
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1 and "invoices" in res.stderr


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_spec_worked_example_through_cli(tmp_path: Path):
    """SPEC §4.2: 400 at the start of September, 15 leave; 300 join, 4 of them leave."""
    rows = [f"old{i},2024-08-01,{'2024-09-10' if i < 15 else ''}" for i in range(400)]
    rows += [f"new{i},2024-09-05,{'2024-09-20' if i < 4 else ''}" for i in range(300)]
    rows += ["late,2024-10-31,"]  # the data runs to the end of October, so September is complete
    path = _write(tmp_path / "subs.csv", "customer_id,start_date,end_date", rows)
    res = run("metrics", str(path), "--kind", "subscriptions")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    sept = next(p for p in out["periods"] if p["period_start"] == "2024-09-01")
    assert (sept["customers_start"], sept["churned"], sept["new_customers"], sept["churned_new"]) == (400, 15, 300, 4)
    assert sept["customers_end"] == 681
    assert sept["churn_rate"] == pytest.approx(0.0375, abs=1e-12)
    assert sept["total_churn_rate"] == pytest.approx(0.0475, abs=1e-12)
    assert sept["crr"] == pytest.approx(0.9525, abs=1e-12)
    assert sept["incomplete"] is False and out["kind"] == "subscriptions"


ORDERS = [
    # Jan: a, b buy. Feb: a returns, c is new, b is gone. Mar: b comes back (reactivated), a refunds 5.
    "1,a,2024-01-05,10", "2,b,2024-01-09,20", "3,a,2024-02-02,15", "4,c,2024-02-20,5",
    "5,b,2024-03-03,30", "6,a,2024-03-04,-5", "7,c,2024-03-15,0",
]


def test_metrics_hand_computed(tmp_path: Path):
    path = _write(tmp_path / "orders.csv", "order_id,customer_id,order_date,amount", ORDERS)
    out = json.loads(run("metrics", str(path)).stdout)
    jan, feb, mar = out["periods"]
    assert jan["customers_start"] == 0 and jan["crr"] is None  # first period: ratios null, not 0
    # Feb: S={a,b}, E={a,c}, N={c} ⇒ retained 1, churned 1, CRR (2−1)/2
    assert (feb["customers_start"], feb["customers_end"], feb["new_customers"]) == (2, 2, 1)
    assert (feb["retained"], feb["churned"], feb["crr"], feb["churn_rate"]) == (1, 1, 0.5, 0.5)
    # revenue churn: b's January revenue 20 over S's January revenue 30; NRR: a's 15 over S's 30
    assert feb["revenue_churn_rate"] == pytest.approx(20 / 30) and feb["nrr"] == pytest.approx(15 / 30)
    # Mar: S={a,c}, E={b,c} (a's refund is not an order), b reactivated; revenue 30 − 5 + 0 = 25 over 2 orders
    assert (mar["retained"], mar["reactivated"], mar["churned"], mar["new_customers"]) == (1, 1, 1, 0)
    assert (mar["revenue"], mar["orders"], mar["aov"]) == (25.0, 2, 12.5)
    assert mar["incomplete"] is True  # the data ends on 15 March
    # b came back: lapsed in Feb ({b}), reactivated in Mar ⇒ rate 1/1; share 1/S=2 ⇒ CRR 1.0 = 0.5 kept + 0.5 back
    assert (mar["lapsed"], mar["reactivation_rate"], mar["reactivation_share"]) == (1, 1.0, 0.5)
    assert mar["crr"] == mar["retention_rate"] + mar["reactivation_share"] == 1.0
    # 3 repeat gaps (a 28 days, b 54, c 23; a's refund is no purchase): too few to measure a cycle ⇒ W = 1
    assert out["activity_window"] == {"periods": 1, "grain": "month", "source": "too_few_repeats",
                                      "cycle_days": None, "repeat_gaps": 3}
    assert list(mar) == ["period_start", "customers_start", "new_customers", "customers_end", "retained",
                         "reactivated", "churned", "churned_new", "crr", "retention_rate", "churn_rate",
                         "total_churn_rate", "revenue", "orders", "aov", "arpu", "repeat_revenue_share",
                         "revenue_churn_rate", "nrr", "incomplete", "reactivation_share", "lapsed",
                         "reactivation_rate"]


def test_metrics_filters_and_unknown_column(tmp_path: Path):
    rows = [r + (",web" if r.split(",")[1] != "c" else ",shop") for r in ORDERS]
    path = _write(tmp_path / "orders.csv", "order_id,customer_id,order_date,amount,channel", rows)
    out = json.loads(run("metrics", str(path), "--where", "channel=web", "--from", "2024-02-01").stdout)
    assert [p["period_start"] for p in out["periods"]] == ["2024-02-01", "2024-03-01"]
    assert out["periods"][0]["new_customers"] == 0  # c (shop) is filtered out; a is not new in Feb
    res = run("metrics", str(path), "--where", "chanel=web")
    assert res.returncode == 2 and 'did you mean "channel"' in res.stderr


def test_cohorts_and_retention_json(tmp_path: Path):
    path = _write(tmp_path / "orders.csv", "order_id,customer_id,order_date,amount", ORDERS)
    out = json.loads(run("cohorts", str(path)).stdout)
    assert (out["period"], out["value"], out["mode"]) == ("month", "customers", "on")
    jan = out["cohorts"][0]
    assert (jan["cohort"], jan["size"]) == ("2024-01-01", 2)
    assert jan["values"][:2] == [1.0, 0.5]  # of {a, b}: a active in Feb
    events = _write(tmp_path / "events.csv", "user_id,event,timestamp", [
        "u1,signup,2024-01-01 10:00", "u1,login,2024-01-09 10:00", "u2,signup,2024-01-02 10:00",
    ])
    out = json.loads(run("retention", str(events), "--start-event", "signup", "--return-event", "login").stdout)
    first = out["cohorts"][0]
    assert (first["cohort"], first["size"], first["values"][:2]) == ("2024-01-01", 2, [2, 1])


SAMPLE_ORDERS = ROOT / "data" / "sample" / "orders.csv"


def test_whatif_json_and_first_month_by_hand():
    out = json.loads(run("whatif", str(SAMPLE_ORDERS), "--horizon", "3", "--crr-delta", "0.05").stdout)
    assert set(out) == {"baseline", "scenario", "difference", "assumptions"}
    a = out["assumptions"]
    base, scen = out["baseline"], out["scenario"]
    assert len(base["months"]) == 3 and base["months"] == scen["months"]
    # month 1: active(1) = active(0) × keep + new; the scenario keeps 5 more points of active(0)
    gain = scen["active_customers"][0] - base["active_customers"][0]
    assert gain == pytest.approx(a["active_customers_start"] * 0.05, rel=1e-9)
    assert out["difference"]["revenue"] == pytest.approx(sum(scen["revenue"]) - sum(base["revenue"]), rel=1e-9)
    same = json.loads(run("whatif", str(SAMPLE_ORDERS), "--horizon", "3", "--crr-delta", "0").stdout)
    assert same["difference"] == {"revenue": 0, "gross_profit": 0, "active_customers_end": 0}


def test_whatif_bad_horizon_exits_2():
    res = run("whatif", str(SAMPLE_ORDERS), "--horizon", "99")
    assert res.returncode == 2 and "horizon=99" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_funnel_json_hand_counted(tmp_path: Path):
    events = _write(tmp_path / "events.csv", "user_id,event,timestamp,device", [
        "u1,visit,2024-01-01 10:00:00,mobile", "u1,cart,2024-01-01 10:05:00,mobile",
        "u1,buy,2024-01-01 10:20:00,mobile",  # u1: all three, 5 and 15 minutes apart
        "u2,visit,2024-01-01 11:00:00,desktop", "u2,cart,2024-01-09 11:00:00,desktop",  # cart 8 days later
        "u3,cart,2024-01-02 09:00:00,desktop",  # u3 never visits: not in the funnel
    ])
    res = run("funnel", str(events), "--steps", "visit,cart,buy", "--window", "7d", "--breakdown", "device")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert (out["order"], out["window_seconds"]) == ("ordered", 7 * 86400)
    assert [s["users"] for s in out["steps"]] == [2, 1, 1]
    assert [s["conversion_from_start"] for s in out["steps"]] == [1.0, 0.5, 0.5]
    assert out["steps"][1]["median_seconds_from_previous"] == 300
    assert {b["value"]: [s["users"] for s in b["steps"]] for b in out["breakdown"]} == {
        "mobile": [1, 1, 1], "desktop": [1, 0, 0]}
    assert run("funnel", str(events), "--steps", "visit,cart", "--window", "7x").returncode == 2


def test_report_is_self_contained_html(tmp_path: Path):
    out = tmp_path / "weekly.html"
    res = run("report", str(SAMPLE_ORDERS), "--out", str(out), "--title", "Weekly review")
    assert res.returncode == 0, res.stderr
    page = out.read_text(encoding="utf-8")
    assert json.loads(res.stdout)["bytes"] == len(page.encode("utf-8"))
    assert "<h1>Weekly review</h1>" in page
    assert page.count('class="plotly-graph-div"') == 3  # trend, flow, cohort heatmap
    assert "<script src=" not in page  # plotly.js is inline: the file opens offline
    assert "2025-12-01 is incomplete" in page  # the half-finished month is named, not shown as a spike
    # the same rule and CRR decomposition as the app: metrics JSON of the same file gives the numbers
    nov = next(p for p in json.loads(run("metrics", str(SAMPLE_ORDERS)).stdout)["periods"]
               if p["period_start"] == "2025-11-01")
    assert (f"CRR {nov['crr'] * 100:.1f}% = {nov['retention_rate'] * 100:.1f}% kept + "
            f"{nov['reactivation_share'] * 100:.1f}% came back. Active = bought in the last 3 months; "
            "80 % of repeat purchases come within 85 days.") in page
    one = tmp_path / "w1.html"
    assert run("report", str(SAMPLE_ORDERS), "--out", str(one), "--window", "1").returncode == 0
    assert "Active = bought in that period; set by hand." in one.read_text(encoding="utf-8")
    res = run("report", str(SAMPLE_ORDERS), "--out", str(tmp_path / "missing" / "x.html"))
    assert res.returncode == 2 and "cannot write the report" in res.stderr


def test_clv_json_and_holdout_is_believable():
    res = run("clv", str(SAMPLE_ORDERS), "--calibration-end", "2025-06-30", "--time-unit", "week")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert (out["time_unit"], out["calibration_end"]) == ("week", "2025-06-30")
    assert set(out["bgnbd"]) == {"r", "alpha", "a", "b", "log_likelihood"}
    assert set(out["gamma_gamma"]) == {"p", "q", "gamma"}
    # customers with a first purchase on or before the calibration end, counted straight from the file
    import polars as pl

    raw = pl.read_csv(SAMPLE_ORDERS, schema_overrides={"order_id": pl.String}, try_parse_dates=True)
    early = raw.filter((pl.col("amount") >= 0) & (pl.col("order_date").dt.date() <= date(2025, 6, 30)))
    assert out["customers"] == early["customer_id"].n_unique()
    h = out["holdout"]
    assert abs(h["predicted_repeat_purchases"] / h["actual_repeat_purchases"] - 1) < 0.25


def test_rfm_segments_partition_customers():
    out = json.loads(run("rfm", str(SAMPLE_ORDERS)).stdout)
    assert out["as_of"] == "2025-12-15"
    import polars as pl

    raw = pl.read_csv(SAMPLE_ORDERS, schema_overrides={"order_id": pl.String})
    assert sum(s["customers"] for s in out["segments"]) == raw.filter(pl.col("amount") >= 0)["customer_id"].n_unique()
    assert "Champions" in {s["segment"] for s in out["segments"]}


def test_clv_calibration_before_data_exits_2():
    res = run("clv", str(SAMPLE_ORDERS), "--calibration-end", "2019-01-01")
    assert res.returncode == 2 and "calibration_end" in res.stderr


def test_a_folder_of_parquet_files_gives_the_same_metrics_as_one_csv(tmp_path: Path):
    """SPEC §9: a dataset split into Parquet files is read from its folder, with the same numbers."""
    import polars as pl

    csv = _write(tmp_path / "orders.csv", "order_id,customer_id,order_date,amount", ORDERS)
    folder = tmp_path / "orders_parquet"
    folder.mkdir()
    frame = pl.read_csv(csv, schema_overrides={"order_id": pl.String}).with_columns(
        pl.col("order_date").str.to_date().cast(pl.Datetime("us")))
    frame.head(3).write_parquet(folder / "part-0.parquet")
    frame.tail(4).write_parquet(folder / "part-1.parquet")
    from_csv, from_folder = run("metrics", str(csv)), run("metrics", str(folder))
    assert from_folder.returncode == 0, from_folder.stderr
    assert json.loads(from_folder.stdout)["periods"] == json.loads(from_csv.stdout)["periods"]
    report = json.loads(run("validate", str(folder)).stdout)
    assert (report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == (7, 7, 0)
    empty = tmp_path / "nothing_here"
    empty.mkdir()
    failed = run("validate", str(empty))
    assert failed.returncode == 2 and "has no Parquet files" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1


def test_sheet_option_reads_that_sheet_of_a_workbook(tmp_path: Path):
    import polars as pl
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        pl.DataFrame({"note": ["cover"]}).write_excel(wb, worksheet="Cover")
        pl.DataFrame({"customer_id": ["a", "b"], "order_date": ["2024-01-05", "2024-01-06"],
                      "amount": [10.0, 20.0]}).write_excel(wb, worksheet="Orders")
    report = json.loads(run("validate", str(path), "--sheet", "Orders").stdout)
    assert (report["rows_read"], report["rows_accepted"]) == (2, 2)
    wrong = run("validate", str(path), "--sheet", "Nope")
    assert wrong.returncode == 2 and "its sheets are: Cover, Orders" in wrong.stderr


def _cycle_file(tmp_path: Path) -> Path:
    """40 customers buying on 2024-01-31 and 45 days later (2024-03-16) (40 gaps of 45 days ⇒ cycle 45 days), half on
    the web, half in the shop; one more customer on the web buys on 2024-02-01 at 10:00."""
    rows, n = [], 0
    for i in range(40):
        for day in ("2024-01-31", "2024-03-16"):
            n += 1
            rows.append(f"{n},c{i},{day},10,{'web' if i < 20 else 'shop'}")
    rows.append(f"{n + 1},late,2024-02-01 10:00:00,7,web")
    return _write(tmp_path / "cycle.csv", "order_id,customer_id,order_date,amount,channel", rows)


def test_metrics_window_defaults_to_the_purchase_cycle(tmp_path: Path):
    path = _cycle_file(tmp_path)
    out = json.loads(run("metrics", str(path)).stdout)
    # 45 days = 1.48 months ⇒ W = 2 months; 7 weeks with --period week
    assert out["activity_window"] == {"periods": 2, "grain": "month", "source": "purchase_cycle",
                                      "cycle_days": 45, "repeat_gaps": 40}
    jan, feb = out["periods"][:2]
    # W = 2: the 40 January customers are still active in February (no churn), "late" is new in Feb
    assert (feb["customers_start"], feb["retained"], feb["churned"], feb["new_customers"]) == (40, 40, 0, 1)
    weekly = json.loads(run("metrics", str(path), "--period", "week").stdout)
    assert weekly["activity_window"]["periods"] == 7 and weekly["activity_window"]["grain"] == "week"
    # the definition is measured before the filters: 20 web customers alone would be too few repeats
    filtered = json.loads(run("metrics", str(path), "--where", "channel=web", "--from", "2024-02-01").stdout)
    assert filtered["activity_window"] == out["activity_window"]
    assert filtered["periods"][0]["customers_start"] == 20
    # --window overrides: W = 1 ⇒ all 40 churn in February; the measured cycle is still reported
    one = json.loads(run("metrics", str(path), "--window", "1").stdout)
    assert one["activity_window"] == {"periods": 1, "grain": "month", "source": "user", "cycle_days": 45,
                                      "repeat_gaps": 40}
    assert one["periods"][1]["churned"] == 40
    # … and come back in March: reactivated 40 of lapsed(Feb) 40 ⇒ CRR 40/1 = 0 % kept + 4000 % came back
    mar = one["periods"][2]
    assert (mar["reactivated"], mar["reactivation_rate"], mar["retention_rate"]) == (40, 1.0, 0.0)
    assert mar["crr"] == mar["reactivation_share"] == 40.0
    assert run("metrics", str(path), "--window", "0").returncode == 2


@pytest.mark.parametrize(("to", "customers"), [
    ("2024-02-01", 41),  # a date-only --to is the end of that day: the 10:00 order is in
    ("2024-02-01 00:00:00", 40),  # a date-time is that instant
    ("2024-02-01T00:00:00Z", 40),
    ("2024-02-01T12:00:00+03:00", 40),  # = 09:00 UTC: the 10:00 order is after it
    ("2024-02-01T13:00:00+03:00", 41),  # = 10:00 UTC, inclusive
])
def test_dates_and_date_times_in_from_to(tmp_path: Path, to: str, customers: int):
    path = _cycle_file(tmp_path)
    out = json.loads(run("rfm", str(path), "--to", to).stdout)
    assert sum(s["customers"] for s in out["segments"]) == customers


def test_date_time_as_of_and_bad_date_time(tmp_path: Path):
    path = _cycle_file(tmp_path)
    out = json.loads(run("rfm", str(path), "--as-of", "2024-03-01T00:00:00Z").stdout)
    assert out["as_of"] == "2024-03-01"
    res = run("rfm", str(path), "--to", "2024-02-31 10:00")
    assert res.returncode == 2 and "2024-02-31 10:00" in res.stderr and "Traceback" not in res.stderr
    res = run("metrics", str(path), "--from", "2024-03-01", "--to", "2024-02-01T00:00:00Z")
    assert res.returncode == 2 and "Traceback" not in res.stderr
