"""Running jobs: in a thread pool in this process (embedded mode) or on RQ workers (teams).

Both go through :func:`execute`, which claims the job, reports progress on the board as the task
moves, and always ends the job "done" with the task's result or "failed" with the reason, then
releases the model's lock. A task is a function ``task(ctx, **params) -> dict``, named by its
import path (``module:function``); ``ctx.progress(fraction, message)`` reports, ``ctx.runtime``
holds the store, registry, embedder and zero-shot background.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from server.jobs.board import JobBoard, LocalBoard, RedisBoard, now

__all__ = ["JOB_TIMEOUT", "QUEUE", "Context", "Jobs", "RQJobs", "TaskError", "ThreadJobs", "execute",
           "perform", "perform_setup", "work"]

log = logging.getLogger(__name__)
QUEUE = "microscout-training"
JOB_TIMEOUT = 3600  # seconds an RQ worker lets one job run
_PROGRESS_EVERY = 0.25  # seconds between progress writes for the same stage


class TaskError(Exception):
    """A task cannot do what was asked; the message is the job's reason, shown as is."""


class Context:
    """What a running task sees: its runtime and a progress reporter."""

    def __init__(self, board: JobBoard, job_id: str, runtime: Any,
                 on_progress: Callable[[float, str], None] | None = None):
        self.board = board
        self.job_id = job_id
        self.runtime = runtime
        self._on_progress = on_progress
        self._last = (0.0, "", 0.0)  # fraction, message stage, when written

    def progress(self, fraction: float, message: str) -> None:
        fraction = max(0.0, min(1.0, float(fraction)))
        stage = message.split(":")[0]
        _, last_stage, at = self._last
        if self._on_progress is not None:
            self._on_progress(fraction, message)
        if stage != last_stage or time.monotonic() - at >= _PROGRESS_EVERY:
            self.board.update(self.job_id, progress=round(fraction, 3), message=message)
            self._last = (fraction, stage, time.monotonic())


def _resolve(task: str) -> Callable[..., Any]:
    module, _, name = task.partition(":")
    return getattr(importlib.import_module(module), name)


def execute(board: JobBoard, job_id: str, runtime: Any,
            on_progress: Callable[[float, str], None] | None = None) -> dict[str, Any]:
    """Run one job to its end; never raises for a task's failure (the record says why)."""
    record = board.get(job_id)
    if record is None:
        raise KeyError(job_id)
    if record["state"] != "queued":
        return record
    if not board.claim(job_id):
        why = "the job lost its lock before it started (it waited too long for a worker)"
        return board.update(job_id, state="failed", finished_at=now(), error=why, message=f"failed: {why}")
    stop = threading.Event()
    beat: dict[str, Any] = {}
    if isinstance(board, RedisBoard):
        board.keep_alive(job_id, record["model"], stop)
        beat = {"heartbeat": board.heartbeat}
    board.update(job_id, state="running", started_at=now(), message="starting", **beat)
    started = time.perf_counter()
    try:
        result = _resolve(record["task"])(Context(board, job_id, runtime, on_progress), **record["params"])
        seconds = round(time.perf_counter() - started, 2)
        result = {**(result or {}), "seconds": seconds}
        return board.update(job_id, state="done", progress=1.0, finished_at=now(), result=result,
                            message=str(result.get("summary", "done")))
    except Exception as exc:
        reason = str(exc) if isinstance(exc, TaskError | ValueError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, TaskError | ValueError):
            log.exception("job %s (%s) failed", job_id, record["task"])
        return board.update(job_id, state="failed", finished_at=now(), error=reason,
                            message=f"failed: {reason}")
    finally:
        stop.set()
        board.release(job_id)


class Jobs:
    """Submit and read jobs; subclasses decide where they run."""

    def __init__(self, board: JobBoard):
        self.board = board

    def submit(self, model: str, task: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Queue a job for ``model``; raises board.Busy while another one for it is queued or running."""
        raise NotImplementedError

    def get(self, job_id: str) -> dict[str, Any] | None:
        return self.board.get(job_id)

    def run_here(self, model: str, task: str, params: Mapping[str, Any], runtime: Any,
                 on_progress: Callable[[float, str], None] | None = None) -> dict[str, Any]:
        """Run a job in this thread (the command line), under the same lock and records as any other."""
        record = self.board.create(model, task, dict(params))
        try:
            return execute(self.board, record["id"], runtime, on_progress)
        finally:
            self.board.release(record["id"])

    def close(self) -> None:
        pass


class ThreadJobs(Jobs):
    """Embedded mode: one background thread runs jobs in order, next to the server's request threads."""

    def __init__(self, board: LocalBoard, runtime: Any, workers: int = 1):
        super().__init__(board)
        self.runtime = runtime
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="microscout-job")

    def submit(self, model: str, task: str, params: Mapping[str, Any]) -> dict[str, Any]:
        record = self.board.create(model, task, dict(params))
        try:
            self._pool.submit(execute, self.board, record["id"], self.runtime)
        except RuntimeError as exc:  # the pool is shutting down
            self.board.update(record["id"], state="failed", finished_at=now(), error=str(exc),
                              message="failed: the server is shutting down")
            self.board.release(record["id"])
        return record

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class RQJobs(Jobs):
    """Teams: jobs go to an RQ queue on the team's Redis; ``microscout worker`` runs them."""

    def __init__(self, board: RedisBoard, queue_name: str = QUEUE):
        super().__init__(board)
        from rq import Queue

        self.redis = board.redis
        self.queue = Queue(queue_name, connection=board.redis)

    def submit(self, model: str, task: str, params: Mapping[str, Any]) -> dict[str, Any]:
        record = self.board.create(model, task, dict(params))
        try:
            self.queue.enqueue_call("server.jobs.runner.perform", args=(record["id"],), job_id=record["id"],
                                    timeout=JOB_TIMEOUT, result_ttl=3600, failure_ttl=7 * 24 * 3600,
                                    description=f"{task.rpartition(':')[2]} {model}")
        except Exception as exc:
            self.board.update(record["id"], state="failed", finished_at=now(),
                              error=f"could not queue: {exc}", message="failed: could not queue the job")
            self.board.release(record["id"])
            raise
        return record

    def get(self, job_id: str) -> dict[str, Any] | None:
        record = self.board.get(job_id)
        if record is not None and record["state"] == "queued":
            from rq import Worker

            if not Worker.count(connection=self.redis, queue=self.queue):
                record = {**record, "message": "queued; no worker is running (start `microscout worker`)"}
        return record


# -- the RQ worker side -------------------------------------------------------------------------
_worker: dict[str, Any] = {}  # what `microscout worker` set up: board and runtime, built once per process


def perform_setup() -> None:
    """This worker's runtime and board, built on first use (when `microscout worker` did not)."""
    if "runtime" not in _worker:
        from server import settings
        from server.jobs.runtime import Runtime

        config = settings.load()
        _worker["runtime"] = Runtime(config)
        _worker["board"] = RedisBoard(_worker["runtime"].redis())


def perform(job_id: str) -> dict[str, Any]:
    """The RQ entry point: run the job with this worker's runtime (built on first use)."""
    perform_setup()
    return execute(_worker["board"], job_id, _worker["runtime"])


def work(config: Mapping[str, Any], *, burst: bool = False, heartbeat: float = 30.0) -> None:
    """Run an RQ worker for the jobs queue until stopped (or, with ``burst``, until it is empty).

    A SimpleWorker runs jobs in its own process, so the embedding model loads once per worker
    rather than once per job; the job's heartbeat tells servers the worker is alive.
    """
    from rq import Queue, SimpleWorker

    from server.jobs.runtime import Runtime

    # one embedding lane a worker unless told otherwise: N workers on N cores, not N workers fighting
    runtime = Runtime({**config, "EMBED_LANES": config.get("EMBED_LANES") or 1})
    client = runtime.redis()
    _worker["runtime"] = runtime
    _worker["board"] = RedisBoard(client, heartbeat=heartbeat)
    worker = SimpleWorker([Queue(QUEUE, connection=client)], connection=client)
    worker.work(burst=burst)
