"""Comment model versions on disk: the trusted types a model file may hold, and the version directories.

A version is ``<root>/<version>/`` holding ``MODEL_FILE`` (skops), ``METADATA_FILE``, ``CARD_FILE`` and
``PR_CURVE_FILE``; ``<root>/ACTIVE`` names the shipped defaults, one per line, and without it the
highest version is. A model is trained on one embedder's vectors (``metadata["embedder"]``), so the
default for an embedder is the first listed version trained on that embedder's weights (on its
backend if one is); a model never serves another embedder's vectors. These directories are read
only: the model registry (``server.registry``) keeps every version
trained after the release, and which one is served."""

from __future__ import annotations

import json
import re
from pathlib import Path

from server.scoring.artifacts import (
    METADATA_FILE,
    MODEL_FILE,
)
from server.scoring.weights import weights_of

PR_CURVE_FILE = "pr_curve.png"
ACTIVE_FILE = "ACTIVE"

# Everything a model file may contain besides plain containers. The whole file is checked against this
# list before skops builds anything (skops by itself would also accept any scikit-learn estimator).
TRUSTED_TYPES = [
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int32",
    "numpy.int64",
    "numpy.ndarray",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
]


class ModelLoadError(Exception):
    """A model directory is missing, malformed or holds types we do not trust."""


# ---- versions on disk -----------------------------------------------------------------------

def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", name)) or (-1,)


def versions(root: str | Path) -> list[str]:
    """Version directories under ``root`` that hold a model, oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if (p / MODEL_FILE).is_file() and (p / METADATA_FILE).is_file()]
    return sorted(found, key=_version_key)


def trained_on(metadata: dict[str, object]) -> str | None:
    """The embedder version a model's vectors came from (None: not recorded)."""
    value = metadata.get("embedder")
    return str(value) if value else None


def same_weights(a: str, b: str) -> bool:
    """Whether two embedder versions name the same weights (their backends may differ)."""
    return weights_of(a) == weights_of(b)


def _embedder_of(root: Path, version: str) -> str | None:
    try:
        return trained_on(json.loads((root / version / METADATA_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError):
        return None


def active_version(root: str | Path, embedder: str | None = None) -> str:
    """The shipped default: without ``embedder``, the first version named in ``root/ACTIVE`` (else the
    highest present); with it, the first named version trained on ``embedder``'s weights, preferring
    one trained on its backend too (else the highest such version present)."""
    root = Path(root)
    active = root / ACTIVE_FILE
    found = versions(root)
    if active.is_file():
        listed = [line.strip() for line in active.read_text(encoding="utf-8").splitlines() if line.strip()]
        for name in listed:
            if name not in found:
                raise ModelLoadError(f"{active} names {name!r}, which is not a model directory")
    else:
        listed = found[::-1]
    if not listed:
        raise ModelLoadError(f"no comment model under {root}")
    if embedder is None:
        return listed[0]
    trained = {v: _embedder_of(root, v) for v in listed}
    exact = [v for v in listed if trained[v] == embedder]
    close = [v for v in listed if (e := trained[v]) is not None and same_weights(e, embedder)]
    if exact or close:
        return (exact or close)[0]
    raise ModelLoadError(f"no comment model under {root} was trained on {embedder} vectors")
