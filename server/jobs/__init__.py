"""Background work: training jobs run in a thread pool (embedded mode) or on RQ workers (Redis).

``open_jobs(config, runtime)`` picks the kind from ``STORE_URL``. Job records and the
one-training-per-model lock live where every server process can read them (see ``board``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from server.jobs.board import ACTIVE_STATES, STATES, Busy, JobBoard, LocalBoard, RedisBoard
from server.jobs.runner import Jobs, RQJobs, TaskError, ThreadJobs, execute, work
from server.vocab import is_redis_url

__all__ = ["ACTIVE_STATES", "STATES", "Busy", "JobBoard", "Jobs", "LocalBoard", "RQJobs", "RedisBoard",
           "TaskError", "ThreadJobs", "execute", "open_jobs", "train_now", "work"]

JOBS_DIR = "jobs"


def open_jobs(config: Mapping[str, Any], runtime: Any) -> Jobs:
    """RQ on the team's Redis when ``STORE_URL`` is Redis; otherwise a thread pool in this process."""
    url = str(config.get("STORE_URL") or "")
    if is_redis_url(url):
        return RQJobs(RedisBoard(runtime.redis()))
    return ThreadJobs(LocalBoard(Path(config["DATA_DIR"]) / JOBS_DIR), runtime)


def train_now(config: Mapping[str, Any], model: str, *, force: bool = False,
              on_progress: Callable[[float, str], None] | None = None) -> dict[str, Any]:
    """Train ``model`` in this process (the command line), as a job every server can see and that
    holds the same lock as a server's: raises Busy while another training of it runs, UnknownModel
    or LabelError before starting when it cannot work."""
    from server.jobs.runtime import Runtime
    from server.jobs.tasks import TRAIN, preflight

    runtime = Runtime(config)
    preflight(runtime, model)
    return open_jobs(config, runtime).run_here(model, TRAIN, {"model": model, "force": force}, runtime,
                                               on_progress)
