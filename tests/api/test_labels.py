"""/v1/labels and /v1/comment-labels: training examples with their time and who gave them."""

from __future__ import annotations

import pytest

from tests.api.test_niches import envelope
from tests.samples import RUNNING_NICHE, snapshot


@pytest.fixture
def niche(client, auth):
    assert client.post("/v1/niches", json=RUNNING_NICHE, headers=auth).status_code == 201
    return "running"


def test_fit_labels_are_stored_with_snapshot_time_and_token(app, client, auth, niche):
    response = client.post("/v1/labels", json={"niche": niche, "label": "fit", "snapshot": snapshot()},
                           headers=auth)
    assert response.status_code == 201
    receipt = response.get_json()
    assert receipt["label"] == "fit" and receipt["created_by"] == "admin" and "snapshot" not in receipt

    token = app.extensions["microscout"].store.create_token("ana")
    client.post("/v1/labels", json={"niche": niche, "label": "not_fit", "snapshot": snapshot(handle="other")},
                headers={"Authorization": f"Bearer {token}"})
    labels = client.get("/v1/labels?niche=running", headers=auth).get_json()["labels"]
    assert [(lb["label"], lb["created_by"], lb["snapshot"]["handle"]) for lb in labels] == [
        ("fit", "admin", "creator"), ("not_fit", "ana", "other")]
    assert labels[0]["snapshot"]["posts"][0]["caption"] == snapshot()["posts"][0]["caption"]
    # what the trainer reads
    assert app.extensions["microscout"].store.list_labels("running") == labels


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"niche": "baking", "label": "fit", "snapshot": snapshot()}, 404, "niche"),  # no such niche
    ({"niche": "running", "label": "maybe", "snapshot": snapshot()}, 422, "label"),
    ({"niche": "running", "label": "fit"}, 422, "snapshot"),
    ({"niche": "running", "label": "fit", "snapshot": {"platform": "instagram"}}, 422, "snapshot.handle"),
    ({"label": "fit", "snapshot": snapshot()}, 422, "niche"),
])
def test_bad_labels(client, auth, niche, body, status, field):
    envelope(client.post("/v1/labels", json=body, headers=auth), status, field)
    assert client.get("/v1/labels", headers=auth).get_json() == {"labels": []}


def test_comment_labels(client, auth):
    response = client.post("/v1/comment-labels", json={"text": "DM us to collab 💸", "label": "spam",
                                                       "post_caption": "New trainers"}, headers=auth)
    assert response.status_code == 201
    record = response.get_json()
    assert (record["label"], record["created_by"]) == ("spam", "admin")
    assert record["post_caption"] == "New trainers"
    client.post("/v1/comment-labels", json={"text": "love it", "label": "generic"}, headers=auth)
    listed = client.get("/v1/comment-labels", headers=auth).get_json()["comment_labels"]
    assert [r["label"] for r in listed] == ["spam", "generic"] and listed[1]["post_caption"] is None


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "", "label": "spam"}, "text"),
    ({"text": "   ", "label": "spam"}, "text"),
    ({"text": "ok", "label": "toxic"}, "label"),
    ({"label": "spam"}, "text"),
    ({"text": "x" * 2201, "label": "spam"}, "text"),
])
def test_bad_comment_labels(client, auth, body, field):
    envelope(client.post("/v1/comment-labels", json=body, headers=auth), 422, field)
    assert client.get("/v1/comment-labels", headers=auth).get_json() == {"comment_labels": []}


def test_label_routes_need_a_token_and_are_documented(client):
    envelope(client.post("/v1/labels", json={}), 401)
    envelope(client.post("/v1/comment-labels", json={}), 401)
    paths = client.get("/openapi.json").get_json()["paths"]
    assert set(paths["/v1/labels"]) == {"get", "post"} and set(paths["/v1/comment-labels"]) == {"get", "post"}
