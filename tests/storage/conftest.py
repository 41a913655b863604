"""Every contract test runs against both backends: SQLite in a temp dir and a real redis-server
started for the session (each test gets its own key prefix, so tests never see each other's data)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.storage.redis import RedisStore
from server.storage.sqlite import SQLiteStore
from tests.storage.redis_server import RedisServer

BACKENDS = ("sqlite", "redis")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def make_store(kind: str, tmp_path: Path, redis_server: RedisServer, name: str = "a"):
    if kind == "sqlite":
        return SQLiteStore(tmp_path / f"{name}.db")
    return RedisStore(redis_server.url, prefix=f"t{uuid.uuid4().hex[:8]}{name}:")


@pytest.fixture(params=[pytest.param("sqlite"), pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer):
    store = make_store(request.param, tmp_path, redis_server)
    yield store
    store.close()
