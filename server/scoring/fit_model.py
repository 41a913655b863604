"""A niche's trained fit model: the marketer's "fit" / "not a fit" labels, learned on top of zero-shot.

Features (one code path for training and serving, :func:`features`): the zero-shot signal of the
creator (consistency, percentile, score, share of on-niche captions) next to the mean caption vector
and the bio vector, the same MiniLM vectors the zero-shot path already computed, so a trained model
costs no extra embedding. The estimator is a strongly regularised logistic regression: with a few
dozen labels it leans on the zero-shot signal, and the vectors move it as labels grow.

Artifacts are version directories holding ``MODEL_FILE`` (skops, loaded with ``TRUSTED_TYPES``
only), ``METADATA_FILE`` and ``CARD_FILE``; the registry (server.registry) keeps them in the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring.artifacts import (
    CARD_FILE,
    FORMAT_VERSION,
    METADATA_FILE,
    MODEL_FILE,
    ModelVersionWarning,
    library_versions,
    load_trusted,
    read_metadata,
    warn_if_libraries_changed,
    write_metadata,
)
from server.scoring.embedder import DIM

__all__ = ["CARD_FILE", "FORMAT_VERSION", "METADATA_FILE", "MODEL_FILE", "TRUSTED_TYPES",
           "ZERO_SHOT_FEATURES", "FitModel", "FitModelError", "ModelVersionWarning", "features",
           "library_versions"]

# Zero-shot result fields used as features, each scaled to 0..1, then the block by SIGNAL_SCALE: under one
# L2 penalty a smaller scale costs the zero-shot weights more, so the caption vectors can move the model
# when a brief misses the brand's taste (0.3 and the trainer's C were chosen on two development niches
# held out of the study's report: training/reports/fit-study.md).
ZERO_SHOT_FEATURES = (("raw", 1.0), ("percentile", 0.01), ("score", 0.01), ("on_niche_share", 1.0))
SIGNAL_SCALE = 0.3
FIT, NOT_FIT = "fit", "not_fit"

# Everything a fit model file may contain; skops refuses any other type at load time.
TRUSTED_TYPES = [
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "numpy.str_",
    "sklearn.linear_model._logistic.LogisticRegression",
]


class FitModelError(Exception):
    """A fit model directory is missing, malformed or holds types we do not trust."""


def features(results: Sequence[dict[str, Any]], bio_vectors: Sequence[np.ndarray | None],
             post_vectors: Sequence[np.ndarray]) -> np.ndarray:
    """(n, 4 + 2 * 384) float64: zero-shot signal, mean caption vector, bio vector (zeros when absent)."""
    rows = []
    for result, bio, posts in zip(results, bio_vectors, post_vectors, strict=True):
        signal = [float(result.get(key) or 0.0) * scale * SIGNAL_SCALE for key, scale in ZERO_SHOT_FEATURES]
        posts = np.asarray(posts, dtype=np.float64).reshape(-1, DIM)
        mean_post = posts.mean(axis=0) if len(posts) else np.zeros(DIM)
        bio_row = np.zeros(DIM) if bio is None else np.asarray(bio, dtype=np.float64)
        rows.append(np.concatenate([signal, mean_post, bio_row]))
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(ZERO_SHOT_FEATURES) + 2 * DIM)


class FitModel:
    """A loaded fit model: ``predict_proba`` on features, ``rescore`` a zero-shot result."""

    def __init__(self, estimator: Any, version: str, metadata: dict[str, Any] | None = None):
        classes = [str(c) for c in getattr(estimator, "classes_", [])]
        if classes != [FIT, NOT_FIT] and classes != [NOT_FIT, FIT]:
            raise FitModelError(f"estimator classes are {classes}, expected {FIT!r} and {NOT_FIT!r}")
        self.estimator = estimator
        self.version = version
        self.metadata = metadata or {}
        self._fit_column = classes.index(FIT)

    @property
    def name(self) -> str:
        return str(self.metadata.get("model", "fit"))

    @property
    def embedder(self) -> str | None:
        """The embedder version whose vectors the model was trained on (None: not recorded)."""
        value = self.metadata.get("embedding_model")
        return str(value) if value and value != "unknown" else None

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """P(fit) for each row of ``features(...)``."""
        if len(x) == 0:
            return np.zeros(0)
        return self.estimator.predict_proba(x)[:, self._fit_column]

    def predict(self, x: np.ndarray) -> list[str]:
        return [FIT if p >= 0.5 else NOT_FIT for p in self.predict_proba(x)]

    def rescore(self, result: dict[str, Any], bio_vector: np.ndarray | None,
                post_vectors: np.ndarray) -> dict[str, Any]:
        """The zero-shot ``result`` scored by the model: P(fit) x 100, the zero-shot score kept beside it."""
        p = float(self.predict_proba(features([result], [bio_vector], [post_vectors]))[0])
        metrics = self.metadata.get("metrics", {})
        learned = metrics.get("learned", {}).get("roc_auc")
        zero_shot = metrics.get("zero_shot", {}).get("roc_auc")
        labels = self.metadata.get("data", {}).get("labels")
        basis = f"trained on {labels} of your labels" if labels else "trained on your labels"
        if learned is not None and zero_shot is not None:
            basis += f"; cross-validated ROC AUC {learned:.2f} vs zero-shot {zero_shot:.2f}"
        reason = (f"{p:.0%} likely a fit by the model {basis} ({self.version}); "
                  f"zero-shot said {result['score']:.0f}.")
        return {**result, "score": round(100.0 * p, 1), "zero_shot_score": result["score"],
                "method": "trained", "model_version": self.version, "reasons": [reason, *result["reasons"]]}

    # -- artifacts ------------------------------------------------------------------------------
    def save(self, path: str | Path, metadata: dict[str, Any], card: str = "") -> Path:
        """Write the model, its metadata and card into the directory ``path``."""
        import skops.io as sio

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        sio.dump(self.estimator, path / MODEL_FILE)
        self.metadata = write_metadata(path, self.version, metadata)
        if card:
            (path / CARD_FILE).write_text(card, encoding="utf-8")
        return path

    @classmethod
    def from_dir(cls, path: str | Path) -> FitModel:
        """Load a version directory, trusting only ``TRUSTED_TYPES``; warns on library mismatches."""
        path = Path(path)
        meta = read_metadata(path, "fit model", FitModelError)
        estimator = load_trusted(path / MODEL_FILE, TRUSTED_TYPES, FitModelError)
        warn_if_libraries_changed("fit model", meta)
        return cls(estimator, str(meta.get("version", path.name)), meta)
