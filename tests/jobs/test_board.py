"""Job records and the one-training-per-model lock, across processes; a dead runner's job ends "failed"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis

from server.jobs.board import Busy, LocalBoard, RedisBoard
from tests.jobs.conftest import wait_until

HOLDER = """
import sys, time
from server.jobs.board import LocalBoard
board = LocalBoard(sys.argv[1])
record = board.create("fit-running", "t:t", {})
board.update(record["id"], state="running")
print(record["id"], flush=True)
time.sleep(600)
"""


def test_a_job_moves_through_its_states_and_holds_the_model(tmp_path):
    board = LocalBoard(tmp_path)
    record = board.create("fit-running", "tests.jobs.tasks:count", {"n": 2})
    assert record["state"] == "queued" and record["progress"] == 0.0 and len(record["id"]) == 32
    assert board.claim(record["id"])
    with pytest.raises(Busy) as busy:
        board.create("fit-running", "tests.jobs.tasks:count", {})
    assert busy.value.job_id == record["id"]
    other = board.create("fit-cooking", "tests.jobs.tasks:count", {})  # other models are free
    board.update(record["id"], state="running", progress=0.5, message="halfway")
    assert board.get(record["id"])["message"] == "halfway"
    board.update(record["id"], state="done", progress=1.0)
    board.release(record["id"])
    assert board.get(record["id"])["state"] == "done"
    again = board.create("fit-running", "tests.jobs.tasks:count", {})
    assert again["id"] != record["id"]
    assert LocalBoard(tmp_path).get(other["id"])["state"] == "queued"  # another process reads it too


@pytest.mark.parametrize("job_id", ["nope", "../../etc/passwd", "", "a" * 32])
def test_unknown_job_ids_read_as_none(tmp_path, job_id):
    assert LocalBoard(tmp_path).get(job_id) is None


def test_a_killed_process_frees_the_model_and_its_job_reads_failed(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        job_id = holder.stdout.readline().strip()
        board = LocalBoard(tmp_path)
        with pytest.raises(Busy) as busy:
            board.create("fit-running", "t:t", {})
        assert busy.value.job_id == job_id
        assert board.get(job_id)["state"] == "running"
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    record = board.get(job_id)
    assert record["state"] == "failed" and "stopped before it finished" in record["error"]
    assert record["finished_at"] and "served model is unchanged" in record["message"]
    assert board.get(job_id)["state"] == "failed"  # written back, not recomputed differently
    board.create("fit-running", "t:t", {})


@pytest.mark.redis
def test_redis_board_lock_heartbeat_and_a_silent_worker(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    board = RedisBoard(client, prefix=f"t{uuid.uuid4().hex[:6]}:", heartbeat=1.5)
    record = board.create("fit-running", "tests.jobs.tasks:count", {})
    with pytest.raises(Busy) as busy:
        RedisBoard(client, prefix=board.prefix).create("fit-running", "t:t", {})
    assert busy.value.job_id == record["id"]
    assert board.claim(record["id"])
    board.update(record["id"], state="running")

    stop = threading.Event()
    board.keep_alive(record["id"], "fit-running", stop)
    time.sleep(3.5)  # longer than the heartbeat: the beat keeps the lock
    assert board.get(record["id"])["state"] == "running"
    stop.set()  # the worker goes silent (as if killed)
    dead = wait_until(lambda: board.get(record["id"]), lambda r: r["state"] == "failed", timeout=10)
    assert dead["state"] == "failed" and "no heartbeat for 2 s" in dead["error"]
    again = board.create("fit-running", "t:t", {})  # the lock expired with the worker
    assert board.get(again["id"])["state"] == "queued"
    board.release(again["id"])
    assert client.get(board._lock("fit-running")) is None


@pytest.mark.redis
def test_redis_board_queued_job_nobody_picks_up(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    board = RedisBoard(client, prefix=f"t{uuid.uuid4().hex[:6]}:", queued_ttl=0.3)
    record = board.create("fit-running", "t:t", {})
    dead = wait_until(lambda: board.get(record["id"]), lambda r: r["state"] == "failed", timeout=5)
    assert "no worker picked this job up" in dead["error"]
    assert not board.claim(record["id"])  # a worker arriving late must not run it
