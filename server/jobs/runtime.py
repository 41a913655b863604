"""What a job runs with: store, registry, embedder and the zero-shot background.

The server hands its own (a training job then shares the server's embedder and caches); an RQ
worker or the command line builds one from the settings, each part on first use, so a worker
that only ever runs small jobs never loads the embedding model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from server.vocab import is_redis_url, redact_url

__all__ = ["Runtime"]


class Runtime:
    def __init__(self, config: Mapping[str, Any], *, store: Any = None, embedder: Any = None,
                 registry: Any = None, background: Callable[[], Any] | None = None):
        self.config = dict(config)
        self._store = store
        self._embedder = embedder
        self._registry = registry
        self._background_source = background
        self._background: Any = None
        self._jobs: Any = None
        self._lock = threading.RLock()

    @property
    def store(self) -> Any:
        with self._lock:
            if self._store is None:
                from server.storage import open_store

                self._store = open_store(self.config)
            return self._store

    @property
    def registry(self) -> Any:
        with self._lock:
            if self._registry is None:
                from server.registry import Registry
                from server.scoring.weights import embedder_version
                from server.settings import load

                config = {**load({}), **self.config}  # a partial config (tests, tools) gets the defaults
                self._registry = Registry(self.store, config["MODELS_DIR"], embedder=embedder_version(
                    config["EMBED_MODEL"], config["EMBED_BACKEND"]))
            return self._registry

    @property
    def embedder(self) -> Any:
        """The embedder, loaded; ``embedder=`` may be a function giving the server's current one."""
        with self._lock:
            if self._embedder is None:
                from server.scoring.embedder import Embedder

                self._embedder = Embedder.from_config(self.config)
            embedder = self._embedder() if callable(self._embedder) else self._embedder
        embedder.wait()
        return embedder

    @property
    def background(self) -> Any:
        """The shipped zero-shot background, the one the server scores with."""
        with self._lock:
            if self._background is None:
                if self._background_source is not None:
                    self._background = self._background_source()
                else:
                    from server.scoring.niche import Background

                    self._background = Background.load(self.embedder)
            return self._background

    def use_jobs(self, jobs: Any) -> None:
        """The server's jobs: what a job queues more work on (an audit after a model change)."""
        self._jobs = jobs

    @property
    def jobs(self) -> Any:
        """Where a job queues more work: the server's jobs, RQ on a team's Redis, else None (the command
        line in embedded mode, which must not run a second pool)."""
        with self._lock:
            if self._jobs is None and is_redis_url(str(self.config.get("STORE_URL") or "")):
                from server.jobs import open_jobs

                self._jobs = open_jobs(self.config, self)
            return self._jobs

    @property
    def data_dir(self) -> Path:
        return Path(self.config["DATA_DIR"])

    def redis(self) -> Any:
        """A client for the team's Redis (``STORE_URL``), for RQ and the job board."""
        import redis

        url = str(self.config.get("STORE_URL") or "")
        if not is_redis_url(url):
            raise ValueError(f"RQ workers need MICROSCOUT_STORE_URL=redis://...; it is {redact_url(url)!r}")
        return redis.Redis.from_url(url)
