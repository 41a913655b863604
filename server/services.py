"""The long-lived parts one server process holds: embedder, models, store. Kept on
``app.extensions["microscout"]``; loaded in the background so /healthz answers at once."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app

from server.errors import Unavailable
from server.scoring.embedder import Embedder

log = logging.getLogger(__name__)


class Services:
    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.embedder = Embedder(batch_size=config["EMBED_BATCH"], cache_mb=config["EMBED_CACHE_MB"])
        self.scorer: Any = None  # server.scoring.scorer.Scorer once loaded
        self.store: Any = None
        self._ready = threading.Event()
        self._error: str | None = None

    def start(self) -> None:
        threading.Thread(target=self._load, name="models-load", daemon=True).start()

    def _load(self) -> None:
        from server.scoring.scorer import Scorer

        try:
            self.embedder.wait()
            self.scorer = Scorer.load(self.embedder, self.config["MODELS_DIR"])
            self._ready.set()
        except Exception as exc:
            log.exception("models failed to load")
            self._error = repr(exc)

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def require_scorer(self) -> Any:
        if not self._ready.is_set():
            message = "Models failed to load: " + self._error if self._error else "Models are loading; retry shortly."
            raise Unavailable(message, {"retry_after": 2}, headers={"Retry-After": "2"})
        return self.scorer

    def health(self) -> dict[str, Any]:
        status = "ok" if self._ready.is_set() else ("error" if self._error else "loading")
        models: dict[str, Any] = {"embedder": self.embedder.version if self.embedder.ready else "loading"}
        if self.scorer is not None:
            models.update(self.scorer.versions())
        if self._error:
            models["error"] = self._error
        store = "none" if self.store is None else getattr(self.store, "kind", type(self.store).__name__)
        return {"status": status, "store": store, "models": models}


def get() -> Services:
    return current_app.extensions["microscout"]


def init_app(app: Flask) -> None:
    services = Services(app.config)
    app.extensions["microscout"] = services
    if app.config["LOAD_MODELS"]:
        services.start()
