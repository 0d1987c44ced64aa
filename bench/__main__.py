"""``python -m bench [--quick] [--only NAME]``: run every bench/bench_*.py and write docs/performance.md.

Each module runs in its own process so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import resource
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"


def _child(module: str, quick: bool) -> None:
    rows = importlib.import_module(f"bench.{module}").run(quick)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for r in rows:
        if r.get("peak_mb") is None:
            r["peak_mb"] = peak
    print(json.dumps(rows))


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    p.add_argument("--only", help="run only bench_<ONLY>.py")
    p.add_argument("--child", help=argparse.SUPPRESS)
    ns = p.parse_args()
    if ns.child:
        _child(ns.child, ns.quick)
        return 0
    modules = sorted(f.stem for f in (ROOT / "bench").glob("bench_*.py"))
    if ns.only:
        modules = [m for m in modules if m == f"bench_{ns.only}"]
    sections = []
    for module in modules:
        print(f"== {module}", file=sys.stderr, flush=True)
        args = [sys.executable, "-m", "bench", "--child", module] + (["--quick"] if ns.quick else [])
        res = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        if res.returncode != 0:
            print(res.stderr[-3000:], file=sys.stderr)
            sections.append((module, None, res.stderr.strip().splitlines()[-1:] or ["failed"]))
            continue
        rows = json.loads(res.stdout.strip().splitlines()[-1])
        for r in rows:
            print(f"  {r['benchmark']:<50} {r['size']:<28} {r['seconds']:8.3f} s  {r['peak_mb']:8.0f} MB  {r['note']}",
                  file=sys.stderr)
        sections.append((module, rows, None))
    _write(sections, ns.quick, ns.only)
    return 0


def _write(sections, quick: bool, only: str | None) -> None:
    head = [
        "# Performance",
        "",
        "Measured by `make bench` (`python -m bench`); each benchmark module runs in its own process and",
        "`peak MB` is that process's max RSS. Nothing here is asserted in the test suite.",
        "",
        f"Last full run: {datetime.now():%Y-%m-%d %H:%M}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}{' (quick sizes)' if quick else ''}.",
        "",
    ]
    body = []
    for module, rows, error in sections:
        body += _section(module, rows, error, quick)
    notes = ROOT / "docs" / "performance-notes.md"
    tail = ["## Notes", "", notes.read_text(encoding="utf-8")] if notes.exists() else []
    if only and DOC.exists():  # replace just this module's section of the last full run
        if quick:
            print(f"(--only --quick: {DOC} not rewritten; sections above printed)", file=sys.stderr)
            return
        text = DOC.read_text(encoding="utf-8")
        for module, rows, error in sections:
            name = f"## {module.removeprefix('bench_')}\n"
            start = text.find(name)
            end = text.find("\n## ", start + len(name)) + 1 if start >= 0 else -1
            section = "\n".join(_section(module, rows, error, quick)) + "\n"
            if start < 0 and "\n## Notes\n" in text:  # a new module: its section goes before the notes
                at = text.index("\n## Notes\n") + 1
                text = text[:at] + section + text[at:]
                continue
            if start < 0 or end <= 0:
                continue
            text = text[:start] + section + text[end:]
        if tail and "\n## Notes\n" in text:  # and the notes, which may have been edited since
            text = text[:text.index("\n## Notes\n") + 1] + "\n".join(tail) + "\n"
        DOC.write_text(text, encoding="utf-8")
        print(f"(--only: the {only} section of {DOC} replaced)", file=sys.stderr)
        return
    DOC.write_text("\n".join(head + body + tail) + "\n", encoding="utf-8")


def _section(module: str, rows, error, quick: bool) -> list[str]:
    out = [f"## {module.removeprefix('bench_')}", ""]
    if rows is None:
        return out + [f"Failed: {error}", ""]
    when = f"Measured {datetime.now():%Y-%m-%d %H:%M}{' (quick sizes)' if quick else ''}."
    out += [when, "", "| benchmark | size | seconds | peak MB | target | note |", "|---|---|---:|---:|---|---|"]
    out += [f"| {r['benchmark']} | {r['size']} | {r['seconds']:.3f} | {r['peak_mb']:.0f} | {r['target']} | {r['note']} |"
            for r in rows]
    return out + [""]


if __name__ == "__main__":
    sys.exit(main())
