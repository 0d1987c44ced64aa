"""The typed fast path gives exactly what the general text path gives, and steps aside for anything else."""

from __future__ import annotations

import codecs
import gzip
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core.ingest import connect, load_file
from retention_core.ingest.typed import read_typed

ROOT = Path(__file__).resolve().parents[3]
CLEAN = {
    "orders with ids and segments": (
        "order_id,customer_id,order_date,amount,channel\n"
        "1,C1,2024-01-05 10:00:00,10.5,web\n2, C2 ,2024-01-06 11:30:00,-3,app\n3,C1,2024-02-01 09:00:00,0,\n"
    ),
    "orders, dates only, semicolons": "customer;date;amount\na;2024-01-05;10\nb;2024-01-06;20.25\na;2024-03-01;5\n",
    "orders, ISO T separator, no final newline": "customer_id,ordered_at,amount\na,2024-01-05T10:00:00,1\nb,2024-01-06T00:00:00,2",
    "orders without order ids, repeated amounts": "customer_id,date,amount\na,2024-01-05,10\na,2024-01-06,10\n",
    "events": "user_id,event,timestamp,device\nu1,visit,2024-01-05 10:00:00,mobile\nu1,purchase,2024-01-05 10:05:00,mobile\n",
    # ISO 8601 beyond one plain format (issue 15): read as text by DuckDB, parsed by the general path's expression
    "mixed date and timestamp": "customer_id,date,amount\na,2024-01-05,10\nb,2024-01-06 10:00:00,12\n",
    "time zone suffix": "customer_id,date,amount\na,2024-01-05T10:00:00Z,10\nb,2024-01-06T10:00:00Z,12\n",
    "fractions of a second": "customer_id,date,amount\na,2024-01-05T10:00:00.123,10\nb,2024-01-06T10:00:00.5,12\n",
    "offsets and fractions": ("customer_id,date,amount\na,2024-01-05T23:30:00.250+03:00,10\nb,2024-01-06T10:00:00-0500,12\n"
                              "c,2024-01-07 08:00,3\n"),
    "events with Z timestamps": "user_id,event,timestamp\nu1,visit,2024-01-05T10:00:00Z\nu1,buy,2024-01-05T10:05:00.001Z\n",
    # every value with a fraction (1–6 digits, no zone): read typed by DuckDB (%f), not as text
    "events, ISO T with microseconds": ("user_id,event,occurred_at\nu1,visit,2024-01-01T00:29:05.000000\n"
                                        "u1,buy,2024-01-01T00:30:00.026490\nu2,visit,2023-12-31T23:59:59.999999\n"),
    "orders, fractions of 1 to 6 digits": ("customer_id,date,amount\na,2024-01-05 10:00:00.5,10\n"
                                           "b,2024-01-06 10:00:00.123,12\nc,2024-01-07 10:00:00.000001,3\n"),
}
FALLBACK = {
    "bad amount on the last line": "customer_id,date,amount\na,2024-01-05,10\nb,2024-01-06,oops\n",
    "day-first dates": "customer_id,date,amount\na,31.12.2024,10\nb,01.02.2024,12\n",
    "decimal comma": "customer;date;amount\na;2024-01-05;1 234,50\nb;2024-01-06;12,5\n",
    "empty customer": "customer_id,date,amount\na,2024-01-05,10\n,2024-01-06,12\n",
    "blank customer": "customer_id,date,amount\na,2024-01-05,10\n   ,2024-01-06,12\n",
    "repeated order id": "order_id,customer_id,date,amount\n1,a,2024-01-05,10\n1,a,2024-01-05,10\n",
    "exactly repeated row": "customer_id,date,amount\na,2024-01-05,10\na,2024-01-05,10\n",
    "impossible day": "customer_id,date,amount\na,2024-01-05,10\nb,2024-02-30,12\n",
    "infinite amount": "customer_id,date,amount\na,2024-01-05,10\nb,2024-01-06,inf\n",
    "too many fields": "customer_id,date,amount\na,2024-01-05,10\nb,2024-01-06,12,extra\n",
    "line-level": "InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice\n1,a,2024-01-05,2,1.5\n1,a,2024-01-05,1,3\n",
    "subscriptions": "customer_id,started_at,ended_at,mrr\na,2024-01-01,2024-03-01,10\n",
    "windows-1251": "Клиент,Дата,Сумма\nИванов,2024-01-05,10\n".encode("cp1251"),
    "UTF-8 with BOM": codecs.BOM_UTF8 + b"customer_id,date,amount\na,2024-01-05,10\n",
    "gzip": gzip.compress(b"customer_id,date,amount\na,2024-01-05,10\n"),
    "invalid UTF-8 past the checked head": (
        "customer_id,date,amount,note\n" + "".join(f"a{i},2024-01-05,10,ok\n" for i in range(5000))
    ).encode() + "b,2024-01-06,12,Привет\n".encode("cp1251"),
}


def _same(path: Path, **kw) -> None:
    fast, general = load_file(path, **kw), load_file(path, typed=False, **kw)
    assert fast.report == general.report
    assert_frame_equal(fast.frame, general.frame)
    assert_frame_equal(fast.rejected, general.rejected)


def _typed(path: Path):
    return read_typed(path, file=path.name, kind=None, mapping=None, con=connect())


@pytest.mark.parametrize("name", list(CLEAN))
def test_clean_exports_take_the_typed_path_and_match_the_general_one(write_file, name):
    path = write_file("export.csv", CLEAN[name])
    assert _typed(path) is not None
    _same(path)


def test_fractions_of_a_second_are_read_typed_as_fractions(write_file):
    from retention_core.ingest import typed

    path = write_file("export.csv", CLEAN["orders, fractions of 1 to 6 digits"])
    read = _typed(path)
    assert read is not None and read.frame.schema[read.roles["ordered_at"]] == pl.Datetime("us")  # not text
    assert load_file(path).frame["ordered_at"].to_list() == [
        datetime(2024, 1, 5, 10, 0, 0, 500000), datetime(2024, 1, 6, 10, 0, 0, 123000), datetime(2024, 1, 7, 10, 0, 0, 1)]
    # past the sampled head, a value without a fraction or with 7 digits: DuckDB refuses it, the general path reads it
    head = "".join(f"c{i},2024-01-{1 + i % 28:02d} 10:00:00.25,{i}\n" for i in range(typed.SAMPLE + 10))
    for tail in ("z,2024-02-01 10:00:00,1\n", "z,2024-02-01 10:00:00.1234567,1\n"):
        odd = write_file("odd.csv", "customer_id,date,amount\n" + head + tail)
        assert _typed(odd) is None
        _same(odd)


def test_offsets_convert_to_the_same_zone_on_both_paths(write_file):
    path = write_file("export.csv", CLEAN["offsets and fractions"])
    _same(path, timezone="Asia/Tokyo")
    result = load_file(path, timezone="Asia/Tokyo")
    assert result.report.timezone_converted == 2
    # 23:30:00.25 at +03:00 = 20:30:00.25 UTC = 05:30:00.25 next day in Tokyo (+09:00); no offset: as written
    assert result.frame["ordered_at"].to_list() == [datetime(2024, 1, 6, 5, 30, 0, 250000), datetime(2024, 1, 7, 0, 0),
                                                    datetime(2024, 1, 7, 8, 0)]


def test_dates_out_of_range_and_odd_ids_give_the_same_result_on_both_paths(write_file):
    _same(write_file("export.csv", "customer_id,date,amount\nJose\u0301,2024-01-05T10:00:00Z,1\nb,2199-01-01T00:00:00Z,2\n"))


@pytest.mark.parametrize("name", list(FALLBACK))
def test_anything_else_gets_the_general_path_and_its_report(write_file, name):
    path = write_file("export.csv", FALLBACK[name])
    result = load_file(path)
    r = result.report
    assert r.rows_read == r.rows_accepted + r.rows_rejected
    _same(path)


def test_the_problem_rows_keep_their_lines_and_reasons(write_file):
    """A clean-looking file with one bad cell at the end: the typed read gives up, the line is named."""
    rows = "".join(f"c{i},2024-01-{1 + i % 28:02d} 10:00:00,{i}.5\n" for i in range(3000))
    path = write_file("big.csv", "customer_id,date,amount\n" + rows + "c1,2024-01-02 10:00:00,twelve\n")
    assert _typed(path) is None
    result = load_file(path)
    assert (result.report.rows_read, result.report.rows_rejected) == (3001, 1)
    assert result.rejected["__line"].to_list() == [3002]


@pytest.mark.parametrize("name", ["orders.csv", "events.csv"])
def test_bundled_sample_takes_the_typed_path(name):
    path = ROOT / "data" / "sample" / name
    assert _typed(path) is not None
    _same(path)


def test_a_user_mapping_is_honoured(write_file):
    path = write_file("m.csv", "buyer_ref,day,total,paid\nx,2024-01-05,10,11\ny,2024-01-06,12,13\n")
    mapping = {"customer_id": "buyer_ref", "ordered_at": "day", "amount": "paid"}
    assert read_typed(path, file="m.csv", kind="orders", mapping=mapping, con=connect()) is not None
    _same(path, kind="orders", mapping=mapping)
    assert load_file(path, kind="orders", mapping=mapping).frame["amount"].to_list() == [11.0, 13.0]


@pytest.mark.parametrize("content", [b"", b"customer_id,date,amount\n", b"PK\x03\x04\x00\x00binary", b"\x00\x01\x02\x03"])
def test_unreadable_files_are_explained_by_the_general_path(write_file, content):
    from retention_core.errors import InputError

    path = write_file("bad.csv", content)
    assert _typed(path) is None  # never raises
    with pytest.raises(InputError) as fast:
        load_file(path)
    with pytest.raises(InputError) as general:
        load_file(path, typed=False)
    assert str(fast.value) == str(general.value)


# --- Parquet files and folders (SPEC §9: datasets too big for an upload) ----------------------------------------


def _typed_orders(n: int, start: int = 0) -> pl.DataFrame:
    return pl.DataFrame({
        "order_id": [f"o{i}" for i in range(start, start + n)],
        "customer_id": [f"c{i % 7}" for i in range(start, start + n)],
        "order_date": [datetime(2024, 1, 1) + timedelta(hours=5 * i) for i in range(start, start + n)],
        "amount": [float(i % 13) - 2 for i in range(start, start + n)],
        "channel": ["web" if i % 3 else "app" for i in range(start, start + n)],
    })


def test_a_typed_parquet_file_takes_the_fast_path_and_matches(tmp_path):
    path = tmp_path / "orders.parquet"
    _typed_orders(500).write_parquet(path)
    assert _typed(path) is not None
    _same(path)
    assert load_file(path).report.segments == ("channel",)


def test_a_folder_of_parquet_files_is_one_dataset(tmp_path):
    folder = tmp_path / "orders"
    (folder / "2024").mkdir(parents=True)
    _typed_orders(300).write_parquet(folder / "part-1.parquet")
    _typed_orders(200, start=300).write_parquet(folder / "2024" / "part-2.parquet")
    (folder / "README.txt").write_text("not data")
    assert _typed(folder) is not None
    _same(folder)
    result = load_file(folder)
    assert (result.report.rows_read, result.report.rows_accepted) == (500, 500)
    assert result.frame["amount"].sum() == pytest.approx(_typed_orders(500)["amount"].sum())


def test_a_bad_row_in_a_folder_names_its_file_and_row(tmp_path):
    folder = tmp_path / "orders"
    folder.mkdir()
    _typed_orders(10).write_parquet(folder / "a.parquet")
    bad = _typed_orders(5, start=10).with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("customer_id")).alias("customer_id"))
    bad.vstack(_typed_orders(1, start=0)).write_parquet(folder / "b.parquet")  # its last row repeats a.parquet's first
    assert _typed(folder) is None
    result = load_file(folder)
    assert (result.report.rows_read, result.report.rows_accepted, result.report.rows_rejected) == (16, 14, 2)
    view = result.rejected_export().select("file", "line", "reason").rows()
    assert view == [("b.parquet", 5, "customer id is empty"),
                    ("b.parquet", 7, "order id repeats a.parquet line 2; counted once")]
    assert result.report.to_json(result.rejected)["rejected"][0] == {
        "file": "b.parquet", "line": 5, "column": "customer_id", "reason": "customer id is empty"}


def test_a_folder_without_parquet_files_says_so(tmp_path):
    from retention_core.errors import InputError

    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"empty: the folder has no Parquet files"):
        load_file(tmp_path / "empty", file_name="empty")


@pytest.mark.parametrize("change", ["amount as text", "timestamps with a zone", "float customer ids"])
def test_parquet_whose_roles_are_not_typed_takes_the_general_path(tmp_path, change):
    frame = _typed_orders(50)
    frame = {
        "amount as text": frame.with_columns(pl.col("amount").cast(pl.String)),
        "timestamps with a zone": frame.with_columns(pl.col("order_date").dt.replace_time_zone("UTC")),
        "float customer ids": frame.with_columns(pl.int_range(pl.len()).cast(pl.Float64).alias("customer_id")),
    }[change]
    path = tmp_path / "orders.parquet"
    frame.write_parquet(path)
    assert _typed(path) is None
    _same(path)
