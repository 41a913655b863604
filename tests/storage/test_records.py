"""The pure rules both backends share: slugs, summaries, follower jumps, CSV escaping."""

from __future__ import annotations

import csv
import io

import pytest

from server.storage import records
from server.storage.records import escape_cell, find_follower_jump, summarize
from tests import samples


@pytest.mark.parametrize(("snapshot", "score", "expected"), [
    (None, None, {"followers": None, "tier": None, "overall": None, "authenticity": None,
                  "engagement_rate": None, "fit": {}, "languages": {}}),
    ({"followers": 12_000}, None, {"followers": 12_000, "tier": "micro", "overall": None,
                                   "authenticity": None, "engagement_rate": None, "fit": {},
                                   "languages": {}}),
    ({"followers": 12_000}, samples.score(followers=15_000, overall=64, authenticity=88.5, rate=0.031,
                                          fit={"running": 90, "baking": 3.5}),
     {"followers": 15_000, "tier": "micro", "overall": 64.0, "authenticity": 88.5, "engagement_rate": 0.031,
      "fit": {"running": 90.0, "baking": 3.5}, "languages": {"en": 1.0}}),
    ({"followers": 12_000}, samples.score(followers=None, tier=None, overall=None, fit={"running": None}),
     {"followers": 12_000, "tier": "micro", "overall": None, "authenticity": 80.0, "engagement_rate": 0.04,
      "fit": {"running": None}, "languages": {"en": 1.0}}),
])
def test_summarize_reads_a_typed_score(snapshot, score, expected):
    assert summarize(snapshot, records.read_score(score)) == expected


@pytest.mark.parametrize("junk", [
    [1, 2], "high",
    {"creator": {"followers": 1}, "overall": {"score": 64}},  # a part of a score
    {**samples.score(), "overall": {**samples.score()["overall"], "score": float("nan")}},
    {**samples.score(), "creator": {**samples.score()["creator"], "followers": "many"}},
    {**samples.score(), "authenticity": {**samples.score()["authenticity"], "made_up": 1}},
])
def test_junk_is_not_a_score(junk):
    with pytest.raises(records.InvalidValue) as caught:
        records.read_score(junk)
    assert caught.value.field == "score"


def points(*pairs):
    return [{"at": f"2026-01-{day:02d}T00:00:00.000000Z", "captured_at": None, "followers": f}
            for day, f in pairs]


@pytest.mark.parametrize(("history", "now", "expected"), [
    (points(), None, None),
    (points((1, 20_000)), None, None),
    (points((1, 20_000), (20, 24_000)), None, None),  # +20%: growth, not a jump
    (points((1, 20_000), (5, 27_000)), None, (20_000, 27_000)),  # +35% in 4 days
    (points((1, 20_000), (10, 22_000), (20, 24_000), (28, 27_000)), None, (20_000, 27_000)),  # spread out
    (points((1, 20_000), (2, 30_000), (3, 30_100)), None, (20_000, 30_100)),  # latest point, lowest base
    (points((1, 500), (2, 900)), None, None),  # too small a base to mean anything
    (points((1, 30_000), (2, 20_000)), None, None),  # a drop is not a jump
    (points((1, 20_000)), 40_000, (20_000, 40_000)),  # the count about to be saved
])
def test_follower_jumps(history, now, expected):
    at = "2026-01-03T00:00:00Z" if now else None
    jump = find_follower_jump(history, now, at)
    assert (None if jump is None else (jump["from"], jump["to"])) == expected


def test_jump_window_is_thirty_days():
    history = [{"at": "2026-01-01T00:00:00Z", "followers": 20_000},
               {"at": "2026-02-15T00:00:00Z", "followers": 40_000}]
    assert find_follower_jump(history) is None  # doubled, but over 45 days
    history.insert(1, {"at": "2026-02-01T00:00:00Z", "followers": 20_500})
    jump = find_follower_jump(history)
    assert jump is not None and jump["from"] == 20_500 and jump["days"] == 14.0


def test_capture_time_wins_over_save_time():
    history = [{"at": "2026-05-01T00:00:00Z", "captured_at": "2026-01-01T00:00:00Z", "followers": 20_000},
               {"at": "2026-05-01T00:00:01Z", "captured_at": "2026-04-01T00:00:00Z", "followers": 40_000}]
    assert find_follower_jump(history) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("  =cmd|' /C calc'!A0", "'  =cmd|' /C calc'!A0"), ("\uff1d1+1", "'\uff1d1+1"),
    ("plain", "plain"), ("a=b", "a=b"), ("", ""), (None, ""), (42, 42), (-0.5, -0.5), (True, "yes"),
])
def test_csv_cells_are_escaped_per_owasp(value, expected):
    assert escape_cell(value) == expected


def test_csv_has_a_row_per_creator_and_a_column_per_niche():
    entries = [{"platform": "instagram", "handle": "a", "display_name": "=evil()", "niche": "running",
                "status": "shortlisted", "notes": '+cmd, "quoted"\nsecond line', "tags": ["@x", "y"],
                "summary": {"followers": 12_000, "tier": "micro", "overall": 71.5, "authenticity": 80.0,
                            "engagement_rate": 0.04, "fit": {"running": 88.0, "baking": 2.0}},
                "created_at": "c", "updated_at": "u", "updated_by": "ana"},
               {"platform": "tiktok", "handle": "b", "display_name": None, "niche": None,
                "status": "discovered", "notes": "", "tags": [], "summary": records.summarize(None, None),
                "created_at": "c", "updated_at": "u", "updated_by": "admin"}]
    rows = list(csv.reader(io.StringIO(records.to_csv(entries))))
    header, first, second = rows
    assert header[-7:] == ["fit:baking", "fit:running", "tags", "notes", "created_at", "updated_at",
                           "updated_by"]
    row = dict(zip(header, first, strict=True))
    assert row["display_name"] == "'=evil()"
    assert row["notes"] == '\'+cmd, "quoted"\nsecond line'
    assert row["tags"] == "'@x; y"
    assert (row["followers"], row["overall"], row["fit:running"]) == ("12000", "71.5", "88.0")
    assert dict(zip(header, second, strict=True))["fit:running"] == ""


def test_tokens_are_random_and_only_hashes_are_kept():
    a, b = records.new_token(), records.new_token()
    assert a != b and records.hash_token(a) != records.hash_token(b)
    assert len(records.hash_token(a)) == 64 and a not in records.hash_token(a)


def test_a_summary_from_before_languages_lists_none_and_matches_no_language_filter():
    summary = {"followers": 1, "tier": "nano", "overall": 1.0, "authenticity": None, "engagement_rate": None,
               "fit": {}}
    old = {"platform": "instagram", "handle": "old", "summary": summary}
    assert records.select([old])[0]["summary"]["languages"] == {}
    assert "languages" not in old["summary"]  # the stored entry is not changed in place
    assert records.select([old], records.CreatorQuery(language=("en",))) == []
    assert records.select([old], records.CreatorQuery(language=("und",))) == []


def _entry(handle, overall, fit, languages, notes="", status="discovered"):
    return {"platform": "instagram", "handle": handle, "display_name": handle.title(), "niche": "running",
            "status": status, "notes": notes, "tags": [],
            "summary": {"followers": 1000, "tier": "micro", "overall": overall, "authenticity": None,
                        "engagement_rate": None, "fit": {"running": fit}, "languages": languages},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": f"2026-01-0{len(handle) % 9 + 1}T00:00:00Z"}


def test_a_changed_listing_answers_as_one_read_afresh():
    """Listing.changed keeps the sort values, text and language counts of the entries it did not
    change: every query then answers as a listing built from the new entries does."""
    entries = {e["handle"]: e for e in [
        _entry("alpha", 90.0, 70.0, {"en": 1.0}), _entry("bravo", 50.0, None, {"es": 0.6, "en": 0.4}),
        _entry("charlie", None, 80.0, {"en": 1.0}, notes="club"), _entry("delta", 70.0, 60.0, {})]}
    queries = [records.CreatorQuery(**q) for q in (
        {}, {"sort": "overall"}, {"sort": "fit", "niche": "running", "order": "asc"}, {"sort": "handle"},
        {"text": "club"}, {"language": ("es",), "sort": "overall"})]
    listing = records.Listing(entries.values())
    for query in queries:  # the values and the text are computed before the change
        listing.select(query)
    changes = {"instagram/bravo": None, "instagram/zulu": None,  # removed; never listed
               "instagram/charlie": _entry("charlie", 95.0, 10.0, {"es": 1.0}, status="contacted"),
               "instagram/aaron": _entry("aaron", 60.0, 99.0, {"es": 0.9}, notes="Club run")}
    changed = listing.changed(changes)
    entries.pop("bravo")
    entries.update(charlie=changes["instagram/charlie"], aaron=changes["instagram/aaron"])
    fresh = records.Listing(entries.values())
    assert changed.keys == fresh.keys == ["instagram/aaron", "instagram/alpha", "instagram/charlie",
                                          "instagram/delta"]
    assert changed.languages == fresh.languages == {"en": 1, "es": 2}
    for query in queries:
        assert changed.select(query) == fresh.select(query)
    assert [c["handle"] for c in changed.select(records.CreatorQuery(text="club"))[0]] == ["aaron"]
    assert listing.select(records.CreatorQuery(sort="handle"))[1] == 4  # the old listing is unchanged
