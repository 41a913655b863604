"""The Store contract for imported results (SQLite and a real Redis): all rows or none, idempotent per
row id, listed per creator, removed with the creator, and the importer end to end over each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.results import ImportRefused
from server.results.imports import import_file
from server.storage import InvalidValue
from server.storage.sqlite import SCHEMA_VERSION, SQLiteStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"


def row(rid: str, handle: str = "casey", platform: str = "instagram", week: str = "2025-09-01", **extra):
    return {
        "id": rid,
        "platform": platform,
        "handle": handle,
        "source": "ga4",
        "campaign": "fall",
        "week": week,
        "sessions": 10,
        "engaged_sessions": 6,
        "conversions": 1.0,
        "revenue": 20.0,
        **extra,
    }


def watch(store, *handles: tuple[str, str]):
    for platform, handle in handles:
        store.save_creator(platform, handle, {"notes": "x"}, by="t")


def test_rows_are_kept_once(store):
    watch(store, ("instagram", "casey"), ("tiktok", "tess"))
    assert store.add_results([row("a"), row("b", week="2025-09-08"), row("c", "tess", "tiktok")]) == {
        "imported": 3,
        "duplicates": 0,
    }
    assert store.add_results([row("a"), row("d", week="2025-09-15")]) == {"imported": 1, "duplicates": 1}
    assert [r["id"] for r in store.list_results("instagram", "Casey")] == ["a", "b", "d"]
    assert [r["id"] for r in store.list_results()] == ["a", "b", "d", "c"]
    assert store.list_results("youtube", "nobody") == []


def test_a_row_of_a_creator_not_on_the_watchlist_writes_nothing(store):
    watch(store, ("instagram", "casey"))
    with pytest.raises(InvalidValue) as caught:
        store.add_results([row("a"), row("b", "ghost")])
    assert "instagram/ghost" in caught.value.message
    assert store.list_results() == []


def test_deleting_a_creator_deletes_its_results(store):
    watch(store, ("instagram", "casey"), ("tiktok", "tess"))
    store.add_results([row("a"), row("c", "tess", "tiktok")])
    store.delete_creator("instagram", "casey")
    assert [r["id"] for r in store.list_results()] == ["c"]
    watch(store, ("instagram", "casey"))
    assert store.add_results([row("a")]) == {"imported": 1, "duplicates": 0}  # the id is free again


def fixture_watchlist(store):
    store.save_creator(
        "instagram", "caseyruns", {"outreach": {"campaign": "fall-trail", "fee": "€1,500"}}, by="t"
    )
    store.save_creator(
        "tiktok", "trailtess", {"outreach": {"utm_content": "tess-fall", "fee": "400"}}, by="t"
    )
    store.save_creator(
        "youtube", "milesmorgan", {"outreach": {"discount_code": "MILES15", "fee": "600"}}, by="t"
    )


def test_importing_a_file_twice_changes_nothing(store):
    fixture_watchlist(store)
    data = (FIXTURES / "ga4_traffic_acquisition.csv").read_bytes()
    first = import_file(store, data, by="t", file_name="ga4.csv")
    assert (first["imported"], first["duplicates"], first["skipped"], first["creators"]) == (8, 0, 3, 3)
    again = import_file(store, data, by="t")
    assert (again["imported"], again["duplicates"]) == (0, 8)
    assert len(store.list_results()) == 8


def test_an_unmatched_row_refuses_the_whole_file_unless_skipped(store):
    fixture_watchlist(store)
    data = (FIXTURES / "shopify_discounts.csv").read_bytes()  # CASEY10 is in nobody's terms
    with pytest.raises(ImportRefused) as caught:
        import_file(store, data, by="t")
    assert str(caught.value.problems[0]).startswith("row 4: the discount code 'CASEY10'")
    assert store.list_results() == []
    report = import_file(store, data, by="t", skip_unmatched=True)
    assert report["imported"] == 2 and [u["row"] for u in report["unmatched"]] == [4]


def test_the_sqlite_schema_gains_the_results_table(tmp_path):
    store = SQLiteStore(tmp_path / "m.db")
    assert store.schema_version() == SCHEMA_VERSION >= 4
    store.close()


def test_the_cached_watchlist_sees_every_process_writes(tmp_path):
    """SQLite keeps the parsed watchlist between lists; a write by another connection (another
    process) moves the generation, so the next list reads it."""
    one, other = SQLiteStore(tmp_path / "w.db"), SQLiteStore(tmp_path / "w.db")
    one.save_creator("instagram", "a", {"notes": "first"}, by="t")
    assert [c["handle"] for c in one.list_creators()] == ["a"]
    other.save_creator("instagram", "b", {"notes": "second"}, by="t")
    other.save_creator("instagram", "a", {"notes": "edited"}, by="t")
    listed = one.list_creators()
    assert sorted(c["handle"] for c in listed) == ["a", "b"]
    assert next(c for c in listed if c["handle"] == "a")["notes"] == "edited"
    other.delete_creator("instagram", "b")
    listed[0]["notes"] = "changed by a caller"  # what a caller does to its copy stays its own
    assert [(c["handle"], c["notes"]) for c in one.list_creators()] == [("a", "edited")]
    one.close()
    other.close()
