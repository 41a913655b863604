"""What differs per backend: choosing one, schema versions and migrations, and a backend that is away."""

from __future__ import annotations

import sqlite3
import time

import pytest
import redis

from server.storage import CreatorQuery, StoreUnavailable, open_store, sqlite
from server.storage.redis import RedisStore
from server.storage.sqlite import SQLiteStore
from tests.storage.redis_server import RedisServer, free_port


@pytest.mark.parametrize(("url", "kind"), [("", "sqlite"), ("sqlite:///rel.db", "sqlite"),
                                           ("redis://127.0.0.1:1/0", "redis")])
def test_open_store_chooses_by_url(tmp_path, monkeypatch, url, kind):
    monkeypatch.chdir(tmp_path)
    store = open_store({"STORE_URL": url, "DATA_DIR": str(tmp_path / "data")})
    assert store.kind == kind
    if url == "":
        assert (tmp_path / "data" / "microscout.db").exists()
    if url.startswith("sqlite"):
        assert (tmp_path / "rel.db").exists()
    store.close()


def test_open_store_absolute_sqlite_path(tmp_path):
    store = open_store({"STORE_URL": f"sqlite:///{tmp_path}/abs.db", "DATA_DIR": "unused"})
    assert store.path == tmp_path / "abs.db" and store.path.exists()
    store.close()


def test_open_store_refuses_unknown_urls(tmp_path):
    with pytest.raises(ValueError):
        open_store({"STORE_URL": "postgres://x", "DATA_DIR": str(tmp_path)})


def test_sqlite_runs_wal_with_full_sync_and_a_schema_version(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    conn = store._connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.schema_version() == sqlite.SCHEMA_VERSION
    store.create_niche({"name": "Running"})
    store.close()
    reopened = SQLiteStore(tmp_path / "s.db")  # migrations run once; data stays
    assert reopened.schema_version() == sqlite.SCHEMA_VERSION
    assert reopened.get_niche("running") is not None
    reopened.close()


def test_sqlite_applies_new_migrations_in_order(tmp_path, monkeypatch):
    SQLiteStore(tmp_path / "s.db").close()
    monkeypatch.setattr(sqlite, "MIGRATIONS", (*sqlite.MIGRATIONS, "CREATE TABLE extra (x INTEGER)",
                                               "INSERT INTO extra (x) VALUES (7)"))
    monkeypatch.setattr(sqlite, "SCHEMA_VERSION", len(sqlite.MIGRATIONS))
    store = SQLiteStore(tmp_path / "s.db")
    assert store.schema_version() == len(sqlite.MIGRATIONS)
    assert store._connection().execute("SELECT x FROM extra").fetchall() == [(7,)]
    store.close()


def test_sqlite_refuses_a_newer_schema(tmp_path):
    SQLiteStore(tmp_path / "s.db").close()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreUnavailable, match="newer"):
        SQLiteStore(tmp_path / "s.db")


def _listed(store):
    return store.list_creators(CreatorQuery(sort="handle"))


def test_sqlite_kept_listing_sees_other_processes_writes(tmp_path):
    """Two stores on one file stand for two server processes (or the server and the CLI): each keeps
    its listing and, after any write, reads only the creators written or removed since. After every
    step both list what a store opened afresh (reading every entry) lists."""
    path = tmp_path / "m.db"
    ours, theirs = SQLiteStore(path), SQLiteStore(path)

    def check(*handles):
        fresh = SQLiteStore(path)
        try:
            truth = _listed(fresh)
        finally:
            fresh.close()
        assert [c["handle"] for c in truth] == list(handles)
        assert _listed(ours) == truth
        assert _listed(theirs) == truth

    try:
        check()
        ours.save_creator("instagram", "bravo", {}, by="a")
        check("bravo")
        theirs.save_creator("instagram", "alpha", {"notes": "theirs"}, by="b")
        check("alpha", "bravo")
        theirs.save_creator("instagram", "bravo", {"status": "contacted"}, by="b")
        ours.save_creator("tiktok", "charlie", {}, by="a")  # ours' own write after theirs
        check("alpha", "bravo", "charlie")
        kept = {c["handle"]: c for c in ours._listing().entries}
        theirs.delete_creator("instagram", "alpha")
        check("bravo", "charlie")
        # the other process's delete reached ours without reading the others again
        assert all(c is kept[c["handle"]] for c in ours._listing().entries)
        theirs.save_creator("instagram", "alpha", {"notes": "back"}, by="b")  # removed, then again
        theirs.delete_creator("tiktok", "charlie")
        theirs.save_creator("tiktok", "charlie", {"status": "partnered"}, by="b")
        theirs.save_creator("youtube", "delta", {}, by="b")
        theirs.delete_creator("youtube", "delta")  # added and removed between two reads of ours
        check("alpha", "bravo", "charlie")
        assert [(c["handle"], c["status"], c["notes"]) for c in _listed(ours)] == [
            ("alpha", "discovered", "back"), ("bravo", "contacted", ""), ("charlie", "partnered", "")]
        document = ours.export_data()
        document["creators"] = [c for c in document["creators"] if c["handle"] != "bravo"]
        theirs.import_data(document, replace=True)  # every creator removed and written again
        check("alpha", "charlie")
        ours.delete_creator("tiktok", "charlie")
        check("alpha")
    finally:
        ours.close()
        theirs.close()


def test_sqlite_migration_6_keeps_listings_of_older_files(tmp_path):
    """Creators saved before migration 6 carry generation 0: listed, and still seen changed or removed."""
    path = tmp_path / "m.db"
    before = SQLiteStore(path)
    for handle in ("alpha", "bravo", "charlie"):
        before.save_creator("instagram", handle, {}, by="a")
    before.close()
    with sqlite3.connect(path) as conn:  # back to a schema 5 file
        conn.executescript("DROP INDEX creators_by_generation; ALTER TABLE creators DROP COLUMN generation; "
                           "DROP TABLE creators_gone; UPDATE schema_version SET version = 5;")
    ours, theirs = SQLiteStore(path), SQLiteStore(path)
    try:
        assert ours.schema_version() == 6
        assert [c["handle"] for c in _listed(ours)] == ["alpha", "bravo", "charlie"]
        theirs.save_creator("instagram", "alpha", {"status": "contacted"}, by="b")
        theirs.delete_creator("instagram", "bravo")
        assert [(c["handle"], c["status"]) for c in _listed(ours)] == [
            ("alpha", "contacted"), ("charlie", "discovered")]
    finally:
        ours.close()
        theirs.close()


def test_sqlite_prepare_reads_the_listing_before_the_first_page(tmp_path):
    """What the server runs on a thread at start: the first page then finds the listing read."""
    writer = SQLiteStore(tmp_path / "m.db")
    writer.save_creator("instagram", "alpha", {}, by="a")
    started = SQLiteStore(tmp_path / "m.db")
    try:
        assert started._listed is None
        started.prepare()
        kept = started._listing()
        assert [c["handle"] for c in started.find_creators(CreatorQuery(limit=100))[0]] == ["alpha"]
        assert started._listing() is kept
        writer.save_creator("instagram", "bravo", {}, by="a")
        assert started.find_creators(CreatorQuery(limit=100))[1] == 2
    finally:
        writer.close()
        started.close()


def test_sqlite_busy_writer_is_unavailable_not_an_error(tmp_path):
    store = SQLiteStore(tmp_path / "s.db", busy_timeout=0.2)
    blocker = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreUnavailable):
        store.create_niche({"name": "Running"})
    assert store.list_niches() == []  # readers never wait in WAL
    blocker.execute("ROLLBACK")
    assert store.create_niche({"name": "Running"})["id"] == "running"
    blocker.close()
    store.close()


def test_redis_away_is_unavailable_quickly():
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", timeout=1.0)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.list_niches()
    with pytest.raises(StoreUnavailable):
        store.save_creator("instagram", "a", {"notes": "x"}, by="admin")
    assert time.monotonic() - started < 5


def test_redis_recovers_when_it_returns_and_keeps_what_it_acknowledged(tmp_path):
    server = RedisServer(tmp_path / "r").start()
    store = RedisStore(server.url, timeout=1.0)
    try:
        store.create_niche({"name": "Running"})
        server.kill()
        with pytest.raises(StoreUnavailable):
            store.get_niche("running")
        server.start()  # same port, same AOF
        assert store.get_niche("running")["name"] == "Running"
    finally:
        store.close()
        server.stop()


def test_redis_without_a_durable_setting_is_named_in_a_warning(tmp_path, caplog):
    server = RedisServer(tmp_path / "r").start()

    def warnings_on_first_use() -> list[str]:
        caplog.clear()
        store = RedisStore(server.url)
        store.list_niches()
        store.close()
        return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]

    try:
        config = redis.Redis(port=server.port)
        assert warnings_on_first_use() == []  # appendonly yes, appendfsync always
        config.config_set("appendfsync", "everysec")
        assert ["appendfsync everysec" in w for w in warnings_on_first_use()] == [True]
        config.config_set("appendonly", "no")
        assert ["without appendonly" in w for w in warnings_on_first_use()] == [True]
        config.close()
    finally:
        server.stop()


def test_redis_schema_version_is_recorded_and_newer_refused(redis_server):
    store = RedisStore(redis_server.url, prefix="schema-test:")
    assert store.schema_version() == 1
    store._redis.set("schema-test:schema", 99)
    fresh = RedisStore(redis_server.url, prefix="schema-test:")
    with pytest.raises(StoreUnavailable, match="newer"):
        fresh.list_niches()
    store._redis.delete("schema-test:schema")
    store.close()
    fresh.close()
