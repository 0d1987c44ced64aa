"""A save killed at any moment (SPEC §7.1): SIGKILL a real child process at every step boundary of
``Workspace.save`` and at random moments, through the API and through ``python -m retention_core save``.

After every kill a fresh process-side ``Workspace`` must open, list exactly the datasets published so
far (no phantom), keep every earlier version readable with its row count (none lost), and show the
killed save either whole (a new version) or not at all. The counts are printed (``-s``) for the notes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from retention_core.workspace import SAVE_STEPS, Workspace

REPO = Path(__file__).resolve().parents[3]
ROWS = 150_000
RANDOM_KILLS = 20

# The child: load the file, hook the step boundaries, say "ready", save. A step named in argv kills itself there.
CHILD = """
import os, signal, sys, time
from retention_core.ingest import load_file
from retention_core.workspace import Workspace, set_step_hook
root, src, name, target = sys.argv[1:5]
result = load_file(src, kind="orders")
ws = Workspace(root)
set_step_hook(lambda step: os.kill(os.getpid(), signal.SIGKILL) if step == target else None)
print("ready", flush=True)
start = time.perf_counter()
info = ws.save(name, {"orders": result})
print("done", info.version, time.perf_counter() - start, flush=True)
"""
# The CLI with the same hook (for the step boundaries; random kills run the plain `python -m` command).
CLI_HOOKED = """
import os, signal, sys
from retention_core.workspace import set_step_hook
target = sys.argv[1]
set_step_hook(lambda step: os.kill(os.getpid(), signal.SIGKILL) if step == target else None)
from retention_core.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    rng = np.random.default_rng(7)
    days = pl.date_range(pl.date(2023, 1, 1), pl.date(2024, 12, 31), eager=True)
    path = tmp_path_factory.mktemp("kill") / "orders.csv"
    pl.DataFrame({"customer_id": [f"c{i}" for i in rng.integers(0, 20_000, ROWS)],
                  "order_date": days.sample(ROWS, with_replacement=True, seed=7),
                  "amount": rng.uniform(1, 100, ROWS).round(2)}).write_csv(path)
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


class Ledger:
    """What has been published so far, checked against the workspace after every kill."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.published: dict[str, dict[int, int]] = {}  # slug -> {version: rows}
        self.lost = self.phantoms = self.opens_failed = 0
        self.outcomes = {"published": 0, "not published, partial files left": 0, "not published, nothing written": 0}

    def check(self, *, wrote_slug: str, rows: int) -> None:
        """Open the workspace afresh and compare it with the ledger; record the killed save's outcome."""
        try:
            ws = Workspace(self.root)
            listed = {d.slug: d for d in ws.datasets()}
        except Exception:  # noqa: BLE001 - counted and asserted below
            self.opens_failed += 1
            raise
        before = dict(self.published.get(wrote_slug, {}))
        for slug, versions in self.published.items():
            if slug not in listed:
                self.lost += len(versions)
                continue
            got = {v.version: v for v in ws.versions(slug)}
            for number, count in versions.items():
                ok = number in got and pl.read_parquet(ws.path(slug, "orders", number)).height == count
                self.lost += not ok
        self.phantoms += len(set(listed) - set(self.published) - {wrote_slug})
        if wrote_slug in listed:
            got = {v.version: v for v in ws.versions(wrote_slug)}
            new = sorted(set(got) - set(before))
            assert len(new) <= 1, new
            for number in new:  # the killed save made it: it must be whole
                whole = pl.read_parquet(ws.path(wrote_slug, "orders", number)).height == rows == got[number].rows["orders"]
                self.phantoms += not whole
                self.published.setdefault(wrote_slug, {})[number] = rows
            if new:
                self.outcomes["published"] += 1
                return
        leftovers = [p for p in self.root.glob(f"{wrote_slug}/*") if not self._published_folder(ws, p)]
        key = "not published, partial files left" if leftovers else "not published, nothing written"
        self.outcomes[key] += 1

    def _published_folder(self, ws: Workspace, folder: Path) -> bool:
        slug = folder.parent.name
        return any(ws.path(slug, "orders", v).parent == folder for v in self.published.get(slug, {}))


def _run_child(root: Path, src: Path, name: str, target: str, *, kill_after: float | None) -> int:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(src), name, target],
                            stdout=subprocess.PIPE, text=True, env=_env(), cwd=REPO)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if kill_after is not None and line.startswith("ready"):
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=120)
    return proc.returncode


def _seed(root: Path, src: Path) -> tuple[Ledger, int]:
    """Two published versions of "Shop" before the kills start; returns the ledger and the row count."""
    ledger = Ledger(root)
    assert _run_child(root, src, "Shop", "none", kill_after=None) == 0
    assert _run_child(root, src, "Shop", "none", kill_after=None) == 0
    ws = Workspace(root)
    rows = ws.versions("shop")[0].rows["orders"]
    ledger.published["shop"] = {1: rows, 2: rows}
    return ledger, rows


def _report(label: str, ledger: Ledger, kills: int) -> None:
    print(f"\n[kill test] {label}: {kills} kills, lost versions {ledger.lost}, phantom datasets/versions "
          f"{ledger.phantoms}, failed opens {ledger.opens_failed}; outcomes {json.dumps(ledger.outcomes)}")


@pytest.mark.slow
def test_api_save_killed_at_every_step_and_at_random_moments(tmp_path, big_csv):
    root = tmp_path / "ws"
    ledger, rows = _seed(root, big_csv)
    kills = 0
    for step in SAVE_STEPS:  # into the existing dataset, and as a brand-new dataset
        for name in ("Shop", f"New {step}"):
            code = _run_child(root, big_csv, name, step, kill_after=None)
            assert code == -signal.SIGKILL, (step, code)
            kills += 1
            ledger.check(wrote_slug="shop" if name == "Shop" else f"new-{step}", rows=rows)
    # a save that is not killed takes about this long (the random moments cover it and a little after)
    probe = subprocess.run([sys.executable, "-c", CHILD, str(root), str(big_csv), "Shop", "none"],
                           capture_output=True, text=True, env=_env(), cwd=REPO, check=True)
    save_seconds = float(probe.stdout.split()[-1])
    ledger.published["shop"][max(ledger.published["shop"]) + 1] = rows
    rng = random.Random(12)
    for _ in range(RANDOM_KILLS):
        code = _run_child(root, big_csv, "Shop", "none", kill_after=rng.uniform(0, save_seconds * 1.3))
        kills += 1
        ledger.check(wrote_slug="shop", rows=rows)
        assert code in (0, -signal.SIGKILL)
    _report(f"API (save ≈ {save_seconds * 1000:.0f} ms)", ledger, kills)
    assert (ledger.lost, ledger.phantoms, ledger.opens_failed) == (0, 0, 0)
    # every boundary up to "renamed" (and inside the transaction) leaves nothing published; after the commit it is whole
    ws = Workspace(root)
    assert {d.slug for d in ws.datasets()} == {"shop", "new-committed"}
    assert ws.sweep(min_age_seconds=0) >= 1  # what the killed saves left is unreferenced and swept
    assert {d.slug for d in Workspace(root).datasets()} == {"shop", "new-committed"}


@pytest.mark.slow
def test_cli_save_killed_at_every_step_and_at_random_moments(tmp_path, big_csv):
    root = tmp_path / "ws"
    ledger, rows = _seed(root, big_csv)
    kills = 0
    cli = ["save", str(big_csv), "--dataset", "Shop", "--workspace", str(root)]
    for step in SAVE_STEPS:
        proc = subprocess.run([sys.executable, "-c", CLI_HOOKED, step, *cli], capture_output=True, text=True,
                              env=_env(), cwd=REPO)
        assert proc.returncode == -signal.SIGKILL, (step, proc.stderr)
        kills += 1
        ledger.check(wrote_slug="shop", rows=rows)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "retention_core", *cli], capture_output=True, text=True, env=_env(),
                          cwd=REPO, check=True)
    whole_run = time.perf_counter() - start
    out = json.loads(done.stdout)
    assert (out["dataset"], out["rows_accepted"]) == ("shop", rows)
    ledger.published["shop"][out["version"]] = rows
    rng = random.Random(21)
    for _ in range(RANDOM_KILLS):  # the save is the last ~10–30 % of a run: aim the kills at the second half
        proc = subprocess.Popen([sys.executable, "-m", "retention_core", *cli], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=_env(), cwd=REPO)
        time.sleep(rng.uniform(0.5 * whole_run, 1.1 * whole_run))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        kills += 1
        ledger.check(wrote_slug="shop", rows=rows)
    _report(f"CLI (a whole run ≈ {whole_run:.2f} s)", ledger, kills)
    assert (ledger.lost, ledger.phantoms, ledger.opens_failed) == (0, 0, 0)
    assert {d.slug for d in Workspace(root).datasets()} == {"shop"}
