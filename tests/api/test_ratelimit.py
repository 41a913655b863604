"""The 429 of DESIGN.md and issue 11's finding 5: Flask-Limiter's moving window per token on /v1,
for requests and for embedding work, in process or shared through Redis.

Time moves by a fake clock (the memory storage's), never by sleeping. Limits are tiny (3 requests a
minute) so every number below can be worked out by hand.
"""

from __future__ import annotations

import types
import uuid

import limits.storage.memory
import pytest

from server import create_app
from server.ratelimit import MAX_PIECES_PER_TEXT, estimate_pieces
from tests.api.test_errors import assert_envelope
from tests.conftest import TOKEN
from tests.dashboard.conftest import sign_in
from tests.samples import snapshot
from tests.storage.conftest import redis_server  # noqa: F401  (the storage suite's real redis-server)
from tests.storage.redis_server import free_port

LIMIT = 3  # a minute


class FakeClock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def limited_app(tmp_path, limit=LIMIT, clock=None, **config):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False,
                      "RATE_LIMIT": limit, **config})
    if clock is not None and app.extensions["ratelimit"] is not None:
        app.extensions["ratelimit"].clock = clock
    return app


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(limits.storage.memory, "time", types.SimpleNamespace(time=fake))
    return fake


@pytest.fixture
def app(tmp_path, clock):
    return limited_app(tmp_path, clock=clock)


def spend(client, headers, n=LIMIT):
    for _ in range(n):
        assert client.get("/v1/niches", headers=headers).status_code == 200


# -- over HTTP ------------------------------------------------------------------------------------

def test_over_the_limit_is_429_with_envelope_and_retry_after(client, auth):
    spend(client, auth)
    response = client.post("/v1/score", json=snapshot(), headers=auth)
    error = assert_envelope(response, 429)
    assert error["code"] == "rate_limited"
    assert response.headers["Retry-After"] == "61"
    assert "retry in 61 s" in error["message"]
    assert error["details"] == {"limit": LIMIT, "retry_after": 61, "reason": "requests"}


def test_another_token_is_unaffected(app, client, auth):
    team_token = app.extensions["microscout"].store.create_token("ben")
    spend(client, auth)
    assert client.get("/v1/niches", headers=auth).status_code == 429
    spend(client, {"Authorization": f"Bearer {team_token}"})


def test_the_window_moves(client, auth, clock):
    spend(client, auth)
    clock.advance(59)
    response = client.get("/v1/niches", headers=auth)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "2")
    clock.advance(2)
    spend(client, auth)
    assert client.get("/v1/niches", headers=auth).status_code == 429


def test_healthz_and_openapi_are_never_limited(client, auth):
    spend(client, auth)
    for _ in range(3 * LIMIT):
        assert client.get("/healthz", headers=auth).status_code == 200
        assert client.get("/openapi.json", headers=auth).status_code == 200


def test_bad_tokens_spend_nothing(client, auth):
    for _ in range(3 * LIMIT):
        assert client.get("/v1/niches", headers={"Authorization": "Bearer wrong"}).status_code == 401
    spend(client, auth)


def test_the_dashboard_stays_open(client, auth):
    """A person whose script used up the token can still sign in and look at the watchlist."""
    spend(client, auth)
    assert client.get("/v1/niches", headers=auth).status_code == 429
    assert sign_in(client, TOKEN).status_code == 302
    for _ in range(3 * LIMIT):
        assert client.get("/watchlist").status_code == 200


def test_zero_turns_it_off(tmp_path, auth):
    app = limited_app(tmp_path, limit=0, WORK_LIMIT=0)
    assert app.extensions["ratelimit"] is None
    client = app.test_client()
    assert all(client.get("/v1/niches", headers=auth).status_code == 200 for _ in range(200))


def test_the_default_leaves_room_for_a_burst(tmp_path, auth, clock):
    """600 a minute: ten tabs opening at once and a minute of scrolling in each stay well under it."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    assert app.extensions["ratelimit"].limit == 600
    client = app.test_client()
    assert all(client.get("/v1/niches", headers=auth).status_code == 200 for _ in range(600))
    assert client.get("/v1/niches", headers=auth).status_code == 429


def test_a_429_never_loses_acknowledged_saves(client, auth, clock):
    """Saves answered 2xx stay; the refused one was not written, so the client knows to send it again."""
    acknowledged = []
    for i in range(LIMIT + 2):
        handle = f"creator{i}"
        response = client.put(f"/v1/watchlist/instagram/{handle}", json={"notes": f"note {i}"}, headers=auth)
        if response.status_code in (200, 201):
            acknowledged.append(handle)
        else:
            assert_envelope(response, 429)
    assert acknowledged == [f"creator{i}" for i in range(LIMIT)]
    clock.advance(61)
    listed = client.get("/v1/watchlist", headers=auth).get_json()["creators"]
    assert sorted((item["handle"], item["notes"]) for item in listed) == [
        (f"creator{i}", f"note {i}") for i in range(LIMIT)]


# -- a team: servers sharing one Redis ------------------------------------------------------------

@pytest.mark.redis
def test_servers_on_one_redis_share_the_limit(tmp_path, redis_server):  # noqa: F811
    prefix = f"t{uuid.uuid4().hex[:8]}"
    servers = []
    for name in ("a", "b"):
        app = limited_app(tmp_path / name, STORE_URL=redis_server.url, RATELIMIT_KEY_PREFIX=prefix)
        servers.append(app.test_client())
    auth = {"Authorization": f"Bearer {TOKEN}"}
    statuses = [servers[i % 2].get("/v1/niches", headers=auth).status_code for i in range(LIMIT + 2)]
    assert statuses == [200] * LIMIT + [429, 429]
    retry = int(servers[0].get("/v1/niches", headers=auth).headers["Retry-After"])
    assert 55 <= retry <= 60


def test_an_unreachable_redis_lets_requests_through(tmp_path):
    url = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False,
                      "RATE_LIMIT": LIMIT, "STORE_URL": url})
    limiter = app.extensions["ratelimit"]
    with app.test_request_context("/v1/niches"):
        for _ in range(LIMIT + 2):
            limiter.charge("ana", 10)  # the work limit: no exception, no wait


# -- finding 5: charged by work, refused before embedding ------------------------------------------

def test_estimate_of_word_pieces():
    assert estimate_pieces("") == 2
    assert estimate_pieces("My marathon training plan, week 9 of 16.") == 2 + 12  # marath-on, traini-ng
    assert estimate_pieces("跑步者") == 5
    assert estimate_pieces("x" * 100_000) == MAX_PIECES_PER_TEXT


def test_one_request_over_a_minutes_work_is_a_413_before_any_embedding(tmp_path, auth, clock):
    app = limited_app(tmp_path, limit=100, clock=clock, WORK_LIMIT=5000)
    client = app.test_client()
    huge = snapshot(comments=[{"text": f"{i} " + "so good " * 250} for i in range(20)])  # 20 x 512 pieces
    response = client.post("/v1/score", json=huge, headers=auth)
    error = assert_envelope(response, 413)
    assert error["details"]["reason"] == "work" and error["details"]["pieces"] > 5000
    assert "more than a token may in a minute" in error["message"]


def test_the_minutes_work_spent_is_a_429_saying_so(tmp_path, auth, clock):
    app = limited_app(tmp_path, limit=100, clock=clock, WORK_LIMIT=1200)
    client = app.test_client()
    body = {"comments": [{"text": f"{i} " + "a genuine question about the shoes " * 10} for i in range(5)]}
    statuses = [client.post("/v1/comments/classify", json=body, headers=auth).status_code for _ in range(2)]
    assert statuses == [503, 503]  # models off: charged (about 420 pieces each), then answered "loading"
    error = assert_envelope(client.post("/v1/comments/classify", json=body, headers=auth), 429)
    assert error["details"]["reason"] == "work" and "word pieces of embedding" in error["message"]
    clock.advance(61)
    assert client.post("/v1/comments/classify", json=body, headers=auth).status_code == 503


@pytest.mark.slow
def test_cached_texts_cost_no_work_and_the_refusal_embeds_nothing(scoring_app, auth):
    limits_ = scoring_app.extensions["ratelimit"]
    limits_.work_limit = 3000
    limits_.work_item = type(limits_.work_item)(3000)
    client = scoring_app.test_client()
    embedder = scoring_app.extensions["microscout"].embedder
    snap = snapshot(handle=f"work{uuid.uuid4().hex[:6]}")
    assert client.post("/v1/score", json=snap, headers=auth).status_code == 200
    for _ in range(20):  # the same snapshot again: cached, free
        assert client.post("/v1/score", json=snap, headers=auth).status_code == 200
    before = embedder.texts_embedded
    big = snapshot(comments=[{"text": f"comment {i} " + "really lovely colours " * 60} for i in range(30)])
    response = client.post("/v1/score", json=big, headers=auth)
    assert_envelope(response, 413)
    assert embedder.texts_embedded == before


def test_openapi_documents_the_429_on_v1_only(client):
    doc = client.get("/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if path.startswith("/v1"):
                assert "Retry-After" in op["responses"]["429"]["headers"], (method, path)
            else:
                assert "429" not in op["responses"], (method, path)
