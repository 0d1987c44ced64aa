"""The bad-input catalogue (tests/bad_inputs.py) through ``python -m retention_core validate``: each case
gives exit 2 and one stderr line naming the file, or JSON with rows_read = rows_accepted + rows_rejected and
the expected reason on each rejected line. Never a traceback.

In-process (``main``) for every case; a sample through a real ``python -m`` subprocess as well.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from retention_core.cli import main
from tests.bad_inputs import CATALOGUE, ERRORS, ROWS, Case, case_ids


def check(case: Case, code: int, out: str, err: str) -> None:
    assert "Traceback" not in err and "Traceback" not in out
    if case.error is not None:
        assert code == 2, (code, out[:300])
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert re.search(case.error, lines[0]), lines[0]
        return
    assert code == 0, err
    assert err == "", err
    data = json.loads(out)
    read, accepted, rejected = case.rows
    assert (data["rows_read"], data["rows_accepted"], data["rows_rejected"]) == (read, accepted, rejected)
    assert data["rows_read"] == data["rows_accepted"] + data["rows_rejected"]
    if case.reasons:
        got = [(r["line"], r["reason"]) for r in data["rejected"]]
        assert [line for line, _ in got] == [line for line, _ in case.reasons], got
        for (_, reason), (_, part) in zip(got, case.reasons, strict=True):
            assert part in reason, (reason, part)
    for key, value in case.extra.items():
        assert data[key] == value, (key, data[key])


def argv(case: Case, path) -> list[str]:
    return ["validate", str(path), *(["--kind", case.kind] if case.kind else [])]


def test_the_catalogue_has_at_least_80_kinds():
    assert len(CATALOGUE) >= 80 and len(set(case_ids())) == len(CATALOGUE)
    assert len(ERRORS) >= 25 and len(ROWS) >= 55


@pytest.mark.parametrize("case", CATALOGUE, ids=case_ids())
def test_validate(case, tmp_path, capsys):
    path = case.write(tmp_path)
    code = main(argv(case, path))
    out, err = capsys.readouterr()
    check(case, code, out, err)
    assert str(tmp_path) not in err  # the user's file, never the server's folder


SAMPLE = [c for c in CATALOGUE if c.name in {
    "gzip with garbage inside", "Parquet with a list-typed amount", "100,003 columns", "XLSX formulas without saved values",
    "one invalid UTF-8 byte", "a line over 2 MB", "date 9999-12-31", "amount 1e309", "XLSX with a title row and a bad row",
}]


@pytest.mark.parametrize("case", SAMPLE, ids=[c.name for c in SAMPLE])
def test_validate_as_a_real_command(case, tmp_path):
    path = case.write(tmp_path)
    run = subprocess.run([sys.executable, "-m", "retention_core", *argv(case, path)], capture_output=True, text=True,
                         timeout=120)
    check(case, run.returncode, run.stdout, run.stderr)
