"""Contract for the creator's ``outreach`` field (the dashboard's outreach terms), on both backends."""

from __future__ import annotations

import pytest

from server.storage import InvalidValue
from server.storage.records import MAX_OUTREACH_TEXT

TERMS = {"compensation": "hybrid", "fee": "$400 + 10% of tracked sales", "deliverables": "1 reel, 3 stories",
         "timeline": "live by 15 March", "usage_rights": "organic reposts for 90 days",
         "exclusivity": "no other running shoe brand for 30 days"}


def test_outreach_is_kept_and_replaced_whole(store):
    entry, _ = store.save_creator("instagram", "casey", {"notes": "met at the expo"}, by="admin")
    assert entry["outreach"] == {}
    entry, _ = store.save_creator("instagram", "casey", {"outreach": TERMS}, by="admin")
    assert entry["outreach"] == TERMS
    store.save_creator("instagram", "casey", {"status": "contacted"}, by="admin")  # other fields leave it
    assert store.get_creator("instagram", "casey")["outreach"] == TERMS
    assert store.list_creators()[0]["outreach"] == TERMS
    store.save_creator("instagram", "casey", {"outreach": {"compensation": "flat_fee"}}, by="admin")
    assert store.get_creator("instagram", "casey")["outreach"] == {"compensation": "flat_fee"}


def test_outreach_survives_export_and_import(store):
    store.save_creator("tiktok", "casey", {"outreach": TERMS}, by="admin")
    document = store.export_data()
    store.import_data(document, replace=True)
    assert store.get_creator("tiktok", "casey")["outreach"] == TERMS


@pytest.mark.parametrize("outreach", [
    ["flat_fee"],
    {"compensation": "a pizza"},
    {"fee": 400},
    {"Fee": "400"},
    {"fee": "x" * (MAX_OUTREACH_TEXT + 1)},
    {f"f{i}": "x" for i in range(31)},
], ids=["not-an-object", "unknown-compensation", "number", "bad-name", "too-long", "too-many"])
def test_bad_outreach_is_refused_and_nothing_changes(store, outreach):
    store.save_creator("youtube", "casey", {"outreach": TERMS}, by="admin")
    with pytest.raises(InvalidValue) as info:
        store.save_creator("youtube", "casey", {"outreach": outreach, "notes": "half-written?"}, by="admin")
    assert info.value.field == "outreach"
    kept = store.get_creator("youtube", "casey")
    assert kept["outreach"] == TERMS and kept["notes"] == ""
