"""Zero-shot niche fit on creators built from real posts the model never saw, in 17 languages.

Data (../shared/data, the training parts only: the datasets' own held-out parts are measured outside
the project): English TweetTopicXL; its Spanish, Greek and Japanese parts; SIB-200 in 13 languages
(the same sentences translated). To bound embedding time at e5's cost, SIB-200 is subsampled to half
its sentences (``SIB_SHARE``, chosen by a hash of the sentence id, the same sentences in every
language). Briefs: training/data/niche-briefs.json, in English and in the creators' language.

Protocol:

- every post goes, by a hash of its group (tweet id; SIB sentence id, so a sentence and its
  translations stay together), into the **development** part or the **evaluation** part (half each,
  ``PART_SALT``). Every choice (the method, its settings) was made on the development part; the
  evaluation part is read once, by ``evaluate``, with the settings fixed beforehand;
- a creator has ``POSTS`` posts: *all* on the niche, *one* of four on it, or *none*; ``CREATORS`` of
  each kind per niche, brief language and seed;
- ROC AUC between all and none, and between all and one, per dataset, niche and brief language, for
  ``plain-old`` (the mean of cosines to the brief vector the server used before: every keyword
  embedded on its own), ``plain`` (the mean of cosines to the brief vector the server uses now, the
  stricter baseline) and ``anchored`` (server.scoring.niche: each post's softmax probability of the
  brief among the generic topics, mean over the creator's posts; the server's score is a monotone
  function of that mean for a given number of posts, so it has the same AUC);
- the anchored method's temperature and topic exclusion are chosen on the development part
  (``choose``: the lowest temperature within ``TIE`` of the best objective) by 2-fold cross-validation
  (choose on one fold's creators, measure on the other's: ``cv``), and the setting chosen on the whole
  development part is the one the evaluation uses;
- how the topics are built (``DESIGNS``: in English only or as centroids over 6, 9 or 14 languages,
  cosines as they are or in a language-neutral view: ``niche.Method.languages`` and ``neutral``) is
  compared by the same cross-validation on the development part (``designs``); the server keeps its
  design unless another wins by more than ``TIE`` (``choose_design``);
- the constants that only set the answer's scale (``niche.Method.on_niche``, ``consistent`` and
  ``ordinary``) are read off the development part with that setting (``scale``): the post value that
  best splits on-niche from off-niche posts (Youden's J), and the median consistency of all-on-niche
  creators and of creators with none. Tweets and encyclopedia sentences are far less plainly about a
  topic than a creator's captions, so the server sets its own by hand (server/scoring/niche.py).

``python -m training.niche_eval`` writes training/reports/niche-fit.md and .json. Vectors are cached
on disk per encoder (``CACHE_DIR``).
"""


from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring import niche
from training.encoders import Encoder

# ../shared/data beside the repository (CI), or the team's shared folder (worktrees under /work/wt)
SHARED = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "data", Path("/work/shared/data"))
               if p.is_dir()), Path("/work/shared/data"))
BRIEFS_FILE = Path(__file__).resolve().parent / "data" / "niche-briefs.json"
REPORTS_DIR = Path(__file__).resolve().parent / "reports"
CACHE_DIR = Path("/tmp/microscout-niche-eval")
POSTS = 4
CREATORS = 40          # of each kind (all, one, none) per niche
MIN_ON_POSTS = 4       # a niche needs this many on-niche posts in a part to build creators
SEEDS = (0, 1, 2)
PART_SALT = "microscout-niche-2026"
SIB_SHARE = "sib-subsample"
SIB_LANGUAGES = {"eng_Latn": "en", "spa_Latn": "es", "por_Latn": "pt", "deu_Latn": "de", "fra_Latn": "fr",
                 "ita_Latn": "it", "ind_Latn": "id", "hin_Deva": "hi", "jpn_Jpan": "ja", "kor_Hang": "ko",
                 "tur_Latn": "tr", "arb_Arab": "ar", "zho_Hans": "zh"}
TWEET_TOPIC = {"en": "tweet-topic-xl/train.jsonl", "es": "tweet-topic-xl-multilingual/es_*.jsonl",
               "el": "tweet-topic-xl-multilingual/gr_*.jsonl", "ja": "tweet-topic-xl-multilingual/ja_*.jsonl"}
# What the development part's cross-validation chooses among; objectives within TIE count as equal.
TIE = 0.01
GRID = {"temperature": (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 3.0),
        "exclude_z": (0.5, 0.75, 1.0, 1.5, 2.0, float("inf"))}


@dataclass(frozen=True)
class Post:
    text: str
    topics: frozenset[str]
    group: str


@dataclass
class Dataset:
    name: str          # e.g. "sib-de", "tweet-topic-es"
    family: str        # "tweet_topic" or "sib": which briefs
    language: str      # ISO 639-1
    posts: list[Post]


def load_datasets(shared: Path = SHARED) -> list[Dataset]:
    briefs = json.loads(BRIEFS_FILE.read_text())
    out = []
    for lang, pattern in TWEET_TOPIC.items():
        posts = []
        for path in sorted(shared.glob(pattern)):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    topics = frozenset(c for c in briefs["tweet_topic"] if row.get(c) == 1
                                       or c in {t.lower().replace(",", "").replace(" ", "_")
                                                for t in row.get("topics", [])})
                    posts.append(Post(row["text"], topics, f"tt-{lang}-{row['id']}"))
        out.append(Dataset(f"tweet-topic-{lang}", "tweet_topic", lang, posts))
    for folder, lang in SIB_LANGUAGES.items():
        posts = []
        for split in ("train", "dev"):
            path = shared / "sib-200" / folder / f"{split}.tsv"
            for line in path.read_text(encoding="utf-8").splitlines()[1:]:
                index_id, category, text = line.split("\t", 2)
                posts.append(Post(text, frozenset([category]), f"sib-{index_id}"))
        out.append(Dataset(f"sib-{lang}", "sib", lang, posts))
    return out


def in_sib_share(post: Post) -> bool:
    return hashlib.blake2b(f"{SIB_SHARE}:{post.group}".encode(), digest_size=8).digest()[0] % 2 == 0


def in_development(group: str) -> bool:
    return hashlib.blake2b(f"{PART_SALT}:{group}".encode(), digest_size=8).digest()[0] % 2 == 0


def in_first_fold(group: str) -> bool:
    return hashlib.blake2b(f"{PART_SALT}-inner:{group}".encode(), digest_size=8).digest()[0] % 2 == 0


def evaluation_datasets(shared: Path = SHARED) -> list[Dataset]:
    """The datasets as evaluated here: SIB-200 cut to its ``SIB_SHARE`` half."""
    out = load_datasets(shared)
    for ds in out:
        if ds.family == "sib":
            ds.posts = [p for p in ds.posts if in_sib_share(p)]
    return out


def old_texts(brief: niche.Niche) -> list[str]:
    """The brief's parts as the server embedded them before: every keyword also on its own."""
    return brief.texts() + list(brief.keywords)


def brief_niches(family: str, language: str) -> dict[str, dict[str, niche.Niche]]:
    """niche key -> {"en": brief, "native": brief} (native is the English one for English datasets)."""
    spec = json.loads(BRIEFS_FILE.read_text())[family]
    out = {}
    for key, by_lang in spec.items():
        def make(lang: str, key: str = key, by_lang: dict[str, Any] = by_lang) -> niche.Niche:
            name, description, keywords = by_lang[lang]
            return niche.Niche(id=niche.slugify(key), name=name, description=description, keywords=keywords)
        out[key] = {"en": make("en"), "native": make(language if language in by_lang else "en")}
    return out


# -- vectors ---------------------------------------------------------------------------------------
class VectorCache:
    """Vectors on disk per encoder (text and kind -> vector), so research runs embed each text once."""

    def __init__(self, encoder: Encoder, root: Path = CACHE_DIR / "vectors"):
        self.encoder = encoder
        self.dir = root / "-".join(filter(None, (encoder.name, encoder.build)))  # new ONNX graph, new vectors
        self.dir.mkdir(parents=True, exist_ok=True)
        self.vectors: dict[str, np.ndarray] = {}
        for path in sorted(self.dir.glob("*.npz")):
            with np.load(path) as stored:
                self.vectors.update(zip((str(k) for k in stored["keys"]), stored["vecs"], strict=True))

    @staticmethod
    def key(kind: str, text: str) -> str:
        return hashlib.sha1(f"{kind}\0{text}".encode()).hexdigest()

    def get(self, texts: Sequence[str], kind: str = "query") -> np.ndarray:
        keys = [self.key(kind, t) for t in texts]
        missing = sorted({(k, t) for k, t in zip(keys, texts, strict=True) if k not in self.vectors})
        embed = self.encoder.queries if kind == "query" else self.encoder.passages
        for start in range(0, len(missing), 256):
            chunk = missing[start:start + 256]
            vecs = embed([t for _, t in chunk])
            self.vectors.update(zip((k for k, _ in chunk), vecs, strict=True))
            np.savez(self.dir / f"{time.time_ns()}.npz", keys=np.array([k for k, _ in chunk]), vecs=vecs)
        return np.stack([self.vectors[k] for k in keys])


@dataclass
class Vectors:
    posts: dict[str, np.ndarray]                              # dataset -> (n_posts, dim)
    briefs: dict[tuple[str, str, str], np.ndarray]            # (dataset, niche, "en"/"native") -> vector
    old_briefs: dict[tuple[str, str, str], np.ndarray]
    anchors: np.ndarray
    view: niche.View | None = None  # where the anchored method takes cosines (niche.anchor_vectors)
    values: dict[tuple[str, str, str, str], np.ndarray] = field(default_factory=dict)  # memo

    def anchored(self, dataset: str, key: str, which: str, setting: dict[str, float]) -> np.ndarray:
        """The on-niche values of every post of ``dataset`` (they depend on neither seed nor part)."""
        memo = (dataset, key, which, str(setting))
        if memo not in self.values:
            self.values[memo] = anchored_values(self.posts[dataset], self.briefs[(dataset, key, which)],
                                                self.anchors, setting, self.view)
        return self.values[memo]


def embed_all(encoder: Encoder, datasets: Sequence[Dataset]) -> Vectors:
    """Every text as the server embeds it: e5 gives every text the ``query: `` prefix; the topics as the
    server's method for the encoder's model builds them (``niche.anchor_vectors``)."""
    cache = VectorCache(encoder)
    posts = {ds.name: cache.get([p.text for p in ds.posts]) for ds in datasets}
    briefs, old = {}, {}
    for ds in datasets:
        for key, pair in brief_niches(ds.family, ds.language).items():
            for which, brief in pair.items():
                briefs[(ds.name, key, which)] = niche.brief_vector(cache.get(brief.texts()))
                old[(ds.name, key, which)] = niche.brief_vector(cache.get(old_texts(brief)))
    anchors, view = niche.anchor_vectors(cache.get, method_for(encoder))
    return Vectors(posts, briefs, old, anchors, view)


def method_for(encoder: Encoder) -> niche.Method:
    """The server's method for the encoder's model: its topics' languages and view."""
    return niche.METHODS["minilm" if encoder.name == "minilm" else "e5"]


# -- creators and scores ---------------------------------------------------------------------------
def creators(on: np.ndarray, off: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Post indices of the all / one / none creators: (CREATORS, POSTS) each."""
    def draw(n_on: int) -> np.ndarray:
        return np.array([np.concatenate([rng.choice(on, n_on, replace=False),
                                         rng.choice(off, POSTS - n_on, replace=False)])
                         for _ in range(CREATORS)])
    return {"all": draw(POSTS), "one": draw(1), "none": draw(0)}


def anchored_values(posts: np.ndarray, brief: np.ndarray, anchors: np.ndarray,
                    setting: dict[str, float], view: niche.View | None = None) -> np.ndarray:
    """niche.Calibration's on-niche value of every post for one brief and setting."""
    method = niche.Method(setting["temperature"], setting["exclude_z"], on_niche=0.5, consistent=1.0)
    background = niche.Background(posts[:1], np.zeros((1, 1), dtype=np.int64), "none", anchors, method,
                                  view=view)
    return niche.Calibration(background, brief).values(posts)


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic: P(pos > neg), ties half (sklearn's value, 1000x faster)."""
    diff = np.asarray(pos)[:, None] - np.asarray(neg)[None, :]
    return float((diff > 0).mean() + 0.5 * (diff == 0).mean())


def aucs(scores: dict[str, np.ndarray]) -> dict[str, float]:
    return {"all_vs_none": auc(scores["all"], scores["none"]),
            "all_vs_one": auc(scores["all"], scores["one"])}


def niche_posts(datasets: Sequence[Dataset], mask: dict[str, np.ndarray]
                ) -> Iterator[tuple[Dataset, str, np.ndarray, np.ndarray]]:
    """(dataset, niche key, on-niche post indices, off-niche post indices) among the posts in ``mask``,
    for every niche with enough posts of both kinds to draw creators from."""
    for ds in datasets:
        usable = np.flatnonzero(mask[ds.name])
        for key in brief_niches(ds.family, ds.language):
            on = np.array([i for i in usable if key in ds.posts[i].topics])
            off = np.array([i for i in usable if key not in ds.posts[i].topics])
            if len(on) >= MIN_ON_POSTS and len(off) >= POSTS:
                yield ds, key, on, off


def brief_languages(ds: Dataset) -> tuple[str, ...]:
    """The briefs a dataset is judged against: English, and the creators' own language when not English."""
    return ("en",) if ds.language == "en" else ("en", "native")


def evaluate_part(datasets: Sequence[Dataset], vectors: Vectors, mask: dict[str, np.ndarray],
                  settings: Sequence[dict[str, float]], seeds: Sequence[int] = SEEDS,
                  salt: str = "") -> list[dict[str, Any]]:
    """One row per (dataset, niche, brief language, seed): AUCs of both plain means and each setting,
    creators drawn from the posts in ``mask``."""
    rows = []
    for ds, key, on, off in niche_posts(datasets, mask):
        vecs = vectors.posts[ds.name]
        for seed in seeds:
            made = creators(on, off, np.random.default_rng([seed, zlib_hash(ds.name + salt)]))
            for which in brief_languages(ds):
                brief = vectors.briefs[(ds.name, key, which)]
                old = vectors.old_briefs[(ds.name, key, which)]
                row: dict[str, Any] = {
                    "dataset": ds.name, "family": ds.family, "language": ds.language, "niche": key,
                    "brief": which, "seed": seed, "on_posts": len(on),
                    "plain-old": aucs({k: (vecs[idx] @ old).mean(axis=1) for k, idx in made.items()}),
                    "plain": aucs({k: (vecs[idx] @ brief).mean(axis=1) for k, idx in made.items()})}
                for i, setting in enumerate(settings):
                    values = vectors.anchored(ds.name, key, which, setting)
                    row[f"setting{i}"] = aucs({k: values[idx].mean(axis=1) for k, idx in made.items()})
                rows.append(row)
    return rows


def scale(datasets: Sequence[Dataset], vectors: Vectors, mask: dict[str, np.ndarray],
          setting: dict[str, float]) -> dict[str, float]:
    """``niche.Method.on_niche`` and ``consistent`` for ``setting``, from the posts in ``mask``: the
    on-niche value that best separates on-niche from off-niche posts (Youden's J, every dataset, niche
    and brief language pooled, each weighed equally), and the median mean value of all-on creators
    (``consistent``) and of creators with no post on the niche (``ordinary``)."""
    on_values, off_values, consistency, ordinary = [], [], [], []
    for ds, key, on, off in niche_posts(datasets, mask):
        made = creators(on, off, np.random.default_rng(zlib_hash(ds.name + "scale")))
        for which in brief_languages(ds):
            values = vectors.anchored(ds.name, key, which, setting)
            on_values.append(values[on])
            off_values.append(values[off])
            consistency.extend(values[made["all"]].mean(axis=1))
            ordinary.extend(values[made["none"]].mean(axis=1))
    grid_values = np.unique(np.quantile(np.concatenate(on_values + off_values), np.linspace(0.01, 0.99, 197)))
    j = [np.mean([(v >= t).mean() for v in on_values]) - np.mean([(v >= t).mean() for v in off_values])
         for t in grid_values]
    return {"on_niche": round(float(grid_values[int(np.argmax(j))]), 3),
            "consistent": round(float(np.median(consistency)), 3),
            "ordinary": round(float(np.median(ordinary)), 3), "youden_j": round(float(max(j)), 3)}


def zlib_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")


def choose(scores: Sequence[float], settings: Sequence[dict[str, float]]) -> int:
    """Among the settings whose objective is within ``TIE`` of the best, the lowest temperature, then
    the fewest topics left out. The objective is flat from low temperatures up (e5: 0.942 at 0.02,
    0.948 at 1.0), where every value drifts to 1 / (topics + 1), and a soft softmax lets a brief win
    posts of another topic written in the brief's own language (a Spanish "Cocina" brief took a
    Spanish lifter's captions as its own at 0.05: tests/scoring/test_niche_languages.py); a sharp one
    makes the brief compete with the topics post by post."""
    top = max(scores)
    near = [i for i, score in enumerate(scores) if score >= top - TIE]
    return min(near, key=lambda i: (settings[i]["temperature"], -settings[i]["exclude_z"]))


def grid() -> list[dict[str, float]]:
    return [dict(zip(GRID, values, strict=True)) for values in product(*GRID.values())]


def objective(rows: list[dict[str, Any]], key: str) -> float:
    """What the choice maximises: the mean over rows of both AUCs."""
    return float(np.mean([(r[key]["all_vs_none"] + r[key]["all_vs_one"]) / 2 for r in rows]))


def parts(datasets: Sequence[Dataset]) -> dict[str, dict[str, np.ndarray]]:
    dev = {d.name: np.array([in_development(p.group) for p in d.posts]) for d in datasets}
    first = {d.name: np.array([in_first_fold(p.group) for p in d.posts]) for d in datasets}
    return {"development": dev, "evaluation": {n: ~m for n, m in dev.items()},
            "fold0": {n: dev[n] & first[n] for n in dev}, "fold1": {n: dev[n] & ~first[n] for n in dev}}


def cross_validate(datasets: Sequence[Dataset], vectors: Vectors, split: dict[str, dict[str, np.ndarray]],
                   settings: Sequence[dict[str, float]]) -> list[dict[str, Any]]:
    """Choose a setting on one fold of the development part, measure it on the other, both ways."""
    folds = [evaluate_part(datasets, vectors, split[f"fold{i}"], settings, salt=f"fold{i}") for i in (0, 1)]
    cv = []
    for i in (0, 1):
        chosen = choose([objective(folds[i], f"setting{j}") for j in range(len(settings))], settings)
        cv.append({"chosen_on": f"fold{i}", "setting": settings[chosen],
                   "measured": objective(folds[1 - i], f"setting{chosen}"),
                   "plain": objective(folds[1 - i], "plain")})
    return cv


# How the topics a post is weighed against are built (niche.Method.languages and .neutral), compared on
# the development part by the same cross-validation; every design's languages are a part of
# niche.TOPIC_LANGUAGES, and the server's e5 method is one of them (``server_design``).
SIX = niche.TOPIC_LANGUAGES[:6]
DESIGNS = {"English topics": (("en",), False),
           "topics in six languages": (SIX, False),
           "topics in six languages, language-neutral view": (SIX, True),
           "topics in nine languages, language-neutral view": (niche.TOPIC_LANGUAGES[:9], True),
           "topics in fourteen languages, language-neutral view": (niche.TOPIC_LANGUAGES, True)}


def server_design() -> str:
    """The name of the design the server's e5 method uses."""
    method = niche.METHODS["e5"]
    return next(name for name, design in DESIGNS.items() if design == (method.languages, method.neutral))


def choose_design(objectives: dict[str, float], current: str) -> str:
    """The server keeps its design unless another beats it by more than ``TIE``: a change must be worth
    its cost (more topic texts embedded at start, more directions taken out of the view)."""
    best = max(objectives, key=lambda name: objectives[name])
    return best if objectives[best] > objectives[current] + TIE else current


def designs(encoder: Encoder, datasets: Sequence[Dataset], base: Vectors,
            split: dict[str, dict[str, np.ndarray]]) -> dict[str, float]:
    """Each design's cross-validated objective (the mean over both folds' measured objectives)."""
    cache = VectorCache(encoder)
    out = {}
    for name, (languages, neutral) in DESIGNS.items():
        method = niche.Method(0.05, 1.0, on_niche=0.5, consistent=1.0, languages=languages, neutral=neutral)
        anchors, view = niche.anchor_vectors(cache.get, method)
        vectors = Vectors(base.posts, base.briefs, base.old_briefs, anchors, view)
        cv = cross_validate(datasets, vectors, split, grid())
        out[name] = round(float(np.mean([c["measured"] for c in cv])), 4)
    return out


def run(encoder: Encoder, datasets: Sequence[Dataset], evaluate: bool = True) -> dict[str, Any]:
    """The development part's cross-validation and choice, then (``evaluate``) the evaluation part."""
    vectors = embed_all(encoder, datasets)
    settings = grid()
    split = parts(datasets)
    cv = cross_validate(datasets, vectors, split, settings)
    development = evaluate_part(datasets, vectors, split["development"], settings, salt="development")
    scores = [objective(development, f"setting{j}") for j in range(len(settings))]
    best = choose(scores, settings)
    objectives = {str(st): sc for st, sc in zip(settings, scores, strict=True)}
    result: dict[str, Any] = {"encoder": encoder.name, "cv": cv, "chosen": settings[best],
                              "scale": scale(datasets, vectors, split["development"], settings[best]),
                              "development_objective": objectives,
                              "designs": {} if encoder.name == "minilm"
                              else designs(encoder, datasets, vectors, split)}
    for name, rows in (("development", development),):
        for r in rows:
            r["anchored"] = r[f"setting{best}"]
            for j in range(len(settings)):
                r.pop(f"setting{j}")
        result[name] = rows
    if evaluate:
        rows = evaluate_part(datasets, vectors, split["evaluation"], [settings[best]], seeds=(0, 1, 2, 3, 4),
                             salt="evaluation")
        for r in rows:
            r["anchored"] = r.pop("setting0")
        result["evaluation"] = rows
    return result


# -- report ----------------------------------------------------------------------------------------
METHODS = ("plain-old", "plain", "anchored")
GOALS = {"all_vs_none": 0.95, "all_vs_one": 0.90}
MARGIN = 0.03


def summarise(rows: list[dict[str, Any]], by: Sequence[str]) -> dict[tuple[Any, ...], dict[str, float]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in by), []).append(r)
    return {key: {f"{m}.{metric}": float(np.mean([r[m][metric] for r in members]))
                  for m in METHODS for metric in GOALS} for key, members in sorted(groups.items())}


def _table(results: list[dict[str, Any]], part: str, by: tuple[str, str], title: str) -> list[str]:
    cols = [(r["encoder"], m, metric) for r in results for metric in GOALS for m in METHODS]
    short = {"all_vs_none": "all/none", "all_vs_one": "all/one"}
    lines = [f"### {title}", "", f"| {by[0]} | {by[1]} | "
             + " | ".join(f"{e} {short[metric]} {m}" for e, m, metric in cols) + " |",
             "|" + "---|" * (2 + len(cols))]
    tables = {r["encoder"]: summarise(r[part], by) for r in results}
    for key in tables[results[0]["encoder"]]:
        cells = []
        for e, m, metric in cols:
            value = tables[e].get(key, {}).get(f"{m}.{metric}")
            cell = "n/a" if value is None else f"{value:.3f}"
            if m == "anchored" and value is not None and value < GOALS[metric]:
                cell += f" ({value - GOALS[metric]:+.3f})"
            cells.append(cell)
        lines.append(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " |")
    return lines + [""]


def goals(result: dict[str, Any], part: str) -> list[str]:
    """Per dataset: which goals the anchored method misses, and by how much."""
    table = summarise(result[part], ("dataset",))
    missed = []
    for (dataset,), s in table.items():
        gaps = [f"{metric.replace('_vs_', '/')} {s[f'anchored.{metric}']:.3f} < {goal}"
                for metric, goal in GOALS.items() if s[f"anchored.{metric}"] < goal]
        gaps += [f"beats plain by {s[f'anchored.{metric}'] - s[f'plain.{metric}']:+.3f} "
                 f"({metric.replace('_vs_', '/')})"
                 for metric in GOALS if s[f"anchored.{metric}"] - s[f"plain.{metric}"] < MARGIN]
        if gaps:
            missed.append(f"- {dataset}: " + "; ".join(gaps))
    return missed or ["- none"]


def markdown(results: list[dict[str, Any]], seconds: float | None) -> str:
    lines = ["# Zero-shot niche fit on unseen creators, per language", "",
             f"Made by `python -m training.niche_eval`{f' ({seconds:.0f} s)' if seconds else ''}. Protocol: "
             "training/niche_eval.py's docstring: a development part (every choice) and an evaluation part "
             "(read once, settings fixed), split by a hash of the post's group. "
             f"Creators of {POSTS} posts, {CREATORS} of each kind per niche, brief language and seed "
             "(3 seeds on the development part, 5 on the evaluation part); AUC averaged over niches, brief "
             "languages (English and the creators' own) and seeds.", "",
             "Columns: `plain-old` is the mean of cosines to the brief vector the server used before (each "
             "keyword also embedded on its own), `plain` the mean of cosines to the brief vector the "
             "server uses now (the baseline of the goals), `anchored` the server's method "
             "(server/scoring/niche.py). Goals: all/none >= 0.95, all/one >= 0.90, anchored - plain >= "
             "0.03; a figure under its goal carries the gap in brackets.", ""]
    for r in results:
        lines += [f"## {r['encoder']}", "",
                  f"Setting chosen on the whole development part: {r['chosen']}. Cross-validation inside "
                  "the development part (choose on one fold's creators, measure on the other's; objective: "
                  "mean of both AUCs): " + "; ".join(
                      f"chosen on {c['chosen_on']} {c['setting']}: {c['measured']:.3f} against plain "
                      f"{c['plain']:.3f}" for c in r["cv"]), "",
                  *(["How the topics are built, compared by the same cross-validation (mean of both folds): "
                     + "; ".join(f"{name} {value:.3f}" for name, value in r["designs"].items())
                     + f"; the best: {max(r['designs'], key=r['designs'].get)}; kept (a change must win by "
                     f"more than {TIE}): {choose_design(r['designs'], server_design())}.", ""]
                    if r.get("designs") else []),
                  f"Scale read off the development part with that setting: on-niche line "
                  f"{r['scale']['on_niche']} (Youden's J {r['scale']['youden_j']}), fully consistent at "
                  f"{r['scale']['consistent']} (the median all-on-niche creator), not at all at "
                  f"{r['scale'].get('ordinary')} (the median creator with no post on the niche).", ""]
        if "evaluation" in r:
            lines += ["Goals missed on the evaluation part:", "", *goals(r, "evaluation"), ""]
    for part in ("evaluation", "development"):
        if not all(part in r for r in results):
            continue
        lines += [f"## The {part} part", ""]
        lines += _table(results, part, ("language", "dataset"), f"Per language ({part})")
        lines += _table(results, part, ("brief", "dataset"), f"Per brief language ({part})")
        lines += _table(results, part, ("family", "niche"), f"Per niche, all languages of a family ({part})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from training import encoders

    parser = argparse.ArgumentParser(prog="python -m training.niche_eval", description=__doc__.split("\n")[0])
    parser.add_argument("--encoders", nargs="+", default=["minilm", "e5-onnx"], choices=encoders.NAMES)
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "niche-fit")
    parser.add_argument("--development-only", action="store_true",
                        help="choose on the development part, do not read the evaluation part")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    datasets = evaluation_datasets()
    results = [run(encoders.load(name), datasets, evaluate=not args.development_only)
               for name in args.encoders]
    seconds = time.perf_counter() - started
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    args.out.with_suffix(".md").write_text(markdown(results, seconds))
    print(args.out.with_suffix(".md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
