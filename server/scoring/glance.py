"""Niche fit at a glance: many creators with a few post texts each (a scroll page), one embedding pass.

The numbers are the score's zero-shot niche fit (server.scoring.niche) over the texts seen: each
text's on-niche value weighs the brief against the generic topics, the creator's consistency S is
their mean, P places S among background creators judged on as many texts, and the score weighs P, S
and the number of texts n as ``niche.Calibration.scores`` does. So one to three on-niche captions
give a good score, never a certain one (at most 71 for one, 87 for three), and a glance at the
captions of a creator's posts gives what /v1/score gives for a snapshot of those captions without a
bio. Each niche is calibrated once for all creators. A stored niche with an active trained fit model
is rescored by it, from the same features as in a score (a scroll page shows no bio: that block is
zeros).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from server.scoring.fit_model import features
from server.scoring.niche import Background, Calibration, Niche, brief_vector, calibration

__all__ = ["fits"]


def fits(embedder: Any, background: Background, niches: Sequence[Niche],
         texts: Sequence[Sequence[str]]) -> list[list[dict[str, Any]]]:
    """Per creator (``texts[i]``, non-empty) and niche: {"niche", "name", "score", "method",
    "model_version", "reason"?}, niches in the order given (``reason``: the niche's note, why zero-shot
    serves). Every text not cached is embedded in one call."""
    parts = [n.texts() for n in niches]
    flat = [t for creator in texts for t in creator] + [p for brief in parts for p in brief]
    vectors = embedder.encode(flat) if flat else np.zeros((0, 0), dtype=np.float32)
    bounds = np.cumsum([0, *(len(t) for t in texts)])
    creators = [vectors[bounds[i]:bounds[i + 1]] for i in range(len(texts))]
    at = int(bounds[-1])
    answers: list[list[dict[str, Any]]] = [[] for _ in texts]
    for item, brief in zip(niches, parts, strict=True):
        vec = brief_vector(vectors[at:at + len(brief)])
        at += len(brief)
        found = calibration(background, vec)
        results = _zero_shot(item, vectors[:bounds[-1]], bounds, found)
        if item.model is not None:
            results = _trained(item.model, results, creators)
        elif item.note:
            results = [{**r, "reason": item.note} for r in results]
        for answer, result in zip(answers, results, strict=True):
            answer.append(result)
    return answers


def _zero_shot(item: Niche, vectors: np.ndarray, bounds: np.ndarray,
               calibration: Calibration) -> list[dict[str, Any]]:
    """niche.assess's numbers for each creator's slice of ``vectors`` (rounded alike: a trained model
    reads them as features). The on-niche values of every text at once: a glance is many creators."""
    values = calibration.values(vectors)
    counts = np.diff(bounds)
    totals = np.add.reduceat(values, bounds[:-1])
    share = np.add.reduceat((values >= calibration.line).astype(np.float64), bounds[:-1]) / counts
    score, pct, _ = calibration.scores(totals, counts)
    raw = totals / counts
    return [{"niche": item.id, "name": item.name, "score": round(float(s), 1), "raw": round(float(r), 4),
             "percentile": round(float(p), 1), "on_niche_share": round(float(h), 3), "method": "zero-shot",
             "model_version": "zero-shot"} for s, r, p, h in zip(score, raw, pct, share, strict=True)]


def _trained(model: Any, results: list[dict[str, Any]], creators: list[np.ndarray]) -> list[dict[str, Any]]:
    """The niche's fit model over every creator at once: P(fit) x 100, as FitModel.rescore gives it."""
    p = model.predict_proba(features(results, [None] * len(results), creators))
    return [{**r, "score": round(100.0 * float(pi), 1), "method": "trained", "model_version": model.version}
            for r, pi in zip(results, p, strict=True)]
