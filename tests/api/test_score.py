"""POST /v1/score and /v1/comments/classify end to end, on the real model."""

from __future__ import annotations

import uuid

import pytest

from tests import samples

pytestmark = pytest.mark.slow

SECTIONS = {"creator", "overall", "niche_fit", "authenticity", "engagement", "disclosure", "versions"}


@pytest.fixture
def scored(scoring_client, auth):
    body = samples.snapshot(niches=[samples.RUNNING_NICHE, {"name": "Baking", "description": "Bread, cakes",
                                                            "keywords": ["sourdough", "cake", "bake"]}])
    response = scoring_client.post("/v1/score", json=body, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_every_section_is_there_with_reasons(scored):
    assert SECTIONS <= set(scored)
    for section in ("overall", "authenticity", "engagement", "disclosure"):
        assert scored[section]["reasons"], section
    assert all(fit["reasons"] for fit in scored["niche_fit"])


def test_creator_and_tier(scored):
    assert scored["creator"] == {"platform": "instagram", "handle": "creator", "display_name": "Casey Runs",
                                 "followers": 24_300, "tier": "micro"}


def test_niche_fit_ranks_the_right_niche(scored):
    running, baking = scored["niche_fit"]
    assert running["name"] == "Running" and baking["name"] == "Baking"
    assert running["score"] > 80 > baking["score"]
    assert running["method"] == "zero-shot"
    assert running["evidence"]["best"][0]["post_id"].startswith("p")
    assert running["posts_analyzed"] == 12


def test_authenticity_flags_spam_and_counts_replies(scored):
    auth = scored["authenticity"]
    assert auth["comments_analyzed"] >= 9
    flagged_text = " ".join(f["text"] for f in auth["flagged"])
    assert "bitcoin" in flagged_text and "free followers" in flagged_text
    assert 0 <= auth["score"] <= 100


def test_disclosure_finds_the_undisclosed_gift(scored):
    posts = {p["post_id"]: p for p in scored["disclosure"]["posts"]}
    assert posts["p3"]["sponsored"] is True
    assert posts["p9"]["sponsored"] is True  # "Gifted ... use code RUN10"


def test_overall_blends_and_rests_on_sample_sizes(scored):
    overall = scored["overall"]
    assert 0 <= overall["score"] <= 100
    assert overall["confidence"] in {"low", "medium", "high"}
    assert scored["versions"]["embedder"].startswith("multilingual-e5-small")  # the default


def test_same_snapshot_again_embeds_nothing(scoring_app, scoring_client, auth):
    body = samples.snapshot(niches=[samples.RUNNING_NICHE])
    embedder = scoring_app.extensions["microscout"].embedder
    assert scoring_client.post("/v1/score", json=body, headers=auth).status_code == 200
    before = embedder.texts_embedded
    assert scoring_client.post("/v1/score", json=body, headers=auth).status_code == 200
    assert embedder.texts_embedded == before
    body["comments"].append({"text": "Which watch do you train with? Looks great", "author": "newbie"})
    assert scoring_client.post("/v1/score", json=body, headers=auth).status_code == 200
    assert embedder.texts_embedded == before + 1


def test_odd_unicode_scores(scoring_client, auth):
    body = samples.snapshot(bio="‮ reversed \u200b zero\u200dwidth 🏃‍♀️ مرحبا", comments=[
        {"text": "🔥" * 50}, {"text": "תודה רבה! \u202bRTL\u202c"}, {"text": "ok\x00\x07bell"}])
    response = scoring_client.post("/v1/score", json=body, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_nano_creator_with_nothing_captured_still_answers(scoring_client, auth):
    body = {"platform": "tiktok", "handle": "someone", "followers": 0}
    response = scoring_client.post("/v1/score", json=body, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    score = response.get_json()
    assert score["creator"]["tier"] == "nano"
    assert score["overall"]["confidence"] == "low"


def test_classify_keeps_order_and_labels(scoring_client, auth):
    texts = ["Check out my channel for free giftcards http://bit.ly/xx", "❤️❤️", "What lens did you use here?"]
    response = scoring_client.post("/v1/comments/classify", json={"comments": [{"text": t} for t in texts]},
                                   headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    labels = [v["label"] for v in response.get_json()["comments"]]
    assert labels == ["spam", "generic", "genuine"]


def test_new_comments_are_read_while_they_are_embedded(scoring_app, scoring_client, auth, monkeypatch):
    """The comment model's text half runs on a thread beside the embedder for new comments only."""
    model = scoring_app.extensions["microscout"].ready_scorer().comment_model
    reads: list[int] = []
    original = model.read

    def counting(texts, platforms=None, captions=None):
        reads.append(len(texts))
        return original(texts, platforms, captions)

    monkeypatch.setattr(model, "read", counting)
    tag = uuid.uuid4().hex[:8]
    comments = [{"text": f"Week {i} of the plan and my long run felt easier {tag}", "author": f"runner{i}",
                 "post_id": "p1"} for i in range(12)]
    body = samples.snapshot(niches=[samples.RUNNING_NICHE], comments=comments)
    first = scoring_client.post("/v1/score", json=body, headers=auth)
    assert first.status_code == 200 and reads == [12]
    again = scoring_client.post("/v1/score", json=body, headers=auth)
    assert again.status_code == 200 and reads == [12]  # cached vectors and verdicts: nothing to read
    assert again.get_json()["authenticity"] == first.get_json()["authenticity"]
