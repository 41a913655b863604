"""POST /v1/glance end to end on the real model: per creator in order, the fit the score gives for
the same captions, tier, the watchlist's state, the inbox it fills, and a repeat that embeds nothing."""

from __future__ import annotations

import pytest

from tests import samples
from tests.scoring.test_glance import BAKING
from tests.scoring.test_niche import COOKING

pytestmark = pytest.mark.slow


@pytest.fixture
def niches(scoring_client, auth):
    for brief in (samples.RUNNING_NICHE, BAKING):
        assert scoring_client.post("/v1/niches", json=brief, headers=auth).status_code == 201


def body(**overrides):
    return {"creators": [
        {"platform": "instagram", "handle": "Casey", "texts": samples.RUNNING_CAPTIONS[:2],
         "followers": 24_300, "seen_on": {"kind": "hashtag", "term": "running"}},
        {"platform": "tiktok", "handle": "baker", "texts": COOKING[:2], "seen_on": {"kind": "feed"}},
        {"platform": "youtube", "handle": "mixed", "texts": [samples.RUNNING_CAPTIONS[5], COOKING[2]],
         "followers": 2_000_000, "seen_on": {"kind": "search", "term": "marathon"}},
    ], **overrides}


def glance(client, auth, payload):
    response = client.post("/v1/glance", json=payload, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["creators"]


def best(answer):
    return max(answer["niche_fit"], key=lambda f: f["score"])


def test_one_answer_per_creator_in_order(scoring_client, auth, niches):
    casey, baker, mixed = glance(scoring_client, auth, body())
    assert [(a["platform"], a["handle"]) for a in (casey, baker, mixed)] == [
        ("instagram", "Casey"), ("tiktok", "baker"), ("youtube", "mixed")]
    assert [a["tier"] for a in (casey, baker, mixed)] == ["micro", None, "mega"]
    assert [a["posts_seen"] for a in (casey, baker, mixed)] == [2, 2, 2]
    assert (best(casey)["niche"], best(baker)["niche"]) == ("running", "home-cooking")
    assert best(casey)["score"] > 60 and best(baker)["score"] > 60  # two posts: good, never certain
    assert all(f["method"] == "zero-shot" for a in (casey, baker, mixed) for f in a["niche_fit"])
    assert all(a["watchlist"] is None for a in (casey, baker, mixed))


def test_the_fit_is_the_scores_fit_for_the_same_captions(scoring_client, auth, niches):
    casey = glance(scoring_client, auth, body())[0]
    snapshot = samples.snapshot(handle="Casey", bio="", comments=[],
                                posts=[{"id": f"p{i}", "caption": t}
                                       for i, t in enumerate(samples.RUNNING_CAPTIONS[:2])])
    scored = scoring_client.post("/v1/score", json=snapshot, headers=auth).get_json()
    assert {f["niche"]: f["score"] for f in scored["niche_fit"]} == {
        f["niche"]: f["score"] for f in casey["niche_fit"]}


def test_inline_briefs_answer_but_the_inbox_ranks_by_stored_niches(scoring_client, auth, niches):
    inline = {"name": "Cycling", "description": "Road bikes and gravel rides.", "keywords": ["cycling"]}
    casey = glance(scoring_client, auth, body(niches=["running", inline]))[0]
    assert [f["niche"] for f in casey["niche_fit"]] == ["running", "cycling"]
    listed = scoring_client.get("/v1/discovered?platform=instagram", headers=auth).get_json()["creators"]
    assert set(listed[0]["fit"]) == {"running"}


def test_a_saved_creator_brings_its_status_and_overall(scoring_client, auth, niches):
    score = samples.score(handle="casey", overall=77.5, followers=31_000, tier="micro")
    saved = scoring_client.put("/v1/watchlist/instagram/casey", headers=auth,
                               json={"status": "shortlisted", "score": score, "snapshot": samples.snapshot(
                                   handle="casey", followers=31_000)})
    assert saved.status_code == 201
    casey, baker, _ = glance(scoring_client, auth, body())
    assert casey["watchlist"] == {"status": "shortlisted", "overall": 77.5}
    assert baker["watchlist"] is None


def test_every_glance_is_remembered_in_the_inbox(scoring_client, auth, niches):
    glance(scoring_client, auth, body())
    later = body()
    later["creators"][0] = {**later["creators"][0], "texts": samples.RUNNING_CAPTIONS[2:4], "followers": None,
                            "seen_on": {"kind": "search", "term": "marathon plan"}}
    casey = glance(scoring_client, auth, later)[0]
    assert casey["posts_seen"] == 4 and casey["tier"] == "micro"  # earlier posts and followers count
    listed = scoring_client.get("/v1/discovered?sort=fit&niche=running", headers=auth).get_json()
    assert listed["total"] == 3 and listed["creators"][0]["handle"] == "Casey"
    entry = listed["creators"][0]
    assert entry["seen_count"] == 2 and len(entry["posts"]) == 4
    assert [(p["kind"], p["term"]) for p in entry["seen_on"]] == [("search", "marathon plan"),
                                                                  ("hashtag", "running")]
    assert entry["fit"] == {f["niche"]: f["score"] for f in casey["niche_fit"]}


def test_a_repeat_embeds_nothing(scoring_client, auth, niches):
    glance(scoring_client, auth, body())
    embedder = scoring_client.application.extensions["microscout"].embedder
    before = embedder.texts_embedded
    glance(scoring_client, auth, body())
    assert embedder.texts_embedded == before


def test_without_niches_a_glance_still_answers_tier_and_remembers(scoring_client, auth):
    casey = glance(scoring_client, auth, body())[0]
    assert casey["niche_fit"] == [] and casey["tier"] == "micro"
    listed = scoring_client.get("/v1/discovered?platform=instagram", headers=auth).get_json()["creators"]
    assert listed[0]["best_fit"] is None and listed[0]["posts_seen"] == 2
