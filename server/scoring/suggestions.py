"""Active learning: which watchlisted creators to label next for a niche.

The most useful next label is the one the current model is least sure of: P(fit) nearest 0.5 for a
trained model; before one exists, the zero-shot score nearest ``ZERO_SHOT_BOUNDARY``. Creators
already labelled for the niche are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from server.schemas import Snapshot
from server.scoring import niche as zero_shot

__all__ = ["ZERO_SHOT_BOUNDARY", "suggest", "uncertainty"]

# Where zero-shot scores split "fit" from "not fit": the F1-best cut over the held-out creators of
# the label-count study (training/reports/fit-study.md).
ZERO_SHOT_BOUNDARY = 42.0
EMBED_CHUNK = 32


def uncertainty(score: float, trained: bool) -> float:
    """1 at the decision boundary, 0 at the surest end of the scale."""
    if trained:
        return round(1.0 - abs(score / 100.0 - 0.5) * 2.0, 4)
    spread = ZERO_SHOT_BOUNDARY if score < ZERO_SHOT_BOUNDARY else 100.0 - ZERO_SHOT_BOUNDARY
    return round(1.0 - min(1.0, abs(score - ZERO_SHOT_BOUNDARY) / spread), 4)


def suggest(embedder: Any, background: zero_shot.Background, brief: zero_shot.Niche,
            creators: Iterable[Mapping[str, Any]], labelled: set[str], limit: int = 10) -> dict[str, Any]:
    """The ``limit`` creators (records with a "snapshot") the model is least sure of, least sure first."""
    candidates: list[tuple[Mapping[str, Any], Snapshot]] = []
    for record in creators:
        key = f"{record.get('platform')}/{str(record.get('handle', '')).casefold()}"
        if key in labelled or not record.get("snapshot"):
            continue
        try:
            candidates.append((record, Snapshot.model_validate(record["snapshot"])))
        except ValidationError:
            continue
    texts = list(dict.fromkeys(t for _, snap in candidates
                               for t in [snap.bio, *(p.caption for p in snap.posts)] if t.strip()))
    vectors: dict[str, Any] = {}
    for start in range(0, len(texts), EMBED_CHUNK):  # small calls: scoring requests interleave
        part = texts[start:start + EMBED_CHUNK]
        vectors.update(zip(part, embedder.encode(part), strict=True))
    parts = embedder.encode(brief.texts())
    model = brief.model
    items = []
    for record, snap in candidates:
        posts = [(p.id, p.caption) for p in snap.posts if p.caption.strip()]
        bio_vector = vectors[snap.bio] if snap.bio.strip() else None
        post_vectors = _stack([vectors[c] for _, c in posts])
        result = zero_shot.assess(brief, parts, snap.bio, bio_vector, posts, post_vectors, background)
        if result["score"] is None:
            continue
        if model is not None:
            result = model.rescore(result, bio_vector, post_vectors)
        trained = result["method"] == "trained"
        items.append({"platform": snap.platform, "handle": snap.handle, "display_name": snap.display_name,
                      "status": record.get("status"), "score": result["score"], "method": result["method"],
                      "model_version": result["model_version"],
                      "uncertainty": uncertainty(result["score"], trained),
                      "reason": _reason(result["score"], trained)})
    items.sort(key=lambda item: (-item["uncertainty"], item["platform"], item["handle"].casefold()))
    return {"niche": brief.id, "method": "trained" if model is not None else "zero-shot",
            "model_version": getattr(model, "version", "zero-shot"),
            "boundary": 50.0 if model is not None else ZERO_SHOT_BOUNDARY,
            "candidates": len(candidates), "suggestions": items[:limit]}


def _stack(rows: Sequence[Any]) -> Any:
    import numpy as np

    return np.asarray(rows, dtype=np.float32).reshape(-1, 384)


def _reason(score: float, trained: bool) -> str:
    if trained:
        return f"The trained model gives {score:.0f}% for a fit: a label here teaches it the most."
    return (f"Zero-shot scores {score:.0f}, near the {ZERO_SHOT_BOUNDARY:.0f} line between fit and not fit: "
            "a label here helps the first trained model most.")
