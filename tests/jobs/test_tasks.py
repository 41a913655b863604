"""The training tasks' own rules: what a retrained comment model must show to be served, what is
refused before queueing, and how the shared embedder is asked."""

from __future__ import annotations

import numpy as np
import pytest

from server.jobs.runtime import Runtime
from server.jobs.tasks import (
    COMMENT_MCC_TOLERANCE,
    ChunkedEmbedder,
    comment_decision,
    preflight,
    protocol_mcc,
)
from server.registry import UnknownModel
from server.storage.sqlite import SQLiteStore
from training.fit import LabelError

SERVED = {"youtube_mcc": 0.90, "scamspot_mcc": 0.85}


@pytest.mark.parametrize(("new", "served", "force", "activated", "says"), [
    ({"youtube_mcc": 0.91, "scamspot_mcc": 0.86}, SERVED, False, True, "no worse than the served v1"),
    ({"youtube_mcc": 0.90 - COMMENT_MCC_TOLERANCE / 2, "scamspot_mcc": 0.85}, SERVED, False, True,
     "no worse"),  # within refitting noise
    ({"youtube_mcc": 0.95, "scamspot_mcc": 0.80}, SERVED, False, False,
     "worse than the served v1 on scamspot_mcc"),
    ({"youtube_mcc": 0.80, "scamspot_mcc": 0.80}, SERVED, False, False, "on youtube_mcc, scamspot_mcc"),
    ({"youtube_mcc": 0.80, "scamspot_mcc": 0.85}, SERVED, True, True, "activated because forced"),
    ({"youtube_mcc": 0.80, "scamspot_mcc": 0.80}, None, False, True, "no comparable served version"),
], ids=["better", "within-noise", "worse-on-one", "worse-on-both", "forced", "nothing-served"])
def test_a_retrained_comment_model_is_served_only_when_no_worse_on_the_shipped_protocol(
        new, served, force, activated, says):
    decision, reason = comment_decision(new, served, "v1", force)
    assert decision is activated
    assert says in reason
    assert f"youtube_mcc {new['youtube_mcc']:.3f}" in reason


def test_protocol_numbers_come_from_the_shipped_metrics_layout():
    metrics = {"youtube": {"overall": {"mcc": 0.93}}, "scamspot": {"mcc": 0.88}}
    assert protocol_mcc(metrics) == {"youtube_mcc": 0.93, "scamspot_mcc": 0.88}
    assert protocol_mcc({}) is None


def label(handle, value):
    return {"platform": "instagram", "handle": handle, "posts": [{"id": "p", "caption": f"{value} {handle}"}]}


@pytest.mark.parametrize(("labels", "error"), [
    ([], LabelError), ([("a", "fit"), ("b", "not_fit")], LabelError),
    ([(f"f{i}", "fit") for i in range(3)] + [(f"n{i}", "not_fit") for i in range(3)], None),
], ids=["none", "two", "enough"])
def test_preflight_refuses_before_anything_is_queued(tmp_path, labels, error):
    store = SQLiteStore(tmp_path / "db")
    store.create_niche({"id": "running", "name": "Running"})
    for handle, value in labels:
        store.add_label("running", value, label(handle, value), by="t")
    runtime = Runtime({"DATA_DIR": str(tmp_path), "MODELS_DIR": str(tmp_path / "models")}, store=store)
    with pytest.raises(UnknownModel):
        preflight(runtime, "fit-cooking")
    preflight(runtime, "comments")
    if error is None:
        preflight(runtime, "fit-running")
    else:
        with pytest.raises(error):
            preflight(runtime, "fit-running")
    store.close()


class Recorder:
    version = "test-embedder"

    def __init__(self):
        self.calls: list[int] = []

    def encode(self, texts):
        self.calls.append(len(texts))
        return np.full((len(texts), 384), float(len(self.calls)), dtype=np.float32)


def test_the_shared_embedder_is_asked_a_chunk_at_a_time_so_scoring_interleaves():
    inner, seen = Recorder(), []
    embedder = ChunkedEmbedder(inner, chunk=4, progress=lambda done, total: seen.append((done, total)))
    vectors = embedder.encode([f"t{i}" for i in range(42)])
    assert inner.calls == [4] * 10 + [2]
    assert vectors.shape == (42, 384) and vectors[0, 0] == 1.0 and vectors[41, 0] == 11.0
    assert seen[0] == (4, 42) and seen[-1] == (42, 42)
    seen.clear()
    embedder.encode(["a", "b", "c"])  # small calls are not worth a progress line
    assert seen == [] and ChunkedEmbedder(inner).encode([]).shape == (0, 384)
