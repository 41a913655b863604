from __future__ import annotations

import time

import pytest

from tests.storage.redis_server import RedisServer

TASKS = "tests.jobs.tasks"


def wait_until(read, done, timeout: float = 60.0, every: float = 0.05):
    """Poll ``read()`` until ``done(value)``; the last value on timeout (the assertion then shows it)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(every)
        value = read()
    return value


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()
