"""POST /v1/comments/classify and POST /v1/score pass each comment's platform to the comment model."""

from __future__ import annotations

import pytest

from tests import samples
from tests.api.test_errors import assert_envelope

PROMO = "Check out my new video!"  # spam to YouTube's labels, real to ScamSpot's


def classify(client, auth, items):
    response = client.post("/v1/comments/classify", json={"comments": items}, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["comments"]


@pytest.mark.slow
def test_classify_judges_each_item_by_its_platform(scoring_client, auth):
    youtube, instagram, tiktok, unknown = classify(scoring_client, auth, [
        {"text": PROMO, "platform": "youtube"}, {"text": PROMO, "platform": "instagram"},
        {"text": PROMO, "platform": "tiktok"}, {"text": PROMO}])
    assert youtube["label"] == "spam" and instagram["label"] != "spam"
    assert youtube["spam_probability"] > instagram["spam_probability"]
    assert tiktok == unknown  # no labelled TikTok data: the pooled stacker, trained on every row


@pytest.mark.slow
def test_score_passes_the_snapshot_platform(scoring_client, auth):
    texts = [PROMO, "Nice! check out my channel please"]
    comments = [{"id": f"c{i}", "post_id": "p0", "author": f"fan{i}", "text": t} for i, t in enumerate(texts)]
    shares = {}
    for platform in ("youtube", "instagram"):
        body = samples.snapshot(platform=platform, comments=comments)
        response = scoring_client.post("/v1/score", json=body, headers=auth)
        assert response.status_code == 200, response.get_data(as_text=True)
        shares[platform] = response.get_json()["authenticity"]["spam_share"]
    assert shares["youtube"] > shares["instagram"], shares


def test_classify_refuses_an_unknown_platform(client, auth):
    body = {"comments": [{"text": "hi", "platform": "myspace"}]}
    response = client.post("/v1/comments/classify", json=body, headers=auth)
    assert_envelope(response, 422, "comments.0.platform")


def test_openapi_documents_the_platform_of_a_classify_item(client):
    item = client.get("/openapi.json").get_json()["components"]["schemas"]["ClassifyItem"]
    enum = next(x["enum"] for x in item["properties"]["platform"]["anyOf"] if "enum" in x)
    assert set(enum) == {"instagram", "tiktok", "youtube"}
