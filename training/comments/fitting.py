"""Fitting the heads and the stackers of the comment model (the one code path for every protocol)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import matthews_corrcoef
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from server.scoring.comments import (
    ANY,
    SHARED,
    CommentModel,
    _logit,
    head_inputs,
    stack_heads,
    stack_inputs,
)
from training.comments.arguments import TrainingArguments
from training.comments.corpus import Corpus
from training.datasets import ORDINARY_SOURCE


def build_head(kind: str, args: TrainingArguments) -> Pipeline:
    lr = {"max_iter": 5000, "random_state": args.seed}
    if kind == "embedding":
        return Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(C=args.embedding_C, **lr))])
    if kind == "words":
        vec = TfidfVectorizer(analyzer="word", ngram_range=args.words_ngrams, sublinear_tf=True,
                              token_pattern=r"(?u)\b\w+\b|[^\w\s]", dtype=np.float32)
        return Pipeline([("tfidf", vec), ("lr", LogisticRegression(C=args.words_C, **lr))])
    if kind == "chars":
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=args.chars_ngrams, min_df=2, sublinear_tf=True,
                              max_features=args.chars_max_features, dtype=np.float32)
        return Pipeline([("tfidf", vec), ("lr", LogisticRegression(C=args.chars_C, **lr))])
    raise ValueError(f"unknown head kind {kind!r}")


def _take(x: Any, idx: np.ndarray) -> Any:
    return x[idx] if isinstance(x, np.ndarray) else [x[i] for i in idx]


def fit(texts: Sequence[str], vectors: np.ndarray, labels: np.ndarray, args: TrainingArguments,
        platforms: Sequence[str | None] | None = None) -> dict[str, Any]:
    """Fit the heads and the stackers on these rows; returns the estimators CommentModel serves.

    ``platforms`` gives each row's platform (None: a correction, which counts for every platform;
    ``ORDINARY_SOURCE``: ordinary text that is not spam, posts and sentences rather than comments,
    which trains every stacker and no head: the stackers learn that long, plain text in any language is
    not spam, a thing the comment datasets, half spam and mostly English, do not show, while the heads
    learn spam from comments only).
    The stackers must learn from predictions the heads did not train on, so they read out-of-fold
    predictions from ``inner_folds`` folds (the same folds for every head; a platform's heads train
    only on that platform's rows of each fold); the heads they serve are then refit on all their rows.

    With ``args.designs`` the fit chooses its own design among them, on these rows only: each design's
    stackers are cross-validated over the same out-of-fold head logits (``_choose``), and the best mean
    of the per-platform MCCs wins. So every protocol that calls ``fit`` on a training part measures the
    choice made inside that part (nested), and the shipped model makes it on every row.
    """
    labels = np.asarray(labels, dtype=int)
    where = np.array([None] * len(labels) if platforms is None else list(platforms), dtype=object)
    designs = list(args.designs) or [(args.features, args.stack_C)]
    feature_sets = sorted({features for features, _ in designs})
    inputs = {features: head_inputs(texts, vectors, features) for features in feature_sets}
    shared = inputs[feature_sets[0]]  # the n-gram heads read the same text whatever the features
    folds = max(2, min(args.inner_folds, int(np.bincount(labels, minlength=2).min())))
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=args.seed).split(labels, labels))
    own: dict[str, np.ndarray] = {platform: where == platform for platform in args.platforms}
    members: dict[str, np.ndarray] = {SHARED: where != ORDINARY_SOURCE, **own}
    columns: dict[str, dict[str, np.ndarray]] = {features: {} for features in feature_sets}
    names: list[str] = []
    for subset, keep in members.items():
        if subset != SHARED and not _fittable(labels[keep], folds):
            continue  # too few rows of this platform (a small retraining set): the shared heads serve it
        for kind in args.heads:
            name = f"{subset}:{kind}"
            names.append(name)
            for features in feature_sets if kind == "embedding" else feature_sets[:1]:
                x = inputs[features][kind]
                out = np.zeros(len(labels))
                for a, b in splits:
                    a = a[keep[a]]
                    head = build_head(kind, args).fit(_take(x, a), labels[a])
                    out[b] = head.predict_proba(_take(x, b))[:, 1]
                for target in feature_sets if kind != "embedding" else [features]:
                    columns[target][name] = _logit(out)
    scores = _choose(designs, columns, inputs, names, labels, where, args, splits) if len(designs) > 1 else {}
    features, stack_c = max(designs, key=lambda d: (scores.get(_design_name(*d), 0.0), -designs.index(d)))
    heads: dict[str, Pipeline] = {}
    for name in names:
        subset, kind = name.rsplit(":", 1)
        rows = np.flatnonzero(members[subset])
        x = inputs[features][kind] if kind == "embedding" else shared[kind]
        heads[name] = build_head(kind, args).fit(_take(x, rows), labels[rows])
    stacks: dict[str, Pipeline] = {}
    for key, rows in _stacker_rows(heads, labels, where, args).items():
        x = stack_inputs([columns[features][n] for n in stack_heads(list(heads), key)],
                         inputs[features]["lexical"])
        stacks[key] = _stacker(stack_c, args).fit(x[rows], labels[rows])
    chosen = {"features": features, "stack_C": stack_c, "inner_mcc": scores}
    return {"heads": heads, "stacks": stacks, "features": features, "offer_floor": float(args.offer_floor),
            "design": json.dumps(chosen, sort_keys=True)}


def _design_name(features: str, stack_c: float) -> str:
    return f"{features}, stacker C {stack_c:g}"


def _stacker(stack_c: float, args: TrainingArguments) -> Pipeline:
    return Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(
        C=stack_c, max_iter=5000, random_state=args.seed))])


def _stacker_rows(heads: dict[str, Any] | list[str], labels: np.ndarray, where: np.ndarray,
                  args: TrainingArguments) -> dict[str, np.ndarray]:
    """The rows each stacker trains on: every row for ``ANY``; a platform's own rows, corrections and
    ordinary text."""
    out = {}
    everywhere = np.array([p is None or p == ORDINARY_SOURCE for p in where])
    for key in (ANY, *args.platforms):
        rows = np.arange(len(labels)) if key == ANY else np.flatnonzero((where == key) | everywhere)
        if key != ANY and (f"{key}:{args.heads[0]}" not in heads or not _fittable(labels[rows], 2)):
            continue
        out[key] = rows
    return out


def _choose(designs: list[tuple[str, float]], columns: dict[str, dict[str, np.ndarray]],
            inputs: dict[str, dict[str, Any]], names: list[str], labels: np.ndarray, where: np.ndarray,
            args: TrainingArguments, splits: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Each design's inner score: its stackers cross-validated (the same folds) over the out-of-fold
    head logits; each platform's rows judged by its own stacker (others: ``ANY``); the mean MCC over
    the platforms present (rows of no platform, users' corrections, count in no mean)."""
    scores = {}
    stackers = _stacker_rows(names, labels, where, args)
    judge = np.array([p if p in stackers else ANY for p in where], dtype=object)
    for features, stack_c in designs:
        p = np.zeros(len(labels))
        for key, rows in stackers.items():
            x = stack_inputs([columns[features][n] for n in stack_heads(names, key)],
                             inputs[features]["lexical"])
            allowed = np.zeros(len(labels), dtype=bool)
            allowed[rows] = True
            mine = judge == key
            for a, b in splits:
                a, b = a[allowed[a]], b[mine[b]]
                if len(b) and _fittable(labels[a], 2):
                    p[b] = _stacker(stack_c, args).fit(x[a], labels[a]).predict_proba(x[b])[:, 1]
        mccs = [matthews_corrcoef(labels[m], p[m] >= args.threshold) for platform in args.platforms
                if (m := where == platform).any() and len(np.unique(labels[m])) == 2]
        scores[_design_name(features, stack_c)] = round(float(np.mean(mccs)), 4) if mccs else 0.0
    return scores


def _fittable(labels: np.ndarray, folds: int) -> bool:
    """Enough rows of both classes for ``folds`` folds."""
    return bool(np.bincount(labels, minlength=2).min() >= folds)


def fit_corpus(corpus: Corpus, args: TrainingArguments) -> dict[str, Any]:
    return fit(corpus.texts, corpus.vectors, corpus.labels, args, corpus.platforms)


def predict(estimators: dict[str, Any], corpus: Corpus, pooled: bool = False) -> np.ndarray:
    """P(spam) of the rows, each judged as a comment of its platform (``pooled``: of unknown platform)."""
    platforms = None if pooled else corpus.platforms
    return CommentModel(estimators, "eval").spam_probability(corpus.texts, corpus.vectors, platforms)
