"""Train a niche's fit model from the marketer's labels, and judge it against zero-shot on the same labels.

The protocol suits a few dozen labels: repeated stratified k-fold (k = min(5, the smaller class)),
out-of-fold predictions pooled per repeat, ROC AUC, average precision and F1 per repeat, mean and
standard deviation over repeats. Zero-shot runs through the same folds: its ranking needs no
training, and its F1 threshold is chosen on each training fold, as the learned model's weights are.
The new version should be served only when its mean ROC AUC beats zero-shot's (``beats_zero_shot``).

Embedding goes through the shared embedder in small chunks, so a server scoring at the same time
gets its turn between chunks instead of waiting for the whole training set.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from server.schemas import Snapshot
from server.scoring import niche as zero_shot_niche
from server.scoring.fit_model import FIT, NOT_FIT, FitModel, features
from training.result import TrainingResult

__all__ = ["Creator", "FitResult", "LabelError", "TrainingArguments", "check_labels", "cross_validate",
           "decide", "embed_creators", "feature_matrix", "fit_estimator", "prepare_labels", "score_zero_shot",
           "train", "usable_creators"]

Progress = Callable[[float, str], None]


def _quiet(fraction: float, message: str) -> None:
    pass


@dataclass
class TrainingArguments:
    c: float = 10.0           # inverse L2 strength, with fit_model.SIGNAL_SCALE: chosen on development niches
    folds: int = 5
    repeats: int = 10
    seed: int = 0
    min_labels: int = 6
    min_per_class: int = 3
    embed_chunk: int = 32     # texts per embedder call: a concurrent score waits for at most one chunk


class LabelError(ValueError):
    """The labels cannot train a model: too few, or only one class."""


@dataclass
class Creator:
    """One labelled creator, ready for the zero-shot path: texts and their vectors."""

    key: str
    label: str
    bio: str
    posts: list[tuple[str, str]]
    bio_vector: np.ndarray | None = None
    post_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), dtype=np.float32))


class FitResult(TrainingResult):
    """The trainers' result, plus this trainer's verdict: does the model beat zero-shot?"""

    @property
    def beats_zero_shot(self) -> bool:
        return bool(self.metadata["beats_zero_shot"])

    @property
    def reason(self) -> str:
        return str(self.metadata["decision"])


# -- labels ---------------------------------------------------------------------------------------

def prepare_labels(labels: Sequence[Mapping[str, Any]]) -> tuple[list[Creator], list[str]]:
    """Creators from stored labels, the latest label per creator winning; plus notes on what was skipped."""
    latest: dict[str, Creator] = {}
    notes: list[str] = []
    for i, record in enumerate(labels):
        label = record.get("label")
        if label not in (FIT, NOT_FIT):
            notes.append(f"label {i}: unknown label {label!r}, skipped")
            continue
        try:
            snap = Snapshot.model_validate(record.get("snapshot") or {})
        except ValidationError as exc:
            notes.append(f"label {i}: snapshot does not validate ({exc.error_count()} errors), skipped")
            continue
        key = f"{snap.platform}/{snap.handle.casefold()}"
        if key in latest:
            notes.append(f"{key} labelled more than once: the latest label counts")
        posts = [(p.id, p.caption) for p in snap.posts if p.caption.strip()]
        latest[key] = Creator(key, label, snap.bio, posts)
    empty = [key for key, c in latest.items() if not c.posts and not c.bio.strip()]
    if empty:
        notes.append(f"{len(empty)} labelled creators have no bio or captions to learn from, skipped "
                     f"({', '.join(empty[:3])}{', ...' if len(empty) > 3 else ''})")
    return [c for key, c in latest.items() if key not in empty], notes


def usable_creators(labels: Sequence[Mapping[str, Any]],
                    args: TrainingArguments | None = None) -> tuple[list[Creator], list[str]]:
    """``prepare_labels``, then ``check_labels``; the LabelError names what was skipped."""
    creators, notes = prepare_labels(labels)
    try:
        check_labels(_counts(creators), args)
    except LabelError as exc:
        skipped = [n for n in notes if "skipped" in n]
        raise LabelError(" ".join([str(exc), *(f"Note: {n}." for n in skipped)])) from None
    return creators, notes


def check_labels(counts: Mapping[str, int], args: TrainingArguments | None = None) -> None:
    """Raise LabelError saying what is missing when ``{"fit": n, "not_fit": m}`` cannot train a model."""
    args = args or TrainingArguments()
    fit, not_fit = counts.get(FIT, 0), counts.get(NOT_FIT, 0)
    if fit + not_fit == 0:
        raise LabelError(f"This niche has no labels yet; mark at least {args.min_per_class} creators "
                         f"'fit' and {args.min_per_class} 'not a fit'.")
    if fit == 0 or not_fit == 0:
        have = FIT if fit else NOT_FIT
        raise LabelError(f"All {fit + not_fit} labels are '{have}'; a model needs both classes "
                         f"(at least {args.min_per_class} of each).")
    if fit < args.min_per_class or not_fit < args.min_per_class or fit + not_fit < args.min_labels:
        raise LabelError(f"Only {fit} 'fit' and {not_fit} 'not a fit' labels; cross-validation needs at "
                         f"least {args.min_per_class} of each ({args.min_labels} in all).")


def _counts(creators: Sequence[Creator]) -> dict[str, int]:
    return {FIT: sum(c.label == FIT for c in creators), NOT_FIT: sum(c.label == NOT_FIT for c in creators)}


def data_hash(creators: Sequence[Creator]) -> str:
    """What the model was trained on: each creator's key, label, bio and captions."""
    digest = hashlib.sha256()
    for c in sorted(creators, key=lambda c: c.key):
        digest.update(json.dumps([c.key, c.label, c.bio, c.posts], ensure_ascii=False).encode())
    return digest.hexdigest()


# -- vectors and the zero-shot signal -------------------------------------------------------------

def embed_creators(embedder: Any, creators: Sequence[Creator], chunk: int = 32,
                   progress: Progress = _quiet) -> None:
    """Fill each creator's vectors, embedding the distinct texts ``chunk`` at a time."""
    texts = list(dict.fromkeys(t for c in creators for t in ([c.bio] if c.bio.strip() else [])
                               + [caption for _, caption in c.posts]))
    vectors: dict[str, np.ndarray] = {}
    for start in range(0, len(texts), chunk):
        part = texts[start:start + chunk]
        vectors.update(zip(part, embedder.encode(part), strict=True))
        done = start + len(part)
        progress(done / max(len(texts), 1), f"embedding: {done} of {len(texts)} texts")
    for c in creators:
        c.bio_vector = vectors[c.bio] if c.bio.strip() else None
        rows = [vectors[caption] for _, caption in c.posts]
        c.post_vectors = np.asarray(rows, dtype=np.float32).reshape(-1, 384)


def score_zero_shot(brief: zero_shot_niche.Niche, part_vectors: np.ndarray, creators: Sequence[Creator],
                    background: zero_shot_niche.Background) -> list[dict[str, Any]]:
    """The zero-shot result of each (embedded) creator, exactly as the scorer computes it."""
    return [zero_shot_niche.assess(brief, part_vectors, c.bio, c.bio_vector, c.posts, c.post_vectors,
                                   background) for c in creators]


def feature_matrix(creators: Sequence[Creator], results: Sequence[dict[str, Any]]) -> np.ndarray:
    return features(results, [c.bio_vector for c in creators], [c.post_vectors for c in creators])


# -- learning and judging -------------------------------------------------------------------------

def fit_estimator(x: np.ndarray, y: Sequence[str], args: TrainingArguments) -> LogisticRegression:
    # liblinear's dual solver: fast when there are fewer labels than features
    estimator = LogisticRegression(C=args.c, class_weight="balanced", solver="liblinear", dual=True,
                                   intercept_scaling=10.0, max_iter=5000)
    return estimator.fit(x, np.asarray(y))


def _f1(y: np.ndarray, hit: np.ndarray) -> float:
    tp = float(np.sum(hit & (y == 1)))
    denominator = float(np.sum(hit) + np.sum(y == 1))
    return 2 * tp / denominator if denominator else 0.0


def _best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The cut on ``scores`` with the best F1 on these (training) rows."""
    cuts = np.unique(scores)
    f1 = [_f1(y, scores >= t) for t in cuts]
    return float(cuts[int(np.argmax(f1))])


def _summary(values: Sequence[float]) -> dict[str, float]:
    return {"mean": round(float(np.mean(values)), 4), "std": round(float(np.std(values)), 4)}


def cross_validate(x: np.ndarray, labels: Sequence[str], zero_shot_scores: Sequence[float],
                   args: TrainingArguments, progress: Progress = _quiet) -> dict[str, Any]:
    """Learned model and zero-shot on the same repeated stratified folds (see the module docstring)."""
    y = np.asarray([label == FIT for label in labels], dtype=int)
    zs = np.asarray(zero_shot_scores, dtype=np.float64)
    k = max(2, min(args.folds, int(y.sum()), int(len(y) - y.sum())))
    splitter = RepeatedStratifiedKFold(n_splits=k, n_repeats=args.repeats, random_state=args.seed)
    per_repeat: dict[str, dict[str, list[float]]] = {m: {"roc_auc": [], "average_precision": [], "f1": []}
                                                      for m in ("learned", "zero_shot")}
    oof = np.zeros(len(y))
    zs_hit = np.zeros(len(y), dtype=bool)
    first_confusion: list[list[int]] = []
    for i, (train_idx, test_idx) in enumerate(splitter.split(x, y)):
        model = FitModel(fit_estimator(x[train_idx], [labels[j] for j in train_idx], args), "cv")
        oof[test_idx] = model.predict_proba(x[test_idx])
        zs_hit[test_idx] = zs[test_idx] >= _best_threshold(zs[train_idx], y[train_idx])
        if (i + 1) % k == 0:  # a repeat is complete: every row has one out-of-fold prediction
            for name, ranking, hit in (("learned", oof, oof >= 0.5), ("zero_shot", zs, zs_hit)):
                per_repeat[name]["roc_auc"].append(roc_auc_score(y, ranking))
                per_repeat[name]["average_precision"].append(average_precision_score(y, ranking))
                per_repeat[name]["f1"].append(_f1(y, hit))
            if not first_confusion:
                first_confusion = confusion_matrix(y, oof >= 0.5, labels=[1, 0]).tolist()
            progress((i + 1) / (k * args.repeats),
                     f"cross-validation: repeat {(i + 1) // k} of {args.repeats}")
    out: dict[str, Any] = {name: {metric: _summary(values)["mean"] for metric, values in metrics.items()}
                           for name, metrics in per_repeat.items()}
    for name, metrics in per_repeat.items():
        out[name]["std"] = {metric: _summary(values)["std"] for metric, values in metrics.items()}
    out["protocol"] = {"kind": "repeated stratified k-fold", "folds": k, "repeats": args.repeats,
                       "seed": args.seed, "labels": len(y), "fit": int(y.sum()),
                       "not_fit": int(len(y) - y.sum())}
    out["confusion_matrix"] = {"rows": "true fit, true not_fit",
                               "columns": "predicted fit, predicted not_fit",
                               "counts": first_confusion, "repeat": 1}
    return out


def decide(metrics: Mapping[str, Any]) -> tuple[bool, str]:
    """Serve the learned model only when its cross-validated ROC AUC beats zero-shot's."""
    learned, zs = metrics["learned"]["roc_auc"], metrics["zero_shot"]["roc_auc"]
    if learned > zs:
        return True, f"cross-validated ROC AUC {learned:.3f} beats zero-shot {zs:.3f} on the same labels"
    return False, (f"cross-validated ROC AUC {learned:.3f} does not beat zero-shot {zs:.3f} on the same "
                   f"labels; zero-shot keeps serving (more labels usually help)")


def model_card(name: str, version: str, niche_name: str, metrics: Mapping[str, Any], decision: str) -> str:
    p, lm, zs = metrics["protocol"], metrics["learned"], metrics["zero_shot"]
    (tp, fn), (fp, tn) = metrics["confusion_matrix"]["counts"] or [[0, 0], [0, 0]]
    rows = "\n".join(f"| {m} | {lm[m]:.3f} ± {lm['std'][m]:.3f} | {zs[m]:.3f} ± {zs['std'][m]:.3f} |"
                     for m in ("roc_auc", "average_precision", "f1"))
    return f"""# {name} {version}: fit model for the niche "{niche_name}"

A logistic regression over the zero-shot signal (consistency, percentile, score, share of on-niche
captions), the mean caption vector and the bio vector (all-MiniLM-L6-v2), trained on this niche's
"fit" / "not a fit" labels.

## Evaluation

{p['kind']}, {p['folds']} folds x {p['repeats']} repeats (seed {p['seed']}) on {p['labels']} labelled
creators ({p['fit']} fit, {p['not_fit']} not fit); mean ± standard deviation over repeats.

| metric | learned | zero-shot, same folds |
|---|---|---|
{rows}

Decision: {decision}.

Confusion matrix (first repeat, out-of-fold, threshold 0.5):

| | predicted fit | predicted not fit |
|---|---|---|
| labelled fit | {tp} | {fn} |
| labelled not fit | {fp} | {tn} |

## Limitations

- Learns one marketer's taste from few labels: the numbers above have wide error bars below ~24 labels.
- Features depend on the niche brief; after editing the brief, retrain.
- Creators without captions or bio are left to zero-shot (nothing to score).
"""


def train(brief: zero_shot_niche.Niche, labels: Sequence[Mapping[str, Any]], embedder: Any,
          background: zero_shot_niche.Background, *, name: str, version: str,
          args: TrainingArguments | None = None, progress: Progress = _quiet) -> FitResult:
    """Embed, cross-validate against zero-shot, fit on every label; raises LabelError on unusable labels."""
    args = args or TrainingArguments()
    started = time.perf_counter()
    creators, notes = usable_creators(labels, args)
    progress(0.02, f"embedding {len(creators)} labelled creators")
    embed_creators(embedder, creators, args.embed_chunk, lambda f, m: progress(0.02 + 0.48 * f, m))
    part_vectors = embedder.encode(brief.texts())
    results = score_zero_shot(brief, part_vectors, creators, background)
    x = feature_matrix(creators, results)
    y = [c.label for c in creators]
    progress(0.5, "cross-validation")
    metrics = cross_validate(x, y, [r["score"] for r in results], args,
                             lambda f, m: progress(0.5 + 0.4 * f, m))
    beats, reason = decide(metrics)
    progress(0.9, "fitting on every label")
    model = FitModel(fit_estimator(x, y, args), version)
    seconds = time.perf_counter() - started
    metadata = {
        "model": name, "niche": brief.id, "kind": "fit",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": {"labels": len(y), "fit": y.count(FIT), "not_fit": y.count(NOT_FIT),
                 "sha256": data_hash(creators), "notes": notes},
        "brief_sha256": hashlib.sha256(json.dumps(brief.texts(), ensure_ascii=False).encode()).hexdigest(),
        "embedding_model": getattr(embedder, "version", "unknown"),
        "background": background.source,
        "parameters": asdict(args),
        "metrics": metrics,
        "beats_zero_shot": beats,
        "decision": reason,
        "train_seconds": round(seconds, 2),
    }
    card = model_card(name, version, brief.name, metrics, reason)
    return FitResult(model, metadata, card, metrics)
