"""/v1/models, /v1/jobs and /v1/niches/{id}/suggestions: training from labels end to end.

The first tests need only the HTTP layer; the rest run real training jobs on the real embedder
(thread-pool jobs, as in embedded mode) over labelled creators built from TweetTopic posts.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from server import create_app
from server.scoring.suggestions import ZERO_SHOT_BOUNDARY
from tests import samples
from tests.conftest import TOKEN
from training import fit_eval

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def add_niche(client, niche_id="sports", topic=None):
    brief = fit_eval.BRIEFS[topic or niche_id]
    response = client.post("/v1/niches", json={"id": niche_id, **brief}, headers=AUTH)
    assert response.status_code == 201, response.get_json()


def add_labels(client, niche_id, creators, suffix=""):
    for creator in creators:
        snap = fit_eval.snapshot(creator)
        if suffix:  # fresh texts: nothing cached, so the job really embeds
            snap["handle"] += suffix
            for post in snap["posts"]:
                post["caption"] += f" {snap['handle']}-{post['id']}"
        body = {"niche": niche_id, "label": creator.label, "snapshot": snap}
        response = client.post("/v1/labels", json=body, headers=AUTH)
        assert response.status_code == 201, response.get_json()


def wait_job(client, job_id, done=("done", "failed"), timeout=300.0):
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
        if job["state"] in done or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def fit_of(client, niche_id, snapshot):
    response = client.post("/v1/score", json={**snapshot, "niches": [niche_id]}, headers=AUTH)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["niche_fit"][0]


# -- the HTTP layer ----------------------------------------------------------------------------

def test_models_lists_the_comment_model_and_a_fit_model_per_niche(client):
    add_niche(client, "sports")
    add_niche(client, "music")
    body = client.get("/v1/models", headers=AUTH).get_json()
    names = [m["name"] for m in body["models"]]
    assert names == ["comments", "fit-music", "fit-sports"]
    sports = body["models"][2]
    assert sports == {"name": "fit-sports", "kind": "fit", "niche": "sports", "active": "zero-shot",
                      "activated_at": None, "activated_by": None, "versions": []}


@pytest.mark.parametrize(("labels", "message"), [
    ([], "no labels yet"),
    (["fit"] * 4, "All 4 labels are 'fit'"),
    (["fit", "not_fit"], "Only 1 'fit' and 1 'not a fit'"),
    (["fit"] * 3 + ["not_fit"] * 2, "Only 3 'fit' and 2 'not a fit'"),
], ids=["no-labels", "one-class", "two-labels", "five-labels"])
def test_training_with_labels_that_cannot_train_is_a_409_naming_the_reason(client, labels, message):
    """409: the request is fine; the niche's labels are not enough yet (the schema cannot say so)."""
    add_niche(client)
    creators = fit_eval.labelled_creators("sports", 4, 4, 0)
    pools = {"fit": creators[:4], "not_fit": creators[4:]}
    add_labels(client, "sports", [pools[value].pop() for value in labels])
    response = client.post("/v1/models/fit-sports/train", headers=AUTH)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict" and message in error["message"]
    assert error["details"]["fields"][0]["field"] == "labels"
    assert client.get("/v1/models", headers=AUTH).get_json()["models"][1]["versions"] == []


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/v1/models/fit-nope/train"),
    ("post", "/v1/models/other/train"),
    ("get", "/v1/models/fit-nope"),
    ("post", "/v1/models/fit-sports/versions/v3/activate"),
    ("post", "/v1/models/comments/versions/v99/activate"),
    ("get", "/v1/models/fit-sports/versions/v3"),
    ("get", "/v1/jobs/0123456789abcdef0123456789abcdef"),
    ("get", "/v1/jobs/..%2F..%2Fetc"),
    ("get", "/v1/niches/nope/suggestions"),
])
def test_missing_models_versions_jobs_and_niches_are_404(client, method, path):
    add_niche(client)
    response = getattr(client, method)(path, headers=AUTH)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1"])
def test_suggestions_limit_is_validated(client, limit):
    add_niche(client)
    response = client.get(f"/v1/niches/sports/suggestions?limit={limit}", headers=AUTH)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"][0]["field"] == "limit"


def test_suggestions_wait_for_the_models(client):
    add_niche(client)
    response = client.get("/v1/niches/sports/suggestions", headers=AUTH)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"


def test_routes_need_a_token_and_are_in_the_openapi_document(client):
    assert client.get("/v1/models").status_code == 401
    assert client.post("/v1/models/comments/train").status_code == 401
    paths = client.get("/openapi.json").get_json()["paths"]
    for path, method in [("/v1/models", "get"), ("/v1/models/{name}/train", "post"), ("/v1/jobs/{id}", "get"),
                         ("/v1/models/{name}/versions/{version}/activate", "post"),
                         ("/v1/niches/{id}/suggestions", "get")]:
        assert method in paths[path], path
    assert "202" in paths["/v1/models/{name}/train"]["post"]["responses"]


# -- real training -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    """A scoring server with a trained sports model (24 labels), shared by the tests below."""
    data = tmp_path_factory.mktemp("data")
    # RATE_LIMIT 0: the tests poll jobs every 50 ms for as long as training takes on a busy machine
    app = create_app({"TESTING": True, "DATA_DIR": str(data), "API_TOKEN": TOKEN, "LOAD_MODELS": False,
                      "RATE_LIMIT": 0})
    services = app.extensions["microscout"]
    services.embedder = embedder
    services.start()
    assert services.wait(180), services.health()
    client = app.test_client()
    add_niche(client, "sports")
    add_labels(client, "sports", fit_eval.labelled_creators("sports", 12, 8, 4, seed=1))
    started = time.perf_counter()
    accepted = client.post("/v1/models/fit-sports/train", headers=AUTH)
    answered = time.perf_counter() - started
    job = wait_job(client, accepted.get_json()["job"])
    return SimpleNamespace(app=app, client=client, data=data, accepted=accepted, answered=answered, job=job)


@pytest.mark.slow
def test_a_training_job_answers_at_once_reports_progress_and_serves_the_new_version(server):
    assert server.accepted.status_code == 202 and server.answered < 2.0
    body = server.accepted.get_json()
    assert server.accepted.headers["Location"] == body["url"] == f"/v1/jobs/{body['job']}"
    job = server.job
    assert job["state"] == "done" and job["progress"] == 1.0, job
    result = job["result"]
    assert result["version"] == "v1" and result["labels"] == 24 and result["seconds"] > 0
    for name in ("learned", "zero_shot"):
        assert set(result["metrics"][name]) == {"roc_auc", "average_precision", "f1"}
    model = server.client.get("/v1/models/fit-sports", headers=AUTH).get_json()
    assert model["versions"][0]["version"] == "v1" and model["versions"][0]["data"]["labels"] == 24
    # served only when it beat zero-shot in cross-validation; either way the answer says why
    learned, zero_shot = result["metrics"]["learned"]["roc_auc"], result["metrics"]["zero_shot"]["roc_auc"]
    assert result["activated"] is (learned > zero_shot)
    assert model["active"] == ("v1" if result["activated"] else "zero-shot")
    assert result["reason"] in job["message"]
    detail = server.client.get("/v1/models/fit-sports/versions/v1", headers=AUTH).get_json()
    assert "| labelled fit |" in detail["card"] and detail["metadata"]["data"]["labels"] == 24


@pytest.mark.slow
def test_activation_switches_every_process_at_once_survives_restarts_and_rolls_back(server):
    client, runner = server.client, samples.snapshot()
    config = {"TESTING": True, "DATA_DIR": str(server.data), "API_TOKEN": TOKEN, "LOAD_MODELS": False}
    other_client = create_app(config).test_client()  # a second server process over the same store
    response = other_client.post("/v1/models/fit-sports/versions/v1/activate", headers=AUTH)
    assert response.status_code == 200 and response.get_json()["active"] == "v1"
    trained = fit_of(client, "sports", runner)  # the first process, on its next request
    assert trained["method"] == "trained" and trained["model_version"] == "v1"
    assert "zero_shot_score" in trained and trained["reasons"][0].endswith(f"zero-shot said "
                                                                           f"{trained['zero_shot_score']:.0f}.")
    score = client.post("/v1/score", json={**runner, "niches": ["sports"]}, headers=AUTH).get_json()
    assert score["versions"]["fit-sports"] == "v1"

    rollback = client.post("/v1/models/fit-sports/versions/zero-shot/activate", headers=AUTH)
    assert rollback.status_code == 200
    assert fit_of(client, "sports", runner)["method"] == "zero-shot"
    client.post("/v1/models/fit-sports/versions/v1/activate", headers=AUTH)
    restarted = create_app(config).test_client()
    assert restarted.get("/v1/models/fit-sports", headers=AUTH).get_json()["active"] == "v1"
    assert fit_of(client, "sports", runner)["model_version"] == "v1"


@pytest.mark.slow
def test_suggestions_rank_unlabelled_watchlisted_creators_by_doubt(server):
    client = server.client
    creators = fit_eval.labelled_creators("sports", 3, 3, 3, seed=7)
    for creator in creators:
        snap = fit_eval.snapshot(creator)
        response = client.put(f"/v1/watchlist/instagram/{snap['handle']}", json={"snapshot": snap},
                              headers=AUTH)
        assert response.status_code in (200, 201), response.get_json()
    labelled = fit_eval.snapshot(fit_eval.labelled_creators("sports", 12, 8, 4, seed=1)[0])
    client.put(f"/v1/watchlist/instagram/{labelled['handle']}", json={"snapshot": labelled}, headers=AUTH)
    client.post("/v1/models/fit-sports/versions/v1/activate", headers=AUTH)

    body = client.get("/v1/niches/sports/suggestions?limit=5", headers=AUTH).get_json()
    assert body["method"] == "trained" and body["model_version"] == "v1" and body["candidates"] == 9
    items = body["suggestions"]
    assert len(items) == 5 and labelled["handle"] not in [i["handle"] for i in items]
    doubts = [i["uncertainty"] for i in items]
    assert doubts == sorted(doubts, reverse=True)
    assert all(abs(i["uncertainty"] - (1 - abs(i["score"] / 100 - 0.5) * 2)) < 1e-3 for i in items)

    client.post("/v1/models/fit-sports/versions/zero-shot/activate", headers=AUTH)
    zero_shot = client.get("/v1/niches/sports/suggestions", headers=AUTH).get_json()
    assert zero_shot["method"] == "zero-shot" and len(zero_shot["suggestions"]) == 9
    assert zero_shot["boundary"] == ZERO_SHOT_BOUNDARY
    nearest = min(zero_shot["suggestions"], key=lambda i: abs(i["score"] - ZERO_SHOT_BOUNDARY))
    assert zero_shot["suggestions"][0] == nearest
    client.post("/v1/models/fit-sports/versions/v1/activate", headers=AUTH)


@pytest.mark.slow
def test_scoring_keeps_answering_while_a_model_trains(server):
    client = server.client
    add_niche(client, "news", "news_&_social_concern")
    creators = fit_eval.labelled_creators("news_&_social_concern", 16, 12, 4)
    add_labels(client, "news", creators, suffix="-fresh")
    job_id = client.post("/v1/models/fit-news/train", headers=AUTH).get_json()["job"]
    embedding = wait_job(client, job_id, done=("running",), timeout=60)
    while not embedding["message"].startswith("embedding:"):
        embedding = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
        assert embedding["state"] == "running", embedding
    fresh = samples.snapshot(handle="fresh", bio="Trail runner " + str(time.time()))
    started = time.perf_counter()
    fit_of(client, "sports", fresh)
    took = time.perf_counter() - started
    during = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
    assert during["state"] == "running" and during["message"].startswith("embedding:"), (during, took)

    second = client.post("/v1/models/fit-news/train", headers=AUTH)
    assert second.status_code == 409 and second.get_json()["error"]["details"]["job"] == job_id
    assert wait_job(client, job_id)["state"] == "done"


@pytest.mark.slow
def test_a_version_that_does_not_beat_zero_shot_is_kept_but_not_served_unless_forced(server):
    client = server.client
    add_niche(client, "music")
    add_labels(client, "music", fit_eval.labelled_creators("music", 3, 3, 0, seed=3))
    job = wait_job(client, client.post("/v1/models/fit-music/train", headers=AUTH).get_json()["job"])
    result = job["result"]
    assert job["state"] == "done" and result["metrics"]["zero_shot"]["roc_auc"] == 1.0  # nothing left to beat
    assert result["activated"] is False and "zero-shot keeps serving" in result["reason"]
    assert result["served"] == "zero-shot"
    assert fit_of(client, "music", samples.snapshot())["method"] == "zero-shot"

    forced_id = client.post("/v1/models/fit-music/train?force=true", headers=AUTH).get_json()["job"]
    forced = wait_job(client, forced_id)
    assert forced["result"]["activated"] is True and forced["result"]["version"] == "v2"
    assert forced["result"]["reason"].startswith("activated because forced")
    assert fit_of(client, "music", samples.snapshot())["model_version"] == "v2"
    versions = client.get("/v1/models/fit-music", headers=AUTH).get_json()["versions"]
    assert [(v["version"], v["active"]) for v in versions] == [("v1", False), ("v2", True)]

