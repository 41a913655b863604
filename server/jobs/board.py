"""Where jobs are recorded, and the one-job-per-model lock, readable from every process.

A job record: ``{"id", "model", "task", "params", "state", "progress", "message", "result", "error",
"created_at", "started_at", "finished_at"}``; states go queued -> running -> done | failed.

The lock makes "one training of a model at a time" hold across processes, and it is also how a
dead runner is noticed: a queued or running job whose lock its runner no longer holds has stopped
without finishing, and any process reading it reports it "failed" with that reason.

- :class:`LocalBoard` (embedded mode, one machine): records are JSON files in ``DATA_DIR/jobs``
  written atomically; the lock is an ``flock`` on ``DATA_DIR/jobs/<model>.lock``, which the kernel
  drops the moment the holding process dies, however it dies. Records are files rather than store
  settings because they are ephemeral operational state: a progress tick should not be an fsynced
  write into the user's data, nor end up in ``microscout export``.
- :class:`RedisBoard` (teams): records are Redis keys with a week's TTL; the lock is a key holding
  the job id, set with NX; a running job's runner renews it every ``heartbeat / 3`` seconds, so a
  killed RQ worker's job is reported failed within ``heartbeat`` seconds.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

__all__ = ["ACTIVE_STATES", "STATES", "Busy", "JobBoard", "LocalBoard", "RedisBoard", "now"]

STATES = ("queued", "running", "done", "failed")
ACTIVE_STATES = ("queued", "running")
KEEP_SECONDS = 7 * 24 * 3600
FINISHING_WAIT = 2.0  # a job writes "done" just before it lets go of the lock: wait that moment out


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Busy(Exception):
    """A job for this model is already queued or running."""

    def __init__(self, model: str, job_id: str | None):
        super().__init__(f"a training of {model} is already {'running' if job_id else 'in progress'}"
                         + (f" (job {job_id})" if job_id else ""))
        self.model = model
        self.job_id = job_id


class JobBoard:
    """The seam: create (taking the model's lock), update, read (noticing dead runners), release."""

    def create(self, model: str, task: str, params: dict[str, Any]) -> dict[str, Any]:
        """A new queued job holding ``model``'s lock; Busy if another job holds it."""
        raise NotImplementedError

    def update(self, job_id: str, **fields: Any) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The record, with a queued or running job whose runner died turned into "failed"."""
        raise NotImplementedError

    def release(self, job_id: str) -> None:
        """Give up the job's lock (its runner is done with it)."""
        raise NotImplementedError

    def claim(self, job_id: str) -> bool:
        """Called by the runner as it starts: True while the job still holds its model's lock."""
        raise NotImplementedError

    # shared helpers ----------------------------------------------------------------------------
    @staticmethod
    def _new(model: str, task: str, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": uuid.uuid4().hex, "model": model, "task": task, "params": params, "state": "queued",
                "progress": 0.0, "message": "queued", "result": None, "error": None, "created_at": now(),
                "started_at": None, "finished_at": None}

    @staticmethod
    def _died(record: dict[str, Any], why: str) -> dict[str, Any]:
        return {**record, "state": "failed", "finished_at": now(), "error": why,
                "message": f"failed: {why}"}


class LocalBoard(JobBoard):
    """Records in files, locks by flock (see the module docstring)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._held: dict[str, int] = {}  # job id -> fd of the lock file this process holds for it
        self._mutex = threading.Lock()

    def _path(self, job_id: str) -> Path:
        if not job_id.isalnum():
            raise KeyError(job_id)
        return self.directory / f"{job_id}.json"

    def _lock_path(self, model: str) -> Path:
        return self.directory / (model.replace("/", "_") + ".lock")

    def _write(self, record: dict[str, Any]) -> None:
        path = self._path(record["id"])
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.replace(path)

    def _read(self, job_id: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self._path(job_id).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError):
            return None

    def _finishing(self, holder: str | None) -> bool:
        """The holder has written its final state and is about to let go of the lock."""
        record = self._read(holder) if holder and holder.isalnum() else None
        return record is not None and record["state"] not in ACTIVE_STATES

    def create(self, model: str, task: str, params: dict[str, Any]) -> dict[str, Any]:
        self._prune()
        fd = os.open(self._lock_path(model), os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + FINISHING_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or None
                if not self._finishing(holder) or time.monotonic() > deadline:
                    os.close(fd)
                    raise Busy(model, holder) from None
                time.sleep(0.02)
        record = self._new(model, task, params)
        os.ftruncate(fd, 0)
        os.pwrite(fd, record["id"].encode(), 0)
        self._write(record)
        with self._mutex:
            self._held[record["id"]] = fd
        return record

    def update(self, job_id: str, **fields: Any) -> dict[str, Any]:
        record = self._read(job_id)
        if record is None:
            raise KeyError(job_id)
        record.update(fields)
        self._write(record)
        return record

    def _alive(self, record: dict[str, Any]) -> bool:
        with self._mutex:
            if record["id"] in self._held:
                return True
        try:
            fd = os.open(self._lock_path(record["model"]), os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # held: by this job only if the file names it
                return os.pread(fd, 64, 0).decode(errors="replace").strip() == record["id"]
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        finally:
            os.close(fd)

    def get(self, job_id: str) -> dict[str, Any] | None:
        record = self._read(job_id) if job_id.isalnum() else None
        if record is None or record["state"] not in ACTIVE_STATES or self._alive(record):
            return record
        # re-read: the runner may have finished between the first read and the lock check
        latest = self._read(job_id) or record
        if latest["state"] not in ACTIVE_STATES:
            return latest
        dead = self._died(latest, "the process running this job stopped before it finished "
                                  "(killed or restarted); the served model is unchanged")
        self._write(dead)
        return dead

    def claim(self, job_id: str) -> bool:
        with self._mutex:
            return job_id in self._held

    def release(self, job_id: str) -> None:
        with self._mutex:
            fd = self._held.pop(job_id, None)
        if fd is not None:
            os.close(fd)  # closing drops the flock

    def _prune(self) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for path in self.directory.glob("*.json"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass


class RedisBoard(JobBoard):
    """Records and locks in Redis (see the module docstring)."""

    def __init__(self, client: Any, *, prefix: str = "microscout:jobs:", heartbeat: float = 30.0,
                 queued_ttl: float = 24 * 3600):
        self.redis = client
        self.prefix = prefix
        self.heartbeat = heartbeat
        self.queued_ttl = queued_ttl

    def _key(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    def _lock(self, model: str) -> str:
        return f"{self.prefix}lock:{model}"

    def create(self, model: str, task: str, params: dict[str, Any]) -> dict[str, Any]:
        record = self._new(model, task, params)
        deadline = time.monotonic() + FINISHING_WAIT
        # a queued job waits for a worker: its lock lasts until one picks it up (then it is renewed)
        while not self.redis.set(self._lock(model), record["id"], nx=True, px=int(self.queued_ttl * 1000)):
            holder = self._holder(model)
            raw = self.redis.get(self._key(holder)) if holder else None
            finishing = raw is not None and json.loads(raw)["state"] not in ACTIVE_STATES
            if not finishing or time.monotonic() > deadline:
                raise Busy(model, holder)
            time.sleep(0.02)
        self.redis.set(self._key(record["id"]), json.dumps(record), ex=KEEP_SECONDS)
        return record

    def update(self, job_id: str, **fields: Any) -> dict[str, Any]:
        raw = self.redis.get(self._key(job_id))
        if raw is None:
            raise KeyError(job_id)
        record = {**json.loads(raw), **fields}
        self.redis.set(self._key(job_id), json.dumps(record), ex=KEEP_SECONDS)
        return record

    def _holder(self, model: str) -> str | None:
        value = self.redis.get(self._lock(model))
        return value.decode() if isinstance(value, bytes) else value

    def get(self, job_id: str) -> dict[str, Any] | None:
        raw = self.redis.get(self._key(job_id))
        if raw is None:
            return None
        record = dict(json.loads(raw))
        if record["state"] not in ACTIVE_STATES or self._holder(record["model"]) == record["id"]:
            return record
        raw = self.redis.get(self._key(job_id))  # it may have finished meanwhile
        record = dict(json.loads(raw)) if raw else record
        if record["state"] not in ACTIVE_STATES:
            return record
        if record["state"] == "running":
            beat = float(record.get("heartbeat") or self.heartbeat)  # the worker's, recorded as it started
            why = (f"the worker running this job stopped (no heartbeat for {beat:.0f} s); "
                   "the served model is unchanged")
        else:
            why = (f"no worker picked this job up within {self.queued_ttl / 3600:.0f} h "
                   "(is `microscout worker` running?)")
        dead = self._died(record, why)
        self.redis.set(self._key(job_id), json.dumps(dead), ex=KEEP_SECONDS)
        return dead

    def claim(self, job_id: str) -> bool:
        raw = self.redis.get(self._key(job_id))
        if raw is None:
            return False
        model = json.loads(raw)["model"]
        return self._renew(model, job_id)

    _RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
              "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end")
    _RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
                "return redis.call('del', KEYS[1]) else return 0 end")

    def _renew(self, model: str, job_id: str) -> bool:
        return bool(self.redis.eval(self._RENEW, 1, self._lock(model), job_id, int(self.heartbeat * 1000)))

    def keep_alive(self, job_id: str, model: str, stop: threading.Event) -> threading.Thread:
        """Renew the lock every heartbeat / 3 seconds until ``stop`` is set (the runner's heartbeat)."""
        def beat() -> None:
            while not stop.wait(self.heartbeat / 3):
                try:
                    self._renew(model, job_id)
                except Exception:  # Redis away for a moment: the next beat retries
                    pass

        thread = threading.Thread(target=beat, name=f"job-heartbeat-{job_id[:8]}", daemon=True)
        thread.start()
        return thread

    def release(self, job_id: str) -> None:
        raw = self.redis.get(self._key(job_id))
        if raw is not None:
            self.redis.eval(self._RELEASE, 1, self._lock(json.loads(raw)["model"]), job_id)
