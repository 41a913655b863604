"""`microscout train fit` and `train comments` (one path: the training job) refuse clearly, before
loading anything, what the API refuses with 4xx."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.cli import main
from server.jobs import LocalBoard
from server.storage.sqlite import SQLiteStore


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROSCOUT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MICROSCOUT_STORE_URL", raising=False)
    store = SQLiteStore(tmp_path / "microscout.db")
    store.create_niche({"id": "running", "name": "Running"})
    for i, label in enumerate(["fit", "not_fit"]):
        store.add_label("running", label, {"platform": "instagram", "handle": f"c{i}",
                                           "posts": [{"id": "p", "caption": "long run"}]}, by="t")
    store.close()
    return tmp_path


@pytest.mark.parametrize(("args", "message"), [
    (["train", "fit", "cooking"], "no model named 'fit-cooking'"),
    (["train", "fit", "running"], "Only 1 'fit' and 1 'not a fit' labels"),
], ids=["unknown-niche", "two-labels"])
def test_train_fit_refuses_with_the_reason(data_dir, args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize(("model", "args"), [("fit-running", ["train", "fit", "running"]),
                                             ("comments", ["train", "comments"])])
def test_train_says_when_a_training_already_runs(data_dir, model, args):
    store = SQLiteStore(data_dir / "microscout.db")
    for i in range(2, 6):
        store.add_label("running", "fit" if i < 4 else "not_fit", {"platform": "instagram", "handle": f"c{i}",
                        "posts": [{"id": "p", "caption": "tempo run"}]}, by="t")
    store.close()
    running = LocalBoard(data_dir / "jobs").create(model, "t:t", {})  # a server's job, still going
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"already running (job {running['id']})" in result.output
