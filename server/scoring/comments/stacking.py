"""The learned half: heads over the inputs, one stacker per platform over the heads' logits.

Heads are named "<trained on>:<kind>"; "all:*" heads are shared, "youtube:*" and "instagram:*" read one
platform's rows. ``ANY`` is the pooled stacker for platforms without labelled data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import expit

from server.scoring.comments import ngrams
from server.scoring.comments.features import embedding_features, lexical_features, prepare_texts
from server.scoring.comments.rules import offer_reason

ANY = "any"  # the pooled stacker: platforms without labelled data (TikTok) and unknown platform
SHARED = "all"  # heads trained on every row


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def head_kind(name: str) -> str:
    """Heads are named "<trained on>:<kind>"; the kind says which input the head reads."""
    return name.rsplit(":", 1)[-1]


def feature_set(estimators: dict[str, Any]) -> str:
    """The lexical features a model reads: "cues" (v3 on: the multilingual cues too) or "base"."""
    return str(estimators.get("features", "base"))


def head_inputs(texts: Sequence[str], vectors: np.ndarray, features: str = "base") -> dict[str, Any]:
    """Each head kind's input, computed once for a batch."""
    lexical = lexical_features(texts, features)
    prepared = prepare_texts(texts)
    return {"embedding": embedding_features(vectors, lexical), "words": prepared, "chars": prepared,
            "lexical": lexical}


def stack_inputs(head_logits: Sequence[np.ndarray], lexical: np.ndarray) -> np.ndarray:
    """The stacker reads every head's logit next to the lexical features."""
    return np.hstack([np.column_stack(list(head_logits)), lexical])


def stackers(estimators: dict[str, Any]) -> dict[str, Any]:
    """Stacker per platform ("youtube", "instagram", ``ANY``); v1's single stacker serves as ``ANY``."""
    if "stacks" in estimators:
        return estimators["stacks"]
    return {ANY: estimators["stack"]}


def stack_heads(head_names: Sequence[str], key: str) -> list[str]:
    """The heads a stacker reads, in order: the shared ones, plus its own platform's.

    A v1 model's heads are all shared; its single stacker reads them all."""
    if key == ANY:
        return sorted(n for n in head_names if n.rsplit(":", 1)[0] == SHARED)
    return sorted(n for n in head_names if n.rsplit(":", 1)[0] in (SHARED, key))


def stacker_for(estimators: dict[str, Any], platform: str | None) -> str:
    """Which stacker judges a comment from ``platform``: its own when there is one, else ``ANY``."""
    return platform if platform is not None and platform in stackers(estimators) else ANY


def spam_probability(estimators: dict[str, Any], texts: Sequence[str], vectors: np.ndarray,
                     platforms: Sequence[str | None] | str | None = None) -> np.ndarray:
    """Calibrated P(spam) from the stacked heads (the one code path for training and serving).

    ``platforms`` is one platform for every text, or one per text (None: unknown)."""
    return spam_from(estimators, read_texts(estimators, texts, platforms), vectors)


@dataclass
class TextPart:
    """The half of ``spam_probability`` that needs no vectors: the stacker of each row, the lexical
    features and the logits of the heads that read text (n-grams), computed while the vectors are."""

    stacker: np.ndarray  # the stacker that judges each row
    lexical: np.ndarray  # (rows, len(LEXICAL_FEATURES))
    logits: dict[str, np.ndarray] = field(default_factory=dict)  # text head -> logit per row (nan: not read)
    generic: list[tuple[float, str | None]] | None = None  # generic_verdict per row, when captions were given
    offers: np.ndarray | None = None  # whether each row reads as an offer (models with an offer floor)

    def __len__(self) -> int:
        return len(self.stacker)

    def rows(self, rows: Sequence[int]) -> TextPart:
        index = np.asarray(rows, dtype=int)
        return TextPart(self.stacker[index], self.lexical[index],
                        {name: values[index] for name, values in self.logits.items()},
                        None if self.generic is None else [self.generic[i] for i in index],
                        None if self.offers is None else self.offers[index])


def read_texts(estimators: dict[str, Any], texts: Sequence[str],
               platforms: Sequence[str | None] | str | None = None) -> TextPart:
    """Everything ``spam_probability`` computes from the texts alone."""
    if platforms is None or isinstance(platforms, str):
        platforms = [platforms] * len(texts)
    if len(platforms) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(platforms)} platforms")
    lexical = lexical_features(texts, feature_set(estimators))
    part = TextPart(np.array([stacker_for(estimators, p) for p in platforms], dtype=object), lexical)
    if not texts:
        return part
    if offer_floor(estimators) > 0:
        part.offers = np.array([offer_reason(t) is not None for t in texts], dtype=bool)
    prepared = prepare_texts(texts)
    inputs = {"words": prepared, "chars": prepared, "lexical": lexical}
    heads = estimators["heads"]
    readers: dict[str, list[str]] = {}  # text head -> the stackers that read it
    for key in stackers(estimators):
        for name in stack_heads(list(heads), key):
            if head_kind(name) != "embedding":
                readers.setdefault(name, []).append(key)
    at: dict[str, list[int]] = {}  # stacker -> its rows (np.isin over an object array cost 0.7 ms a snapshot)
    for i, key in enumerate(part.stacker):
        at.setdefault(key, []).append(i)
    rows = {name: np.array(sorted(i for key in keys for i in at.get(key, [])), dtype=int)
            for name, keys in readers.items()}
    rows = {name: found for name, found in rows.items() if len(found)}
    fast = {name: found for name, found in rows.items() if ngrams.is_ngram_head(heads[name])}
    for name, decision in ngrams.decisions(heads, prepared, fast).items():
        rows.pop(name)
        part.logits[name] = np.full(len(texts), np.nan)
        # as predict_proba gives it: the vectorizers make float32 tf-idf, so the probability is float32
        part.logits[name][fast[name]] = _logit(expit(decision.astype(np.float32)))
    for name, found in rows.items():  # any other text head (a lexical one): through sklearn
        part.logits[name] = np.full(len(texts), np.nan)
        probability = heads[name].predict_proba(_rows(inputs[head_kind(name)], found))[:, 1]
        part.logits[name][found] = _logit(probability)
    return part


def offer_floor(estimators: dict[str, Any]) -> float:
    """The least P(spam) of an offer of followers, promotion or money (``rules.offer_reason``); 0: off."""
    return float(estimators.get("offer_floor", 0.0))


def spam_from(estimators: dict[str, Any], part: TextPart, vectors: np.ndarray) -> np.ndarray:
    """P(spam) from the text half (``read_texts``) and the rows' vectors."""
    if not len(part):
        return np.zeros(0)
    out = _stacked(estimators, part, vectors)
    if part.offers is not None and offer_floor(estimators) > 0:
        out = np.where(part.offers, np.maximum(out, offer_floor(estimators)), out)
    return out


def _stacked(estimators: dict[str, Any], part: TextPart, vectors: np.ndarray) -> np.ndarray:
    embedding = embedding_features(vectors, part.lexical)
    heads = estimators["heads"]
    out = np.zeros(len(part))
    for key, stack in stackers(estimators).items():
        rows = np.flatnonzero(part.stacker == key)
        if not len(rows):
            continue
        logits = [_logit(heads[name].predict_proba(embedding[rows])[:, 1]) if head_kind(name) == "embedding"
                  else part.logits[name][rows] for name in stack_heads(list(heads), key)]
        out[rows] = stack.predict_proba(stack_inputs(logits, part.lexical[rows]))[:, 1]
    return out


def _rows(x: Any, rows: np.ndarray) -> Any:
    return x[rows] if isinstance(x, np.ndarray) else [x[i] for i in rows]
