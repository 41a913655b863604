"""A Redis that goes away: every call answers 503 with the envelope (never a 500, never a hang),
nothing is half-written, and the same server recovers when Redis returns."""

from __future__ import annotations

import os
import signal
import time

import pytest

from server import create_app
from tests.durability.conftest import TOKEN
from tests.samples import RUNNING_NICHE, snapshot

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(tmp_path, redis_server):
    # a short socket timeout so a frozen Redis costs the test one second, not five
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False,
                      "STORE_URL": redis_server.url + "?socket_timeout=1"})
    yield app
    app.extensions["microscout"].store.close()


def save(client, notes):
    return client.put("/v1/watchlist/instagram/creator", json={"notes": notes}, headers=AUTH).status_code


def unavailable(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "unavailable"
    assert response.headers["Retry-After"] == "2"


CALLS = [("get", "/v1/niches", None), ("post", "/v1/niches", {"name": "Baking"}),
         ("put", "/v1/watchlist/instagram/creator", {"notes": "while down", "snapshot": snapshot()}),
         ("get", "/v1/watchlist", None), ("get", "/v1/watchlist/instagram/creator/history", None),
         ("get", "/v1/watchlist.csv", None),
         ("post", "/v1/labels", {"niche": "running", "label": "fit", "snapshot": snapshot()}),
         ("post", "/v1/comment-labels", {"text": "nice", "label": "generic"})]


@pytest.mark.redis
def test_redis_killed_then_back(app, redis_server):
    client = app.test_client()
    assert client.post("/v1/niches", json=RUNNING_NICHE, headers=AUTH).status_code == 201
    assert save(client, "before") == 201
    team = {"Authorization": f"Bearer {app.extensions['microscout'].store.create_token('ana')}"}

    redis_server.kill()
    for method, path, body in CALLS:
        unavailable(getattr(client, method)(path, json=body, headers=AUTH))
    unavailable(client.get("/v1/niches", headers=team))  # can't check the token: 503, not 401
    assert client.get("/healthz").status_code == 200  # the process itself is fine

    redis_server.start()  # same port, same append-only file
    assert client.get("/v1/watchlist/instagram/creator", headers=team).get_json()["notes"] == "before"
    assert [n["id"] for n in client.get("/v1/niches", headers=AUTH).get_json()["niches"]] == ["running"]
    assert client.get("/v1/watchlist/instagram/creator/history", headers=AUTH).get_json()["points"] == []
    assert save(client, "after") == 200


@pytest.mark.redis
def test_redis_frozen_mid_request(app, redis_server):
    client = app.test_client()
    assert save(client, "before") == 201
    os.kill(redis_server.process.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        started = time.monotonic()
        unavailable(client.put("/v1/watchlist/instagram/creator", json={"notes": "frozen"}, headers=AUTH))
        assert time.monotonic() - started < 10
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    entry = client.get("/v1/watchlist/instagram/creator", headers=AUTH).get_json()
    assert entry["notes"] in {"before", "frozen"}  # all or nothing: never a mix
    assert save(client, "thawed") == 200
