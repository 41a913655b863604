"""Migration between embedders (issue 10, item 7): a fit model learned from one embedder's vectors is
never fed another's. Zero-shot serves it, with the reason in the answer, until the model retrained
from its stored labels on the new vectors is activated; the retraining is queued at start.

Both directions run for real: trained on MiniLM and served on multilingual-e5-small, and back.
"""

from __future__ import annotations

import time

import pytest

from server import create_app
from server.core import Scout, same_vectors
from tests import samples
from tests.api.test_models import add_labels, add_niche, fit_of, wait_job
from tests.conftest import TOKEN
from training import fit_eval

pytestmark = pytest.mark.slow
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def server(data_dir, embedder):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "API_TOKEN": TOKEN, "LOAD_MODELS": False,
                      "RATE_LIMIT": 0})
    scout = app.extensions["microscout"]
    scout.embedder = embedder  # jobs reach it through the Scout's runtime
    return app, scout


def started(app, scout):
    scout.start()
    assert scout.wait(300), scout.health()
    return app.test_client()


@pytest.fixture(params=["minilm-to-e5", "e5-to-minilm"])
def moved(request, tmp_path, minilm_embedder, e5_embedder, monkeypatch):
    """A store whose sports fit model v1 was trained (forced) on one embedder, and a server on the other
    that has started without running its start-time check (recorded, so a test can run it)."""
    old, new = ((minilm_embedder, e5_embedder) if request.param == "minilm-to-e5"
                else (e5_embedder, minilm_embedder))
    app, scout = server(tmp_path, old)
    client = started(app, scout)
    add_niche(client, "sports")
    add_labels(client, "sports", fit_eval.labelled_creators("sports", 12, 8, 4, seed=1))
    accepted = client.post("/v1/models/fit-sports/train?force=true", headers=AUTH)
    job = wait_job(client, accepted.get_json()["job"])
    assert job["state"] == "done" and job["result"]["activated"], job
    scout.jobs.close()

    checks = []
    monkeypatch.setattr(Scout, "retrain_stale_fit_models", lambda self: checks.append(self) or {})
    app, scout = server(tmp_path, new)
    client = started(app, scout)
    monkeypatch.undo()
    assert checks == [scout]  # the start ran the check
    yield client, scout, old, new
    scout.jobs.close()


def test_versions_of_different_weights_are_different_vectors(minilm_embedder, e5_embedder):
    assert same_vectors(minilm_embedder.version, minilm_embedder.version.replace("+onnx-int8", "+onnx"))
    assert not same_vectors(minilm_embedder.version, e5_embedder.version)
    assert not same_vectors(None, minilm_embedder.version)


def test_zero_shot_serves_with_the_reason_until_the_retrained_model_is_activated(moved, tmp_path):
    client, scout, old, new = moved
    runner = samples.snapshot()
    old_name, new_name = old.version.split("@")[0], new.version.split("@")[0]
    assert client.get("/v1/models/fit-sports", headers=AUTH).get_json()["active"] == "v1"

    fit = fit_of(client, "sports", runner)  # v1 is active, but learned from the other model's vectors
    assert fit["method"] == "zero-shot" and fit["model_version"] == "zero-shot"
    assert fit["reasons"][0].startswith(f"Zero-shot serves: the trained model v1 learned from {old_name} "
                                        f"vectors, and this server embeds with {new_name}.")
    assert "POST /v1/models/fit-sports/train" in fit["reasons"][0]
    glance = client.post("/v1/glance", json={"creators": [{"platform": "instagram", "handle": "casey",
                                                           "texts": samples.RUNNING_CAPTIONS[:3]}],
                                             "niches": ["sports"]}, headers=AUTH).get_json()
    assert glance["creators"][0]["niche_fit"][0]["method"] == "zero-shot"
    assert glance["creators"][0]["niche_fit"][0]["reason"] == fit["reasons"][0]

    queued = scout.retrain_stale_fit_models()  # what the start does
    assert list(queued) == ["fit-sports"]
    while (job := client.get(f"/v1/jobs/{queued['fit-sports']}", headers=AUTH).get_json())["state"] in (
            "queued", "running"):
        reason = fit_of(client, "sports", runner)["reasons"][0]
        assert reason.endswith(f"It is being retrained from your labels (job {job['id']}).") or \
            fit_of(client, "sports", runner)["method"] == "trained"  # it finished in between
        time.sleep(0.2)
    assert job["state"] == "done" and job["result"]["activated"], job  # v1 was forced: so is v2
    assert job["result"]["labels"] == 24

    trained = fit_of(client, "sports", runner)
    assert trained["method"] == "trained" and trained["model_version"] == "v2"
    metadata = client.get("/v1/models/fit-sports/versions/v2", headers=AUTH).get_json()["metadata"]
    assert metadata["embedding_model"] == new.version
    assert scout.retrain_stale_fit_models() == {}  # nothing stale now

    # back on the first embedder: v2 (the other vectors) is active and v1 (these) exists: no job, zero-shot
    app, back = server(tmp_path, old)
    client = started(app, back)
    assert back.retrain_stale_fit_models() == {}
    fit = fit_of(client, "sports", runner)
    assert fit["method"] == "zero-shot" and "the trained model v2 learned from" in fit["reasons"][0]
    back.jobs.close()
