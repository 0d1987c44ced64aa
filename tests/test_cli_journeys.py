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
