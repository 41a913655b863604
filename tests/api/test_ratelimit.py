"""The 429 of DESIGN.md: a token bucket per token on /v1, in process or shared through Redis.

Time moves by a fake clock, never by sleeping. Limits are tiny (3 a minute: one request every 20 s)
so every number below can be worked out by hand.
"""

from __future__ import annotations

import uuid

import pytest

from server import create_app
from server.ratelimit import MemoryLimiter, RedisLimiter, open_limiter, take
from tests.api.test_errors import assert_envelope
from tests.conftest import TOKEN
from tests.dashboard.conftest import sign_in
from tests.samples import snapshot
from tests.storage.conftest import redis_server  # noqa: F401  (the storage suite's real redis-server)
from tests.storage.redis_server import free_port

LIMIT = 3  # a minute: the bucket holds 3, and one comes back every 20 s


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
    if clock is not None:
        app.extensions["ratelimit"].clock = clock
    return app


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def app(tmp_path, clock):
    return limited_app(tmp_path, clock=clock)


def spend(client, headers, n=LIMIT):
    for _ in range(n):
        assert client.get("/v1/niches", headers=headers).status_code == 200


# -- the bucket itself --------------------------------------------------------------------------

TAKE = [
    # tokens, at, now, limit -> allowed, tokens left
    (3.0, 0.0, 0.0, 3, True, 2.0),
    (0.0, 0.0, 0.0, 3, False, 0.0),
    (0.0, 0.0, 10.0, 3, False, 0.5),    # half of the 20 s a request takes to come back
    (0.0, 0.0, 20.0, 3, True, 0.0),
    (0.0, 0.0, 600.0, 3, True, 2.0),    # refills only up to the limit
    (1.5, 100.0, 40.0, 3, True, 0.5),   # a clock stepping back refills nothing, drains nothing
    (0.0, 0.0, 0.1, 600, True, 0.0),    # 600 a minute: one every 0.1 s
]


@pytest.mark.parametrize(("tokens", "at", "now", "limit", "allowed", "left"), TAKE)
def test_take(tokens, at, now, limit, allowed, left):
    got_allowed, got_left = take(tokens, at, now, limit)
    assert got_allowed is allowed
    assert got_left == pytest.approx(left)


def memory_limiter(clock, request):
    return MemoryLimiter(LIMIT, clock=clock)


def redis_limiter(clock, request):
    url = request.getfixturevalue("redis_server").url
    return RedisLimiter(url, LIMIT, prefix=f"t{uuid.uuid4().hex[:8]}:rate:", clock=clock)


@pytest.mark.parametrize("make", [pytest.param(memory_limiter, id="memory"),
                                  pytest.param(redis_limiter, id="redis", marks=pytest.mark.redis)])
def test_limiter_burst_wait_and_refill(make, clock, request):
    limiter = make(clock, request)
    assert [limiter.hit("ana").allowed for _ in range(LIMIT)] == [True] * LIMIT
    refused = limiter.hit("ana")
    assert (refused.allowed, refused.retry_after) == (False, 20)
    assert limiter.hit("ben").allowed, "each identity has its own bucket"
    clock.advance(15)
    assert limiter.hit("ana").retry_after == 5, "refused requests take nothing from the bucket"
    clock.advance(5)
    assert limiter.hit("ana").allowed
    assert not limiter.hit("ana").allowed
    clock.advance(60)
    assert [limiter.hit("ana").allowed for _ in range(LIMIT + 1)] == [True] * LIMIT + [False]


def test_open_limiter_by_setting(redis_server):  # noqa: F811
    assert open_limiter({"RATE_LIMIT": 0, "STORE_URL": ""}) is None
    assert isinstance(open_limiter({"RATE_LIMIT": 10, "STORE_URL": ""}), MemoryLimiter)
    shared = open_limiter({"RATE_LIMIT": 10, "STORE_URL": redis_server.url})
    assert isinstance(shared, RedisLimiter)
    shared.close()


# -- over HTTP ------------------------------------------------------------------------------------

def test_over_the_limit_is_429_with_envelope_and_retry_after(client, auth):
    spend(client, auth)
    response = client.post("/v1/score", json=snapshot(), headers=auth)
    error = assert_envelope(response, 429)
    assert error["code"] == "rate_limited"
    assert response.headers["Retry-After"] == "20"
    assert "retry in 20 s" in error["message"]
    assert error["details"] == {"limit": LIMIT, "retry_after": 20}


def test_another_token_is_unaffected(app, client, auth):
    team_token = app.extensions["microscout"].store.create_token("ben")
    spend(client, auth)
    assert client.get("/v1/niches", headers=auth).status_code == 429
    spend(client, {"Authorization": f"Bearer {team_token}"})


def test_the_bucket_refills(client, auth, clock):
    spend(client, auth)
    clock.advance(19)
    response = client.get("/v1/niches", headers=auth)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "1")
    clock.advance(1)
    assert client.get("/v1/niches", headers=auth).status_code == 200
    clock.advance(60)
    spend(client, auth)


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
    app = limited_app(tmp_path, limit=0)
    assert app.extensions["ratelimit"] is None
    client = app.test_client()
    assert all(client.get("/v1/niches", headers=auth).status_code == 200 for _ in range(200))


def test_the_default_leaves_room_for_a_burst(tmp_path, auth, clock):
    """600 a minute: ten tabs opening at once and a minute of scrolling in each stay well under it."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    assert app.extensions["ratelimit"].limit == 600
    app.extensions["ratelimit"].clock = clock
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
    clock.advance(60)
    listed = client.get("/v1/watchlist", headers=auth).get_json()["creators"]
    assert sorted((item["handle"], item["notes"]) for item in listed) == [
        (f"creator{i}", f"note {i}") for i in range(LIMIT)]


# -- a team: servers sharing one Redis ------------------------------------------------------------

@pytest.mark.redis
def test_servers_on_one_redis_share_the_limit(tmp_path, clock, redis_server):  # noqa: F811
    prefix = f"t{uuid.uuid4().hex[:8]}:rate:"
    servers = []
    for name in ("a", "b"):
        app = limited_app(tmp_path / name, clock=clock, STORE_URL=redis_server.url)
        app.extensions["ratelimit"].prefix = prefix  # this test's buckets only
        servers.append(app.test_client())
    auth = {"Authorization": f"Bearer {TOKEN}"}
    statuses = [servers[i % 2].get("/v1/niches", headers=auth).status_code for i in range(LIMIT + 2)]
    assert statuses == [200] * LIMIT + [429, 429]
    clock.advance(20)
    assert servers[1].get("/v1/niches", headers=auth).status_code == 200
    assert servers[0].get("/v1/niches", headers=auth).status_code == 429


def test_an_unreachable_redis_lets_requests_through(clock):
    limiter = RedisLimiter(f"redis://127.0.0.1:{free_port()}/0", LIMIT, clock=clock, timeout=0.5)
    assert all(limiter.hit("ana").allowed for _ in range(LIMIT + 2))
    limiter.close()


def test_openapi_documents_the_429_on_v1_only(client):
    doc = client.get("/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if path.startswith("/v1"):
                assert "Retry-After" in op["responses"]["429"]["headers"], (method, path)
            else:
                assert "429" not in op["responses"], (method, path)
