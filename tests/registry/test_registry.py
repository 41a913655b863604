"""The model registry over both store backends: versions kept, activation seen by every process at
once and after a restart, rollback, refusal of missing or broken versions."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from server.registry import (
    COMMENTS,
    ZERO_SHOT,
    Registry,
    RegistryError,
    UnknownModel,
    UnknownVersion,
    UnusableModel,
)
from server.scoring.fit_model import FitModel
from server.storage.redis import RedisStore
from server.storage.sqlite import SQLiteStore
from tests.storage.redis_server import RedisServer


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "redis"])
def store_factory(request, tmp_path, redis_server):
    """Opens a store; called twice, it gives two connections to the same data (two processes)."""
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    opened = []

    def open_store():
        store = SQLiteStore(tmp_path / "db.sqlite") if request.param == "sqlite" else \
            RedisStore(redis_server.url, prefix=prefix)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory):
    store = store_factory()
    store.create_niche({"id": "running", "name": "Running"})
    return store


def saved_version(root: Path, version: str, shift: float, auc: float = 0.9) -> Path:
    """A real fit model directory whose predictions depend on ``shift``."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 772))
    x[:10, 0] += shift
    estimator = LogisticRegression().fit(x, ["fit"] * 10 + ["not_fit"] * 10)
    meta = {"model": "fit-running", "created_at": "2026-01-01T00:00:00Z", "data": {"labels": 20},
            "metrics": {"learned": {"roc_auc": auc}}, "beats_zero_shot": True, "decision": "beats"}
    return FitModel(estimator, version).save(root / version, meta, "# card\n")


def test_names_are_the_comment_model_and_one_fit_model_per_stored_niche(store, tmp_path):
    registry = Registry(store, tmp_path / "shipped")
    store.create_niche({"id": "cooking", "name": "Cooking"})
    assert registry.names() == [COMMENTS, "fit-cooking", "fit-running"]
    registry.check("fit-running")
    registry.check(COMMENTS)
    for bad in ("fit-nope", "running", "fit-", "other"):
        with pytest.raises(UnknownModel):
            registry.check(bad)


def test_versions_are_kept_with_metadata_and_files(store, tmp_path):
    registry = Registry(store, tmp_path / "shipped")
    assert registry.versions("fit-running") == [] and registry.next_version("fit-running") == "v1"
    summary = registry.add("fit-running", "v1", saved_version(tmp_path, "v1", 3.0), {"data": {"labels": 20}})
    assert summary["version"] == "v1" and summary["data"] == {"labels": 20}
    registry.add("fit-running", "v2", saved_version(tmp_path, "v2", 5.0), {"metrics": {"x": 1}})
    assert [v["version"] for v in registry.versions("fit-running")] == ["v1", "v2"]
    assert all(v["source"] == "trained" for v in registry.versions("fit-running"))
    assert registry.next_version("fit-running") == "v3"
    assert registry.next_version(COMMENTS) == "local-1"  # never collides with a shipped "v<N>"
    files = registry.files("fit-running", "v2")
    assert set(files) == {"model.skops", "metadata.json", "MODEL_CARD.md"}
    assert files["MODEL_CARD.md"] == b"# card\n"
    assert registry.metadata("fit-running", "v2") == {"metrics": {"x": 1}}
    with pytest.raises(RegistryError, match="already has"):
        registry.add("fit-running", "v1", tmp_path / "v1", {})
    with pytest.raises(UnknownVersion):
        registry.files("fit-running", "v9")


def test_activation_reaches_every_process_at_once_and_survives_a_restart(store_factory, tmp_path):
    first = store_factory()
    first.create_niche({"id": "running", "name": "Running"})
    server_a = Registry(first, tmp_path / "shipped")
    server_b = Registry(store_factory(), tmp_path / "shipped")
    server_a.add("fit-running", "v1", saved_version(tmp_path, "v1", 3.0), {})
    server_a.add("fit-running", "v2", saved_version(tmp_path, "v2", 0.0), {})
    assert server_b.active_version("fit-running") == ZERO_SHOT
    assert server_b.active_model("fit-running") is None

    server_a.activate("fit-running", "v1", by="admin")
    assert server_b.active_model("fit-running").version == "v1"  # the other process, no restart
    server_b.activate("fit-running", "v2", by="ana")
    assert server_a.active_model("fit-running").version == "v2"
    assert server_a.active("fit-running")["by"] == "ana"

    restarted = Registry(store_factory(), tmp_path / "shipped")
    assert restarted.active_model("fit-running").version == "v2"
    restarted.activate("fit-running", "v1")  # rollback = activating an older version
    assert server_b.active_model("fit-running").version == "v1"
    restarted.activate("fit-running", ZERO_SHOT)  # back to zero-shot altogether
    assert server_a.active_model("fit-running") is None
    description = server_a.describe("fit-running")
    assert description["active"] == ZERO_SHOT and not any(v["active"] for v in description["versions"])


def test_missing_and_broken_versions_are_never_served(store, tmp_path):
    registry = Registry(store, tmp_path / "shipped")
    registry.add("fit-running", "v1", saved_version(tmp_path, "v1", 3.0), {})
    registry.activate("fit-running", "v1")
    with pytest.raises(UnknownVersion):
        registry.activate("fit-running", "v7")
    with pytest.raises(UnknownModel):
        registry.activate("fit-cooking", "v1")
    broken = saved_version(tmp_path, "v2", 1.0)
    (broken / "model.skops").write_bytes(b"garbage")
    registry.add("fit-running", "v2", broken, {})
    with pytest.raises(UnusableModel, match="does not load"):
        registry.activate("fit-running", "v2")
    assert registry.active_version("fit-running") == "v1"
    with pytest.raises(UnknownVersion):  # zero-shot is a version of fit models only
        registry.activate(COMMENTS, ZERO_SHOT)


def test_loaded_models_are_cached_per_process(store, tmp_path):
    registry = Registry(store, tmp_path / "shipped")
    registry.add("fit-running", "v1", saved_version(tmp_path, "v1", 3.0), {})
    registry.activate("fit-running", "v1")
    assert registry.active_model("fit-running") is registry.active_model("fit-running")


def test_the_comment_model_without_anything_shipped_or_trained(store, tmp_path):
    registry = Registry(store, tmp_path / "shipped")
    assert registry.active_version(COMMENTS) is None
    assert registry.active_model(COMMENTS) is None
    assert registry.describe(COMMENTS) == {"name": COMMENTS, "kind": "comments", "niche": None,
                                           "embedder": None, "active": None, "activated_at": None,
                                           "activated_by": None, "versions": []}
