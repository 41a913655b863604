"""Nothing acknowledged is lost: saves from threads, kill -9, restart, every 2xx save is there.

Both backends; for Redis also a kill -9 of redis-server itself (AOF, appendfsync always).
Two server processes on one SQLite file and on one Redis, writing at once (to their own creators
and to shared ones), lose nothing either.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from tests.durability.conftest import Server, Tally, hammer, report, wait_for

ROUNDS = 3
PER_ROUND = 150  # acknowledged saves before each kill; the kill lands while 8 more are in flight
THREADS = 8


def verify(server: Server, tally: Tally) -> dict[str, int]:
    """Every acknowledged save is stored with its own notes and its history point."""
    latest: dict[str, str] = {}
    for handle, nonce in tally.acknowledged:
        latest[handle] = nonce  # one save per handle here
    missing = []
    for handle, nonce in latest.items():
        status, entry = server.request("GET", f"/v1/watchlist/instagram/{handle}")
        if status != 200 or entry["notes"] != nonce:
            missing.append(handle)
            continue
        status, history = server.request("GET", f"/v1/watchlist/instagram/{handle}/history")
        if status != 200 or len(history["points"]) != 1:
            missing.append(handle)
    status, listing = server.request("GET", "/v1/watchlist?limit=0")
    acknowledged = {h for h, _ in tally.acknowledged}
    stored = listing["total"]
    assert not missing, f"{len(missing)} acknowledged saves lost, e.g. {missing[:5]}"
    return {"attempted": len(tally.attempted), "acknowledged": len(tally.acknowledged),
            "found": len(latest) - len(missing), "unacknowledged_found": stored - len(acknowledged)}


def kill_rounds(server: Server, tally: Tally, kill_redis=None) -> None:
    """ROUNDS times: hammer, kill -9 (the server, or Redis) while saves are in flight, restart."""
    for round_ in range(ROUNDS):
        stop = threading.Event()
        before = len(tally.acknowledged)
        threads = hammer([server], tally, THREADS, stop,
                         lambda w, i, r=round_: f"r{r}-w{w}-n{i}")
        wait_for(tally, before + PER_ROUND, timeout=30)
        if kill_redis is None:
            server.kill()
        else:
            kill_redis.kill()
        stop.set()
        for t in threads:
            t.join(timeout=40)
        if kill_redis is None:
            server.start()
        else:
            kill_redis.start()
    assert len(tally.acknowledged) >= ROUNDS * PER_ROUND


@pytest.mark.slow
def test_kill_9_sqlite_loses_nothing_acknowledged(tmp_path):
    server = Server(tmp_path).start()
    tally = Tally()
    try:
        kill_rounds(server, tally)
        numbers = verify(server, tally)
    finally:
        server.stop()
    report("kill9-sqlite", numbers)


@pytest.mark.slow
@pytest.mark.redis
def test_kill_9_server_on_redis_loses_nothing_acknowledged(tmp_path, redis_server):
    server = Server(tmp_path, store_url=redis_server.url).start()
    tally = Tally()
    try:
        kill_rounds(server, tally)
        numbers = verify(server, tally)
    finally:
        server.stop()
    report("kill9-redis-server", numbers)


@pytest.mark.slow
@pytest.mark.redis
def test_kill_9_of_redis_itself_loses_nothing_acknowledged(tmp_path, redis_server):
    server = Server(tmp_path, store_url=redis_server.url).start()
    tally = Tally()
    try:
        kill_rounds(server, tally, kill_redis=redis_server)
        numbers = verify(server, tally)  # the same server process: it recovered when Redis returned
        numbers["refused_while_redis_down"] = tally.refused
    finally:
        server.stop()
    report("kill9-redis-itself", numbers)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_two_processes_on_one_store_lose_nothing(tmp_path, request, backend):
    url = ""
    if backend == "redis":
        url = request.getfixturevalue("redis_server").url
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = Server(tmp_path / "a", store_url=url)
    second = Server(tmp_path / "b", store_url=url)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first.start()
    second.start()
    try:
        # both race to create the same niche: exactly one wins
        statuses = Counter(s.request("POST", "/v1/niches", {"name": "Race"})[0]
                           for s in (first, second, first))
        assert statuses == Counter({201: 1, 409: 2})

        tally = Tally()
        stop = threading.Event()
        shared = [f"shared{k}" for k in range(4)]
        # even workers save their own creators, odd ones update four shared creators; both processes
        threads = hammer([first, second], tally, THREADS, stop,
                         lambda w, i: f"own-w{w}-n{i}" if w % 2 == 0 else shared[i % len(shared)])
        wait_for(tally, 400, timeout=60)
        stop.set()
        for t in threads:
            t.join(timeout=40)
        assert not tally.refused

        per_handle = Counter(h for h, _ in tally.acknowledged)
        lost = []
        for handle, count in per_handle.items():
            status, history = first.request("GET", f"/v1/watchlist/instagram/{handle}/history")
            if status != 200 or len(history["points"]) != count:
                lost.append((handle, count, history and len(history.get("points", []))))
        last_nonce = {h: n for h, n in tally.acknowledged}
        for handle in shared:
            _, entry = second.request("GET", f"/v1/watchlist/instagram/{handle}")
            assert entry["notes"] in {n for h, n in tally.acknowledged if h == handle}
        assert not lost, lost
        numbers = {"attempted": len(tally.attempted), "acknowledged": len(tally.acknowledged),
                   "found": sum(per_handle.values()) - sum(c for _, c, _ in lost),
                   "shared_creator_updates": sum(per_handle[h] for h in shared), "creators": len(last_nonce)}
    finally:
        first.stop()
        second.stop()
    report(f"two-processes-{backend}", numbers)
