"""Fuzzing ingest (issue 11): random bytes and random mutations of a good export never raise anything but a
RetentionError (one clear message), and every file read keeps rows_read = rows_accepted + rows_rejected."""

from __future__ import annotations

import gzip

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention_core.errors import RetentionError
from retention_core.ingest import connect, load_file

GOOD = ("order_id,customer_id,order_date,amount,channel\n"
        + "".join(f"{1000 + i},C{i % 13},2024-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}:00,{i * 1.25:.2f},"
                  f"{('web', 'shop', 'app')[i % 3]}\n" for i in range(40))).encode()
SPECIAL = [b'"', b",", b";", b"\n", b"\r\n", b"\x00", b"\xff", b"\xd0", b"\xef\xbb\xbf", b"\t", b"nan", b"1e309",
           b"0001-01-01", b"9999-12-31", b"\xe2\x80\x8b", b"=cmd", b"![x](http://127.0.0.1:9/p.png)", b"\\", b"'"]
CON = connect()


def _check(data: bytes, tmp_path, name: str, typed: bool) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        result = load_file(path, con=CON, typed=typed)
    except RetentionError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        assert str(tmp_path) not in str(exc)
        return
    r = result.report
    assert r.rows_read == r.rows_accepted + r.rows_rejected
    assert result.rejected.height == r.rows_rejected
    assert result.frame["amount"].is_finite().all() if "amount" in result.frame.columns else True


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), name=st.sampled_from(["f.csv", "f.parquet", "f.xlsx", "f.gz", "f.txt"]))
def test_random_bytes(tmp_path, data, name):
    _check(data, tmp_path, name, typed=True)


mutation = st.tuples(st.sampled_from(["insert", "delete", "replace", "duplicate_line", "drop_line"]),
                     st.integers(0, len(GOOD) - 1), st.sampled_from(SPECIAL))


def _mutate(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    for op, at, piece in edits:
        at = at % max(len(data), 1)
        if op == "insert":
            data = data[:at] + piece + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + len(piece):]
        elif op == "replace":
            data = data[:at] + piece + data[at + len(piece):]
        else:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            line = data[start:end]
            data = data[:end] + line + data[end:] if op == "duplicate_line" else data[:start] + data[end:]
    return data


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(mutation, min_size=1, max_size=6), typed=st.booleans(), gz=st.booleans())
def test_random_csv_mutations(tmp_path, edits, typed, gz):
    data = _mutate(GOOD, edits)
    _check(gzip.compress(data) if gz else data, tmp_path, "orders.csv.gz" if gz else "orders.csv", typed)
