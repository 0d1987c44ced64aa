"""Data page for a new user: the columns each export needs with templates that load back cleanly, and the
validation summary (reasons with shares, duplicates apart from rejections) in Russian."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from retention_core.ingest import KINDS, load_file
from retention_core.ingest.roles import ROLES
from tests.pages.conftest import ROOT
from tests.pages.test_data import MESSY


def _data_page(lang: str, monkeypatch) -> AppTest:
    from ui import state  # AppTest re-evaluates format_func outside the run: keep the language there too

    monkeypatch.setattr(state, "lang", lambda: lang)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_templates_of_every_kind_load_back_with_every_column_recognised(workspace, downloads, monkeypatch, tmp_path, lang):
    _data_page(lang, monkeypatch)
    for kind in KINDS:
        for ext in ("csv", "xlsx"):
            path = tmp_path / f"template_{kind}_{lang}.{ext}"
            path.write_bytes(downloads[path.name])
            with duckdb.connect() as con:
                result = load_file(path, con=con)  # kind detected from the headers alone
            rep = result.report
            assert rep.kind == kind, (path.name, rep.kind)
            assert rep.rows_rejected == 0 and rep.rows_accepted == rep.rows_read >= 2, path.name
            required, optional = ROLES[kind]
            assert set(required) <= set(rep.columns), (path.name, rep.columns)
    if lang == "ru":
        head = downloads["template_orders_ru.csv"].decode("utf-8-sig").splitlines()
        assert head[0].startswith("Клиент;Дата заказа;Сумма") and ";1250,50;" in head[1] and "05.01.2025" in head[1]


def test_required_and_optional_columns_are_listed_in_russian(workspace, monkeypatch):
    at = _data_page("ru", monkeypatch)
    text = " ".join(m.value for m in at.markdown)
    assert "Обязательные" in text and "Клиент" in text and "Дата заказа" in text and "Необязательные" in text


def test_russian_summary_counts_duplicates_apart_and_translates_reasons(workspace, monkeypatch, downloads):
    at = _data_page("ru", monkeypatch)
    at.file_uploader(key="upload").set_value(("заказы.csv", MESSY, "text/csv")).run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert list(values.values()) == ["5", "2", "2", "1"]  # read, accepted, rejected (not the duplicate), duplicates
    assert any("Отклонено 40" in w.value for w in at.warning)  # 2 of 5 rows > 5 %: a warning above the report
    tables = [d.value for d in at.dataframe]
    by_reason = next(t for t in tables if "Причина" in t.columns and "Доля строк" in t.columns)
    assert sorted(by_reason["Причина"]) == ["Дата заказа: не читается", "Клиент: пусто"]
    rejected = next(t for t in tables if "Строка" in t.columns)
    assert list(rejected["Строка"]) == [4, 5, 6]
    assert list(rejected["Причина"])[0] == "Клиент: пустое значение"
    assert list(rejected["Причина"])[1] == "Дата заказа: «31.02.2024» не удалось прочитать"
    assert list(rejected["Причина"])[2] == "повтор строки 2; учтена один раз"
    preview = next(t for t in tables if "Клиент" in t.columns and "Строка" not in t.columns)
    assert {"Клиент", "Дата заказа", "Сумма"} <= set(preview.columns)  # no internal names (customer_id, …)
    user = downloads["заказы.csv.rejected.csv"].decode("utf-8-sig")
    assert user.splitlines()[0].startswith("Строка;Столбец;Причина")


@pytest.mark.parametrize(("name", "text", "reason", "summary"), [
    ("orders.csv", "customer_id,ordered_at,amount\nA,2024-01-05,10\nB,1900-01-01,5\n",
     "Дата заказа: «1900-01-01» вне допустимых дат (расширьте диапазон дат, чтобы сохранить строку)",
     "Дата заказа: вне допустимых дат"),
    ("survey.csv", "customer_id,answered_at,score\nA,2024-01-05,9\nB,2024-01-06,11\n",
     "оценка «11» — не целое число от 0 до 10", "Оценка не целое 0–10"),
    ("subscriptions.csv", "customer_id,started_at,ended_at,mrr\nA,2024-01-05,2024-03-01,10\nB,2024-05-01,2024-02-01,5\n",
     "дата окончания раньше даты начала", "Окончание раньше начала"),
])
def test_every_rejection_reason_reads_in_russian(workspace, monkeypatch, name, text, reason, summary):
    """The checks added by the hardening issue (dates outside the allowed range, a score that is no 0–10 grade,
    a subscription ending before it starts) have Russian reasons in the list and in the summary too."""
    at = _data_page("ru", monkeypatch)
    at.file_uploader(key="upload").set_value((name, text.encode(), "text/csv")).run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    rejected = next(t for t in tables if "Строка" in t.columns)
    assert list(rejected["Строка"]) == [3] and list(rejected["Причина"]) == [reason]
    by_reason = next(t for t in tables if "Причина" in t.columns and "Доля строк" in t.columns)
    assert list(by_reason["Причина"]) == [summary]
