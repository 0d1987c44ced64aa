"""Journey commands from the command line (SPEC §5, §8 ``funnel`` / ``retention``; issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "retention_core", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def ok(*args: str) -> dict:
    res = run(*args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def write(tmp_path: Path, text: str, name: str = "events.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


FOUR_ROWS = (
    "user,event,time,browser,plan\n"
    "u1,visit,2024-01-01 10:00,Chrome,1\n"
    "u1,buy,2024-01-01 10:05,Chrome,2\n"
    "u2,visit,2024-01-02 10:00,Firefox,1\n"
    "u3,visit,2024-01-03 10:00,Safari,3\n"
)


def test_breakdown_by_a_property_of_a_four_row_file(tmp_path: Path):
    """Issue 14 bug 1: the browser column was dropped at ingest (exit 2, "breakdown column not found")."""
    path = write(tmp_path, FOUR_ROWS)
    out = ok("funnel", path, "--steps", "visit,buy", "--window", "1d", "--breakdown", "browser")
    got = {b["value"]: [s["users"] for s in b["steps"]] for b in out["breakdown"]}
    assert got == {"Chrome": [1, 1], "Firefox": [1, 0], "Safari": [1, 0]}


def test_a_numeric_property_is_kept_and_validate_lists_both(tmp_path: Path):
    path = write(tmp_path, FOUR_ROWS)
    out = ok("funnel", path, "--steps", "visit,buy", "--window", "1d", "--breakdown", "plan")
    assert {b["value"]: b["steps"][0]["users"] for b in out["breakdown"]} == {"1": 2, "3": 1}
    v = ok("validate", path)
    assert v["properties"] == ["browser", "plan"]  # every column kept
    assert v["segments"] == ["browser"]  # mostly numbers: kept, not offered in the sidebar


SHOP = (
    "user,event,time,amount,browser\n"
    "u1,visit,2024-01-01 10:00,,Chrome\n"
    "u1,cart,2024-01-01 10:02,,Chrome\n"
    "u1,refund,2024-01-01 10:03,,Chrome\n"
    "u1,purchase,2024-01-01 10:05,150,Chrome\n"
    "u2,visit,2024-01-02 10:00,,Firefox\n"
    "u2,cart,2024-01-02 10:01,,\n"
    "u2,purchase,2024-01-02 10:09,50,Safari\n"
    "u3,visit,2024-01-03 10:00,,Safari\n"
    "u3,purchase,2024-01-03 11:00,200,Safari\n"
    "u4,signup,2024-01-03 11:00,,Safari\n"
)


def test_funnel_options_reach_the_core(tmp_path: Path):
    """Optional step, step filter, exclusion on a range, last-touch breakdown, all users, bins."""
    path = write(tmp_path, SHOP)
    out = ok("funnel", path, "--steps", "visit,cart,purchase[amount>100]", "--window", "1d", "--optional", "2",
             "--exclude", "refund:2-3", "--breakdown", "browser", "--attribution", "last_touch", "--all-users",
             "--bins", "2")
    # u1 is void (refund between cart and purchase); u2 visits and carts (purchase 50 fails the filter);
    # u3 visits and buys for 200 an hour later, skipping the optional cart.
    assert [s["users"] for s in out["steps"]] == [2, 1, 1]
    assert out["all_users"] == 4 and out["steps"][0]["conversion_from_all_users"] == 0.5
    assert out["steps"][2]["average_seconds_from_previous"] == 3600.0
    assert {b["value"]: [s["users"] for s in b["steps"]] for b in out["breakdown"]} == {"Firefox": [1, 1, 0], "Safari": [1, 0, 1]}
    assert out["attribution"] == "last_touch" and out["exclusion_rule"] == "between"
    assert out["time_to_convert"]["bins"] == 2 and sum(b["users"] for b in out["time_to_convert"]["histogram"]) == 1
    assert [(t["period_start"], t["entered"], t["converted"]) for t in out["trend"]] == [("2024-01-01", 2, 1)]


def test_funnel_posthog_rule_and_global_filter(tmp_path: Path):
    path = write(tmp_path, SHOP)
    ours = ok("funnel", path, "--steps", "visit,purchase", "--window", "1d", "--exclude", "refund")
    theirs = ok("funnel", path, "--steps", "visit,purchase", "--window", "1d", "--exclude", "refund", "--exclusion-rule", "posthog")
    assert [s["users"] for s in ours["steps"]] == [2, 2] == [s["users"] for s in theirs["steps"]]
    chrome = ok("funnel", path, "--steps", "visit,purchase", "--window", "1d", "--where", "browser=Safari")
    assert [s["users"] for s in chrome["steps"]] == [1, 1]  # only u3's events are all Safari


def test_funnel_bad_options_exit_2_with_one_line(tmp_path: Path):
    path = write(tmp_path, SHOP)
    for args in (["--optional", "1"], ["--steps", "visit,cart[amount>x]"], ["--exclude", "refund:2-9"],
                 ["--attribution", "middle"], ["--step-window", "2=soon"], ["--where", "nonsense"]):
        full = ["funnel", path, "--steps", "visit,cart", "--window", "1d", *args]
        res = run(*full)
        assert res.returncode == 2, args
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_first_time_retention_with_from_keeps_the_first_cohort(tmp_path: Path):
    """Issue 14 bug 2: a's first signup is 5 June; --from 9 June must not move a into the 9 June cohort."""
    path = write(tmp_path, "user,event,time\na,signup,2020-06-05 10:00\na,signup,2020-06-09 10:00\n"
                           "b,signup,2020-06-09 11:00\na,login,2020-06-10 09:00\nb,login,2020-06-10 12:00\n")
    out = ok("retention", path, "--start-event", "signup", "--return-event", "login", "--period", "day",
             "--from", "2020-06-09")
    assert [(c["cohort"], c["size"], c["values"]) for c in out["cohorts"]] == [("2020-06-09", 1, [1, 1])]


def test_retention_options_reach_the_core(tmp_path: Path):
    path = write(tmp_path, "user,event,time,plan\n"
                           "a,signup,2024-01-01 10:00,free\na,buy,2024-01-09 10:00,pro\na,buy,2024-01-17 10:00,pro\n"
                           "b,signup,2024-01-02 10:00,pro\nb,buy,2024-01-10 10:00,pro\nb,buy,2024-01-10 11:00,pro\n")
    out = ok("retention", path, "--start-event", "signup", "--return-event", "buy", "--cumulative")
    assert out["cohorts"][0]["values"] == [2, 2, 1] and out["cumulative"] is True
    out = ok("retention", path, "--start-event", "signup", "--return-event", "buy", "--min-occurrences", "2")
    assert out["cohorts"][0]["values"] == [2, 1, 0]
    out = ok("retention", path, "--start-event", "signup", "--return-event", "buy", "--breakdown", "plan")
    assert {g["value"]: g["cohorts"][0]["values"] for g in out["breakdown"]} == {"free": [1, 0, 0], "pro": [1, 1, 0]}
    out = ok("retention", path, "--start-event", "*", "--return-event", "buy", "--start-where", "plan=pro")
    # any event on pro: b's first is 2 Jan (week of 1 Jan), a's first is the 9 Jan buy (week of 8 Jan)
    assert [(c["cohort"], c["size"]) for c in out["cohorts"]] == [("2024-01-01", 1), ("2024-01-08", 1)]
