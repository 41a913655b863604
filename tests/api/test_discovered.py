"""POST /v1/glance's validation and the Discovered inbox's routes over HTTP (no model needed: the
inbox is filled through the store, as a glance fills it). The glance on the real model is in
test_glance.py."""

from __future__ import annotations

import pytest

from server.schemas import GlanceRequest
from tests.api.test_niches import envelope
from tests.samples import RUNNING_CAPTIONS


def creator(**overrides):
    return {"platform": "instagram", "handle": "casey", "texts": RUNNING_CAPTIONS[:2], "followers": 24_300,
            "seen_on": {"kind": "hashtag", "term": "running"}, **overrides}


@pytest.mark.parametrize(("body", "field"), [
    ({"creators": []}, "creators"),
    ({"creators": [creator()] * 51}, "creators"),
    ({"creators": [creator(texts=[])]}, "creators.0.texts"),
    ({"creators": [creator(texts=["a run"] * 11)]}, "creators.0.texts"),
    ({"creators": [creator(texts=["x" * 401])]}, "creators.0.texts.0"),
    ({"creators": [creator(texts=["   "])]}, "creators.0.texts.0"),
    ({"creators": [creator(handle="two words")]}, "creators.0.handle"),
    ({"creators": [creator(handle="")]}, "creators.0.handle"),
    ({"creators": [creator(platform="myspace")]}, "creators.0.platform"),
    ({"creators": [creator(followers=-1)]}, "creators.0.followers"),
    ({"creators": [creator(seen_on={"kind": "profile"})]}, "creators.0.seen_on.kind"),
    ({"creators": [creator(seen_on={"kind": "search", "term": "t" * 201})]}, "creators.0.seen_on.term"),
])
def test_bad_glances_are_422_naming_the_field(client, auth, body, field):
    envelope(client.post("/v1/glance", json=body, headers=auth), 422, field)


def test_a_good_glance_waits_for_the_models(client, auth):
    envelope(client.post("/v1/glance", json={"creators": [creator()]}, headers=auth), 503)


def test_a_glance_is_counted_by_its_texts():
    request = GlanceRequest.model_validate({"creators": [creator(),
                                                         creator(handle="@Baker", texts=["bread"])]})
    assert request.texts() == [*RUNNING_CAPTIONS[:2], "bread"]
    assert request.creators[1].handle == "Baker"  # bare, as in a snapshot


@pytest.fixture
def inbox(app):
    store = app.extensions["microscout"].store
    for glance in [  # one at a time: the newest is the last
        {**creator(), "fit": {"running": 92.0, "baking": 8.0}},
        {**creator(platform="tiktok", handle="baker", texts=["Sourdough, 36 hour ferment"], followers=None,
                   seen_on={"kind": "search", "term": "bread"}), "fit": {"running": 3.0, "baking": 88.0}},
        {**creator(platform="youtube", handle="trailruns", texts=["Trail run in the Alps"], followers=150_000,
                   seen_on={"kind": "feed"}), "fit": {"running": 75.0, "baking": 1.0}},
    ]:
        store.remember_glances([glance])
    return store


@pytest.mark.parametrize(("query", "handles"), [
    ("", ["trailruns", "baker", "casey"]),
    ("?sort=fit", ["casey", "baker", "trailruns"]),
    ("?sort=fit&niche=running", ["casey", "trailruns", "baker"]),
    ("?sort=fit&niche=running&min_fit=50", ["casey", "trailruns"]),
    ("?platform=tiktok", ["baker"]),
    ("?tier=mid", ["trailruns"]),
    ("?seen_on=hashtag:running", ["casey"]),
    ("?seen_on=search", ["baker"]),
    ("?status=new,saved&sort=handle", ["baker", "casey", "trailruns"]),
    ("?sort=handle&limit=1&offset=1", ["casey"]),
])
def test_the_inbox_filters_and_sorts(client, auth, inbox, query, handles):
    response = client.get("/v1/discovered" + query, headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert [c["handle"] for c in body["creators"]] == handles
    assert body["total"] == (3 if "limit" in query else len(handles))


def test_a_listed_creator_says_where_and_how_often_it_was_seen(client, auth, inbox):
    casey = client.get("/v1/discovered?platform=instagram", headers=auth).get_json()["creators"][0]
    assert casey["status"] == "new" and casey["tier"] == "micro" and casey["seen_count"] == 1
    assert [(p["kind"], p["term"], p["count"]) for p in casey["seen_on"]] == [("hashtag", "running", 1)]
    assert [p["text"] for p in casey["posts"]] == RUNNING_CAPTIONS[:2]
    assert (casey["best_fit"], casey["best_niche"], casey["watchlist"]) == (92.0, "running", None)


@pytest.mark.parametrize(("query", "field"), [("?sort=likes", "sort"), ("?platform=myspace", "platform"),
                                              ("?status=hired", "status"), ("?min_fit=high", "min_fit"),
                                              ("?min_fit=nan", "min_fit"), ("?limit=x", "limit"),
                                              ("?seen_on=profile", "seen_on")])
def test_bad_inbox_queries_are_422(client, auth, query, field):
    envelope(client.get("/v1/discovered" + query, headers=auth), 422, field)


def test_dismiss_and_bring_back(client, auth, inbox):
    dismissed = client.put("/v1/discovered/tiktok/Baker", json={"status": "dismissed"}, headers=auth)
    assert dismissed.status_code == 200 and dismissed.get_json()["status"] == "dismissed"
    listed = client.get("/v1/discovered?status=new", headers=auth).get_json()
    assert [c["handle"] for c in listed["creators"]] == ["trailruns", "casey"]
    back = client.put("/v1/discovered/tiktok/baker", json={"status": "new"}, headers=auth)
    assert back.get_json()["status"] == "new"
    envelope(client.put("/v1/discovered/tiktok/baker", json={"status": "saved"}, headers=auth), 422, "status")
    envelope(client.put("/v1/discovered/tiktok/nobody", json={"status": "dismissed"}, headers=auth), 404)


def test_saving_to_the_watchlist_makes_it_saved(client, auth, inbox):
    saved = client.put("/v1/watchlist/instagram/casey", json={"status": "shortlisted"}, headers=auth)
    assert saved.status_code == 201
    listed = client.get("/v1/discovered?status=saved", headers=auth).get_json()["creators"]
    assert [(c["handle"], c["watchlist"]) for c in listed] == [
        ("casey", {"status": "shortlisted", "overall": None})]


def test_the_routes_need_a_token_and_are_documented(client, auth):
    assert client.get("/v1/discovered").status_code == 401
    assert client.post("/v1/glance", json={"creators": [creator()]}).status_code == 401
    paths = client.get("/openapi.json").get_json()["paths"]
    glance = paths["/v1/glance"]["post"]
    assert glance["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/GlanceRequest")
    answer = glance["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/GlanceResponse")
    assert {p["name"] for p in paths["/v1/discovered"]["get"]["parameters"]} >= {
        "niche", "platform", "tier", "seen_on", "status", "sort"}
    assert "put" in paths["/v1/discovered/{platform}/{handle}"]
