"""The n-gram heads' logits without sklearn's per-call machinery: same numbers, a third of the time.

An n-gram head is a Pipeline of a ``TfidfVectorizer`` and a ``LogisticRegression``. Asked through
``predict_proba``, sklearn makes every text's n-grams and counts them in a Python loop once per head,
and validates its inputs on each call; for a new snapshot's 60 comments and the four n-gram heads an
Instagram comment is read by, that was 29 ms, most of the scorer's work outside the model. Here:

- each analyzer's n-grams are made once for all the heads that share it: the vectorizer's own
  ``build_analyzer``, except char_wb n-grams, which ``char_wb_ngrams`` cuts with one C call a word
  (``operator.itemgetter`` of slices) where sklearn appends them one at a time: the same list in the
  same order, for 60 comments in 0.75 ms instead of 1.4;
- the heads that share an analysis share a union of their vocabularies, made once per set of fitted
  heads and kept while they live (4 MB for the Instagram words pair, 2.5 MB for the chars pair): each
  n-gram is looked up once for all of them (``map`` of ``dict.get``, one C loop), and each head's
  feature ids are taken from that by numpy indexing (the chars pair: 0.8 ms instead of 1.7);
- term frequency, idf, the norm and the regression's dot product are sums over numpy arrays.

With the char_wb cut and the union, the four heads of 60 Instagram comments take 4.0 ms instead of
5.9, and ``stacking.read_texts`` of a new snapshot 7.0 ms instead of 9.1 (medians over 30 snapshots
of bench/snapshots.py; the logits are the same to the bit).

The result is the head's decision function, ``log(p / (1 - p))`` of its ``predict_proba``, within
float rounding: tests/scoring/test_comments.py holds it to sklearn's on real comments.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
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
        vectorizer = heads[name].steps[0][1]  # its parameters as get_params() gives them, without its inspect
        groups.setdefault(tuple((k, repr(getattr(vectorizer, k))) for k in _ANALYSIS), []).append(name)
    out: dict[str, np.ndarray] = {}
    for names in groups.values():
        needed = np.unique(np.concatenate([np.asarray(rows[n], dtype=int) for n in names]))
        analyse = analyzer(heads[names[0]].steps[0][1])
        grams = [analyse(texts[i]) for i in needed]
        flat = list(chain.from_iterable(grams))
        owner = np.repeat(needed, [len(g) for g in grams])  # the row of each n-gram
        union = union_vocabulary([heads[n].steps[0][1] for n in names])
        found = np.fromiter(map(union.index.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        for name, features in zip(names, union.features, strict=True):
            out[name] = _decision(heads[name], features[found], owner, np.asarray(rows[name], dtype=int),
                                  len(texts))
    return out


def _decision(head: Any, ids: np.ndarray, owner: np.ndarray, rows: np.ndarray, n_texts: int) -> np.ndarray:
    vectorizer, regression = head.steps[0][1], head.steps[1][1]
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


# ---- a union of the vocabularies of the heads that share an analysis ----

@dataclass(frozen=True)
class UnionVocabulary:
    """The n-grams of several heads' vocabularies, each once, and where each head keeps them."""

    vocabularies: tuple[Mapping[str, int], ...]  # the ``vocabulary_`` dicts it was made from
    index: Mapping[str, int]  # n-gram -> union index
    # per head: union index -> the head's feature id, or -1 if the head hasn't it; one more -1 at the end,
    # so an n-gram no head has (union index -1) is -1 for every head too
    features: tuple[np.ndarray, ...]


# first vectorizer -> (weak references to all the group's vectorizers) -> their union. Keyed on the
# vectorizers themselves (weakly) and not on id(): a union goes when its model goes, and a new model
# at the same address can't be given a stale one. A few groups start with the same vectorizer (all:
# with each platform's); the bound only matters if the others die while the first one lives.
_UNIONS: weakref.WeakKeyDictionary[Any, dict[tuple[weakref.ref[Any], ...], UnionVocabulary]] = (
    weakref.WeakKeyDictionary())
_UNIONS_PER_FIRST = 16
_unions_lock = threading.Lock()


def union_vocabulary(vectorizers: Sequence[Any]) -> UnionVocabulary:
    """The union of the vectorizers' vocabularies, made once per set of fitted vectorizers.

    Threads that ask for a new set at the same time may each make it; one of them is kept.
    """
    key = tuple(weakref.ref(v) for v in vectorizers)
    vocabularies = tuple(v.vocabulary_ for v in vectorizers)
    with _unions_lock:
        union = _UNIONS.get(vectorizers[0], {}).get(key)
    # a vectorizer fitted again in place has a new vocabulary_ dict: its old union is stale
    if union is not None and all(a is b for a, b in zip(union.vocabularies, vocabularies, strict=True)):
        return union
    union = _make_union(vocabularies)
    with _unions_lock:
        unions = _UNIONS.setdefault(vectorizers[0], {})
        if len(unions) >= _UNIONS_PER_FIRST:
            unions.clear()
        unions[key] = union
    return union


def _make_union(vocabularies: tuple[Mapping[str, int], ...]) -> UnionVocabulary:
    if len(vocabularies) == 1:  # one head: its own vocabulary, not a copy of it; its ids are the union's
        index = vocabularies[0]
        return UnionVocabulary(vocabularies, index, (np.append(np.arange(len(index), dtype=np.int64), -1),))
    # a fitted vocabulary_'s keys are not in the order of its ids (sklearn renumbers them sorted), so
    # the union numbers its n-grams itself and asks each head for its id
    index = {gram: i for i, gram in enumerate(dict.fromkeys(chain.from_iterable(vocabularies)))}
    features = tuple(np.append(np.fromiter(map(v.get, index, repeat(-1)), dtype=np.int64, count=len(index)),
                               np.int64(-1))
                     for v in vocabularies)
    return UnionVocabulary(vocabularies, index, features)


# ---- char_wb n-grams as sklearn makes them, a word at a time ----

_SKLEARN_TEXT = "sklearn.feature_extraction.text"


def analyzer(vectorizer: Any) -> Callable[[str], list[str]]:
    """The vectorizer's ``build_analyzer()``, or for char_wb n-grams a faster one that gives the same list."""
    if not _is_sklearns_char_wb(vectorizer):
        return vectorizer.build_analyzer()  # type: ignore[no-any-return]
    # sklearn's order: decode, preprocess (lowercase, accents, or the vectorizer's own preprocessor), cut
    decode, preprocess = vectorizer.decode, vectorizer.build_preprocessor()
    low, high = vectorizer.ngram_range
    return lambda text: char_wb_ngrams(preprocess(decode(text)), low, high)


def _is_sklearns_char_wb(vectorizer: Any) -> bool:
    """Whether ``char_wb_ngrams`` is what the vectorizer's own analyzer does: sklearn's code, sane sizes."""
    if vectorizer.analyzer != "char_wb":  # a callable analyzer compares unequal too
        return False
    # a subclass that cuts or analyses otherwise keeps its own way
    methods = ("build_analyzer", "_char_wb_ngrams", "decode")
    if any(getattr(type(vectorizer), m).__module__ != _SKLEARN_TEXT for m in methods):
        return False
    whitespace = getattr(vectorizer, "_white_spaces", None)
    low, high = vectorizer.ngram_range
    return (getattr(whitespace, "pattern", None) == r"\s\s+"
            and isinstance(low, int) and isinstance(high, int) and 1 <= low <= high)


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """sklearn's ``_char_wb_ngrams(text)`` for ``ngram_range=(low, high)``, the same list in the same order.

    Word by word, each padded with a space either side, n by n from ``low`` to ``high``, its n-grams
    from the left; a padded word no longer than n is given once, whole, and ends its n loop. sklearn
    first collapses runs of whitespace (``\\s\\s+``) to a space: ``str.split`` splits on the same
    characters (both are ``Py_UNICODE_ISSPACE``), so that changes no word and is left out.
    """
    slicers = _slicers(low, high)
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        grams += (slicers[size] if size < len(slicers) else _slicer(size, low, high))(padded)
    return grams


# (low, high) -> the slicer of each padded word length up to 64: 8k slices for (2, 5); a longer word's
# slicer is made for it
_SLICERS: dict[tuple[int, int], list[Callable[[str], Sequence[str]]]] = {}
_SLICED_UP_TO = 64


def _slicers(low: int, high: int) -> list[Callable[[str], Sequence[str]]]:
    slicers = _SLICERS.get((low, high))
    if slicers is None:  # a racing thread makes the same list
        slicers = _SLICERS[(low, high)] = [_slicer(size, low, high) for size in range(_SLICED_UP_TO + 1)]
    return slicers


def _slicer(size: int, low: int, high: int) -> Callable[[str], Sequence[str]]:
    """A padded word of ``size`` characters -> its n-grams, in one C call.

    A list comprehension of slices a word was slower than sklearn's loop (Python 3.11: 1.9 against
    1.4 ms for 60 comments): most words are short, and each comprehension is a call.
    """
    slices: list[slice] = []
    for n in range(low, high + 1):
        if size <= n:  # a short word: once, whole, and no longer n-grams
            slices.append(slice(0, size))
            break
        slices += [slice(i, i + n) for i in range(size - n + 1)]
    if len(slices) == 1:  # itemgetter of one item gives the item, not a tuple of it
        only = slices[0]
        return lambda padded: (padded[only],)
    return itemgetter(*slices)
