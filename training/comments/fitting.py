"""Fitting the heads and the stackers of the comment model (the one code path for every protocol)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
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

    ``platforms`` gives each row's platform (None: a correction, which counts for every platform).
    The stackers must learn from predictions the heads did not train on, so they read out-of-fold
    predictions from ``inner_folds`` folds (the same folds for every head; a platform's heads train
    only on that platform's rows of each fold); the heads they serve are then refit on all their rows.
    """
    labels = np.asarray(labels, dtype=int)
    where = np.array([None] * len(labels) if platforms is None else list(platforms), dtype=object)
    inputs = head_inputs(texts, vectors)
    folds = max(2, min(args.inner_folds, int(np.bincount(labels, minlength=2).min())))
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=args.seed).split(labels, labels))
    own: dict[str, np.ndarray] = {platform: where == platform for platform in args.platforms}
    members: dict[str, np.ndarray] = {SHARED: np.ones(len(labels), dtype=bool), **own}
    heads: dict[str, Pipeline] = {}
    columns: dict[str, np.ndarray] = {}
    for subset, keep in members.items():
        if subset != SHARED and not _fittable(labels[keep], folds):
            continue  # too few rows of this platform (a small retraining set): the shared heads serve it
        for kind in args.heads:
            name = f"{subset}:{kind}"
            x = inputs[kind]
            out = np.zeros(len(labels))
            for a, b in splits:
                a = a[keep[a]]
                out[b] = build_head(kind, args).fit(_take(x, a), labels[a]).predict_proba(_take(x, b))[:, 1]
            rows = np.flatnonzero(keep)
            heads[name] = build_head(kind, args).fit(_take(x, rows), labels[rows])
            columns[name] = _logit(out)
    stacks: dict[str, Pipeline] = {}
    unplaced = np.array([p is None for p in where])
    for key in (ANY, *args.platforms):
        rows = np.arange(len(labels)) if key == ANY else np.flatnonzero(own[key] | unplaced)
        if key != ANY and (f"{key}:{args.heads[0]}" not in heads or not _fittable(labels[rows], 2)):
            continue
        x = stack_inputs([columns[n] for n in stack_heads(list(heads), key)], inputs["lexical"])
        stacks[key] = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(
            C=args.stack_C, max_iter=5000, random_state=args.seed))]).fit(x[rows], labels[rows])
    return {"heads": heads, "stacks": stacks}


def _fittable(labels: np.ndarray, folds: int) -> bool:
    """Enough rows of both classes for ``folds`` folds."""
    return bool(np.bincount(labels, minlength=2).min() >= folds)


def fit_corpus(corpus: Corpus, args: TrainingArguments) -> dict[str, Any]:
    return fit(corpus.texts, corpus.vectors, corpus.labels, args, corpus.platforms)


def predict(estimators: dict[str, Any], corpus: Corpus, pooled: bool = False) -> np.ndarray:
    """P(spam) of the rows, each judged as a comment of its platform (``pooled``: of unknown platform)."""
    platforms = None if pooled else corpus.platforms
    return CommentModel(estimators, "eval").spam_probability(corpus.texts, corpus.vectors, platforms)
