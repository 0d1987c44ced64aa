"""N concurrent viewers against a real server (SPEC §10 "Load"): ``streamlit run app.py`` on a loopback
port, one headless Chromium (``/usr/bin/chromium``) with N browser contexts (separate sessions), each
opening every page of the app once per round. Requests are bounded: N × rounds × pages page loads, each
with its own timeout. Recorded per step: latency until the page has finished running and shows its
content, errors (an exception box, an error box, a browser-side page error, a timeout).

    .venv/bin/python -m bench.load --viewers 20 [--rounds 1] [--budget 1500] [--json out.json]

First one viewer alone (after a warm-up pass that fills the caches), then N together; the table gives
the latencies and each step's N-viewer median as a ratio of the single viewer's. ``--budget`` bounds the
N-viewer phase in seconds: a viewer starts no page after it (those loads are counted as "not reached",
not as errors). Each visit is appended to ``<json>.visits.jsonl`` as it ends. The server and the browser
are stopped by their process ids.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
# (step, URL path, what the page shows when it has drawn its numbers)
STEPS = (
    ("overview", "/overview", '[data-testid="stMetric"]'),
    ("cohorts", "/cohorts", '[data-testid="stPlotlyChart"]'),
    ("value", "/value", '[data-testid="stMetric"]'),
    ("journeys", "/journeys", '[data-testid="stPlotlyChart"]'),
    ("whatif", "/whatif", '[data-testid="stPlotlyChart"]'),
    ("review", "/review", '[data-testid="stMetric"]'),
    ("data", "/data", '[data-testid="stFileUploader"]'),
)
ERROR_BOXES = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@dataclass
class Visit:
    viewer: int
    step: str
    seconds: float
    error: str | None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workspace: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "RETENTION_WORKSPACE": str(workspace)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"streamlit did not answer on {url} within 120 s")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


async def _visit(page, url: str, viewer: int, step: str, path: str, ready: str, timeout: float) -> Visit:
    errors: list[str] = []

    def on_error(exc) -> None:
        errors.append(f"page error: {exc}")

    page.on("pageerror", on_error)
    start = time.perf_counter()
    try:
        await page.goto(url + path, wait_until="domcontentloaded", timeout=timeout * 1000)
        await page.locator(ready).first.wait_for(state="visible", timeout=timeout * 1000)
        # the script has finished when Streamlit's "running" indicator is gone
        await page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout * 1000)
        seconds = time.perf_counter() - start
        boxes = await page.locator(ERROR_BOXES).count()
        if boxes:
            errors.append(f"{boxes} error box(es): {(await page.locator(ERROR_BOXES).first.inner_text())[:120]}")
    except Exception as exc:  # noqa: BLE001 - a load test records every failure (timeouts, crashes) and goes on
        seconds = time.perf_counter() - start
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
    page.remove_listener("pageerror", on_error)
    return Visit(viewer, step, seconds, "; ".join(errors) or None)


async def _viewer(browser, url: str, viewer: int, rounds: int, timeout: float, deadline: float,
                  log: Path | None) -> list[Visit]:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = await context.new_page()
    visits = []
    try:
        for _ in range(rounds):
            for step, path, ready in STEPS:
                if time.perf_counter() > deadline:
                    return visits
                visits.append(await _visit(page, url, viewer, step, path, ready, timeout))
                if log is not None:
                    with log.open("a") as fh:
                        fh.write(json.dumps(asdict(visits[-1])) + "\n")
    finally:
        await context.close()
    return visits


async def run(url: str, viewers: int, rounds: int, timeout: float, budget: float = float("inf"),
              log: Path | None = None) -> tuple[list[Visit], float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            start = time.perf_counter()
            deadline = start + budget
            results = await asyncio.gather(*[_viewer(browser, url, v, rounds, timeout, deadline, log)
                                             for v in range(viewers)])
            wall = time.perf_counter() - start
        finally:
            await browser.close()
    return [v for r in results for v in r], wall


def summary(visits: list[Visit]) -> dict[str, dict]:
    out = {}
    for step, _, _ in STEPS:
        times = sorted(v.seconds for v in visits if v.step == step and v.error is None)
        errors = [v.error for v in visits if v.step == step and v.error]
        out[step] = {
            "visits": sum(v.step == step for v in visits), "errors": len(errors), "first_error": errors[0] if errors else None,
            "p50": statistics.median(times) if times else None,
            "p95": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] if times else None,
            "max": times[-1] if times else None,
        }
    return out


def table(single: dict, many: dict, viewers: int) -> str:
    rows = [f"| step | 1 viewer p50 s | {viewers} viewers p50 s | p95 s | max s | ratio p50 | errors |",
            "|---|---|---|---|---|---|---|"]
    for step, _, _ in STEPS:
        a, b = single[step], many[step]
        ratio = f"{b['p50'] / a['p50']:.1f}×" if a["p50"] and b["p50"] else "—"
        fmt = lambda x: "—" if x is None else f"{x:.2f}"  # noqa: E731
        rows.append(f"| {step} | {fmt(a['p50'])} | {fmt(b['p50'])} | {fmt(b['p95'])} | {fmt(b['max'])} | {ratio} | "
                    f"{b['errors']} of {b['visits']} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    ap.add_argument("--viewers", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=1, help="passes over every page per viewer (bounds the requests)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds one page may take before it counts as an error")
    ap.add_argument("--budget", type=float, default=float("inf"),
                    help="seconds for the N-viewer phase; no page is started after it (counted as not reached)")
    ap.add_argument("--json", type=Path, default=None, help="write every visit and the summaries here")
    args = ap.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"error: no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    workspace = Path(tempfile.mkdtemp(prefix="load-ws-"))
    proc, url = start_server(workspace)
    try:
        warm, warm_wall = asyncio.run(run(url, 1, 1, args.timeout))  # first start: sample datasets saved, caches filled
        single, _ = asyncio.run(run(url, 1, args.rounds, args.timeout))
        log = args.json.with_suffix(".visits.jsonl") if args.json else None
        if log is not None:
            log.unlink(missing_ok=True)
        many, wall = asyncio.run(run(url, args.viewers, args.rounds, args.timeout, args.budget, log))
    finally:
        stop(proc)
        shutil.rmtree(workspace, ignore_errors=True)
    s1, sn = summary(single), summary(many)
    planned = args.viewers * args.rounds * len(STEPS)
    print(f"cold first pass (1 viewer, every page): {warm_wall:.1f} s; {args.viewers} viewers × {args.rounds} round(s): "
          f"{len(many)} of {planned} page loads in {wall:.1f} s ({planned - len(many)} not reached within the budget), "
          f"{sum(v.error is not None for v in many)} errors")
    print(table(s1, sn, args.viewers))
    if args.json:
        args.json.write_text(json.dumps({"viewers": args.viewers, "rounds": args.rounds, "wall_seconds": wall,
                                         "planned": planned,
                                         "cold_pass_seconds": warm_wall, "single": s1, "many": sn,
                                         "visits": [asdict(v) for v in many]}, indent=1))
    return 0 if all(v.error is None for v in many) else 1


if __name__ == "__main__":
    raise SystemExit(main())
