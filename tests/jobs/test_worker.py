"""RQ on a real redis-server with `microscout worker` processes: jobs queue, run, and a killed
worker's job ends "failed" while the served model stays as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from server.jobs import RedisBoard, RQJobs
from server.jobs.tasks import TRAIN
from server.registry import Registry
from server.storage.redis import RedisStore
from tests.jobs.conftest import TASKS, wait_until

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]
MICROSCOUT = str(Path(sys.executable).parent / "microscout")


class Worker:
    """`microscout worker` in its own process, as an operator would start it."""

    def __init__(self, url: str, data_dir: Path, heartbeat: float = 2.0):
        env = {**os.environ, "MICROSCOUT_STORE_URL": url, "MICROSCOUT_DATA_DIR": str(data_dir),
               "PYTHONPATH": str(ROOT)}
        self.log = open(data_dir / "worker.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([MICROSCOUT, "worker", "--heartbeat", str(heartbeat)], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()


@pytest.fixture
def url(redis_server, request):
    db = 1 + list(request.module.__dict__).index(request.function.__name__) % 14  # a db per test
    url = redis_server.url.rsplit("/", 1)[0] + f"/{db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture
def jobs(url):
    client = redis.Redis.from_url(url)
    yield RQJobs(RedisBoard(client))
    client.close()


def test_jobs_wait_for_a_worker_run_on_it_and_fail_when_it_is_killed(url, jobs, tmp_path):
    waiting = jobs.submit("fit-a", f"{TASKS}:count", {"n": 2})
    assert jobs.get(waiting["id"])["message"] == "queued; no worker is running (start `microscout worker`)"
    worker = Worker(url, tmp_path)
    try:
        done = wait_until(lambda: jobs.get(waiting["id"]), lambda r: r["state"] == "done", timeout=60)
        assert done["state"] == "done" and done["result"]["counted"] == 2, done

        gate = tmp_path / "go"
        blocked = jobs.submit("fit-a", f"{TASKS}:wait_for", {"path": str(gate)})
        running = wait_until(lambda: jobs.get(blocked["id"]), lambda r: r["state"] == "running", timeout=30)
        assert running["message"] == "waiting: for the test"
    finally:
        worker.kill()
    dead = wait_until(lambda: jobs.get(blocked["id"]), lambda r: r["state"] == "failed", timeout=15)
    assert dead["state"] == "failed", dead
    assert "worker running this job stopped (no heartbeat for 2 s)" in dead["error"]
    jobs.submit("fit-a", f"{TASKS}:count", {})  # the dead worker's lock is gone


@pytest.mark.slow
def test_a_worker_trains_a_fit_model_and_a_killed_training_leaves_it_served(url, jobs, tmp_path):
    from training import fit_eval

    store = RedisStore(url)
    store.create_niche({"id": "sports", **fit_eval.BRIEFS["sports"]})
    for creator in fit_eval.labelled_creators("sports", 8, 6, 2):
        store.add_label("sports", creator.label, fit_eval.snapshot(creator), by="test")
    registry = Registry(store, ROOT / "models")
    worker = Worker(url, tmp_path, heartbeat=5.0)  # loading torch can hold the GIL for a second or more
    try:
        first = jobs.submit("fit-sports", TRAIN, {"model": "fit-sports", "force": True})
        done = wait_until(lambda: jobs.get(first["id"]), lambda r: r["state"] in ("done", "failed"), 300)
        assert done["state"] == "done", (done["error"], done["message"])
        assert registry.active_version("fit-sports") == "v1" == done["result"]["served"]

        second = jobs.submit("fit-sports", TRAIN, {"model": "fit-sports", "force": True})
        wait_until(lambda: jobs.get(second["id"]), lambda r: r["state"] == "running", timeout=60)
    finally:
        worker.kill()
    dead = wait_until(lambda: jobs.get(second["id"]), lambda r: r["state"] == "failed", timeout=20)
    assert dead["state"] == "failed" and "stopped" in dead["error"]
    assert registry.active_version("fit-sports") == "v1"
    assert [v["version"] for v in registry.versions("fit-sports")] == ["v1"]
    store.close()
