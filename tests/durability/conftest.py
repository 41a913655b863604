"""The real server as a subprocess (``microscout serve``: gunicorn, gthread workers) with the models
off so it starts in about a second, a hammer that saves creators from threads, and kill -9.

Numbers (saves attempted, acknowledged, found after restart) are printed and written to
test-artifacts/durability/<test>.json.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import samples
from tests.storage.redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "durability"
TOKEN = "durability-test-token-7a21"
MICROSCOUT = Path(sys.executable).parent / "microscout"


class Server:
    """One ``microscout serve`` process group; ``kill()`` is SIGKILL to the master and its workers."""

    def __init__(self, directory: Path, store_url: str = "", port: int | None = None, workers: int = 1):
        self.directory = directory
        self.port = port or free_port()
        self.env = {**os.environ, "MICROSCOUT_LOAD_MODELS": "0", "MICROSCOUT_DATA_DIR": str(directory),
                    "MICROSCOUT_API_TOKEN": TOKEN, "MICROSCOUT_PORT": str(self.port),
                    "MICROSCOUT_HOST": "127.0.0.1", "MICROSCOUT_STORE_URL": store_url,
                    "MICROSCOUT_WORKERS": str(workers), "MICROSCOUT_THREADS": "8",
                    "MICROSCOUT_RATE_LIMIT": "0"}  # a load test: thousands of writes from one token
        self.log = directory / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> Server:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([str(MICROSCOUT), "serve"], env=self.env, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.tail()}")
            try:
                if self.request("GET", "/healthz", timeout=1)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer /healthz:\n{self.tail()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30,
                conn: http.client.HTTPConnection | None = None) -> tuple[int, Any]:
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            if own:
                conn.close()


@dataclass
class Tally:
    """What the hammer did: every save attempted, and those answered 2xx."""

    attempted: list[tuple[str, str]] = field(default_factory=list)  # (handle, nonce)
    acknowledged: list[tuple[str, str]] = field(default_factory=list)
    refused: int = 0  # answered, but not 2xx (e.g. 503 while Redis is down)
    lock: threading.Lock = field(default_factory=threading.Lock)


def save_body(handle: str, nonce: str, followers: int) -> dict[str, Any]:
    return {"notes": nonce, "status": "shortlisted", "tags": ["durability"],
            "snapshot": {"platform": "instagram", "handle": handle, "followers": followers,
                         "posts": [{"id": "p1", "caption": f"post by {handle}", "likes": 100}],
                         "comments": [{"author": "fan1", "text": "great post"}]},
            "score": samples.score(followers=followers, overall=50.0, rate=0.01, fit={}, authenticity=70.0,
                                   handle=handle)}


def hammer(servers: list[Server], tally: Tally, threads: int, stop: threading.Event,
           handle_for: Callable[[int, int], str]) -> list[threading.Thread]:
    """Threads that save until the server dies or ``stop`` is set; returns them started."""

    def work(worker: int) -> None:
        server = servers[worker % len(servers)]
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            save_until_stopped(worker, server, conn)
        finally:
            conn.close()

    def save_until_stopped(worker: int, server: Server, conn: http.client.HTTPConnection) -> None:
        i = 0
        while not stop.is_set():
            handle = handle_for(worker, i)
            nonce = f"{worker}-{i}-{time.monotonic_ns()}"
            with tally.lock:
                tally.attempted.append((handle, nonce))
            try:
                status, _ = server.request("PUT", f"/v1/watchlist/instagram/{handle}",
                                           save_body(handle, nonce, 10_000 + i), conn=conn)
            except (OSError, http.client.HTTPException) as exc:
                # this save's fate is unknown, so it is not acknowledged; the next request reconnects
                conn.close()
                if isinstance(exc, ConnectionRefusedError):  # never sent: not an attempt
                    with tally.lock:
                        tally.attempted.remove((handle, nonce))
                    time.sleep(0.01)
                if server.process is None or server.process.poll() is not None:
                    return  # killed
                continue
            finally:
                i += 1  # a new creator for every attempt (on shared handles: the next in turn)
            with tally.lock:
                if 200 <= status < 300:
                    tally.acknowledged.append((handle, nonce))
                else:
                    tally.refused += 1

    started = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(threads)]
    for t in started:
        t.start()
    return started


def wait_for(tally: Tally, acknowledged: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(tally.acknowledged) < acknowledged:
        time.sleep(0.01)


def report(name: str, numbers: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(numbers, indent=1) + "\n")
    print(f"\n{name}: " + ", ".join(f"{k} {v}" for k, v in numbers.items()))


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()
