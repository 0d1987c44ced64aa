"""Property: for random tables written in a random style with random bad cells, nothing is lost (SPEC §3).

The test generates the values itself (customer ids, date-times, amounts in cents), formats them in one
chosen style (delimiter, encoding, line ending, decimal separator, thousands separator, currency sign,
date family, optional quoted newlines and blank lines), injects bad cells / malformed lines /
exact duplicate rows, and checks that
- rows_read = rows_accepted + rows_rejected = the number of records written;
- the canonical frame holds exactly the good rows, in file order, with the generated values;
- each rejected row is at the physical line where it was written, with the expected reason code.
"""

from __future__ import annotations

import calendar
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention_core.ingest import load_file

DATE_STYLES = {  # style -> (format with time, format without time)
    "iso": ("%Y-%m-%d %H:%M", "%Y-%m-%d"),
    "dot": ("%d.%m.%Y %H:%M", "%d.%m.%Y"),
    "dmy": ("%d/%m/%Y %H:%M", "%d/%m/%Y"),
    "mdy": ("%m/%d/%Y %H:%M", "%m/%d/%Y"),
    "excel": (None, None),  # whole days since 1899-12-30
    "unix": (None, None),  # seconds since 1970-01-01 (naive = UTC)
}
NONEXISTENT = {"iso": "{y}-02-30", "dot": "30.02.{y}", "dmy": "30/02/{y}", "mdy": "02/30/{y}"}
HEADERS = {"en": ("customer_id", "order_date", "amount", "note"), "ru": ("Клиент", "Дата заказа", "Сумма", "Комментарий")}
ID_CHARS = "abcxyz0123456789жюя"
NOTE_CHARS = "ab ;,|\t\"\nя"
BAD_AMOUNTS = ["abc", "n/a", "#VALUE!", "сто"]
BAD_DATES = ["n/a", "soon", "вчера"]


@dataclass(frozen=True)
class Style:
    delimiter: str
    encoding: str
    newline: str
    decimal: str  # "." or ","
    thousands: str  # "", " ", "\u00a0", or "," (dot decimal only)
    currency: str  # "", "₽", "$", "€", "руб."
    date_style: str
    with_time: bool
    headers: str
    blank_lines: bool  # blank lines between rows, before the header and after the last row


@st.composite
def styles(draw) -> Style:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]))
    decimal = draw(st.sampled_from([".", ","]))
    thousands = draw(st.sampled_from(["", " ", "\u00a0"] + ([","] if decimal == "." else [])))
    currencies = ["", "$", "€", "руб."] + ([] if encoding == "cp1251" else ["₽"])
    date_style = draw(st.sampled_from(sorted(DATE_STYLES)))
    return Style(
        delimiter=draw(st.sampled_from([",", ";", "\t", "|"])),
        encoding=encoding,
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        decimal=decimal,
        thousands=thousands,
        currency=draw(st.sampled_from(currencies)),
        date_style=date_style,
        with_time=date_style not in ("excel", "unix") and draw(st.booleans()),
        headers="ru" if encoding == "cp1251" else draw(st.sampled_from(["en", "ru"])),  # cp1251 needs Cyrillic to be told apart
        blank_lines=draw(st.booleans()),
    )


def format_amount(cents: int, s: Style) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    digits = f"{whole}"
    groups = [digits[max(0, i - 3):i] for i in range(len(digits), 0, -3)][::-1]
    number = f"{s.thousands.join(groups)}{s.decimal}{frac:02d}"
    if s.currency in ("$", "€"):
        return f"{sign}{s.currency}{number}"
    return f"{sign}{number}" + (f" {s.currency}" if s.currency else "")


def format_date(moment: datetime, s: Style) -> str:
    if s.date_style == "excel":
        return str((moment.date() - date(1899, 12, 30)).days)
    if s.date_style == "unix":
        return str(calendar.timegm(moment.timetuple()))
    with_time, date_only = DATE_STYLES[s.date_style]
    return moment.strftime(with_time if s.with_time else date_only)


@dataclass(frozen=True)
class Row:
    customer: str
    moment: datetime
    cents: int
    note: str
    fault: str  # "", "customer", "amount", "amount_empty", "nonexistent", "not_a_date", "too_many", "too_few", "duplicate"
    bad_text: str  # the injected bad cell
    blank_before: int


@st.composite
def tables(draw) -> tuple[Style, list[Row]]:
    s = draw(styles())
    n = draw(st.integers(min_value=1, max_value=25))
    faults = ["customer", "amount", "amount_empty", "not_a_date", "too_many", "too_few", "duplicate"]
    if s.date_style in NONEXISTENT:
        faults.append("nonexistent")
    rows: list[Row] = []
    for _ in range(n):
        fault = draw(st.sampled_from(faults)) if draw(st.integers(0, 4)) == 0 else ""
        clean = [row for row in rows if not row.fault]
        if fault == "duplicate" and clean:  # an exact copy of an earlier good row
            original = clean[draw(st.integers(0, len(clean) - 1))]
            rows.append(Row(**{**original.__dict__, "fault": "duplicate",
                               "blank_before": draw(st.integers(0, 2)) if s.blank_lines else 0}))
            continue
        fault = "" if fault == "duplicate" else fault
        day = datetime(2000, 1, 1) + timedelta(days=draw(st.integers(0, 9_830)))  # up to 2026-11-30 (SPEC §10: later than a year ahead is rejected)
        minutes = draw(st.integers(0, 24 * 60 - 1)) if s.with_time else 0
        rows.append(
            Row(
                customer=draw(st.text(ID_CHARS, min_size=1, max_size=6)),
                moment=day + timedelta(minutes=minutes),
                cents=draw(st.integers(-10**9, 10**9)),
                note=draw(st.text(NOTE_CHARS, max_size=8)),
                fault=fault,
                bad_text=draw(st.sampled_from(BAD_DATES if fault == "not_a_date" else BAD_AMOUNTS)),
                blank_before=draw(st.integers(0, 2)) if s.blank_lines else 0,
            )
        )
    return s, rows


def render(s: Style, rows: list[Row]) -> tuple[bytes, list[int], list[tuple[str, ...]]]:
    """The file's bytes, each row's first physical line (header = line 1) and its cells as written."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=s.delimiter, lineterminator=s.newline)
    out.write(s.newline if s.blank_lines else "")
    writer.writerow(HEADERS[s.headers])
    lines: list[int] = []
    written: list[tuple[str, ...]] = []
    for row in rows:
        out.write(s.newline * row.blank_before)
        customer = "" if row.fault == "customer" else row.customer
        when = format_date(row.moment, s)
        if row.fault == "nonexistent":
            when = NONEXISTENT[s.date_style].format(y=row.moment.year)
        elif row.fault == "not_a_date":
            when = row.bad_text
        amount = format_amount(row.cents, s)
        if row.fault == "amount":
            amount = row.bad_text
        elif row.fault == "amount_empty":
            amount = ""
        cells = [customer, when, amount, row.note]
        if row.fault == "too_many":
            cells.append("extra")
        elif row.fault == "too_few":
            cells = cells[:2]
        lines.append(out.getvalue().count("\n") + 1)
        written.append(tuple(cells))
        writer.writerow(cells)
    out.write(s.newline * 2 if s.blank_lines else "")
    return out.getvalue().encode(s.encoding), lines, written


def expected_faults(rows: list[Row], written: list[tuple[str, ...]]) -> list[str]:
    """Each row's fault, where a good row equal to an earlier good row (cell by cell) is a duplicate."""
    seen: set[tuple[str, ...]] = set()
    faults = []
    for row, cells in zip(rows, written, strict=True):
        fault = row.fault
        if fault in ("", "duplicate"):
            fault = "duplicate" if cells in seen else ""
            seen.add(cells)
        faults.append(fault)
    return faults


EXPECTED_CODE = {
    "customer": "customer_id_empty",
    "amount": "amount_invalid",
    "amount_empty": "amount_invalid",
    "nonexistent": "ordered_at_invalid",
    "not_a_date": "ordered_at_invalid",
    "too_many": "malformed_line",
    "too_few": "malformed_line",
    "duplicate": "duplicate",
}


@settings(max_examples=50, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_read_equals_accepted_plus_rejected_and_values_survive(tmp_path_factory, table):
    s, rows = table
    raw, lines, written = render(s, rows)
    faults = expected_faults(rows, written)
    path = tmp_path_factory.mktemp("prop") / "export.csv"
    path.write_bytes(raw)
    result = load_file(path, kind="orders", date_order="mdy" if s.date_style == "mdy" else None)
    r = result.report

    assert r.rows_read == len(rows)
    assert r.rows_read == r.rows_accepted + r.rows_rejected

    good = [(row, line) for row, line, fault in zip(rows, lines, faults, strict=True) if not fault]
    assert r.rows_accepted == len(good)
    assert result.frame.select("customer_id", "ordered_at", "amount").rows() == [
        (row.customer, row.moment, row.cents / 100) for row, _ in good
    ]
    expected_rejects = [(line, EXPECTED_CODE[fault]) for line, fault in zip(lines, faults, strict=True) if fault]
    assert result.rejected.select("__line", "reason_code").rows() == expected_rejects
    # day-first vs month-first: flagged exactly when no date cell of the column settles it
    if s.date_style in ("dmy", "mdy"):
        cells = [NONEXISTENT[s.date_style].format(y=row.moment.year) if row.fault == "nonexistent" else format_date(row.moment, s)
                 for row in rows if row.fault not in ("not_a_date", "too_many", "too_few")]
        pairs = [tuple(int(p) for p in cell.split(" ")[0].split("/")[:2]) for cell in cells]
        unsettled = all(a <= 12 and b <= 12 for a, b in pairs) and any(a != b for a, b in pairs)
        assert bool(r.warnings) == (s.date_style == "dmy" and unsettled)
    else:
        assert r.warnings == ()
