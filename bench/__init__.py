"""Benchmarks (``make bench``): speed and memory, recorded in docs/performance.md; never in the test suite."""


def row(benchmark: str, size: str, seconds: float, target: str, note: str = "") -> dict:
    """One measurement as the runner (``python -m bench``) expects it; peak memory is filled in by the runner."""
    return {"benchmark": benchmark, "size": size, "seconds": round(seconds, 3), "peak_mb": None,
            "target": target, "note": note}
