"""The bad-input catalogue (tests/bad_inputs.py) uploaded on the Data page: a refused file gives exactly one
error box naming it and no exception; a file read row by row shows the same read / accepted / rejected counts
as ``validate`` and the rejected rows with their reasons. Folders go through the server-path route."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

from tests.bad_inputs import CATALOGUE, Case
from tests.pages.conftest import ROOT, metric


def _shown(at: AppTest, case: Case) -> list[str]:
    """What is wrong with the page for this case ([] when it shows what it must)."""
    problems = []
    if at.exception:
        problems.append(f"exception: {at.exception}")
    if case.error is not None:
        if len(at.error) != 1 or case.file.split("/")[-1].split(".")[0] not in at.error[0].value:
            problems.append(f"errors: {[e.value for e in at.error]}")
        return problems
    read, accepted, rejected = case.rows
    try:
        # the page reports duplicates (counted once) apart from invalid rows (issue 13): together they are
        # the rejected rows of read = accepted + rejected
        invalid, duplicates = metric(at, "Rejected"), metric(at, "Duplicates (counted once)")
        counts = (metric(at, "Rows read"), metric(at, "Accepted"),
                  f"{int(invalid.replace(',', '')) + int(duplicates.replace(',', '')):,}")
    except AssertionError as exc:
        return [*problems, str(exc), *[e.value for e in at.error]]
    if counts != (f"{read:,}", f"{accepted:,}", f"{rejected:,}"):
        problems.append(f"counts {counts}")
    if case.reasons:
        # the rejected-rows table (translated headers; the reasons summary is another table)
        table = next(d.value for d in at.dataframe if {"Line", "Reason"} <= set(d.value.columns))
        got = list(zip(table["Line"], table["Reason"], strict=True))
        if [line for line, _ in got] != [line for line, _ in case.reasons] or any(
                part not in reason for (_, reason), (_, part) in zip(got, case.reasons, strict=True)):
            problems.append(f"rejected {got}")
    return problems


@pytest.fixture
def data_page(workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("RETENTION_DATA_ROOT", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


@pytest.mark.slow
def test_every_catalogue_case_on_the_data_page(data_page, tmp_path, caplog):
    at = data_page
    failures: dict[str, list[str]] = {}
    for i, case in enumerate(CATALOGUE):
        folder = tmp_path / f"case{i}"
        folder.mkdir()
        if case.kind:
            at.selectbox(key="upload_kind").set_value(case.kind)
        else:
            at.selectbox(key="upload_kind").set_value("auto")
        if case.upload:
            at.radio(key="data_source").set_value("upload")
            path = case.write(folder)
            at.run()
            at.file_uploader(key="upload").set_value((case.file, path.read_bytes(), "application/octet-stream")).run()
        else:
            case.write(folder)
            at.radio(key="data_source").set_value("server").run()
            at.text_input(key="server_path").set_value(f"case{i}/{case.file}").run()
        problems = _shown(at, case)
        if problems:
            failures[case.name] = problems
    assert not failures, failures
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and "Traceback" in r.getMessage()]
