"""The bad-input catalogue (issue 11, SPEC §3 and §10): every kind of broken export we know of, with what
the product must say about it. Used by tests/test_bad_input_catalogue.py (``python -m retention_core
validate``) and tests/pages/test_bad_input_catalogue.py (the Data page).

A case either fails as a whole — ``error`` is a regex the one-line message must match (CLI: exit 2, one
stderr line) — or is read row by row: ``rows`` = (read, accepted, rejected) and ``reasons`` = (line,
text in the reason) of every rejected row, in file order. ``extra`` checks other report fields.
"""

from __future__ import annotations

import codecs
import gzip
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import xlsxwriter

H = "customer_id,order_date,amount\n"
GOOD = "a,2024-01-05,10\nb,2024-01-06,20\n"


@dataclass(frozen=True)
class Case:
    name: str  # also the test id
    file: str  # the file name the user gives it
    content: bytes | Callable[[Path], None]  # bytes, or a writer of the file (Parquet, XLSX, folders)
    error: str | None = None  # regex of the one-line message, when the whole file is refused
    rows: tuple[int, int, int] | None = None  # read, accepted, rejected
    reasons: tuple[tuple[int, str], ...] = ()  # (line, part of the reason) per rejected row
    kind: str | None = None
    extra: dict = field(default_factory=dict)  # other JSON fields and their values
    upload: bool = True  # can a browser upload it (folders, missing paths: no)

    def write(self, folder: Path) -> Path:
        path = folder / self.file
        if callable(self.content):
            self.content(path)
        else:
            path.write_bytes(self.content)
        return path


def _b(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _parquet(frame: pl.DataFrame) -> Callable[[Path], None]:
    return lambda path: frame.write_parquet(path)


def _folder(*frames: pl.DataFrame | bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.mkdir()
        for i, f in enumerate(frames):
            target = path / f"part-{i}.parquet"
            target.write_bytes(f) if isinstance(f, bytes) else f.write_parquet(target)
    return write


def _xlsx(rows: list[list], *, title: str | None = None) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        wb = xlsxwriter.Workbook(path)
        ws = wb.add_worksheet()
        start = 0
        if title:
            ws.write(0, 0, title)
            start = 2
        for i, row in enumerate(rows):
            ws.write_row(start + i, 0, row)
        wb.close()
    return write


def _xlsx_formula(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["customer_id", "order_date", "amount"])
    ws.append(["a", "2024-01-05", 10])
    ws.append(["b", "2024-01-06", "=C2*2"])
    wb.save(path)


def _orders(**cols) -> pl.DataFrame:
    base = {"customer_id": ["a", "b", "c"], "order_date": [date(2024, 1, 5)] * 3, "amount": [1.0, 2.0, 3.0]}
    return pl.DataFrame({**base, **cols})


def _gz(text: str) -> bytes:
    return gzip.compress(text.encode())


def _broken_gz() -> bytes:
    good = gzip.compress((H + GOOD).encode())
    return good[:10] + b"\xff" * 40 + good[50:]


_FILLER = "".join(f"c{i},2024-01-05,1\n" for i in range(5000))  # > 64 KB
_NFD = unicodedata.normalize("NFD", "José")

ERRORS: list[Case] = [
    Case("empty file", "o.csv", b"", error=r"o\.csv: the file is empty"),
    Case("only spaces and newlines", "o.csv", b"  \n\n \t\n", error=r"o\.csv: the file is empty"),
    Case("a BOM and nothing else", "o.csv", codecs.BOM_UTF8, error=r"o\.csv: the file is empty"),
    Case("PNG image named .csv", "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", error=r"photo\.csv: this is not a text table"),
    Case("PDF named .csv", "doc.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00", error=r"doc\.csv: this is not a text table"),
    Case("ELF binary", "prog.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(64), error=r"prog\.csv: this is not a text table"),
    Case("ZIP that is not a workbook", "a.csv", b"PK\x03\x04" + bytes(40), error=r"a\.csv: .*(ZIP archive|not a table|cannot be read)"),
    Case("XLSX that is a broken ZIP", "book.xlsx", b"PK\x03\x04garbage" + bytes(30), error=r"book\.xlsx: the workbook cannot be read"),
    Case("gzip with garbage inside", "o.csv.gz", _broken_gz(), error=r"o\.csv\.gz: the gzip archive is damaged"),
    Case("gzip cut short", "o.csv.gz", _gz(H + GOOD)[:-12], error=r"o\.csv\.gz: the gzip archive is damaged"),
    Case("gzip of an empty file", "o.csv.gz", gzip.compress(b""), error=r"o\.csv\.gz: the file is empty"),
    Case("header only", "o.csv", _b(H), error=r"o\.csv: the file has column names but no data rows"),
    Case("header and blank lines", "o.csv", _b(H + "\n\n\n"), error=r"o\.csv: the file has column names but no data rows"),
    Case("no recognisable columns", "o.csv", _b("foo,bar\nx,y\nz,w\n"), error=r"o\.csv: cannot find the .* column"),
    Case("no amount column", "o.csv", _b("customer_id,order_date\na,2024-01-05\n"), error=r"o\.csv: cannot find the amount column"),
    Case("a single column", "o.csv", _b("customer_id\na\nb\n"), error=r"o\.csv: cannot find the"),
    Case("orders file read as events", "o.csv", _b(H + GOOD), kind="events", error=r"o\.csv: cannot find the event column"),
    Case("orders file read as a survey", "o.csv", _b(H + GOOD), kind="survey", error=r"o\.csv: cannot find the score"),
    Case("Parquet name, text inside", "o.parquet", _b(H + GOOD), error=r"o\.parquet: the name says Parquet but the content is not"),
    Case("truncated Parquet", "o.parquet", b"PAR1" + bytes(20) + b"PAR1", error=r"o\.parquet: the file is not a readable Parquet file"),
    Case("Parquet with a list-typed amount", "o.parquet", _parquet(_orders(amount=[[1.0], [2.0, 3.0], []])),
         error=r'o\.parquet: column "amount" holds lists or records'),
    Case("Parquet with a struct customer id", "o.parquet", _parquet(_orders(customer_id=[{"id": 1}, {"id": 2}, {"id": 3}])),
         error=r'o\.parquet: column "customer_id" holds lists or records'),
    Case("1,001 columns", "wide.csv", _b(",".join(["customer_id", "order_date", "amount", *[f"c{i}" for i in range(998)]]) + "\na,2024-01-05,1\n"),
         error=r"wide\.csv: the header has 1,001 columns; at most 1,000"),
    Case("100,003 columns", "wide.csv", _b(",".join(["customer_id", "order_date", "amount", *[f"c{i}" for i in range(100_000)]]) + "\n"),
         error=r"wide\.csv: the header has 100,003 columns"),
    Case("invalid UTF-8 in the header", "o.csv", b"customer_id,order_date,amo\xffunt\n" + "Иван,2024-01-05,1\n".encode(),
         error=r"o\.csv, line 1 \(the header\): invalid UTF-8 at byte 27"),
    Case("XLSX formulas without saved values", "f.xlsx", _xlsx_formula, error=r"f\.xlsx: 1 cells hold a formula without a saved value \(C3\)"),
    Case("XLSX with only a title", "t.xlsx", _xlsx([["Sales report"]]), error=r"t\.xlsx: (cannot find|the file has column names but no data|no columns)"),
    Case("folder without Parquet files", "folder", lambda p: (p.mkdir(), (p / "a.txt").write_text("x")),
         error=r"folder: the folder has no Parquet files", upload=False),
    Case("folder with a broken Parquet file", "folder", _folder(_orders(), b"PAR1 not parquet PAR1"),
         error=r"folder: the folder has a Parquet file that is not readable", upload=False),
    Case("UTF-16 header only", "o.csv", codecs.BOM_UTF16_LE + H.encode("utf-16-le"), error=r"o\.csv: the file has column names but no data rows"),
]


def _rows(name: str, text: str | bytes, read: int, accepted: int, reasons: tuple[tuple[int, str], ...] = (),
          file: str = "o.csv", **kw) -> Case:
    content = text if isinstance(text, bytes) or callable(text) else _b(text)
    return Case(name, file, content, rows=(read, accepted, read - accepted), reasons=reasons, **kw)


def _one_bad(name: str, cell_row: str, reason: str, **kw) -> Case:
    """Two good rows then one bad row (line 4)."""
    return _rows(name, H + GOOD + cell_row + "\n", 3, 2, ((4, reason),), **kw)


ROWS: list[Case] = [
    _one_bad("amount is text", "c,2024-01-07,abc", "amount 'abc' is not a number"),
    _one_bad("amount is empty", "c,2024-01-07,", "amount is empty"),
    _one_bad("amount with two decimal marks", "c,2024-01-07,12.3.4", "is not a number"),
    _one_bad("amount NaN", "c,2024-01-07,NaN", "amount 'NaN' is not a finite number"),
    _one_bad("amount nan", "c,2024-01-07,nan", "is not a finite number"),
    _one_bad("amount inf", "c,2024-01-07,inf", "is not a finite number"),
    _one_bad("amount -inf", "c,2024-01-07,-inf", "is not a finite number"),
    _one_bad("amount Infinity", "c,2024-01-07,Infinity", "is not a finite number"),
    _one_bad("amount 1e309", "c,2024-01-07,1e309", "amount '1e309' is not a finite number"),
    _one_bad("customer id empty", ",2024-01-07,5", "customer id is empty"),
    _one_bad("customer id only spaces", "   ,2024-01-07,5", "customer id is empty"),
    _one_bad("customer id only a zero-width space", "\u200b,2024-01-07,5", "customer id is empty"),
    _one_bad("date empty", "c,,5", "date is empty"),
    _one_bad("date 31 February", "c,2024-02-31,5", "date '2024-02-31' does not exist"),
    _one_bad("date month 13", "c,2024-13-01,5", "does not exist"),
    _one_bad("date is text", "c,yesterday,5", "date 'yesterday' is not a date"),
    _one_bad("date 0001-01-01", "c,0001-01-01,5", "date '0001-01-01' is outside 1970-01-01"),
    _one_bad("date 9999-12-31", "c,9999-12-31,5", "date '9999-12-31' is outside 1970-01-01"),
    _one_bad("date 2099", "c,2099-06-01,5", "is outside 1970-01-01"),
    _one_bad("date 2199", "c,2199-01-01,5", "is outside 1970-01-01"),
    _one_bad("date 1969", "c,1969-12-31,5", "is outside 1970-01-01"),
    _one_bad("date 1900", "c,1900-01-01,5", "is outside 1970-01-01"),
    _one_bad("too many fields", "c,2024-01-07,5,extra", "more fields than the header"),
    _one_bad("too few fields", "c,2024-01-07", "fewer fields than the header"),
    _one_bad("exact duplicate row", "a,2024-01-05,10", "exact duplicate of line 2"),
    _rows("unclosed quote", H + GOOD + 'c,"2024-01-07,5\nd,2024-01-08,6\n', 4, 3, ((4, "is not a date"),)),
    _rows("repeated order id", "order_id,customer_id,order_date,amount\n1,a,2024-01-05,1\n2,b,2024-01-06,2\n1,c,2024-01-07,3\n",
          3, 2, ((4, "order id repeats line 2"),)),
    _rows("one invalid UTF-8 byte", (H + "Иван,2024-01-05,10\nПётр,2024-01-06,20\nАнна,2024-01-07,30\n").encode().replace(
        "Пётр".encode(), "П".encode() + b"\xff" + "тр".encode()), 3, 2, ((3, "invalid UTF-8 at byte 3"),), extra={"encoding": "utf-8"}),
    _rows("a stray byte in ASCII text", (H + GOOD + "c,2024-01-07,5\n").encode().replace(b"c,", b"c\x9d,"), 3, 2,
          ((4, "invalid UTF-8 at byte 2"),)),
    _rows("two invalid bytes on two lines", (H + "Иван,2024-01-05,10\nx\xff,2024-01-06,1\nАнна,2024-01-07,30\ny\xfe,2024-01-08,2\n".replace(
        "\xff", "\x00").replace("\xfe", "\x01")).encode().replace(b"\x00", b"\xff").replace(b"\x01", b"\xfe"), 4, 2,
          ((3, "invalid UTF-8 at byte 2"), (5, "invalid UTF-8 at byte 2"))),
    _rows("a line over 2 MB", H + GOOD + "c,2024-01-07," + "9" * 2_100_000 + "\nd,2024-01-08,1\n", 4, 3, ((4, "bytes long"),)),
    _rows("ids differing by Unicode form", H + f"José,2024-01-05,1\n{_NFD},2024-02-05,1\n", 2, 2, extra={"ids_normalised": 1}),
    _rows("id with a zero-width space", H + "C1\u200b,2024-01-05,1\nC1,2024-02-05,1\n", 2, 2, extra={"ids_normalised": 1}),
    _rows("id with a stray quote", H + '"""C300",2024-01-05,1\nC300,2024-02-05,1\n', 2, 2, extra={"ids_normalised": 1}),
    _rows("id with a soft hyphen and BOM char", H + "C\u00ad1\ufeff,2024-01-05,1\n", 1, 1, extra={"ids_normalised": 1}),
    _rows("NUL inside an id after 64 KB", H + _FILLER + "x\x00y,2024-01-05,1\n", 5001, 5001, extra={"ids_normalised": 1}),
    _rows("time-zone offsets", H + "a,2024-01-05T23:30:00+03:00,1\nb,2024-01-05T23:30:00Z,1\nc,2024-01-05 10:00,1\n", 3, 3,
          extra={"timezone_converted": 2, "timezone": "UTC"}),
    _rows("mixed offsets and a bad timestamp", H + "a,2024-01-05T23:30:00-05:00,1\nb,2024-01-05T25:30:00Z,1\n", 2, 1,
          ((3, "does not exist"),), extra={"timezone_converted": 1}),
    _rows("two headers normalising to one name", "customer_id,order_date,amount,Sales channel,sales-channel\na,2024-01-05,1,web,x\n",
          1, 1),
    _rows("a date-like column named like an order id", "customer,date,Ordered at,amount\n" + "".join(
        f"c{i},2024-01-0{1 + i % 2},2024-01-0{1 + i % 2} 10:00,{i}.5\n" for i in range(20)), 20, 20),
    _rows("a status column named like an order id", "customer,date,amount,order status\n" + "".join(
        f"c{i},2024-01-05,{i}.5,{'paid' if i % 2 else 'open'}\n" for i in range(20)), 20, 20),
    _rows("ambiguous day/month dates", "customer_id,order_date,amount\na,01/02/2024,1\nb,03/04/2024,2\n", 2, 2,
          extra={"warnings": ['column "order_date": dates like 01/02/2024 could be day-first or month-first; read as day-first '
                              "(choose the date order to change it)"]}),
    _rows("blank lines between rows", H + "a,2024-01-05,1\n\n\nb,2024-01-06,x\n", 2, 1, ((5, "is not a number"),)),
    _rows("CRLF line endings and a bad row", (H + GOOD + "c,2024-01-07,x\n").replace("\n", "\r\n"), 3, 2, ((4, "is not a number"),)),
    _rows("semicolons and decimal commas", "Клиент;Дата;Сумма\nа;31.12.2024;1 234,50\nб;01.02.2024;1,2,3\n", 2, 1,
          ((3, "is not a number"),)),
    _rows("Windows-1251 with a bad row", ("Клиент;Дата;Сумма\nИван;31.12.2024;10\nПётр;31.02.2024;5\n").encode("cp1251"), 2, 1,
          ((3, "does not exist"),), extra={"encoding": "windows-1251"}),
    _rows("UTF-16 with a bad row", codecs.BOM_UTF16_LE + (H + GOOD + "c,2024-01-07,x\n").encode("utf-16-le"), 3, 2,
          ((4, "is not a number"),)),
    _rows("UTF-8 BOM with a bad row", codecs.BOM_UTF8 + _b(H + GOOD + "c,2024-01-07,x\n"), 3, 2, ((4, "is not a number"),)),
    _rows("gzip with a bad row", _gz(H + GOOD + "c,2024-01-07,x\n"), 3, 2, ((4, "is not a number"),), file="o.csv.gz"),
    _rows("tab-separated with a bad row", (H + GOOD + "c,2024-01-07,x\n").replace(",", "\t"), 3, 2, ((4, "is not a number"),),
          file="o.tsv"),
    _rows("pipe-separated with a missing field", (H + GOOD).replace(",", "|") + "c|2024-01-07\n", 3, 2, ((4, "fewer fields"),)),
    _rows("quoted newline then a bad row", H + 'a,2024-01-05,10\n"b\nc",2024-01-06,20\nd,2024-01-07,x\n', 3, 2,
          ((5, "is not a number"),)),
    _rows("every row bad", H + "a,x,1\nb,y,2\n", 2, 0, ((2, "is not a date"), (3, "is not a date"))),
    _rows("Excel serial date out of range", H + "a,45000,1\nb,99999,2\n", 2, 1, ((3, ""),)),
    _rows("amount with a currency and a bad one", H + "a,2024-01-05,$12.50\nb,2024-01-06,twelve $\n", 2, 1, ((3, "is not a number"),)),
    _rows("events: empty event name", "user_id,event,timestamp\nu1,visit,2024-01-05 10:00\nu2,,2024-01-05 11:00\n", 2, 1,
          ((3, "event name is empty"),), kind="events"),
    _rows("events: bad timestamp", "user_id,event,timestamp\nu1,visit,2024-01-05 10:00\nu2,buy,soon\n", 2, 1,
          ((3, "is not a date"),), kind="events"),
    _rows("events: timestamp in 9999", "user_id,event,timestamp\nu1,visit,2024-01-05 10:00\nu2,buy,9999-01-01 10:00\n", 2, 1,
          ((3, "is outside"),), kind="events"),
    _rows("subscriptions: end before start", "customer_id,start_date,end_date,mrr\na,2024-01-05,2024-03-01,10\nb,2024-05-01,2024-02-01,10\n",
          2, 1, ((3, "end date is before the start date"),), kind="subscriptions"),
    _rows("subscriptions: bad price", "customer_id,start_date,end_date,mrr\na,2024-01-05,,10\nb,2024-02-01,,ten\n", 2, 1,
          ((3, "is not a number"),), kind="subscriptions"),
    _rows("survey: score 11", "customer_id,score,date\na,9,2024-01-05\nb,11,2024-01-06\n", 2, 1,
          ((3, "is not a whole number from 0 to 10"),), kind="survey"),
    _rows("survey: score 7.5", "customer_id,score,date\na,9,2024-01-05\nb,7.5,2024-01-06\n", 2, 1,
          ((3, "is not a whole number from 0 to 10"),), kind="survey"),
    _rows("Parquet: NaN and inf amounts", _parquet(_orders(amount=[1.0, float("nan"), float("inf")])), 3, 1,
          ((3, "is not a finite number"), (4, "is not a finite number")), file="o.parquet"),
    _rows("Parquet: date 9999", _parquet(_orders(order_date=[date(2024, 1, 5), date(9999, 12, 31), date(1, 1, 1)])), 3, 1,
          ((3, "is outside"), (4, "is outside")), file="o.parquet"),
    _rows("Parquet: null customer", _parquet(_orders(customer_id=["a", None, "c"])), 3, 2, ((3, "customer id is empty"),),
          file="o.parquet"),
    _rows("Parquet: list-typed segment kept as text", _parquet(_orders(tags=[["x"], ["y", "z"], []])), 3, 3, file="o.parquet"),
    _rows("Parquet: binary segment", _parquet(_orders(blob=[b"\x00", b"\xff", None])), 3, 3, file="o.parquet"),
    _rows("Parquet: time-zone-aware timestamps", _parquet(_orders(order_date=pl.Series(
        ["2024-01-05 23:30", "2024-01-06 10:00", "2024-01-07 00:00"]).str.to_datetime().dt.replace_time_zone("Europe/Moscow"))),
          3, 3, file="o.parquet", extra={"timezone_converted": 3}),
    _rows("Parquet folder with a bad row", _folder(_orders(), _orders(customer_id=["d", "e", "f"], amount=[1.0, float("nan"), 2.0])), 6, 5,
          ((3, "is not a finite number"),), file="folder", upload=False),
    _rows("XLSX with a title row and a bad row", _xlsx([["customer_id", "order_date", "amount"], ["a", "2024-01-05", 10],
                                                        ["b", "2024-01-06", "abc"]], title="Report"), 2, 1,
          ((5, "is not a number"),), file="t.xlsx"),
    _rows("XLSX with text in the amount", _xlsx([["customer_id", "order_date", "amount"], ["a", "2024-01-05", 10],
                                                 ["b", "2024-01-06", "n/a"]]), 2, 1, ((3, "is not a number"),), file="x.xlsx"),
    _rows("XLSX with an empty column", _xlsx([["customer_id", "order_date", "amount", "empty"], ["a", "2024-01-05", 10]]), 1, 1,
          file="x.xlsx"),
    _rows("XLSX with a date in 2199", _xlsx([["customer_id", "order_date", "amount"], ["a", "2024-01-05", 10],
                                             ["b", "2199-01-06", 5]]), 2, 1, ((3, "is outside"),), file="x.xlsx"),
    _rows("a Markdown image as a header", H.replace("\n", ",x![f](http://127.0.0.1:9/p.png)\n") + "a,2024-01-05,1,web\n", 1, 1),
    _rows("a Markdown image as an id", H + "x![f](http://127.0.0.1:9/p.png),2024-01-05,1\n", 1, 1),
    _rows("HTML in a segment value", H.replace("\n", ",channel\n") + "a,2024-01-05,1,<img src=x onerror=alert(1)>\n", 1, 1),
    _rows("a formula in an id", H + "=CMD|' /C calc'!A0,2024-01-05,1\n", 1, 1),
    _rows("mixed date formats", H + "a,2024-01-05,1\nb,05.01.2024,2\n", 2, 1, ((3, "is not a date"),)),
    _rows("negative and zero amounts (kept)", H + "a,2024-01-05,-10\nb,2024-01-06,0\n", 2, 2),
    _rows("Unix timestamps with one bad", H + "a,1704412800,1\nb,17044128,2\nc,1704499200,3\n", 3, 2, ((3, ""),)),
]

CATALOGUE: list[Case] = ERRORS + ROWS


def case_ids() -> list[str]:
    return [c.name for c in CATALOGUE]


def as_upload(case: Case, tmp: Path) -> tuple[str, bytes]:
    """(file name, bytes) as a browser would upload the case."""
    path = case.write(tmp)
    return case.file, path.read_bytes()


__all__ = ["CATALOGUE", "ERRORS", "ROWS", "Case", "as_upload", "case_ids"]
