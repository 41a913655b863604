"""The Discovered inbox: its rules (storage/discovered.py) and the store contract on SQLite and a real
Redis (the ``store`` fixture runs each contract test on both)."""

from __future__ import annotations

import csv
import io
import threading

import pytest

from server.storage import InvalidValue, NotFound
from server.storage.discovered import (
    MAX_PLACES_KEPT,
    MAX_POSTS_KEPT,
    DiscoveredQuery,
    kept_posts,
    merge_glance,
    post_id,
    select,
    to_csv,
)
from server.storage.sqlite import SCHEMA_VERSION, SQLiteStore
from tests.samples import RUNNING_CAPTIONS
from tests.storage.conftest import make_store


def glance(handle="casey", platform="instagram", texts=None, **extra):
    return {"platform": platform, "handle": handle, "texts": texts or RUNNING_CAPTIONS[:2], **extra}


# ---- the rules ----------------------------------------------------------------------------

def test_a_first_glance_makes_a_new_record():
    entry, posts = merge_glance(None, glance(followers=24_300, seen_on={"kind": "hashtag", "term": "running"},
                                             fit={"running": 91.0, "baking": 12.0}), "t1")
    assert entry["status"] == "new" and entry["seen_count"] == 1
    assert (entry["first_seen"], entry["last_seen"], entry["followers"]) == ("t1", "t1", 24_300)
    assert entry["seen_on"] == [{"kind": "hashtag", "term": "running", "count": 1, "first_seen": "t1",
                                 "last_seen": "t1"}]
    assert (entry["best_fit"], entry["best_niche"]) == (91.0, "running")
    assert [p["text"] for p in posts] == RUNNING_CAPTIONS[:2]
    assert posts[0]["id"] == post_id(RUNNING_CAPTIONS[0]) != posts[1]["id"]


def test_glances_count_places_and_keep_the_newest_posts():
    record = merge_glance(None, glance(seen_on={"kind": "hashtag", "term": "Running"}), "t01")
    record = merge_glance(record, glance(texts=RUNNING_CAPTIONS[1:3], fit={"running": 80.0},
                                         seen_on={"kind": "hashtag", "term": "running"}), "t02")
    record = merge_glance(record, glance(texts=RUNNING_CAPTIONS[3:4],
                                         seen_on={"kind": "search", "term": "marathon"}), "t03")
    entry, posts = record
    assert entry["seen_count"] == 3 and (entry["first_seen"], entry["last_seen"]) == ("t01", "t03")
    assert [(p["kind"], p["term"], p["count"]) for p in entry["seen_on"]] == [
        ("search", "marathon", 1), ("hashtag", "Running", 2)]  # terms match in any case; newest first
    assert [p["text"] for p in posts] == [RUNNING_CAPTIONS[i] for i in (3, 1, 2, 0)]
    assert (posts[1]["first_seen"], posts[1]["last_seen"]) == ("t01", "t02")  # seen again: same post
    assert entry["fit"] == {"running": 80.0}


def test_growth_is_bounded():
    record = None
    for i in range(40):
        seen_on = {"kind": "hashtag", "term": f"tag{i}"}
        record = merge_glance(record, glance(texts=[f"post {i}"], seen_on=seen_on), f"t{i:02d}")
    entry, posts = record
    assert len(posts) == MAX_POSTS_KEPT and posts[0]["text"] == "post 39"
    assert len(entry["seen_on"]) == MAX_PLACES_KEPT and entry["seen_on"][0]["term"] == "tag39"
    assert entry["seen_count"] == 40


def test_kept_posts_is_what_the_fit_rests_on():
    old = kept_posts([], [f"old {i}" for i in range(8)], "t1")
    assert [p["text"] for p in kept_posts(old, ["new a", "old 7", "new b"], "t2")] == [
        "new a", "old 7", "new b", "old 0", "old 1", "old 2", "old 3", "old 4", "old 5", "old 6"]


@pytest.mark.parametrize(("query", "field"), [
    ({"platform": "myspace"}, "platform"), ({"tier": "giga"}, "tier"), ({"seen_on": "profile"}, "seen_on"),
    ({"status": ("hired",)}, "status"), ({"sort": "likes"}, "sort"), ({"order": "up"}, "order"),
    ({"limit": -1}, "limit"), ({"offset": -1}, "offset"),
])
def test_bad_queries(query, field):
    with pytest.raises(InvalidValue) as caught:
        DiscoveredQuery(**query)
    assert caught.value.field == field


def record(handle, platform="instagram", fit=None, seen_on=(("hashtag", "sourdough"),), followers=None,
           status="new", last_seen="t1", seen_count=1):
    fit = fit or {}
    best = max(fit.values()) if fit else None
    return {"platform": platform, "handle": handle, "fit": fit, "best_fit": best,
            "best_niche": max(fit, key=fit.get) if fit else None, "followers": followers,
            "tier": None if followers is None else ("micro" if followers >= 10_000 else "nano"),
            "seen_on": [{"kind": k, "term": t, "count": 1, "first_seen": "t0", "last_seen": "t1"}
                        for k, t in seen_on],
            "status": status, "last_seen": last_seen, "seen_count": seen_count, "first_seen": "t0"}


INBOX = [
    record("ann", fit={"running": 90.0, "baking": 10.0}, followers=24_000, last_seen="t3"),
    record("bob", platform="tiktok", fit={"running": 20.0, "baking": 95.0}, seen_on=(("search", "bread"),),
           last_seen="t2", seen_count=4),
    record("cat", fit={"running": 60.0}, followers=800, status="dismissed", last_seen="t5"),
    record("dan", platform="youtube", seen_on=(("feed", None),), status="saved", last_seen="t4"),
]


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ["cat", "dan", "ann", "bob"]),                                  # last seen first
    ({"sort": "fit"}, ["bob", "ann", "cat", "dan"]),                      # best fit, unknown last
    ({"sort": "fit", "niche": "running"}, ["ann", "cat", "bob"]),         # only with a fit for it
    ({"sort": "fit", "niche": "running", "order": "asc"}, ["bob", "cat", "ann"]),
    ({"platform": "tiktok"}, ["bob"]),
    ({"tier": "micro"}, ["ann"]),
    ({"seen_on": "hashtag"}, ["cat", "ann"]),
    ({"seen_on": "hashtag:SourDough"}, ["cat", "ann"]),
    ({"seen_on": "search:sourdough"}, []),
    ({"seen_on": "feed"}, ["dan"]),
    ({"status": ("new", "saved")}, ["dan", "ann", "bob"]),
    ({"min_fit": 60, "sort": "fit"}, ["bob", "ann", "cat"]),
    ({"min_fit": 60, "niche": "running"}, ["cat", "ann"]),
    ({"sort": "seen_count"}, ["bob", "ann", "cat", "dan"]),
    ({"sort": "handle"}, ["ann", "bob", "cat", "dan"]),
    ({"sort": "handle", "limit": 2, "offset": 1}, ["bob", "cat"]),
])
def test_filter_and_sort(query, expected):
    page, total = select(INBOX, DiscoveredQuery(**query))
    assert [r["handle"] for r in page] == expected
    assert total == (len(expected) if "limit" not in query else 4)


def test_equal_fits_rank_the_creator_seen_in_more_posts_first():
    one, three = {**record("one", fit={"running": 100.0}), "posts_seen": 1}, {
        **record("three", fit={"running": 100.0}), "posts_seen": 3}
    page, _ = select([one, three, record("none")], DiscoveredQuery(sort="fit"))
    assert [r["handle"] for r in page] == ["three", "one", "none"]
    assert merge_glance(None, glance(texts=["a", "b", "c"]), "t1")[0]["posts_seen"] == 3


def test_csv_escapes_formulas_and_names_where_seen():
    rows = [{**INBOX[0], "handle": "=cmd", "posts": [{"text": "+1 what a run"}]}, INBOX[1]]
    table = list(csv.reader(io.StringIO(to_csv(rows, ["baking", "running"]))))
    assert table[0][-4:] == ["fit:baking", "fit:running", "seen_on", "latest_post"]
    assert table[1][1] == "'=cmd" and table[1][-1] == "'+1 what a run"
    assert table[1][-2] == "hashtag sourdough x1" and table[2][-2] == "search bread x1"
    assert table[2][-4:-2] == ["95.0", "20.0"]


# ---- the store contract (both backends) ---------------------------------------------------

def test_glances_are_remembered_and_read_back(store):
    first = store.remember_glances([glance(followers=24_300, seen_on={"kind": "hashtag", "term": "running"},
                                           fit={"running": 91.0}),
                                    glance("Baker", "tiktok", ["Sourdough loaf, 36 hour ferment"],
                                           seen_on={"kind": "feed"}, fit={"running": 4.0})])
    assert [(r["handle"], r["status"], r["tier"], r["seen_count"]) for r in first] == [
        ("casey", "new", "micro", 1), ("Baker", "new", None, 1)]
    assert first[0]["posts"][0]["text"] == RUNNING_CAPTIONS[0] and first[0]["watchlist"] is None
    again = store.remember_glances([glance("CASEY", texts=RUNNING_CAPTIONS[2:3],
                                           seen_on={"kind": "hashtag", "term": "running"})])
    assert again[0]["seen_count"] == 2 and again[0]["handle"] == "CASEY"  # handles are case-insensitive
    assert len(again[0]["posts"]) == 3 and again[0]["fit"] == {"running": 91.0}
    assert again[0]["seen_on"][0]["count"] == 2 and again[0]["followers"] == 24_300

    read = store.get_discovered([("tiktok", "baker"), ("youtube", "nobody"), ("instagram", "casey")])
    assert read[0]["handle"] == "Baker" and read[1] is None and read[2] == again[0]


def test_a_creator_named_twice_in_one_glance_is_merged_twice(store):
    both = store.remember_glances([glance(texts=["one"]), glance(texts=["two"])])
    assert both[0] == both[1] and both[1]["seen_count"] == 2
    assert [p["text"] for p in both[1]["posts"]] == ["two", "one"]


def test_saved_is_the_watchlist(store):
    store.remember_glances([glance(), glance("other")])
    store.save_creator("instagram", "casey", {"status": "shortlisted"}, by="admin")
    casey, other = store.get_discovered([("instagram", "casey"), ("instagram", "other")])
    assert casey["status"] == "saved" and casey["watchlist"] == {"status": "shortlisted", "overall": None}
    assert other["status"] == "new"
    page, total = store.list_discovered(DiscoveredQuery(status=("saved",)))
    assert total == 1 and page[0]["handle"] == "casey" and page[0]["watchlist"]["status"] == "shortlisted"
    store.delete_creator("instagram", "casey")
    assert store.get_discovered([("instagram", "casey")])[0]["status"] == "new"


def test_dismiss_and_bring_back(store):
    store.remember_glances([glance()])
    dismissed = store.set_discovered_status("instagram", "Casey", "dismissed")
    assert dismissed["status"] == "dismissed" and dismissed["status_at"]
    assert store.list_discovered(DiscoveredQuery(status=("new",)))[1] == 0
    store.remember_glances([glance()])  # seeing a dismissed creator again keeps it dismissed
    assert store.get_discovered([("instagram", "casey")])[0]["status"] == "dismissed"
    assert store.set_discovered_status("instagram", "casey", "new")["status"] == "new"
    with pytest.raises(InvalidValue):
        store.set_discovered_status("instagram", "casey", "saved")
    with pytest.raises(NotFound):
        store.set_discovered_status("instagram", "never-seen", "dismissed")


def test_list_pages_with_posts(store):
    store.remember_glances([glance(f"c{i}", texts=[f"post of c{i}"], fit={"running": float(i)})
                            for i in range(5)])
    page, total = store.list_discovered(DiscoveredQuery(sort="fit", limit=2, offset=1))
    assert total == 5 and [r["handle"] for r in page] == ["c3", "c2"]
    assert page[0]["posts"][0]["text"] == "post of c3"


@pytest.mark.parametrize("bad", [glance(platform="myspace"), glance(handle="two words"),
                                 glance(seen_on={"kind": "profile"}), {**glance(), "texts": []}])
def test_bad_glances_write_nothing(store, bad):
    with pytest.raises(InvalidValue):
        store.remember_glances([glance("fine"), bad])
    assert store.list_discovered()[1] == 0


def test_concurrent_glances_of_one_creator_lose_no_sighting(store, tmp_path, redis_server):
    others = [make_store(store.kind, tmp_path, redis_server, name="a") for _ in range(3)]
    if store.kind == "redis":  # the same prefix: one Redis database seen by several processes
        for other in others:
            other.prefix = store.prefix

    def run(target, n):
        for i in range(8):
            target.remember_glances([glance(texts=[f"text {n}-{i}"], seen_on={"kind": "feed"})])

    threads = [threading.Thread(target=run, args=(s, n)) for n, s in enumerate([store, *others])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entry = store.get_discovered([("instagram", "casey")])[0]
    assert entry["seen_count"] == 32 and entry["seen_on"][0]["count"] == 32
    for other in others:
        other.close()


def test_the_inbox_moves_with_an_export(store, tmp_path, redis_server):
    store.remember_glances([glance(seen_on={"kind": "search", "term": "marathon"}, fit={"running": 88.0})])
    store.set_discovered_status("instagram", "casey", "dismissed")
    document = store.export_data()
    assert [d["handle"] for d in document["discovered"]] == ["casey"]
    for kind in ("sqlite", "redis"):
        target = make_store(kind, tmp_path, redis_server, name=f"copy-{kind}")
        counts = target.import_data(document)
        assert counts["discovered"] == 1
        assert target.export_data() == document
        casey = [("instagram", "casey")]
        assert target.get_discovered(casey) == store.get_discovered(casey)
        target.close()


def test_an_export_from_before_the_inbox_still_imports(store):
    document = store.export_data()
    del document["discovered"]
    assert store.import_data(document, replace=True)["discovered"] == 0


def test_sqlite_migrates_a_version_1_file(tmp_path):
    import sqlite3

    from server.storage.sqlite import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "; CREATE TABLE schema_version (version INTEGER NOT NULL);"
                     "INSERT INTO schema_version VALUES (1);")
    db.close()
    store = SQLiteStore(path)
    assert store.schema_version() == SCHEMA_VERSION >= 4
    store.remember_glances([glance()])
    assert store.list_discovered()[1] == 1
    assert store.put_brand({"names": ["Stride Co"]}) == store.get_brand()  # migration 4: the brand table
    store.close()


KILLED_WRITER = """
import sys
from server.storage.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1])
for i in range(100000):
    store.remember_glances([{"platform": "instagram", "handle": f"c{i}", "texts": [f"post {i}"]}])
    print(i, flush=True)
"""


def test_a_kill_9_loses_no_acknowledged_glance_on_sqlite(tmp_path):
    """Glances are committed without an fsync (a power cut may lose the last ones), but a kill -9 of
    the server never loses one it answered: the OS holds the WAL."""
    import signal
    import subprocess
    import sys

    path = tmp_path / "inbox.db"
    SQLiteStore(path).close()
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE,
                              text=True)
    assert writer.stdout is not None
    acknowledged = -1
    for line in writer.stdout:
        acknowledged = int(line)
        if acknowledged >= 200:
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    store = SQLiteStore(path)
    found = store.get_discovered([("instagram", f"c{i}") for i in range(acknowledged + 1)])
    assert all(found), f"{sum(1 for f in found if f is None)} acknowledged glances lost"
    store.close()
