"""Comment model versions on disk: the trusted types a model file may hold, and the version directories.

A version is ``<root>/<version>/`` holding ``MODEL_FILE`` (skops), ``METADATA_FILE``, ``CARD_FILE`` and
``PR_CURVE_FILE``; ``<root>/ACTIVE`` names the served version, and without it the highest version is
served."""

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


def activate(root: str | Path, version: str) -> None:
    """Make ``version`` the served one (atomically, so readers never see a half-written ACTIVE)."""
    root = Path(root)
    if version not in versions(root):
        raise ModelLoadError(f"no comment model version {version!r} under {root}")
    tmp = root / (ACTIVE_FILE + ".tmp")
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(root / ACTIVE_FILE)


def next_version(root: str | Path) -> str:
    found = versions(root)
    return f"v{_version_key(found[-1])[0] + 1}" if found else "v1"
