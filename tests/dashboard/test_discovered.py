"""The Discovered page: the inbox ranked by fit to a chosen niche, filters, where seen, open the
profile, save to the watchlist, dismiss and restore, the CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.dashboard.conftest import BAKING_CAPTIONS, BAKING_NICHE
from tests.samples import RUNNING_CAPTIONS, RUNNING_NICHE


def handles(page: str) -> list[str]:
    return re.findall(r'<tr data-discovered="[a-z]+/([^"]+)"', page)


@pytest.fixture
def inbox(store):
    store.create_niche(RUNNING_NICHE)
    store.create_niche(BAKING_NICHE)
    for glance in (  # one at a time: the last is the newest
        {"platform": "instagram", "handle": "crumbs", "texts": BAKING_CAPTIONS[:2], "followers": 6_200,
         "seen_on": {"kind": "hashtag", "term": "sourdough"}, "fit": {"running": 4.0, "vegan-baking": 88.0}},
        {"platform": "instagram", "handle": "trailcat", "texts": RUNNING_CAPTIONS[:3],
         "seen_on": {"kind": "hashtag", "term": "sourdough"}, "fit": {"running": 93.0, "vegan-baking": 2.0}},
        {"platform": "tiktok", "handle": "pacer", "texts": RUNNING_CAPTIONS[4:5], "followers": 52_000,
         "seen_on": {"kind": "search", "term": "Marathon"}, "fit": {"running": 71.0, "vegan-baking": 1.0}},
        {"platform": "instagram", "handle": "trailcat", "texts": RUNNING_CAPTIONS[3:4],
         "seen_on": {"kind": "feed"}, "fit": {"running": 94.0, "vegan-baking": 2.0}},
    ):
        store.remember_glances([glance])
    return store


def test_needs_sign_in(client, inbox):
    assert client.get("/discovered").status_code == 302
    assert client.get("/discovered.csv").status_code == 302


def test_the_page_ranks_by_best_fit_and_says_where_each_was_seen(signed_in, inbox):
    page = signed_in.get("/discovered").get_data(as_text=True)
    assert handles(page) == ["trailcat", "crumbs", "pacer"]
    assert 'aria-current="page">Discovered' in page
    row = page.split('data-discovered="instagram/trailcat"')[1].split("</tr>")[0]
    assert 'href="https://www.instagram.com/trailcat/"' in row and 'rel="noopener noreferrer"' in row
    assert ">94<" in row and "Running" in row and "4 posts" in row
    assert "#sourdough ×1" in row and "feed ×1" in row and "2×" in row
    assert RUNNING_CAPTIONS[3][:40] in row  # the latest post
    assert 'data-action="save"' in row and 'data-action="dismiss"' in row
    pacer = page.split('data-discovered="tiktok/pacer"')[1].split("</tr>")[0]
    assert 'href="https://www.tiktok.com/@pacer"' in pacer and "search “Marathon” ×1" in pacer
    assert "micro" in pacer and "52k" in pacer


@pytest.mark.parametrize(("query", "expected"), [
    ("niche=vegan-baking", ["crumbs", "trailcat", "pacer"]),
    ("niche=running&sort=last_seen", ["trailcat", "pacer", "crumbs"]),
    ("platform=tiktok", ["pacer"]),
    ("tier=nano", ["crumbs"]),
    ("seen_on=hashtag:sourdough", ["trailcat", "crumbs"]),
    ("seen_on=search", ["pacer"]),
    ("seen_on=search:marathon&niche=running", ["pacer"]),
    ("niche=nope&platform=myspace&tier=giga&seen_on=profile&status=lost&sort=evil",
     ["trailcat", "crumbs", "pacer"]),  # ignored
])
def test_filters(signed_in, inbox, query, expected):
    assert handles(signed_in.get(f"/discovered?{query}").get_data(as_text=True)) == expected


def test_where_seen_offers_the_places_of_the_inbox(signed_in, inbox):
    page = signed_in.get("/discovered").get_data(as_text=True)
    options = re.findall(r'<option value="([a-z]+(?::[^"]*)?)"[^>]*>([^<]+)</option>',
                         page.split('id="d-seen"')[1].split("</select>")[0])
    assert ("hashtag:sourdough", "#sourdough") in options
    assert ("search:marathon", "search “Marathon”") in options
    assert ("feed", "feed") in options


def test_save_to_the_watchlist_with_the_chosen_niche(signed_in, inbox, csrf):
    response = signed_in.post("/discovered/save", data={
        "csrf_token": csrf, "platform": "tiktok", "handle": "pacer", "niche": "",
        "next": "/discovered?niche=running"})
    assert response.status_code == 302 and response.headers["Location"] == "/discovered?niche=running"
    saved = inbox.get_creator("tiktok", "pacer")
    assert saved["niche"] == "running" and saved["status"] == "discovered"  # its best niche
    assert "search “Marathon” (1x)" in saved["notes"]
    page = signed_in.get("/discovered?status=saved").get_data(as_text=True)
    assert handles(page) == ["pacer"] and "On the watchlist" in page and 'data-action="save"' not in page
    again = signed_in.post("/discovered/save", follow_redirects=True,
                           data={"csrf_token": csrf, "platform": "tiktok", "handle": "pacer"})
    assert "already on the watchlist" in again.get_data(as_text=True)
    creator_page = signed_in.get("/creators/tiktok/pacer")  # saved from the inbox: no score yet
    assert creator_page.status_code == 200 and "@pacer" in creator_page.get_data(as_text=True)


def test_dismiss_hides_until_restored(signed_in, inbox, csrf):
    crumbs = {"csrf_token": csrf, "platform": "instagram", "handle": "crumbs"}
    signed_in.post("/discovered/status", data={**crumbs, "status": "dismissed"})
    assert handles(signed_in.get("/discovered").get_data(as_text=True)) == ["trailcat", "pacer"]
    dismissed = signed_in.get("/discovered?status=dismissed").get_data(as_text=True)
    assert handles(dismissed) == ["crumbs"] and 'data-action="restore"' in dismissed
    signed_in.post("/discovered/status", data={**crumbs, "status": "new"})
    assert "crumbs" in handles(signed_in.get("/discovered").get_data(as_text=True))
    refused = signed_in.post("/discovered/status", data={**crumbs, "status": "saved"}, follow_redirects=True)
    assert "dismiss or restore" in refused.get_data(as_text=True)


def test_actions_need_the_csrf_token(signed_in, inbox):
    assert signed_in.post("/discovered/status", data={"platform": "instagram", "handle": "crumbs",
                                                      "status": "dismissed"}).status_code == 400
    assert inbox.get_discovered([("instagram", "crumbs")])[0]["status"] == "new"


def test_csv_has_the_filtered_rows(signed_in, inbox):
    response = signed_in.get("/discovered.csv?niche=running")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["handle"] for r in rows] == ["trailcat", "pacer", "crumbs"]
    assert rows[0]["fit:running"] == "94.0" and rows[0]["seen_on"] == "feed x1; hashtag sourdough x1"


def test_an_empty_inbox_says_how_it_fills(signed_in):
    page = signed_in.get("/discovered").get_data(as_text=True)
    assert "Nothing discovered yet" in page and "scroll a hashtag" in page


def test_the_language_filter_keeps_creators_posting_in_it(signed_in, inbox, store):
    store.remember_glances([{"platform": "instagram", "handle": "panadera", "texts": ["Pan de masa madre"],
                             "fit": {"vegan-baking": 80.0}, "languages": {"es": 0.8, "en": 0.2}}])
    store.remember_glances([{"platform": "instagram", "handle": "pacer2", "texts": ["Tempo run"],
                             "fit": {"running": 60.0}, "languages": {"en": 0.9, "es": 0.1}}])
    page = signed_in.get("/discovered?language=es").get_data(as_text=True)
    assert handles(page) == ["panadera"]  # pacer2's one Spanish post in ten does not count
    assert '<option value="es" selected>es (1)</option>' in page
    assert "es 80%" in page
    by_fit = handles(signed_in.get("/discovered?language=en").get_data(as_text=True))
    assert by_fit == ["panadera", "pacer2"]
