"""Training vectors cached on disk per embedder version: only new texts reach the embedder."""

from __future__ import annotations

import numpy as np
import pytest

from training.vectors import _key, cache_file, cached_encode


class Counting:
    """A stand-in embedder with a version and build name: a vector from each text's hash, and a count
    of calls."""

    def __init__(self, version: str, build: str | None = None):
        self.version = version
        self.build = build or f"{version}/recipe3"
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen += texts
        return np.array([[hash((self.version, t)) % 997, len(t)] for t in texts], dtype=np.float32)


def text_whose_key_ends_in_nul() -> str:
    return next(t for t in (f"comment {i}" for i in range(100_000)) if _key(t).endswith(b"\0"))


def test_only_new_texts_are_embedded_and_vectors_come_back_in_order(tmp_path):
    nul = text_whose_key_ends_in_nul()  # numpy byte strings drop trailing NULs: keys must survive
    first = Counting("model-a+onnx-int8")
    texts = ["b", "a", nul, "b"]
    out = cached_encode(first, texts, tmp_path)
    assert sorted(first.seen) == sorted({"a", "b", nul})
    np.testing.assert_array_equal(out, first.encode(texts))

    again = Counting("model-a+onnx-int8")
    out = cached_encode(again, ["a", nul, "c"], tmp_path)
    np.testing.assert_array_equal(out, first.encode(["a", nul, "c"]))
    assert again.seen == ["c"]


def test_embedders_never_share_a_cache(tmp_path):
    a, b = Counting("model-a+onnx-int8"), Counting("model-b+onnx-int8")
    cached_encode(a, ["x"], tmp_path)
    cached_encode(b, ["x"], tmp_path)
    assert b.seen == ["x"]
    assert cache_file(tmp_path, a.build) != cache_file(tmp_path, b.build)
    files = {cache_file(tmp_path, v).name for v in (a.build, b.build)}
    assert {p.name for p in tmp_path.iterdir()} == files


def test_a_new_build_of_the_same_embedder_does_not_read_the_old_vectors(tmp_path):
    """A new ONNX recipe rounds differently: same version, another ``build``, another cache file."""
    old = Counting("model-a+onnx-int8", "model-a+onnx-int8/recipe2")
    new = Counting("model-a+onnx-int8", "model-a+onnx-int8/recipe3")
    cached_encode(old, ["x"], tmp_path)
    cached_encode(new, ["x"], tmp_path)
    assert new.seen == ["x"] and len(list(tmp_path.iterdir())) == 2


@pytest.mark.parametrize("content", [b"", b"not an npz"])
def test_a_broken_cache_file_is_rebuilt(tmp_path, content):
    embedder = Counting("model-a+onnx-int8")
    cache_file(tmp_path, embedder.version).write_bytes(content)
    cached_encode(embedder, ["x"], tmp_path)
    assert embedder.seen == ["x"]
    fresh = Counting("model-a+onnx-int8")
    cached_encode(fresh, ["x"], tmp_path)
    assert fresh.seen == []


def test_no_directory_means_no_cache():
    embedder = Counting("model-a+onnx-int8")
    cached_encode(embedder, ["x"], None)
    cached_encode(embedder, ["x"], None)
    assert embedder.seen == ["x", "x"]
