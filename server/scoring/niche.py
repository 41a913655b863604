"""Zero-shot niche fit: how much a creator's bio and captions are about a brand's niche brief.

A brief (name, description, keywords, hashtags, example posts) becomes one vector: the normalised
centroid of its parts' embeddings (on TweetTopic posts this ranked on-topic posts best of the
variants tried: centroid, max over parts, description alone, keywords alone).

A post's raw similarity is its cosine to that vector. Raw cosines mean little on their own (they
depend on the brief's wording), so both levels are calibrated against a background of ordinary
posts from many topics (TweetTopic, shipped in scoring/data):

- a post is *on the niche* when its similarity beats ``ON_NICHE_QUANTILE`` of background posts;
  softly, ``sigmoid((similarity - threshold) / SOFTNESS)``, so a post just under the line still counts
  a little;
- the creator's consistency S is the mean of that soft on-niche value over their texts (bio and
  captions): a creator whose every post is on the niche has S near 1, one viral on-niche post among
  eight has S near 1/8;
- the percentile P places S among background creators (sets of posts drawn per topic, plus mixed
  ones): "more on-niche than P% of ordinary creators".

The score is ``100 * sqrt(P/100 * S)``. P alone saturates: most ordinary creators have nothing to do
with any one niche, so a single on-niche post already beats most of them (on the running brief of the
tests, a cook with one running post has P = 82). The geometric mean keeps P's calibration and demands
consistency: that cook scores 40, a consistent runner 100, a half-and-half creator 73.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from server.vocab import slugify

BACKGROUND_FILE = Path(__file__).parent / "data" / "background_posts.jsonl"
ON_NICHE_QUANTILE = 0.90
SOFTNESS = 0.02
POSTS_PER_BACKGROUND_CREATOR = 12
CREATORS_PER_TOPIC = 40
MIXED_CREATORS = 120
EVIDENCE = 3


@dataclass
class Niche:
    """A brief to score against. ``model`` is a trained fit model when one is active."""

    id: str
    name: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    example_posts: list[str] = field(default_factory=list)
    weights: dict[str, float] | None = None
    model: Any = None
    stored: bool = False  # a stored niche (its trained fit model may serve), not an inline brief
    note: str | None = None  # why zero-shot serves although a fit model is active (another embedder's)

    @classmethod
    def from_brief(cls, brief: Any) -> Niche:
        return cls(id=slugify(brief.name), name=brief.name, description=brief.description,
                   keywords=list(brief.keywords), hashtags=list(brief.hashtags),
                   example_posts=list(brief.example_posts))

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Niche:
        return cls(id=record["id"], name=record["name"], description=record.get("description", ""),
                   keywords=list(record.get("keywords", [])), hashtags=list(record.get("hashtags", [])),
                   example_posts=list(record.get("example_posts", [])), weights=record.get("weights"),
                   stored=True)

    def texts(self) -> list[str]:
        """The brief's parts, each embedded on its own (and cached across requests)."""
        parts = [f"{self.name}. {self.description}".strip()]
        if self.keywords:
            parts.append(", ".join(self.keywords))
            parts.extend(self.keywords)
        if self.hashtags:
            parts.append(" ".join("#" + h.lstrip("#") for h in self.hashtags))
        parts.extend(self.example_posts)
        return parts


def brief_vector(part_vectors: np.ndarray) -> np.ndarray:
    centroid = part_vectors.mean(axis=0)
    return centroid / (np.linalg.norm(centroid) or 1.0)


class Background:
    """Ordinary posts from many topics and the synthetic creators built from them."""

    def __init__(self, vectors: np.ndarray, members: np.ndarray, source: str):
        self.vectors = vectors      # (n_posts, dim)
        self.members = members      # (n_creators, posts per creator): indices of each creator's posts
        self.source = source

    @classmethod
    def load(cls, embedder: Any, path: Path = BACKGROUND_FILE, seed: int = 7) -> Background:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        vectors = embedder.encode([r["text"] for r in rows])
        return cls.from_posts(vectors, [r["topics"] for r in rows], f"{path.name}: {len(rows)} posts", seed)

    @classmethod
    def from_posts(cls, vectors: np.ndarray, topics: list[list[str]], source: str,
                   seed: int = 7) -> Background:
        """Background creators drawn from posts (their vectors and topic lists): per topic, and mixed."""
        rng = np.random.default_rng(seed)
        by_topic: dict[str, list[int]] = {}
        for i, post_topics in enumerate(topics):
            for topic in post_topics:
                by_topic.setdefault(topic, []).append(i)
        sets: list[np.ndarray] = []
        for topic in sorted(by_topic):
            idx = by_topic[topic]
            if len(idx) < 4:
                continue
            for _ in range(CREATORS_PER_TOPIC):
                sets.append(rng.choice(idx, size=POSTS_PER_BACKGROUND_CREATOR, replace=len(idx) < 12))
        for _ in range(MIXED_CREATORS):
            sets.append(rng.choice(len(topics), size=POSTS_PER_BACKGROUND_CREATOR,
                                   replace=len(topics) < POSTS_PER_BACKGROUND_CREATOR))
        return cls(vectors, np.array(sets), f"{source}, {len(sets)} background creators")

    def calibrate(self, niche_vector: np.ndarray, quantile: float = ON_NICHE_QUANTILE,
                  softness: float = SOFTNESS) -> tuple[float, np.ndarray]:
        """(post on-niche threshold, sorted consistency S of the background creators) for one niche."""
        sims = self.vectors @ niche_vector
        threshold = float(np.quantile(sims, quantile))
        return threshold, np.sort(on_niche(sims, threshold, softness)[self.members].mean(axis=1))


def calibration(background: Background, vec: np.ndarray) -> tuple[float, np.ndarray]:
    """``background.calibrate(vec)``, kept while the brief is unchanged: a repeated glance or score
    costs no recalibration (about 0.7 ms a niche)."""
    vec = np.ascontiguousarray(vec)
    return _calibration(background, vec.tobytes(), vec.dtype.str)


@functools.lru_cache(maxsize=256)
def _calibration(background: Background, vec: bytes, dtype: str) -> tuple[float, np.ndarray]:
    return background.calibrate(np.frombuffer(vec, dtype=dtype))


def on_niche(similarities: np.ndarray, threshold: float, softness: float = SOFTNESS) -> np.ndarray:
    """Soft on-niche value of each post, 0..1 (0.5 at the threshold)."""
    return 1.0 / (1.0 + np.exp(-(np.asarray(similarities, dtype=np.float64) - threshold) / softness))


def fit_score(consistency: float, reference: np.ndarray) -> tuple[float, float]:
    """(score 0-100, percentile P) of a creator's consistency S against the background creators."""
    p = percentile(consistency, reference)
    return 100.0 * float(np.sqrt(p / 100.0 * consistency)), p


def fit_scores(consistency: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``fit_score`` of many creators at once (the scores only)."""
    p = percentiles(np.asarray(consistency, dtype=np.float64), reference)
    return 100.0 * np.sqrt(p / 100.0 * consistency)


def percentile(value: float, sorted_reference: np.ndarray) -> float:
    """Share of the reference below ``value``, 0-100 (ties count half)."""
    return float(percentiles(np.asarray([value]), sorted_reference)[0])


def percentiles(values: np.ndarray, sorted_reference: np.ndarray) -> np.ndarray:
    below = np.searchsorted(sorted_reference, values, side="left")
    upto = np.searchsorted(sorted_reference, values, side="right")
    return 100.0 * (below + upto) / (2 * len(sorted_reference))


def confidence(n_texts: int) -> str:
    return "low" if n_texts < 4 else "medium" if n_texts < 10 else "high"


def assess(niche: Niche, part_vectors: np.ndarray, bio: str, bio_vector: np.ndarray | None,
           posts: list[tuple[str, str]], post_vectors: np.ndarray, background: Background,
           organic_ids: set[str] | None = None) -> dict[str, Any]:
    """Zero-shot fit of one creator to one niche.

    ``posts`` are (post id, caption) pairs with non-empty captions, aligned with ``post_vectors``.
    """
    vec = brief_vector(part_vectors)
    threshold, reference = background.calibrate(vec)
    sims = post_vectors @ vec if len(posts) else np.zeros(0, dtype=np.float32)
    texts = list(sims)
    if bio_vector is not None and bio.strip():
        texts.append(float(bio_vector @ vec))
    n = len(texts)
    reasons: list[str] = []
    if n == 0:
        return {"niche": niche.id, "name": niche.name, "score": None, "raw": None, "percentile": None,
                "on_niche_share": None,
                "organic_score": None, "method": "zero-shot", "model_version": "zero-shot",
                "posts_analyzed": 0, "confidence": "low", "evidence": {"best": [], "worst": []},
                "reasons": ["No bio or captions were captured, so niche fit cannot be judged."]}
    raw = float(np.mean(on_niche(np.array(texts), threshold)))
    score, pct = fit_score(raw, reference)
    hits = sims >= threshold
    share = float(hits.mean()) if len(sims) else None

    organic_score = None
    if organic_ids is not None and len(posts):
        organic = [s for (pid, _), s in zip(posts, sims, strict=True) if pid in organic_ids]
        if organic and len(organic) < len(posts):
            organic_score = fit_score(float(np.mean(on_niche(np.array(organic), threshold))), reference)[0]

    order = np.argsort(-sims)
    def ev(i: int) -> dict[str, Any]:
        return {"post_id": posts[i][0], "caption": posts[i][1][:280], "similarity": round(float(sims[i]), 4)}
    evidence = {"best": [ev(i) for i in order[:EVIDENCE]],
                "worst": [ev(i) for i in order[::-1][:min(2, max(0, len(order) - EVIDENCE))]]}

    reasons.append(f"More on the niche than {pct:.0f}% of ordinary creators, over {n} "
                   f"text{'s' if n != 1 else ''} (bio and captions).")
    if share is not None:
        reasons.append(f"{int(hits.sum())} of {len(sims)} captions are on the niche "
                       f"({share:.0%}; a post counts when it beats {ON_NICHE_QUANTILE:.0%} "
                       "of ordinary posts).")
        if len(sims) >= 4 and hits.sum() == 1:
            reasons.append("Only one post is on the niche: a single hit, not a consistent creator.")
    if organic_score is not None:
        stands = "still stands" if organic_score >= 50 else "does not stand"
        reasons.append(f"Organic posts alone score {organic_score:.0f}: the content {stands} on its own "
                       "without brands.")
    if n < 4:
        reasons.append(f"Only {n} text{'s' if n != 1 else ''}: low confidence.")
    return {"niche": niche.id, "name": niche.name, "score": round(score, 1), "raw": round(raw, 4),
            "percentile": round(pct, 1),
            "on_niche_share": None if share is None else round(share, 3),
            "organic_score": None if organic_score is None else round(organic_score, 1),
            "method": "zero-shot", "model_version": "zero-shot", "posts_analyzed": len(posts),
            "confidence": confidence(n), "evidence": evidence, "reasons": reasons}
