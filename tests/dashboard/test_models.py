"""Model pages: training (refused without usable labels, one at a time), the job JSON the progress bar
polls, activation and rollback, and the comment model page next to its published baselines."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest

from server import create_app
from server.jobs.tasks import TRAIN
from server.scoring.weights import embedder_version
from tests.dashboard.conftest import TOKEN, csrf_of, labelled_creators, seed, sign_in


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_niche_page_offers_training_and_explains_zero_shot(signed_in, watchlist):
    page = text_of(signed_in.get("/niches/running"))
    assert 'action="/models/fit-running/train"' in page
    assert "Scores use zero-shot similarity to the brief" in page
    assert "No trained version yet." in page
    assert 'data-job-url="/jobs/JOB.json"' in page


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_training_without_usable_labels_is_refused_with_the_reason(signed_in, csrf, watchlist, accept):
    response = signed_in.post(
        "/models/fit-running/train",
        data={"csrf_token": csrf, "next": "/niches/running"},
        headers={"Accept": accept},
    )
    if accept == "application/json":
        assert response.status_code == 422
        assert "no labels yet" in response.json["error"]["message"]
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/niches/running"
        assert "Cannot train yet: This niche has no labels yet" in text_of(signed_in.get("/niches/running"))


def test_one_training_at_a_time(app, signed_in, csrf, watchlist, store):
    labelled_creators(store)
    jobs = app.extensions["microscout"].jobs
    running = jobs.board.create("fit-running", TRAIN, {"model": "fit-running", "force": False})
    try:
        response = signed_in.post(
            "/models/fit-running/train", data={"csrf_token": csrf}, headers={"Accept": "application/json"}
        )
        assert response.status_code == 409
        assert response.json["error"]["details"]["job"] == running["id"]
        response = signed_in.post("/models/fit-running/train", data={"csrf_token": csrf})
        assert response.headers["Location"] == f"/niches/running?job={running['id']}"  # watch the running one
    finally:
        jobs.board.release(running["id"])


def test_unknown_models_and_versions_are_404_pages(signed_in, csrf, watchlist):
    assert signed_in.post("/models/fit-nope/train", data={"csrf_token": csrf}).status_code == 404
    response = signed_in.post("/models/fit-running/versions/v9/activate", data={"csrf_token": csrf})
    assert response.status_code == 404 and "no version" in text_of(response)


def test_the_job_json_the_progress_bar_polls(app, signed_in, client, watchlist):
    board = app.extensions["microscout"].jobs.board
    record = board.create("fit-running", TRAIN, {"model": "fit-running"})
    try:
        board.update(record["id"], state="running", progress=0.4, message="cross-validation: repeat 4 of 10")
        answer = signed_in.get(f"/jobs/{record['id']}.json").json
        assert answer["state"] == "running" and answer["progress"] == 0.4
        assert answer["message"] == "cross-validation: repeat 4 of 10" and answer["model"] == "fit-running"
    finally:
        board.release(record["id"])
    missing = signed_in.get("/jobs/doesnotexist.json")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert signed_in.get("/jobs/..%2Fetc.json").status_code == 404


def test_the_job_json_needs_a_session(client, app):
    board = app.extensions["microscout"].jobs.board
    record = board.create("comments", TRAIN, {"model": "comments"})
    board.release(record["id"])
    response = client.get(f"/jobs/{record['id']}.json")
    assert response.status_code == 401 and "progress" not in response.get_data(as_text=True)


def test_going_back_to_zero_shot(app, signed_in, csrf, watchlist):
    response = signed_in.post(
        "/models/fit-running/versions/zero-shot/activate",
        data={"csrf_token": csrf, "next": "/niches/running"},
    )
    assert response.headers["Location"] == "/niches/running"
    assert "Now serving zero-shot scoring of fit-running." in text_of(signed_in.get("/niches/running"))
    assert app.extensions["microscout"].registry.active("fit-running")["by"] == "admin"


# ---- the comment model page ---------------------------------------------------------------------

METADATA = {
    "version": "v1",
    "embedder": embedder_version("e5", "onnx-int8"),  # the default's vectors, as training records them
    "trained_at": "2026-11-20T10:00:00Z",
    "training_seconds": 95.2,
    "final_fit": {"rows": 3959, "spam": 1502, "corrections": 2},
    "metrics": {
        "youtube": {
            "protocol": "oldest 70% / newest 30% per video and class, inside the published training rows",
            "overall": {"n": 410, "mcc": 0.931, "f1": 0.96, "accuracy": 0.965},
            "per_video": {
                "Youtube01-Psy": {
                    "n": 80,
                    "accuracy": 0.975,
                    "f1": 0.97,
                    "mcc": 0.95,
                    "paper": {"classifier": "SVM (RBF)", "accuracy": 0.9623, "mcc": 0.925},
                },
                "Youtube02-KatyPerry": {
                    "n": 84,
                    "accuracy": 0.94,
                    "f1": 0.93,
                    "mcc": 0.881,
                    "paper": {"classifier": "random forest", "accuracy": 0.9434, "mcc": 0.893},
                },
            },
        },
        "scamspot": {
            "protocol": "stratified 5-fold CV grouped by normalised text",
            "n": 2594,
            "mcc": 0.902,
            "f1": 0.93,
            "accuracy": 0.95,
            "roc_auc": 0.98,
            "goal_mcc": 0.88,
        },
        "generic_rules": {"n": 150, "precision": 0.91, "recall": 0.84},
    },
}


@pytest.fixture
def comment_app(tmp_path):
    """An app whose MODELS_DIR ships one comment version: its metadata as training writes it, and a model
    file that does not load (so activating it must be refused)."""
    version = tmp_path / "models" / "comments" / "v1"
    version.mkdir(parents=True)
    (version / "metadata.json").write_text(json.dumps(METADATA))
    (version / "model.skops").write_bytes(b"not a model")
    return create_app({
        "TESTING": True,
        "DATA_DIR": str(tmp_path / "data"),
        "API_TOKEN": TOKEN,
        "LOAD_MODELS": False,
        "MODELS_DIR": str(tmp_path / "models"),
    })


def test_the_comment_model_page_sets_metrics_next_to_the_published_baselines(comment_app):
    store = comment_app.extensions["microscout"].store
    for text, label in (("great video, what camera?", "genuine"), ("nice", "generic"), ("sub4sub", "spam")):
        store.add_comment_label(text, label, by="admin")
    client = comment_app.test_client()
    sign_in(client)
    page = text_of(client.get("/models/comments"))
    assert "Serving <code>v1</code>" in page
    psy = page[page.index(">Psy<") :].split("</tr>")[0]
    for cell in ("97.5%", "0.950", "SVM (RBF)", "96.23%", "0.925", ">yes<"):
        assert cell in psy, cell
    katy = page[page.index(">KatyPerry<") :].split("</tr>")[0]
    assert "0.881" in katy and "0.893" in katy and ">no<" in katy  # worse than the paper is shown as such
    assert "0.902" in page and "goal 0.88" in page and "no published baseline" in page
    words = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "3 corrections: 1 genuine, 1 generic, 1 spam." in words
    assert "1 since the served version was trained" in words
    assert "sub4sub" in page


def test_a_version_that_does_not_load_is_never_activated(comment_app):
    client = comment_app.test_client()
    sign_in(client)
    token = csrf_of(client)
    client.post("/models/comments/versions/v1/activate", data={"csrf_token": token})
    assert "Not activated: comments v1 does not load" in text_of(client.get("/models/comments"))
    assert comment_app.extensions["microscout"].registry.active("comments") is None


# ---- a real training run (the session's embedder) --------------------------------------------------


@pytest.mark.slow
def test_a_training_run_reaches_done_and_its_version_can_be_rolled_back(tmp_path: Path, embedder):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    services = app.extensions["microscout"]
    services.embedder = embedder
    store = services.store
    seed(store)
    labelled_creators(store)
    client = app.test_client()
    sign_in(client)
    token = csrf_of(client)
    started = client.post(
        "/models/fit-running/train", data={"csrf_token": token}, headers={"Accept": "application/json"}
    )
    assert started.status_code == 202, started.get_data(as_text=True)
    job_url = started.json["url"]
    seen: list[float] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = client.get(job_url).json
        seen.append(job["progress"] or 0.0)
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert job["state"] == "done", job
    assert job["progress"] == 1.0 and seen == sorted(seen)  # the bar only moves forward
    result = job["result"]
    assert result["version"] == "v1" and result["labels"] == 8
    page = text_of(client.get(f"/niches/running?job={job['id']}"))
    row = page[page.index("<code>v1</code>") :].split("</tr>")[0]
    learned = result["metrics"]["learned"]["roc_auc"]
    assert f"{learned:.3f}" in row and f"{result['metrics']['zero_shot']['roc_auc']:.3f}" in row
    registry = services.registry
    if result["activated"]:
        assert "serving" in row
        client.post("/models/fit-running/versions/zero-shot/activate", data={"csrf_token": token})
        assert registry.active_version("fit-running") == "zero-shot"
        client.post("/models/fit-running/versions/v1/activate", data={"csrf_token": token})
    else:  # zero-shot kept serving: the marketer can still choose the learned version
        client.post("/models/fit-running/versions/v1/activate", data={"csrf_token": token})
    assert registry.active_version("fit-running") == "v1"
    assert "Scores use the learned model <code>v1</code>" in text_of(client.get("/niches/running"))
