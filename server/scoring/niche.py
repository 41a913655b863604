"""Zero-shot niche fit: how much a creator's bio and captions are about a brand's niche brief.

A brief (name, description, keywords, hashtags, example posts) becomes one vector: the normalised
centroid of its parts' embeddings, the keywords as one list (each keyword on its own pulled the
centroid toward the middle of the space, where every post is "similar": on the development part of
training/niche_eval.py that cost more than 0.05 AUC).

**A post is on the niche relative to what else it could be about.** A raw cosine to the brief means
little on its own: it depends on the brief's wording, on the post's language (a Spanish caption sits
further from an English brief than its English translation does) and on how "central" the post is in
the embedding space. So each post is scored against the brief *and* a fixed set of generic topics
(``ANCHORS_FILE``: sports, food, politics, everyday life, ...): its on-niche value is the softmax
probability of the brief among them, at temperature ``Method.temperature``. Topics that stand out as
close to the brief (cosine more than ``Method.exclude_z`` standard deviations above the topics' mean
cosine to it) are left out for that brief, so a "Fitness" brief does not compete with the generic
"fitness" topic. Length and hubness move the cosines to the brief and to the topics alike, and cancel.

Language does not cancel by itself: a multilingual model puts a text nearer texts of its own language.
So for e5 each topic is the centroid of its text in six languages (``Method.languages``), and every
cosine is taken in a language-neutral ``View``: from the mean of the topic texts, with the directions
in which their languages differ removed. On the development part this lifted the cross-validated
objective from 0.943 (English topics) to 0.960, and French from the one language where the method lost
to the plain cosine to one where it wins. The topics are written in eight more languages
(``TOPIC_LANGUAGES``); all fourteen scored 0.962, within the noise, so the server kept six. On
unseen creators in 17 languages the method separates on-niche creators from off-niche ones far better
than the cosine itself: training/reports/niche-fit.md.

The creator level:

- the consistency S is the mean on-niche value over the creator's texts (bio and captions);
- the percentile P places S among background creators judged on as many texts (sets of ordinary
  TweetTopic posts drawn per topic, plus mixed ones): "more on-niche than P% of ordinary creators";
- the score is ``100 * sqrt(P/100 * C * n / (n + EVIDENCE_TEXTS))`` with the consistency share
  ``C = clip((S - Method.ordinary) / (Method.consistent - Method.ordinary), 0, 1)``. P alone saturates
  (most ordinary creators have nothing to do with any one niche, so a single on-niche post already
  beats most of them), and the geometric mean with C demands consistency. Even a clearly on-niche
  post leaves the other topics some probability, and an off-niche one keeps some too, so C places S
  between ``Method.ordinary`` (the S of a typical creator who posts nothing on the niche: C = 0) and
  ``Method.consistent`` (the S that counts as fully consistent: C = 1). The last
  factor is the evidence: one text can give at most 71, three 87, twelve 96, so a glance at one to
  three posts of a scroll page is never as sure as a profile.

``on_niche_share`` is the share of captions whose on-niche value reaches ``Method.on_niche``.

The constants of ``Method`` depend on the embedding model (its cosines spread differently). The
temperature, the exclusion and the topics' design were chosen by cross-validation on the development
part of training/niche_eval.py. ``ordinary``, ``on_niche`` and ``consistent`` only set the answer's
scale (they leave every ranking as it is), and for e5 they are set by hand so that real captions read
sensibly (tests/scoring). The development part's own figures for them (training/reports/niche-fit.md:
e5's median S of creators with no post on the niche 0.10, the post value that best splits on-niche
from off-niche posts 0.17, the median S of creators with every post on the niche 0.48) come from
tweets and encyclopedia sentences, far less plainly about one topic than a creator's captions. On
real captions a cook averages 0.27 on a Running brief and 0.77 on Cooking, a runner 0.92 on Running
and a Spanish lifter 0.78 on Fitness; at the development part's scale the cook would count as a
consistent running creator. MiniLM's ``ordinary`` is its development part's figure.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from server.vocab import slugify

BACKGROUND_FILE = Path(__file__).parent / "data" / "background_posts.jsonl"
ANCHORS_FILE = Path(__file__).parent / "data" / "topic_anchors.json"
POSTS_PER_BACKGROUND_CREATOR = 12
CREATORS_PER_TOPIC = 40
MIXED_CREATORS = 120
EVIDENCE_TEXTS = 1.0
EVIDENCE = 3
# the languages ANCHORS_FILE's topics are written in ("en" is ``topics``, the rest its ``translations``)
TOPIC_LANGUAGES = ("en", "fr", "es", "de", "pt", "it", "ja", "el", "zh", "ko", "ar", "hi", "tr", "id")


@dataclass(frozen=True)
class Method:
    """The on-niche value's settings for one embedding model (cosine scales differ by model)."""

    temperature: float
    exclude_z: float
    on_niche: float     # a post whose value reaches this counts as on the niche (on_niche_share)
    consistent: float   # a creator whose S reaches this counts as fully consistent
    ordinary: float = 0.0  # the S of a creator who posts nothing on the niche (no consistency at all)
    languages: tuple[str, ...] = ("en",)  # each topic is the centroid of its text in these languages
    neutral: bool = False  # cosines taken in the topics' language-neutral view (``View``), not as they are


# From the development part of training/niche_eval.py (never its evaluation part), but the scale
# constants (by hand: see the module docstring).
METHODS = {"e5": Method(temperature=0.05, exclude_z=0.5, on_niche=0.6, consistent=0.7, ordinary=0.25,
                      languages=TOPIC_LANGUAGES[:6], neutral=True),
           "minilm": Method(temperature=0.1, exclude_z=float("inf"), on_niche=0.3, consistent=0.5,
                            ordinary=0.057)}
DEFAULT_METHOD = "e5"


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
        if self.hashtags:
            parts.append(" ".join("#" + h.lstrip("#") for h in self.hashtags))
        parts.extend(self.example_posts)
        return parts


def brief_vector(part_vectors: np.ndarray) -> np.ndarray:
    centroid = part_vectors.mean(axis=0)
    return centroid / (np.linalg.norm(centroid) or 1.0)


def load_anchors(path: Path = ANCHORS_FILE, languages: Sequence[str] = ("en",)) -> list[list[str]]:
    """Each topic's texts in ``languages`` ("en" is ``topics``, the others its ``translations``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    written = {"en": data["topics"], **data.get("translations", {})}
    return [list(texts) for texts in zip(*(written[lang] for lang in languages), strict=True)]


class View:
    """Where cosines are taken: from ``center`` (the mean of every topic text), with the directions in
    which the topic texts' languages differ (``drop``: orthonormal rows) removed. A multilingual model
    puts a text nearer texts of its own language whatever they are about; seen from here, the part of
    a vector that says "English" or "French" is gone and the part that says what it is about stays."""

    def __init__(self, center: np.ndarray, drop: np.ndarray):
        self.center = np.asarray(center, dtype=np.float32)
        self.drop = np.asarray(drop, dtype=np.float32).reshape(-1, len(self.center))

    @classmethod
    def of(cls, texts: np.ndarray) -> View:
        """From topic text vectors (topics x languages x dim)."""
        center = texts.reshape(-1, texts.shape[-1]).mean(axis=0)
        offsets = texts.mean(axis=0) - center  # each language's mean against the mean of all
        _, strength, directions = np.linalg.svd(offsets, full_matrices=False)
        return cls(center, directions[strength > 1e-6 * max(float(strength.max()), 1e-12)])

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        moved = np.asarray(vectors, dtype=np.float32) - self.center
        return unit(moved - (moved @ self.drop.T) @ self.drop)


def anchor_vectors(encode: Callable[[list[str]], np.ndarray], method: Method,
                   path: Path = ANCHORS_FILE) -> tuple[np.ndarray, View | None]:
    """(the topics as unit vectors, the view cosines are taken in or None) for ``method``.

    A topic is the normalised centroid of its texts in ``method.languages``: a topic written in English
    alone draws English posts of every kind and loses posts written in French. Such centroids sit
    nearer the middle of the space than any one text (nearer every post: "hubs"), and a brief in one
    language still sits nearer posts in that language; a ``neutral`` method takes every cosine (post,
    brief and topic) in the topics' ``View``, which answers both.
    """
    topics = load_anchors(path, method.languages)
    flat = np.asarray(encode([text for texts in topics for text in texts]), dtype=np.float32)
    texts = flat.reshape(len(topics), len(method.languages), -1)
    centroids = unit(texts.mean(axis=1))
    if not method.neutral:
        return centroids, None
    view = View.of(texts)
    return view(centroids), view


def unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def on_niche(similarities: np.ndarray, anchor_similarities: np.ndarray, temperature: float) -> np.ndarray:
    """Each text's on-niche value, 0..1: the softmax probability of the brief among the brief and the
    competing topics (``anchor_similarities``: texts x topics)."""
    sims = np.asarray(similarities, dtype=np.float64).reshape(-1, 1)
    others = np.asarray(anchor_similarities, dtype=np.float64).reshape(len(sims), -1)
    rest = np.exp(np.clip((others - sims) / temperature, -60.0, 60.0)).sum(axis=1)
    return 1.0 / (1.0 + rest)


class Calibration:
    """One brief against the background: on-niche values of texts, and the creators' reference."""

    def __init__(self, background: Background, brief: np.ndarray):
        self.brief = np.asarray(brief, dtype=np.float32)  # the evidence's similarity is the plain cosine
        self.method = background.method
        self.view = background.view
        self._brief = self.seen(self.brief)
        anchors = background.anchors
        closeness = anchors @ self._brief
        standing_out = closeness - closeness.mean() >= self.method.exclude_z * (closeness.std() or 1.0)
        self.anchors = anchors[~standing_out]
        values = self.values(background.vectors)
        self.line = self.method.on_niche
        self.consistent = self.method.consistent
        self.ordinary = self.method.ordinary
        if not self.ordinary < self.consistent:
            raise ValueError(f"{self.method}: ordinary must be below consistent")
        members = background.members
        # reference[n - 1]: sorted consistency of background creators judged on their first n posts
        self.reference = [np.sort(values[members[:, :n]].mean(axis=1))
                          for n in range(1, members.shape[1] + 1)]

    def seen(self, vectors: np.ndarray) -> np.ndarray:
        return vectors if self.view is None else self.view(vectors)

    def values(self, vectors: np.ndarray) -> np.ndarray:
        vectors = self.seen(np.asarray(vectors, dtype=np.float32).reshape(-1, len(self.brief)))
        return on_niche(vectors @ self._brief, vectors @ self.anchors.T, self.method.temperature)

    def scores(self, totals: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(score 0-100, percentile P, consistency S) of creators from their sums of on-niche values
        and their numbers of texts (at least 1)."""
        counts = np.asarray(counts, dtype=np.int64)
        s = np.asarray(totals, dtype=np.float64) / counts
        p = np.empty_like(s)
        for n in np.unique(counts):
            at = counts == n
            p[at] = percentiles(s[at], self.reference[min(int(n), len(self.reference)) - 1])
        evidence = counts / (counts + EVIDENCE_TEXTS)
        share = np.clip((s - self.ordinary) / (self.consistent - self.ordinary), 0.0, 1.0)
        return 100.0 * np.sqrt(p / 100.0 * share * evidence), p, s


class Background:
    """Ordinary posts from many topics, the synthetic creators built from them, and the generic topics
    a post is weighed against."""

    def __init__(self, vectors: np.ndarray, members: np.ndarray, source: str, anchors: np.ndarray,
                 method: Method, view: View | None = None):
        self.vectors = vectors      # (n_posts, dim)
        self.members = members      # (n_creators, posts per creator): indices of each creator's posts
        self.source = source
        self.anchors = anchors      # (n_topics, dim), as seen in ``view``
        self.method = method
        self.view = view            # where cosines are taken (None: as the vectors are)

    @classmethod
    def load(cls, embedder: Any, path: Path = BACKGROUND_FILE, seed: int = 7) -> Background:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        vectors = embedder.encode([r["text"] for r in rows])
        method = method_of(embedder)
        anchors, view = anchor_vectors(embedder.encode, method)
        return cls.from_posts(vectors, [r["topics"] for r in rows], f"{path.name}: {len(rows)} posts",
                              anchors, method, seed, view)

    @classmethod
    def from_posts(cls, vectors: np.ndarray, topics: list[list[str]], source: str, anchors: np.ndarray,
                   method: Method, seed: int = 7, view: View | None = None) -> Background:
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
        return cls(vectors, np.array(sets), f"{source}, {len(sets)} background creators", anchors, method,
                   view)

    def calibrate(self, niche_vector: np.ndarray) -> Calibration:
        return Calibration(self, niche_vector)


def calibration(background: Background, brief: np.ndarray) -> Calibration:
    """``background.calibrate(brief)``, kept while the brief is unchanged: a repeated score or glance
    costs no recalibration."""
    brief = np.ascontiguousarray(brief, dtype=np.float32)
    return _calibration(background, brief.tobytes())


@functools.lru_cache(maxsize=256)
def _calibration(background: Background, brief: bytes) -> Calibration:
    return background.calibrate(np.frombuffer(brief, dtype=np.float32))


def method_of(embedder: Any) -> Method:
    """The settings for the embedder's model (the default model's for an embedder that does not say)."""
    model = getattr(getattr(embedder, "model", None), "name", DEFAULT_METHOD)
    return METHODS.get(model, METHODS[DEFAULT_METHOD])


def percentile(value: float, sorted_reference: np.ndarray) -> float:
    """Share of the reference below ``value``, 0-100 (ties count half)."""
    return float(percentiles(np.asarray([value]), sorted_reference)[0])


def percentiles(values: np.ndarray, sorted_reference: np.ndarray) -> np.ndarray:
    below = np.searchsorted(sorted_reference, values, side="left")
    upto = np.searchsorted(sorted_reference, values, side="right")
    return 100.0 * (below + upto) / (2 * len(sorted_reference))


def confidence(n_texts: int) -> str:
    return "low" if n_texts < 4 else "medium" if n_texts < 10 else "high"


def summary(name: str, share: float | None, captions: int, pct: float, n_texts: int) -> list[str]:
    """Reasons a person would write: what the captions are about, how that compares with ordinary
    creators, how much it rests on. The numbers themselves are in the result's fields."""
    reasons = []
    if share is not None and captions:
        hits = round(share * captions)
        if hits == captions:
            reasons.append(f"Every caption is about {name}.")
        elif share >= 0.75:
            reasons.append(f"Nearly all captions are about {name}.")
        elif share > 0.5:
            reasons.append(f"Most captions are about {name}.")
        elif 2 * hits == captions:
            reasons.append(f"Half the captions are about {name}.")
        elif hits == 1 and captions >= 4:
            reasons.append(f"Only one post is about {name}: a single hit, not a consistent creator.")
        elif hits > 0:
            reasons.append(f"Some captions are about {name}, most are about other things.")
        else:
            reasons.append(f"None of the captions is about {name}: they are about other things.")
    if pct >= 90:
        reasons.append("More on-niche than nearly all ordinary creators.")
    elif pct >= 60:
        reasons.append("More on-niche than most ordinary creators.")
    else:
        reasons.append("No more on-niche than an ordinary creator.")
    if n_texts < 4:
        reasons.append("Judged on very few texts: a first impression, not a verdict.")
    return reasons


def assess(niche: Niche, part_vectors: np.ndarray, bio: str, bio_vector: np.ndarray | None,
           posts: list[tuple[str, str]], post_vectors: np.ndarray, background: Background,
           organic_ids: set[str] | None = None) -> dict[str, Any]:
    """Zero-shot fit of one creator to one niche.

    ``posts`` are (post id, caption) pairs with non-empty captions, aligned with ``post_vectors``.
    """
    vec = brief_vector(part_vectors)
    found = calibration(background, vec)
    vectors = np.asarray(post_vectors, dtype=np.float32).reshape(len(posts), len(vec))
    sims = vectors @ found.brief if len(posts) else np.zeros(0, dtype=np.float32)
    values = found.values(vectors) if len(posts) else np.zeros(0)
    texts = list(values)
    if bio_vector is not None and bio.strip():
        texts.extend(found.values(bio_vector))
    n = len(texts)
    if n == 0:
        return {"niche": niche.id, "name": niche.name, "score": None, "raw": None, "percentile": None,
                "on_niche_share": None,
                "organic_score": None, "method": "zero-shot", "model_version": "zero-shot",
                "posts_analyzed": 0, "confidence": "low", "evidence": {"best": [], "worst": []},
                "reasons": ["No bio or captions were captured, so niche fit cannot be judged."]}
    score, pct, _ = (float(x[0]) for x in found.scores(np.array([sum(texts)]), np.array([n])))
    raw = float(np.mean(texts))
    hits = values >= found.line
    share = float(hits.mean()) if len(values) else None

    organic_score = None
    if organic_ids is not None and len(posts):
        organic = [v for (pid, _), v in zip(posts, values, strict=True) if pid in organic_ids]
        if organic and len(organic) < len(posts):
            organic_score = float(found.scores(np.array([sum(organic)]),
                                                     np.array([len(organic)]))[0][0])

    order = np.argsort(-sims)
    def ev(i: int) -> dict[str, Any]:
        return {"post_id": posts[i][0], "caption": posts[i][1][:280], "similarity": round(float(sims[i]), 4)}
    evidence = {"best": [ev(i) for i in order[:EVIDENCE]],
                "worst": [ev(i) for i in order[::-1][:min(2, max(0, len(order) - EVIDENCE))]]}

    reasons = summary(niche.name, share, len(posts), pct, n)
    if organic_score is not None:
        reasons.append("The unsponsored posts alone are on the niche too: the content stands on its own "
                       "without brands." if organic_score >= 50 else
                       "The unsponsored posts alone are not on the niche: the fit leans on sponsored "
                       "content.")
    return {"niche": niche.id, "name": niche.name, "score": round(score, 1), "raw": round(raw, 4),
            "percentile": round(pct, 1),
            "on_niche_share": None if share is None else round(share, 3),
            "organic_score": None if organic_score is None else round(organic_score, 1),
            "method": "zero-shot", "model_version": "zero-shot", "posts_analyzed": len(posts),
            "confidence": confidence(n), "evidence": evidence, "reasons": reasons}
