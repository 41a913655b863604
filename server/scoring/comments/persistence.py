"""Comment model versions on disk: the trusted types a model file may hold, and the version directories.

A version is ``<root>/<version>/`` holding ``MODEL_FILE`` (skops), ``METADATA_FILE``, ``CARD_FILE`` and
``PR_CURVE_FILE``; ``<root>/ACTIVE`` names the shipped default, and without it the highest version
is. These directories are read only: the model registry (``server.registry``) keeps every version
trained after the release, and which one is served."""

from __future__ import annotations

import re
from pathlib import Path

from server.scoring.artifacts import (
    METADATA_FILE,
    MODEL_FILE,
)

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


def active_version(root: str | Path) -> str:
    """The version named in ``root/ACTIVE``, else the highest version present."""
    root = Path(root)
    active = root / ACTIVE_FILE
    if active.is_file():
        name = active.read_text(encoding="utf-8").strip()
        if name not in versions(root):
            raise ModelLoadError(f"{active} names {name!r}, which is not a model directory")
        return name
    found = versions(root)
    if not found:
        raise ModelLoadError(f"no comment model under {root}")
    return found[-1]
