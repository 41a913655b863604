"""The long-lived parts one server process holds: embedder, models, store. Kept on
``app.extensions["microscout"]``; loaded in the background so /healthz answers at once."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app

from server import errors
from server.errors import InvalidField, Unavailable
from server.jobs import open_jobs
from server.jobs.runtime import Runtime
from server.registry import COMMENTS, Registry, RegistryError, fit_model_name
from server.scoring.embedder import Embedder
from server.storage import Conflict, InvalidValue, NotFound, StoreError, StoreUnavailable, open_store
from server.vocab import tier

log = logging.getLogger(__name__)


class Services:
    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.embedder = Embedder.from_config(config)  # backend, data dir and Redis cache too
        self.scorer: Any = None  # server.scoring.scorer.Scorer once loaded
        self.store: Any = open_store(config)  # Redis connects lazily: the server starts while it is away
        self.registry = Registry(self.store, config["MODELS_DIR"])
        self.runtime = Runtime(config, store=self.store, embedder=lambda: self.embedder,
                               registry=self.registry, background=self._background)
        self.jobs = open_jobs(config, self.runtime)
        self._ready = threading.Event()
        self._settled = threading.Event()
        self._error: str | None = None

    def start(self) -> None:
        threading.Thread(target=self._load, name="models-load", daemon=True).start()

    def _load(self) -> None:
        try:
            from server.scoring.scorer import Scorer

            self.embedder.start()
            self.embedder.wait()
            self.scorer = Scorer.load(self.embedder, self.config["MODELS_DIR"])
            self._ready.set()
        except Exception as exc:
            log.exception("models failed to load")
            self._error = repr(exc)
        finally:
            self._settled.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the models loaded (True) or failed to (False)."""
        self._settled.wait(timeout)
        return self._ready.is_set()

    def require_scorer(self) -> Any:
        if not self._ready.is_set():
            message = ("Models failed to load: " + self._error if self._error
                       else "Models are loading; retry shortly.")
            raise Unavailable(message, {"retry_after": 2}, headers={"Retry-After": "2"})
        self._sync_comment_model()
        return self.scorer

    def _sync_comment_model(self) -> None:
        """Serve the comment version active in the store (another process may have switched it)."""
        try:
            version = self.registry.active_version(COMMENTS)
            if version is not None and version != self.scorer.comment_model.version:
                self.scorer.comment_model = self.registry.load(COMMENTS, version)
        except (RegistryError, StoreError) as exc:
            log.warning("keeping comment model %s: %s", self.scorer.comment_model.version, exc)

    def _background(self) -> Any:
        """Training features must match scoring's: the scorer's zero-shot background once loaded."""
        if self.scorer is not None:
            return self.scorer.background
        from server.scoring.niche import Background

        return Background.load(self.embedder)

    # -- training and active learning -------------------------------------------------------
    def check_trainable(self, name: str) -> None:
        """Raise ValueError (-> 422) when the model's labels cannot train it."""
        from server.jobs.tasks import preflight

        preflight(self.runtime, name)

    def submit_training(self, name: str, *, force: bool = False) -> dict[str, Any]:
        from server.jobs.tasks import TRAIN

        return self.jobs.submit(name, TRAIN, {"model": name, "force": force})

    def suggest(self, niche_id: str, limit: int) -> dict[str, Any]:
        from server.scoring.niche import Niche
        from server.scoring.suggestions import suggest

        scorer = self.require_scorer()
        brief = Niche.from_record(self.store.get_niche(niche_id))
        brief.model = self._fit_model(niche_id)
        labelled = {f"{lb['snapshot'].get('platform')}/{str(lb['snapshot'].get('handle', '')).casefold()}"
                    for lb in self.store.list_labels(niche_id) if isinstance(lb.get("snapshot"), dict)}
        creators = (self.store.get_creator(c["platform"], c["handle"]) for c in self.store.list_creators())
        return suggest(scorer.embedder, scorer.background, brief, (c for c in creators if c), labelled, limit)

    def _fit_model(self, niche_id: str) -> Any:
        """The niche's active trained fit model, or None (zero-shot); read from the store every time."""
        try:
            return self.registry.active_model(fit_model_name(niche_id))
        except RegistryError as exc:
            log.warning("niche %s scored zero-shot: %s", niche_id, exc)
            return None

    def token_name(self, token: str) -> str | None:
        """The team member behind a token from ``microscout tokens create`` (auth.identify asks)."""
        return self.store.token_name(token) if self.store is not None else None

    def health(self) -> dict[str, Any]:
        status = "ok" if self._ready.is_set() else ("error" if self._error else "loading")
        models: dict[str, Any] = {"embedder": self.embedder.version if self.embedder.ready else "loading"}
        if self.scorer is not None:
            models.update(self.scorer.versions())
        if self._error:
            models["error"] = self._error
        store = "none" if self.store is None else getattr(self.store, "kind", type(self.store).__name__)
        return {"status": status, "store": store, "models": models}


    # -- what a score request needs from the store ------------------------------------------
    def resolve_niches(self, requested: list | None) -> list:
        """Inline briefs and stored niche ids -> scoring Niches; None means every stored niche."""
        from server.schemas import NicheBrief
        from server.scoring.niche import Niche

        if requested is None:
            niches = [Niche.from_record(rec) for rec in self.store.list_niches()] if self.store else []
            for item in niches:
                item.model = self._fit_model(item.id)
            return niches
        niches = []
        for i, item in enumerate(requested):
            if isinstance(item, NicheBrief):
                niches.append(Niche.from_brief(item))
                continue
            record = self.store.get_niche(item) if self.store else None
            if record is None:
                raise InvalidField(f"niches.{i}: no stored niche with id '{item}'",
                                   {"fields": [{"field": f"niches.{i}", "message": "unknown niche id"}]})
            niches.append(Niche.from_record(record))
            niches[-1].model = self._fit_model(record["id"])
        return niches

    def score_context(self, snapshot: Any) -> dict[str, Any]:
        """What other creators this server has seen: engagement peers and shared commenters (pods)."""
        if self.store is None:
            return {}
        authors = sorted({c.author for c in snapshot.comments if c.author and not c.by_creator})
        # the saved history plus the count seen now: a jump shows before the creator is saved again
        jump = self.store.follower_jump(snapshot.platform, snapshot.handle, followers=snapshot.followers)
        return {
            "peer_rates": self.store.peer_rates(snapshot.platform, tier(snapshot.followers),
                                                exclude=(snapshot.platform, snapshot.handle)),
            "cross_creator": self.store.commenter_links(snapshot.platform, snapshot.handle, authors),
            "extra_reasons": [jump["reason"]] if jump else [],
        }


def get() -> Services:
    return current_app.extensions["microscout"]


def _store_error(exc: StoreError) -> Any:
    """The store's errors on the wire; a store that is away is a 503 until it returns."""
    if isinstance(exc, StoreUnavailable):
        log.warning("store unavailable: %s", exc.message)
        err: errors.ApiError = Unavailable("The store is unavailable; retry shortly.", {"retry_after": 2},
                                           headers={"Retry-After": "2"})
    elif isinstance(exc, NotFound):
        err = errors.NotFound(exc.message)
    elif isinstance(exc, Conflict):
        err = errors.Conflict(exc.message, {"field": exc.field} if exc.field else {})
    elif isinstance(exc, InvalidValue):
        field = exc.field or "(body)"
        err = InvalidField(f"{field}: {exc.message}", {"fields": [{"field": field, "message": exc.message}]})
    else:
        err = errors.ApiError(exc.message)
    return errors.envelope(err.code, err.message, err.details, err.status, err.headers)


def init_app(app: Flask) -> None:
    services = Services(app.config)
    app.extensions["microscout"] = services
    app.register_error_handler(StoreError, _store_error)
    if app.config["LOAD_MODELS"]:
        services.start()
