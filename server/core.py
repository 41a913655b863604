"""The Scout: what one microscout process holds and does, without Flask.

It owns the embedder, the scorer (loaded in the background so /healthz answers at once), the store,
the model registry and the jobs. The API views, the dashboard, the command line and the workers
call its verbs (``score``, ``classify``, ``resolve_niches``, ``suggest``, ``submit_training``,
``health``); ``server.services`` only keeps one Scout on the Flask app.

Its errors are domain errors (:class:`NotReady`, :class:`UnknownNiche`, and those of the store, the
registry and the jobs): ``server.errors`` holds the one table that turns them into HTTP answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from server.jobs import open_jobs
from server.jobs.runtime import Runtime
from server.registry import COMMENTS, Registry, RegistryError, fit_model_name
from server.schemas import ClassifyItem, NicheBrief, Snapshot
from server.schemas.discovery import GlanceAnswer, GlanceFit, GlanceRequest, GlanceResponse
from server.scoring.brands import BrandProfile
from server.scoring.embedder import Embedder
from server.scoring.niche import Niche
from server.scoring.score import Score
from server.scoring.scorer import ScoreContext, Scorer
from server.storage import StoreError, open_store
from server.vocab import tier

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


class Scout:
    """The domain: scoring, classifying, niches, training and health over one store and registry."""

    def __init__(self, config: Mapping[str, Any]):
        self.config = dict(config)
        self.embedder = Embedder.from_config(self.config)  # backend, data dir and Redis cache too
        self.scorer: Scorer | None = None  # once loaded
        self.store: Any = open_store(self.config)  # Redis connects lazily: the server starts while it is away
        self.registry = Registry(self.store, self.config["MODELS_DIR"])
        self.runtime = Runtime(self.config, store=self.store, embedder=lambda: self.embedder,
                               registry=self.registry, background=self._background)
        self.jobs = open_jobs(self.config, self.runtime)
        self._ready = threading.Event()
        self._settled = threading.Event()
        self._error: str | None = None

    # -- loading --------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the models on a thread; ``wait`` blocks until they are in."""
        threading.Thread(target=self._load, name="models-load", daemon=True).start()

    def _load(self) -> None:
        try:
            self.embedder.start()
            self.embedder.wait()
            self.scorer = Scorer(self.embedder, self.registry.active_model(COMMENTS),
                                 self._background_of(self.embedder))
            self._ready.set()
        except Exception as exc:
            log.exception("models failed to load")
            self._error = repr(exc)
        finally:
            self._settled.set()

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
            item.model = self._fit_model(fit_model_name(item.id), versions[fit_model_name(item.id)])

    def _fit_model(self, name: str, version: str | None) -> Any:
        """The loaded fit model of ``version``, or None (zero-shot, or a version that does not load)."""
        try:
            return self.registry.model(name, version)
        except RegistryError as exc:
            log.warning("%s scored zero-shot: %s", name, exc)
            return None

    def score_context(self, snapshot: Snapshot) -> ScoreContext:
        """What other creators this server has seen: engagement peers and shared commenters (pods)."""
        authors = sorted({c.author for c in snapshot.comments if c.author and not c.by_creator})
        # the saved history plus the count seen now: a jump shows before the creator is saved again
        jump = self.store.follower_jump(snapshot.platform, snapshot.handle, followers=snapshot.followers)
        brand = BrandProfile.from_record(self.store.get_brand())
        terms = None
        if brand.competitors:  # the window matters only when a competitor can be found
            saved = self.store.get_creator(snapshot.platform, snapshot.handle)
            terms = ((saved or {}).get("outreach") or {}).get("exclusivity") or None
        return ScoreContext(
            brand=brand, exclusivity=terms,
            peer_rates=self.store.peer_rates(snapshot.platform, tier(snapshot.followers),
                                             exclude=(snapshot.platform, snapshot.handle)),
            cross_creator=self.store.commenter_links(snapshot.platform, snapshot.handle, authors),
            extra_reasons=[jump["reason"]] if jump else [],
        )

    # -- discovery: chips on scroll pages and the inbox ------------------------------------------
    def glance(self, request: GlanceRequest) -> GlanceResponse:
        """Per creator of ``request``, in order: tier, fit per niche over the texts seen (this glance's
        and the newest kept from earlier ones), the watchlist's status and overall when saved. Every
        glance is remembered in the Discovered inbox. Store reads: niches, active versions, the
        inbox's records; one write for all creators.
        """
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
        kept = {n.id for n in briefs if n.stored}  # the inbox ranks by stored niches, not inline briefs
        remembered = self.store.remember_glances([
            {"platform": c.platform, "handle": c.handle, "texts": c.texts, "followers": c.followers,
             "seen_on": c.seen_on.model_dump() if c.seen_on else None,
             "fit": {f["niche"]: f["score"] for f in fit if f["niche"] in kept}}
            for c, fit in zip(request.creators, found, strict=True)])
        return GlanceResponse(creators=[
            GlanceAnswer(platform=c.platform, handle=c.handle, followers=record["followers"],
                         tier=record["tier"], posts_seen=len(own), watchlist=record["watchlist"],
                         niche_fit=[GlanceFit.model_validate(f) for f in fit])
            for c, own, fit, record in zip(request.creators, texts, found, remembered, strict=True)])

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
        brief.model = self._fit_model(name, self.registry.active_versions([name])[name])
        labelled = {f"{lb['snapshot'].get('platform')}/{str(lb['snapshot'].get('handle', '')).casefold()}"
                    for lb in self.store.list_labels(niche_id) if isinstance(lb.get("snapshot"), dict)}
        creators = (self.store.get_creator(c["platform"], c["handle"]) for c in self.store.list_creators())
        return suggest(scorer.embedder, scorer.background, brief, (c for c in creators if c), labelled, limit)

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
