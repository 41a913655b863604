"""The embedder: cache accounting, shared batches across threads, the Redis cache, failures.

Correctness only (no timings): ``bench/score_bench.py`` measures speed.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

import numpy as np
import pytest

from server.scoring.embedder import DIM, WORDLESS, Embedder, SharedCache, VectorCache
from tests.storage.redis_server import RedisServer, free_port


def unique_texts(n: int, words: str = "a comment about marathon training and race pacing") -> list[str]:
    """Texts no other test embedded: the session embedder's caches have never seen them."""
    tag = uuid.uuid4().hex[:8]
    return [f"{words} {tag} number {i}" for i in range(n)]


# -- the in-process LRU -------------------------------------------------------------------------
VEC_BYTES = DIM * 4 + 16 + 64  # one entry: vector, 16-byte key, bookkeeping


@pytest.mark.parametrize(("capacity", "puts", "touched", "kept"), [
    (3, ["a", "b", "c"], [], {"a", "b", "c"}),
    (2, ["a", "b", "c"], [], {"b", "c"}),          # the oldest goes first
    (2, ["a", "b", "c"], ["a"], {"a", "c"}),       # unless it was read since
    (1, ["a", "a", "a"], [], {"a"}),               # a repeated put is one entry
    (0, ["a"], [], set()),                         # a zero budget keeps nothing
])
def test_vector_cache_is_an_lru_bounded_in_bytes(capacity, puts, touched, kept):
    cache = VectorCache(capacity * VEC_BYTES)
    vec = np.ones(DIM, dtype=np.float32)
    for i, name in enumerate(puts):
        if i == len(puts) - 1:
            for t in touched:
                assert cache.get(t.encode().ljust(16)) is not None
        cache.put(name.encode().ljust(16), vec)
    assert {k.strip().decode() for k in cache._items} == kept
    assert cache.nbytes <= cache.max_bytes


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown embedding backend"):
        Embedder(16, 1, backend="tensorflow", data_dir="/nonexistent", store_url="")


# -- the real model -----------------------------------------------------------------------------


@pytest.mark.slow
def test_encode_gives_unit_vectors_in_order(embedder):
    texts = unique_texts(5) + ["", "🔥🔥🔥", "short"]
    vectors = embedder.encode(texts)
    assert vectors.shape == (len(texts), DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    reversed_vectors = embedder.encode(texts[::-1])
    assert np.array_equal(vectors, reversed_vectors[::-1])  # from the cache, rows follow the input
    assert embedder.encode([]).shape == (0, DIM)
    assert embedder.encode_uncached([]).shape == (0, DIM)


@pytest.mark.slow
def test_cache_spends_one_embedding_per_new_text(embedder):
    snapshot = unique_texts(20)
    before = embedder.texts_embedded
    first = embedder.encode(snapshot + snapshot[:5])            # duplicates inside a call: embedded once
    assert embedder.texts_embedded - before == 20
    again = embedder.encode(snapshot)                            # the same snapshot again: nothing
    assert embedder.texts_embedded - before == 20
    assert np.array_equal(first[:20], again)
    embedder.encode(snapshot + unique_texts(1, "one new comment"))   # one new comment: one embedding
    assert embedder.texts_embedded - before == 21


@pytest.mark.slow
def test_wordless_texts_share_one_vector_and_cost_at_most_one_embedding(embedder):
    wordless = ["😍🔥👏👏", "💪🏽💪🏽💪🏽 !!!", "", "   ", "\u200b\u200d", "🇧🇷🇧🇷 ❤️‍🔥", "🙌" * 500]
    before = embedder.texts_embedded
    vectors = embedder.encode(wordless)
    assert embedder.texts_embedded - before <= 1  # WORDLESS, unless an earlier test cached it
    assert np.array_equal(vectors, np.repeat(embedder.encode([WORDLESS]), len(wordless), axis=0))
    assert embedder.texts_embedded - before <= 1
    worded = embedder.encode(["🔥 top 🔥", "10/10 🔥"])  # a word or a digit: embedded as itself
    assert not np.allclose(worded[0], vectors[0]) and not np.allclose(worded[1], vectors[0])


@pytest.mark.slow
def test_the_token_cap_bounds_what_a_text_is_read_with_and_keys_the_cache(embedder, tmp_path):
    capped = Embedder(8, 1, backend=embedder.backend, data_dir=embedder.data_dir, store_url="",
                      model=embedder.model.name, max_tokens=16)
    capped.wait()
    assert capped._model.max_length == 16 and embedder._model.max_length == embedder.max_tokens
    assert capped.key("hola") != embedder.key("hola")  # a capped vector is never served for an uncapped one
    short, long = "A short caption about running.", " ".join(unique_texts(8))  # ~100 word pieces
    assert float(capped.encode([short])[0] @ embedder.encode([short])[0]) > 0.999
    assert float(capped.encode([long])[0] @ embedder.encode([long])[0]) < 0.99
    with pytest.raises(ValueError, match="max_tokens"):
        Embedder(8, 1, backend="onnx", data_dir=str(tmp_path), store_url="", model="minilm", max_tokens=2)


def test_the_onnx_graph_recipe_keys_the_cache_but_not_the_version(tmp_path, monkeypatch):
    """A new recipe (how the ONNX graph is built) rounds int8 vectors differently: the caches must not
    serve the old ones, while the models trained on the version still read the new ones."""
    from server.scoring.backends import onnx_export

    made = [Embedder(8, 1, backend="onnx-int8", data_dir=str(tmp_path), store_url="", model="minilm")]
    monkeypatch.setattr(onnx_export, "RECIPE", onnx_export.RECIPE + 1)
    made.append(Embedder(8, 1, backend="onnx-int8", data_dir=str(tmp_path), store_url="", model="minilm"))
    assert made[0].version == made[1].version and made[0].build != made[1].build
    assert made[0].key("hola") != made[1].key("hola")
    torch = Embedder(8, 1, backend="torch", data_dir=str(tmp_path), store_url="", model="minilm")
    assert torch.build.endswith("/torch")  # no ONNX graph, no recipe


@pytest.mark.slow
def test_uncached_call_still_counts_and_matches_cached(embedder):
    texts = unique_texts(3)
    before = embedder.texts_embedded
    raw = embedder.encode_uncached(texts)
    raw_again = embedder.encode_uncached(texts)
    assert embedder.texts_embedded - before == 6
    cos = (raw * raw_again).sum(axis=1)
    assert cos.min() > 0.999


@pytest.mark.slow
def test_concurrent_callers_share_model_calls(embedder):
    long_request = unique_texts(300, "a much longer caption about " * 6)
    small_requests = [unique_texts(3) for _ in range(6)]
    results: dict[int, np.ndarray] = {}

    def call(i: int, texts: list[str]) -> None:
        results[i] = embedder.encode(texts)

    calls_before = embedder.model_calls
    first = threading.Thread(target=call, args=(-1, long_request))
    first.start()
    time.sleep(0.05)  # the long request is on the model; the small ones queue behind it
    others = [threading.Thread(target=call, args=(i, texts)) for i, texts in enumerate(small_requests)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join()
    # Seven requests, two model calls: the six small ones rode together (one call each would be 7).
    assert embedder.model_calls - calls_before <= 2
    for i, texts in enumerate(small_requests):
        alone = embedder.encode_uncached(texts)
        assert (results[i] * alone).sum(axis=1).min() > 0.98  # int8 activations scale per batch


@pytest.mark.slow
def test_a_failed_model_call_reaches_the_caller_and_the_worker_lives_on(embedder):
    with pytest.raises((TypeError, ValueError)):  # the backend's own complaint, whichever backend
        embedder.encode([None])  # type: ignore[list-item]
    assert embedder.encode(unique_texts(2)).shape == (2, DIM)
    assert embedder._batcher._expected == 0


# -- Redis --------------------------------------------------------------------------------------
@pytest.fixture
def redis_url(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def sibling(embedder: Embedder, store_url: str) -> Embedder:
    """A second server process's embedder: same backend and data dir, its own local cache."""
    other = Embedder(embedder.batch_size, 1, backend=embedder.backend, data_dir=embedder.data_dir,
                     store_url=store_url)
    other.wait()
    return other


@pytest.mark.slow
@pytest.mark.redis
def test_redis_shares_vectors_between_processes_and_its_absence_is_no_error(embedder, redis_url, caplog):
    first, second = sibling(embedder, redis_url.url), sibling(embedder, redis_url.url)
    texts = unique_texts(12)
    vectors = first.encode(texts)
    assert first.texts_embedded == 12
    assert np.array_equal(second.encode(texts), vectors)   # from Redis: the second never embeds them
    assert second.texts_embedded == 0
    assert len(second.cache) == 12                          # and now holds them locally too

    redis_url.kill()
    with caplog.at_level(logging.WARNING, logger="server.scoring.embedder"):
        assert np.array_equal(second.encode(texts), vectors)    # the local cache still answers
        fresh = unique_texts(3)
        assert second.encode(fresh).shape == (3, DIM)           # and the model covers the rest
    assert second.texts_embedded == 3
    assert "unavailable" in caplog.text
    assert not second.shared.available                          # one timeout, then it stays away a while


@pytest.mark.redis
def test_shared_cache_round_trip_and_key_isolation(redis_url):
    cache = SharedCache(redis_url.url)
    vec = np.arange(DIM, dtype=np.float32)
    cache.put_many([(b"k" * 16, vec)])
    got = cache.get_many([b"k" * 16, b"x" * 16])
    assert np.array_equal(got[0], vec) and got[1] is None


def test_shared_cache_pointing_nowhere_answers_nothing_quickly():
    cache = SharedCache(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2, retry_after=60)
    started = time.monotonic()
    assert cache.get_many([b"k" * 16]) == [None]
    cache.put_many([(b"k" * 16, np.zeros(DIM, dtype=np.float32))])
    assert cache.get_many([b"k" * 16]) == [None]
    assert time.monotonic() - started < 2  # the failure is remembered: no second timeout
