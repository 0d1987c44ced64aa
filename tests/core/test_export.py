"""The one export writer (SPEC §7, §10): conventions a spreadsheet reads as columns, display precision,
typed XLSX, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention_core.errors import ParameterError
from retention_core.export import formula_safe, to_csv, to_xlsx

HOSTILE = ["=CMD|' /C calc'!A0", "+shop", "-app", "@SUM(A1)", "\t=1+1", "\r=2", "=HYPERLINK(\"http://x\")"]
NUMBERS = ["-5", "+3.2", "-1 234,50", "1e-3", "-0,5"]


def _frame() -> pl.DataFrame:
    return pl.DataFrame({
        "customer_id": [*HOSTILE, *NUMBERS],
        "revenue": [22076.760000000006, -0.004, 1234.5, None, float("nan"), 1e12, 0.1, 2.0, 3.0, 4.0, 5.0, 6.0],
        "crr": [0.23481, 1.0, 0.0, None, 0.5, 0.12345, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
        "orders": list(range(12)),
        "first": [date(2024, 1, 31)] * 12,
        "incomplete": [True, False] * 6,
        "tags": [["=a", "b"]] * 12,
    })


def _live(cell: str) -> bool:
    """A text a spreadsheet would evaluate: a formula trigger first and not a number."""
    return bool(cell) and cell[0] in "=+-@\t\r" and not formula_safe(pl.DataFrame({"x": [cell]}))["x"][0] == cell


def test_hostile_text_gets_a_quote_and_numbers_stay():
    out = formula_safe(_frame())["customer_id"].to_list()
    assert out[:7] == ["'" + h for h in HOSTILE]
    assert out[7:] == NUMBERS
    assert formula_safe(_frame())["tags"][0] == "'=a, b"  # a list becomes one text cell, then made safe


@pytest.mark.parametrize("convention", ["ru", "en", "machine"])
def test_no_csv_cell_starts_a_formula(convention):
    raw = to_csv(_frame(), convention=convention)
    sep = ";" if convention == "ru" else ","
    back = pl.read_csv(io.BytesIO(raw), separator=sep, infer_schema=False)
    for column in back.columns:
        for cell in back[column].drop_nulls():
            assert not (cell[0] in "=@\t\r" or (cell[0] in "+-" and not cell.lstrip("+-").replace(",", "").replace(".", "").replace(" ", "").replace("e", "").replace("-", "").isdigit())), cell


def test_russian_csv_reads_back_as_columns_with_comma_decimals():
    raw = to_csv(_frame(), convention="ru", percent=("crr",), headers={"revenue": "Выручка", "crr": "CRR, %"},
                 booleans=("да", "нет"))
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "customer_id;Выручка;CRR, %;orders;first;incomplete;tags"
    back = pl.read_csv(io.BytesIO(raw), separator=";", decimal_comma=True, schema_overrides={"customer_id": pl.String})
    assert back.width == 7
    # display precision: 22076.760000000006 → 22076,76; a ratio 0.23481 → 23,5 (%); NaN → empty
    assert text.splitlines()[1].split(";")[1:4] == ["22076,76", "23,5", "0"]
    assert back["Выручка"].to_list()[:6] == [22076.76, -0.0, 1234.5, None, None, 1e12]
    assert back["CRR, %"][0] == pytest.approx(23.5)
    assert back["first"][0] == "31.01.2024" and set(back["incomplete"]) == {"да", "нет"}


def test_english_csv_uses_comma_and_dot_and_the_machine_form_keeps_keys_and_precision():
    en = pl.read_csv(io.BytesIO(to_csv(_frame(), convention="en", percent=("crr",))), try_parse_dates=True)
    assert en["revenue"][0] == 22076.76 and en["crr"][0] == 23.5 and en["first"][0] == date(2024, 1, 31)
    machine = to_csv(_frame(), convention="machine", headers={"revenue": "Выручка"})
    assert not machine.startswith("\ufeff".encode())
    back = pl.read_csv(io.BytesIO(machine), try_parse_dates=True)
    assert back.columns[:3] == ["customer_id", "revenue", "crr"]  # SPEC keys, never display names
    assert back["revenue"][0] == 22076.760000000006 and back["crr"][0] == 0.23481
    assert back["first"][0] == date(2024, 1, 31) and back["incomplete"][0] is True


def test_datetimes_are_written_per_convention():
    df = pl.DataFrame({"at": [datetime(2024, 3, 5, 14, 7, 9)]})
    assert to_csv(df, convention="ru").decode("utf-8-sig").splitlines()[1] == "05.03.2024 14:07:09"
    assert to_csv(df, convention="machine").decode().splitlines()[1].startswith("2024-03-05T14:07:09")


def test_unknown_convention_is_a_parameter_error():
    with pytest.raises(ParameterError):
        to_csv(_frame(), convention="fr")  # type: ignore[arg-type]


def test_xlsx_has_typed_cells_formats_a_frozen_header_and_no_formula():
    raw = to_xlsx(_frame(), convention="ru", percent=("crr",), headers={"revenue": "Выручка", "crr": "CRR"},
                  sheet="at/risk")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # not one formula cell
    ws = openpyxl.load_workbook(io.BytesIO(raw)).active
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["customer_id", "Выручка", "CRR", "orders", "first", "incomplete", "tags"]
    assert ws["A2"].value == "'=CMD|' /C calc'!A0" and ws["A10"].value == "+3.2"  # text stays text
    assert ws["B2"].value == 22076.76 and ws["B2"].number_format == "#,##0.00"
    assert ws["B5"].value is None and ws["B6"].value is None  # null and NaN: empty cells
    assert ws["C2"].value == pytest.approx(0.235) and ws["C2"].number_format == "0.0%"
    assert ws["D3"].value == 1 and ws["E2"].value == datetime(2024, 1, 31) and ws["E2"].number_format == "dd.mm.yyyy"
    assert ws["F2"].value is True


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=8))
def test_any_text_is_safe_in_every_form(cells):
    df = pl.DataFrame({"x": cells})
    for convention in ("ru", "en", "machine"):
        back = pl.read_csv(io.BytesIO(to_csv(df, convention=convention)), separator=";" if convention == "ru" else ",",
                           infer_schema=False, has_header=True, quote_char='"', empty_string_is_null=False)
        assert not [c for c in back["x"].drop_nulls() if _live(c)]
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(df))).active
    assert not [c.value for c in ws["A"][1:] if isinstance(c.value, str) and _live(c.value)]
