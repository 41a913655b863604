"""A comment model reads one embedder's vectors: the registry serves the one trained on the server's
embedder, keeps the served choice per embedder, and never loads a model of other weights."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from server.registry import COMMENTS, Registry, UnusableModel
from server.scoring import comments
from server.storage.sqlite import SQLiteStore
from training import comments as trainer
from training import datasets

A = "model-a@pkg==1+onnx-int8"
B = "model-b@pkg==2+onnx-int8"


@pytest.fixture(scope="module")
def estimators():
    rows = [r for r in datasets.load_youtube() if r.group == "Youtube01-Psy"][:40]
    vectors = np.random.default_rng(0).normal(size=(len(rows), 8)).astype(np.float32)
    args = trainer.TrainingArguments(platforms=(), designs=(), inner_folds=2, chars_max_features=300)
    return trainer.fit_corpus(trainer.Corpus(rows, vectors), args)


def ship(root: Path, version: str, embedder: str, estimators) -> None:
    comments.CommentModel(estimators, version).save(root / "comments" / version, {"embedder": embedder})


@pytest.fixture
def shipped(tmp_path, estimators):
    for version, embedder in (("v3-a", A), ("v3-b", B)):
        ship(tmp_path / "models", version, embedder, estimators)
    (tmp_path / "models" / "comments" / comments.ACTIVE_FILE).write_text("v3-b\nv3-a\n")
    return tmp_path / "models"


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "db.sqlite")
    yield store
    store.close()


@pytest.mark.parametrize(("embedder", "served"), [
    (A, "v3-a"), (B, "v3-b"),
    ("model-a@pkg==1+torch", "v3-a"),  # the same weights on another backend
    ("model-c@pkg==3+onnx-int8", None),  # no model for these weights: nothing to serve
    (None, "v3-b"),  # no embedder given: ACTIVE's first line
])
def test_the_shipped_default_is_the_one_trained_on_the_embedder(shipped, store, embedder, served):
    registry = Registry(store, shipped, embedder=embedder)
    assert registry.active_version(COMMENTS) == served
    if served:
        assert registry.active_model(COMMENTS).metadata["embedder"] in (A, B)


def test_a_model_of_other_weights_never_loads(shipped, store):
    registry = Registry(store, shipped, embedder=A)
    with pytest.raises(UnusableModel, match="trained on model-b"):
        registry.activate(COMMENTS, "v3-b")
    assert registry.active_version(COMMENTS) == "v3-a"
    with pytest.raises(comments.ModelLoadError, match="trained on"):
        comments.CommentModel.from_dir(shipped / "comments" / "v3-b", A)
    assert comments.load_active(shipped, A).version == "v3-a"


def test_the_served_choice_is_kept_per_embedder(shipped, store, estimators, tmp_path):
    on_a, on_b = Registry(store, shipped, embedder=A), Registry(store, shipped, embedder=B)
    ship(tmp_path / "trained", "local-3", A, estimators)
    on_a.add(COMMENTS, "local-3", tmp_path / "trained" / "comments" / "local-3", {"embedder": A})
    on_a.activate(COMMENTS, "local-3")
    assert on_a.active_version(COMMENTS) == "local-3"
    assert on_b.active_version(COMMENTS) == "v3-b"  # the other embedder's server is not switched
    described = on_a.describe(COMMENTS)
    assert described["embedder"] == A and described["active"] == "local-3"
    assert {v["version"]: v["embedder"] for v in described["versions"]} == {
        "v3-a": A, "v3-b": B, "local-3": A}


def test_the_shipped_default_follows_a_new_active_file(shipped, store):
    registry = Registry(store, shipped, embedder=None)
    assert registry.active_version(COMMENTS) == "v3-b"
    active = shipped / "comments" / comments.ACTIVE_FILE
    active.write_text("v3-a\nv3-b\n")
    later = active.stat().st_mtime_ns + 1_000_000_000  # a clock that did not tick between the writes
    os.utime(active, ns=(later, later))
    assert registry.active_version(COMMENTS) == "v3-a"
