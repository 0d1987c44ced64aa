"""The versioned workspace (SPEC §7.1): versions, rollback, rename, trash, migration of old folders."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.ingest import load_file
from retention_core.workspace import Actor, Workspace
from retention_core.workspace.db import MIGRATIONS, connect_db, schema_version

V1 = "customer_id,order_date,amount\na,2024-01-01,10\nb,2024-01-02,20\n"
V2 = "customer_id,order_date,amount\na,2024-01-01,10\nb,2024-01-02,20\nc,2024-02-01,5\n"
EVENTS = "user_id,event,timestamp\na,visit,2024-01-01 10:00\n"


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws")


@pytest.fixture
def load(write_file):
    def read(text: str, kind: str = "orders", name: str = "f.csv"):
        return load_file(write_file(name, text), kind=kind)

    return read


def test_each_save_is_a_new_immutable_version(ws, load):
    first = ws.save("Shop", {"orders": load(V1)})
    path1 = ws.path("shop", "orders")
    second = ws.save("Shop", {"orders": load(V2)})
    assert (first.version, second.version) == (1, 2)
    assert [(v.version, v.rows) for v in ws.versions("shop")] == [(2, {"orders": 3}), (1, {"orders": 2})]
    assert pl.read_parquet(ws.path("shop", "orders")).height == 3  # the newest by default
    assert pl.read_parquet(ws.path("shop", "orders", 1)).height == 2  # any version can be opened
    assert ws.path("shop", "orders", 1) == path1  # version 1's file was not touched by the second save
    assert [d.slug for d in ws.datasets()] == ["shop"]
    (v2, v1) = ws.versions("shop")
    assert v2.saved_by == v1.saved_by == "owner" and v2.saved_at >= v1.saved_at


def test_kinds_not_saved_carry_over_by_link_not_copy(ws, load):
    ws.save("Shop", {"orders": load(V1), "events": load(EVENTS, "events", "e.csv")})
    ws.save("Shop", {"orders": load(V2)})
    v2, v1 = ws.versions("shop")
    assert v2.kinds == ("orders", "events") and v2.rows == {"orders": 3, "events": 1}
    assert os.path.samefile(ws.path("shop", "events", 1), ws.path("shop", "events", 2))


def test_rollback_publishes_the_old_content_as_a_new_version(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    ws.save("Shop", {"orders": load(V2)})
    info = ws.rollback("shop", 1)
    assert info.version == 3
    assert_frame_equal(pl.read_parquet(ws.path("shop", "orders")), pl.read_parquet(ws.path("shop", "orders", 1)))
    assert ws.versions("shop")[0].restored_from == 1
    assert [v.version for v in ws.versions("shop")] == [3, 2, 1]  # history is append-only


def test_missing_version_names_the_nearest(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    ws.save("Shop", {"orders": load(V2)})
    with pytest.raises(ParameterError, match=r"version=7 is not allowed; expected a version of Shop: 1, 2 \(nearest: 2\)"):
        ws.version_info("shop", 7)


def test_rename_keeps_the_slug(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    assert ws.rename("shop", "Shop (EU)").name == "Shop (EU)"
    assert [d.slug for d in ws.datasets()] == ["shop"]
    ws.save("Shop (EU)", {"orders": load(V2)}, slug="shop")
    assert [d.name for d in ws.datasets()] == ["Shop (EU)"]


def test_delete_goes_to_the_trash_and_restore_brings_every_version_back(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    ws.save("Shop", {"orders": load(V2)})
    ws.delete("shop")
    assert ws.datasets() == [] and [d.slug for d in ws.trash()] == ["shop"]
    with pytest.raises(ColumnNotFoundError, match=r'dataset "Shop" was deleted on .* \(in the trash; an admin can restore it\)'):
        ws.get("shop")
    with pytest.raises(ColumnNotFoundError, match="was deleted"):
        ws.save("Shop", {"orders": load(V1)}, slug="shop")  # saving into a deleted dataset does not revive it
    fresh = ws.save("Shop", {"orders": load(V1)})  # the same name without a slug: a new dataset
    assert fresh.slug == "shop-2"
    ws.restore("shop")
    assert [d.slug for d in ws.datasets()] == ["shop", "shop-2"]
    assert [v.version for v in ws.versions("shop")] == [2, 1]
    assert not ws.is_new()


def test_a_missing_dataset_suggests_the_closest(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    with pytest.raises(ColumnNotFoundError, match=r'no dataset "shp"; saved datasets: Shop; did you mean "Shop" \(shop\)\?'):
        ws.get("shp")


def test_old_meta_json_folders_are_adopted_once(tmp_path, load):
    """An earlier release's layout: <slug>/meta.json + <kind>.parquet, and a dot folder from a killed save."""
    root = tmp_path / "ws"
    old = root / "old-shop"
    old.mkdir(parents=True)
    result = load(V1)
    result.frame.write_parquet(old / "orders.parquet")
    meta = {"name": "Old shop", "created": "2024-05-01T10:00:00", "kinds": ["orders"],
            "reports": {"orders": {"rows": 2, "rows_read": 2, "rows_accepted": 2, "rows_rejected": 0}}}
    (old / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    phantom = root / ".old-shop.tmp"
    phantom.mkdir()
    (phantom / "meta.json").write_text(json.dumps({**meta, "name": "phantom"}), encoding="utf-8")
    ws = Workspace(root)
    (info,) = ws.datasets()
    assert (info.slug, info.name, info.created, info.version, info.saved_by) == ("old-shop", "Old shop", "2024-05-01T10:00:00", 1, "migrated")
    assert_frame_equal(pl.read_parquet(ws.path("old-shop", "orders")), result.frame)
    assert not (old / "meta.json").exists() and not (old / "orders.parquet").exists()
    again = Workspace(root)  # the second start changes nothing
    assert [(d.slug, d.version) for d in again.datasets()] == [("old-shop", 1)]


def test_schema_is_migrated_to_the_latest_and_wal_is_on(ws):
    con = connect_db(ws.root)
    assert schema_version(con) == len(MIGRATIONS)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_a_database_of_an_earlier_schema_is_brought_up_to_date(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    con = sqlite3.connect(root / "workspace.sqlite3")
    con.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    con.execute("INSERT INTO datasets VALUES ('s', 'S', '2024-01-01', 'x', NULL, NULL)")
    con.commit()
    con.close()
    Workspace(root)
    con = connect_db(root)
    assert schema_version(con) == len(MIGRATIONS)
    assert con.execute("SELECT name, settings FROM datasets").fetchone()[:] == ("S", None)  # data kept, column added
    con.close()


def test_sweep_removes_only_old_unpublished_folders(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    dead = ws.root / "shop" / ".tmp-dead"
    dead.mkdir()
    orphan = ws.root / "shop" / "v-orphan"
    orphan.mkdir()
    young = ws.root / "shop" / ".tmp-young"
    young.mkdir()
    past = time.time() - 7200
    os.utime(dead, (past, past))
    os.utime(orphan, (past, past))
    published = ws.root / ws.path("shop", "orders").parent
    os.utime(published, (past, past))
    assert ws.sweep() == 2
    assert sorted(p.name for p in (ws.root / "shop").iterdir()) == sorted([".tmp-young", published.name])


def test_a_kind_the_version_lacks_gives_a_path_named_after_the_dataset(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    assert ws.path("shop", "events") == ws.root / "shop" / "events.parquet"
    assert not ws.path("shop", "events").exists()


def test_notes_and_annotations_round_trip_as_plain_text(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    viewer = ws.as_user(Actor("vic", "viewer"))
    ws.add_user("ann", "admin", "correct horse")  # shared mode from here on
    note = viewer.add_note("shop", date(2024, 1, 1), "**CRR dipped** <b>promo</b> ![x](http://e/x.png)")
    ws.as_user(Actor("ann", "admin")).add_note("shop", date(2024, 1, 8), "second week")
    got = viewer.notes("shop", date(2024, 1, 1))
    assert got.select("id", "week", "text", "author").rows() == [
        (note, date(2024, 1, 1), "**CRR dipped** <b>promo</b> ![x](http://e/x.png)", "vic")]
    assert viewer.notes("shop").height == 2
    viewer.edit_note(note, "CRR dipped")
    assert viewer.notes("shop", date(2024, 1, 1))["text"].to_list() == ["CRR dipped"]
    editor = ws.as_user(Actor("ed", "editor"))
    mark = editor.add_annotation("shop", date(2024, 1, 15), "promo started")
    assert editor.annotations("shop").select("id", "date", "label", "author").rows() == [(mark, date(2024, 1, 15), "promo started", "ed")]
    assert editor.annotations("other").height == 0
    with pytest.raises(ColumnNotFoundError):
        editor.add_annotation("nope", date(2024, 1, 15), "x")
    with pytest.raises(ParameterError, match="label"):
        editor.add_annotation("shop", date(2024, 1, 15), "   ")
    viewer.delete_note(note)
    assert viewer.notes("shop", date(2024, 1, 1)).height == 0


def test_settings_are_stored_per_dataset(ws, load):
    ws.save("Shop", {"orders": load(V1)})
    assert ws.settings_json("shop") == {}
    ws.save_settings_json("shop", {"activity_window": 3})
    assert ws.settings_json("shop") == {"activity_window": 3}


def test_files_kept_beside_a_table_follow_it_into_new_versions_and_rollbacks(ws, load):
    """A version may keep more than its tables (the engine's compact tables under compact/<kind>/)."""
    ws.save("Shop", {"orders": load(V1)})
    extra = ws.path("shop", "orders").parent / "compact" / "orders"
    extra.mkdir(parents=True)
    (extra / "month.parquet").write_bytes(b"compact")
    ws.save("Shop", {"events": load(EVENTS, "events", "e.csv")})  # orders carried: its compact tables too
    v2 = ws.path("shop", "orders", 2).parent / "compact" / "orders" / "month.parquet"
    assert v2.read_bytes() == b"compact" and os.path.samefile(v2, extra / "month.parquet")
    ws.save("Shop", {"orders": load(V2)})  # orders replaced: the old compact tables must not follow
    assert not (ws.path("shop", "orders", 3).parent / "compact" / "orders").exists()
    ws.rollback("shop", 1)
    assert (ws.path("shop", "orders", 4).parent / "compact" / "orders" / "month.parquet").read_bytes() == b"compact"
