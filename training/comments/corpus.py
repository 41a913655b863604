"""The training corpus: the shipped datasets plus users' corrections, with their vectors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from training.comments.arguments import EXTRA_SOURCE, SOURCE_PLATFORM
from training.datasets import (
    DATA_DIR,
    ORDINARY_FILE,
    SCAMSPOT_FILE,
    YOUTUBE_FILE,
    CommentRow,
    load_ordinary,
    load_scamspot,
    load_youtube,
)
from training.vectors import cached_encode

# ---- data -----------------------------------------------------------------------------------

@dataclass
class Corpus:
    """Rows and their embedder vectors, aligned."""

    rows: list[CommentRow]
    vectors: np.ndarray

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.rows]

    @property
    def labels(self) -> np.ndarray:
        return np.array([r.spam for r in self.rows], dtype=int)

    @property
    def platforms(self) -> list[str | None]:
        return [SOURCE_PLATFORM[r.source] for r in self.rows]

    def subset(self, idx: Iterable[int]) -> Corpus:
        idx = list(idx)
        return Corpus([self.rows[i] for i in idx], self.vectors[idx])


def vector_cache(embedder: Any) -> Path | None:
    """Where training keeps the vectors of ``embedder``: ``<its DATA_DIR>/vectors`` (None: no cache)."""
    data_dir = getattr(embedder, "data_dir", None)
    return Path(data_dir) / "vectors" if data_dir else None


def load_corpus(embedder: Any, extra_labels: Iterable[tuple[str, str] | dict[str, Any]] = (),
                data_dir: Path = DATA_DIR) -> Corpus:
    """Both datasets, the training part of the ordinary text and users' corrections ((text, label)
    pairs or {"text", "label"} records), embedded by ``embedder`` (vectors cached on disk per embedder
    version: ``vector_cache``)."""
    rows = (load_youtube(data_dir / YOUTUBE_FILE) + load_scamspot(data_dir / SCAMSPOT_FILE)
            + load_ordinary("train", data_dir / ORDINARY_FILE))
    start = len(rows)
    for i, item in enumerate(extra_labels):
        text, label = (item["text"], item["label"]) if isinstance(item, dict) else item
        if text.strip():
            rows.append(CommentRow(text.strip(), int(label == "spam"), EXTRA_SOURCE, EXTRA_SOURCE, start + i))
    return Corpus(rows, cached_encode(embedder, [r.text for r in rows], vector_cache(embedder)))
