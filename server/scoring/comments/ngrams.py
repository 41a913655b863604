"""The n-gram heads' logits without sklearn's per-call machinery: same numbers, a third of the time.

An n-gram head is a Pipeline of a ``TfidfVectorizer`` and a ``LogisticRegression``. Asked through
``predict_proba``, sklearn makes every text's n-grams and counts them in a Python loop once per head,
and validates its inputs on each call; for a new snapshot's 60 comments and the four n-gram heads an
Instagram comment is read by, that was 29 ms, most of the scorer's work outside the model. Here:

- each analyzer's n-grams are made once for all the heads that share it (the vectorizer's own
  ``build_analyzer``, so the n-grams are sklearn's);
- each head looks its n-grams up in its own vocabulary in one C loop (``map`` of ``dict.get``);
- term frequency, idf, the norm and the regression's dot product are sums over numpy arrays.

The result is the head's decision function, ``log(p / (1 - p))`` of its ``predict_proba``, within
float rounding: tests/scoring/test_comments.py holds it to sklearn's on real comments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from typing import Any

import numpy as np

# TfidfVectorizer parameters that decide which n-grams a text gives: heads that agree on all of them
# share one analysis
_ANALYSIS = ("analyzer", "decode_error", "encoding", "input", "lowercase", "ngram_range", "preprocessor",
             "stop_words", "strip_accents", "token_pattern", "tokenizer")


def is_ngram_head(head: Any) -> bool:
    """A Pipeline(TfidfVectorizer, LogisticRegression) fitted for two classes: what ``decisions`` reads."""
    steps = getattr(head, "steps", None)
    if not steps or len(steps) != 2:
        return False
    vectorizer, regression = steps[0][1], steps[1][1]
    fitted_binary = getattr(regression, "coef_", np.zeros((2, 0))).shape[0] == 1
    return (type(vectorizer).__name__ == "TfidfVectorizer"
            and type(regression).__name__ == "LogisticRegression" and fitted_binary)


def decisions(heads: Mapping[str, Any], texts: Sequence[str],
              rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each head's decision function for ``texts[rows[name]]`` (``is_ngram_head`` heads only)."""
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for name in rows:
        params = heads[name].steps[0][1].get_params()
        groups.setdefault(tuple((k, repr(params[k])) for k in _ANALYSIS), []).append(name)
    out: dict[str, np.ndarray] = {}
    for names in groups.values():
        needed = np.unique(np.concatenate([np.asarray(rows[n], dtype=int) for n in names]))
        analyse = heads[names[0]].steps[0][1].build_analyzer()
        grams = [analyse(texts[i]) for i in needed]
        flat = list(chain.from_iterable(grams))
        owner = np.repeat(needed, [len(g) for g in grams])  # the row of each n-gram
        for name in names:
            out[name] = _decision(heads[name], flat, owner, np.asarray(rows[name], dtype=int), len(texts))
    return out


def _decision(head: Any, flat: list[str], owner: np.ndarray, rows: np.ndarray, n_texts: int) -> np.ndarray:
    vectorizer, regression = head.steps[0][1], head.steps[1][1]
    ids = np.fromiter(map(vectorizer.vocabulary_.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
    wanted = np.zeros(n_texts, dtype=bool)
    wanted[rows] = True
    keep = (ids >= 0) & wanted[owner]
    width = len(vectorizer.vocabulary_)
    cells, counts = np.unique(owner[keep] * width + ids[keep], return_counts=True)
    row, feature = cells // width, cells % width
    tf = counts.astype(np.float64)
    if vectorizer.binary:
        tf[:] = 1.0
    elif vectorizer.sublinear_tf:
        tf = np.log(tf) + 1.0
    if vectorizer.use_idf:
        tf *= vectorizer.idf_[feature]
    if vectorizer.norm == "l2":
        norm = np.sqrt(np.bincount(row, tf * tf, minlength=n_texts))
    elif vectorizer.norm == "l1":
        norm = np.bincount(row, np.abs(tf), minlength=n_texts)
    else:
        norm = np.ones(n_texts)
    dot = np.bincount(row, tf * regression.coef_[0][feature], minlength=n_texts)
    decision = np.divide(dot, norm, out=np.zeros(n_texts), where=norm > 0) + regression.intercept_[0]
    return decision[rows]
