"""The score of a creator snapshot: every section of DESIGN.md's Score, from one embedding pass.

The scorer gathers every text the answer needs (bio, captions, comments, niche briefs), embeds the
ones not yet cached in one batched call, and hands the vectors to each part.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from server.scoring import authenticity, brands, disclosure, engagement, languages, niche, voices
from server.scoring.comments import CommentModel
from server.scoring.headlines import headlines
from server.scoring.niche import Background, Niche, brief_vector, calibration
from server.scoring.score import Score
from server.vocab import tier

log = logging.getLogger(__name__)
READ_AHEAD_MIN = 8  # fewer new comments than this are cheaper to read than a thread is to start

# Default blend of the overall score; a niche's brief may carry its own ``weights``.
DEFAULT_WEIGHTS = {"fit": 0.40, "authenticity": 0.30, "engagement": 0.20, "disclosure": 0.10}
_CONFIDENCE = ["low", "medium", "high"]


@dataclass(frozen=True)
class ScoreContext:
    """What the store knows beyond the snapshot: peers' engagement rates, the audience's comments on
    other tracked creators (pods), reasons about the creator's history (a follower jump), the brand
    profile and the creator's exclusivity terms (outreach)."""

    peer_rates: Sequence[float] = ()
    cross_creator: dict[str, list[str]] | None = None
    extra_reasons: list[str] = field(default_factory=list)
    brand: brands.BrandProfile = field(default_factory=brands.BrandProfile)
    exclusivity: str | None = None


def score_context(store: Any, snapshot: Any) -> ScoreContext:
    """What ``store`` knows beyond the snapshot: engagement peers, shared commenters (pods), a follower
    jump, the brand profile and, when competitors are named, the creator's exclusivity terms."""
    authors = sorted({c.author for c in snapshot.comments if c.author and not c.by_creator})
    # the saved history plus the count seen now: a jump shows before the creator is saved again
    jump = store.follower_jump(snapshot.platform, snapshot.handle, followers=snapshot.followers)
    brand = brands.BrandProfile.from_record(store.get_brand())
    terms = None
    if brand.competitors:  # the window matters only when a competitor can be found
        saved = store.get_creator(snapshot.platform, snapshot.handle)
        terms = ((saved or {}).get("outreach") or {}).get("exclusivity") or None
    return ScoreContext(
        brand=brand, exclusivity=terms,
        peer_rates=store.peer_rates(snapshot.platform, tier(snapshot.followers),
                                    exclude=(snapshot.platform, snapshot.handle)),
        cross_creator=store.commenter_links(snapshot.platform, snapshot.handle, authors),
        extra_reasons=[jump["reason"]] if jump else [],
    )


class Scorer:
    """Scores snapshots with one embedder, one comment model and the zero-shot background."""

    def __init__(self, embedder: Any, comment_model: CommentModel, background: Background):
        trained_on = comment_model.metadata.get("embedder")
        if trained_on and trained_on != embedder.version:
            log.warning("comment model %s was trained on %s vectors and is served on %s ones; "
                        "bench/quality_bench.py measures what that costs", comment_model.version, trained_on,
                        embedder.version)
        self.embedder = embedder
        self.comment_model = comment_model
        self.background = background

    def versions(self) -> dict[str, str]:
        return {"embedder": self.embedder.version, "comments": self.comment_model.version}

    # -- comments -------------------------------------------------------------------------------
    def classify(self, items: Sequence[Any]) -> dict[str, Any]:
        texts = [item.text for item in items]
        vectors = self.embedder.encode(texts)
        verdicts = self.comment_model.classify(texts, vectors, [item.post_caption for item in items],
                                               [getattr(item, "platform", None) for item in items])
        return {"comments": verdicts, "model": self.comment_model.version}

    # -- the whole score ------------------------------------------------------------------------
    def score(self, snapshot: Any, niches: Sequence[Niche], context: ScoreContext | None = None) -> Score:
        context = context or ScoreContext()
        posts = [(p.id, p.caption) for p in snapshot.posts if p.caption.strip()]
        comments = snapshot.comments
        niche_parts = [n.texts() for n in niches]

        texts: list[str] = [snapshot.bio] if snapshot.bio.strip() else []
        texts += [caption for _, caption in posts] + [c.text for c in comments]
        texts += [t for parts in niche_parts for t in parts]
        comment_texts = [c.text for c in comments]
        captions = {p.id: p.caption for p in snapshot.posts}
        comment_captions = [captions.get(c.post_id or "") for c in comments]
        ahead = self._ahead(snapshot, comment_texts, comment_captions, context)
        vectors = self.embedder.encode(texts)
        early = ahead()

        at = 0
        bio_vector = None
        if snapshot.bio.strip():
            bio_vector, at = vectors[0], 1
        post_vectors = vectors[at:at + len(posts)]
        at += len(posts)
        comment_vectors = vectors[at:at + len(comments)]
        at += len(comments)

        disc = early["disclosure"]
        organic = set(disc.get("organic_post_ids", []))
        fits, lines = [], []
        for item, parts in zip(niches, niche_parts, strict=True):
            part_vectors = vectors[at:at + len(parts)]
            at += len(parts)
            fits.append(self._fit(item, part_vectors, snapshot, bio_vector, posts, post_vectors, organic))
            vec = brief_vector(part_vectors)
            lines.append(voices.NicheLine(item.id, item.name, vec,
                                          calibration=calibration(self.background, vec)))

        verdicts = self.comment_model.classify(comment_texts, comment_vectors, comment_captions,
                                               snapshot.platform, read=early["comments"])
        caption_vectors = {pid: vec for (pid, _), vec in zip(posts, post_vectors, strict=True)}
        auth = authenticity.assess(snapshot, verdicts, comment_vectors, caption_vectors,
                                   context.cross_creator)
        eng = early["engagement"]
        heard = voices.assess(snapshot, verdicts, comment_vectors, caption_vectors, lines)
        worked = brands.assess(snapshot, disc["posts"], context.brand, context.exclusivity)

        creator = {"platform": snapshot.platform, "handle": snapshot.handle,
                   "display_name": snapshot.display_name, "followers": snapshot.followers,
                   "tier": tier(snapshot.followers)}
        return _typed({
            "creator": creator,
            "overall": self._overall(fits, auth, eng, disc, niches, context),
            "niche_fit": fits,
            "authenticity": auth,
            "engagement": eng,
            "disclosure": disc,
            "languages": early["languages"],
            "voices": heard,
            "brands": worked,
            "versions": {**self.versions(), **{f"fit-{f['niche']}": f["model_version"] for f in fits}},
        })

    def _ahead(self, snapshot: Any, texts: list[str], captions: list[str | None],
               context: ScoreContext) -> Callable[[], dict[str, Any]]:
        """The parts that need no vectors: disclosure, engagement, languages, and the comment model's
        text half (n-gram heads, lexical features, the generic rules) for the comments whose vectors are
        not cached. With enough new comments (a new snapshot's 60 take about 25 ms) they run on a thread
        while the embedder makes the vectors; else when the returned call asks for them."""
        new = [i for i, seen in enumerate(self.embedder.cached(texts)) if not seen]

        def work(read_comments: bool) -> dict[str, Any]:
            read = None
            if read_comments:
                read = (new, self.comment_model.read([texts[i] for i in new], snapshot.platform,
                                                     [captions[i] for i in new]))
            return {"disclosure": disclosure.assess(snapshot), "comments": read,
                    "engagement": engagement.assess(snapshot, context.peer_rates),
                    "languages": languages.assess(
                        snapshot.bio, [p.caption for p in snapshot.posts if p.caption.strip()],
                        [c.text for c in snapshot.comments if not c.by_creator])}

        if len(new) < READ_AHEAD_MIN:  # a few new comments: classify() reads them itself, no thread
            return lambda: work(read_comments=False)
        future: Future[dict[str, Any]] = Future()

        def run() -> None:
            # Thread.start() returns once this thread has run, and this thread keeps the GIL for a switch
            # interval (5 ms) unless it lets go: let the request's thread hand its texts to the embedder
            # first (the setup took 3.7 ms before this)
            time.sleep(0)
            try:
                future.set_result(work(read_comments=True))
            except BaseException as exc:  # raised in the request's thread by future.result()
                future.set_exception(exc)

        threading.Thread(target=run, name="score-ahead", daemon=True).start()
        return future.result

    def _fit(self, item: Niche, part_vectors: np.ndarray, snapshot: Any, bio_vector: np.ndarray | None,
             posts: list[tuple[str, str]], post_vectors: np.ndarray, organic: set[str]) -> dict[str, Any]:
        result = niche.assess(item, part_vectors, snapshot.bio, bio_vector, posts, post_vectors,
                              self.background, organic)
        if item.model is not None and result["score"] is not None:
            result = item.model.rescore(result, bio_vector, post_vectors)
        elif item.note:
            result = {**result, "reasons": [item.note, *result["reasons"]]}
        return result

    @staticmethod
    def _overall(fits: list[dict], auth: dict, eng: dict, disc: dict, niches: Sequence[Niche],
                 context: ScoreContext) -> dict[str, Any]:
        scored_fits = [f for f in fits if f["score"] is not None]
        best = max(scored_fits, key=lambda f: f["score"], default=None)
        weights = dict(DEFAULT_WEIGHTS)
        if best is not None:
            brief = next(n for n in niches if n.id == best["niche"])
            weights.update(brief.weights or {})
        parts = {"fit": (best or {}).get("score"), "authenticity": auth.get("score"),
                 "engagement": eng.get("score"), "disclosure": disc.get("score")}
        confidences = {"fit": (best or {}).get("confidence"), "authenticity": auth.get("confidence"),
                       "engagement": eng.get("confidence"), "disclosure": disc.get("confidence")}
        used = {k: v for k, v in parts.items() if v is not None}
        reasons: list[str] = []
        said = headlines(best, auth, eng, disc)
        if not used:
            return {"score": None, "confidence": "low", "weights": weights, "components": parts,
                    "headlines": said, "reasons": ["Nothing could be scored from this capture."]}
        total = sum(weights[k] for k in used)
        score = sum(weights[k] * v for k, v in used.items()) / total
        missing = sorted(set(parts) - set(used))
        if missing:
            reasons.append("Not scored, left out of the blend: " + ", ".join(missing) + ".")
        if best is not None:
            reasons.append(f"Best niche: {best['name']} ({best['score']:.0f}).")
        else:
            reasons.append("No niche given or stored: overall leaves niche fit out.")
        levels = [c for k, c in confidences.items() if k in used and c in _CONFIDENCE]
        conf = min(levels, key=_CONFIDENCE.index) if levels else "low"
        weakest = [k for k, c in confidences.items() if c == conf and k in used]
        reasons.append(f"Confidence {conf}: the weakest input is {', '.join(weakest) or 'unknown'}.")
        reasons.extend(context.extra_reasons)
        return {"score": round(score, 1), "confidence": conf, "weights": weights,
                "components": parts, "headlines": said, "reasons": reasons}


def _typed(score: dict[str, Any]) -> Score:
    """The sections as a Score; a section that breaks its schema is a bug here, not the client's (500)."""
    try:
        return Score.model_validate(score)
    except ValidationError as exc:
        raise RuntimeError(f"the scorer built a score its schema refuses: {exc}") from exc
