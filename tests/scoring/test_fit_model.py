"""The trained fit model's inference object: features, rescoring, safe save and load."""

from __future__ import annotations

import json

import numpy as np
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer

from server.scoring import fit_model
from server.scoring.fit_model import FitModel, FitModelError, ModelVersionWarning, features

DIM = 384
N_FEATURES = len(fit_model.ZERO_SHOT_FEATURES) + 2 * DIM


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, DIM))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def zero_shot(score: float, raw: float = 0.5, share: float | None = 0.5) -> dict:
    return {"niche": "running", "name": "Running", "score": score, "raw": raw, "percentile": score,
            "on_niche_share": share, "method": "zero-shot", "model_version": "zero-shot",
            "evidence": {"best": [], "worst": []}, "reasons": ["zero-shot reason"]}


@pytest.fixture(scope="module")
def model() -> FitModel:
    """A model trained on synthetic creators: "fit" ones have captions near one direction."""
    rng = np.random.default_rng(0)
    direction = unit(rng, 1)[0]
    results, bios, posts, labels = [], [], [], []
    for i in range(40):
        fit = i % 2 == 0
        vectors = unit(rng, 6) * 0.6 + (direction if fit else -direction) * 0.4
        results.append(zero_shot(80.0 if fit else 30.0, 0.7 if fit else 0.2))
        bios.append(None)
        posts.append(vectors)
        labels.append("fit" if fit else "not_fit")
    estimator = LogisticRegression(C=10.0).fit(features(results, bios, posts), labels)
    m = FitModel(estimator, "v1", {"metrics": {"learned": {"roc_auc": 0.9}, "zero_shot": {"roc_auc": 0.8}},
                                   "data": {"labels": 40}})
    m.direction = direction  # type: ignore[attr-defined]
    return m


@pytest.mark.parametrize(("result", "bio", "n_posts", "signal"), [
    (zero_shot(80.0, 0.5, 0.5), True, 3, [0.5, 0.8, 0.8, 0.5]),
    (zero_shot(20.0, 0.1, None), False, 2, [0.1, 0.2, 0.2, 0.0]),  # no share: 0
    (zero_shot(50.0, 1.0, 1.0), True, 0, [1.0, 0.5, 0.5, 1.0]),   # bio only: mean caption vector is 0
], ids=["bio-and-posts", "no-bio-no-share", "bio-only"])
def test_features_are_the_scaled_signal_then_mean_caption_then_bio(result, bio, n_posts, signal):
    rng = np.random.default_rng(1)
    posts = unit(rng, n_posts)
    bio_vector = unit(rng, 1)[0] if bio else None
    x = features([result], [bio_vector], [posts])
    assert x.shape == (1, N_FEATURES)
    np.testing.assert_allclose(x[0, :4], np.array(signal) * fit_model.SIGNAL_SCALE, atol=1e-9)
    expected_mean = posts.mean(axis=0) if n_posts else np.zeros(DIM)
    np.testing.assert_allclose(x[0, 4:4 + DIM], expected_mean, atol=1e-6)
    np.testing.assert_allclose(x[0, 4 + DIM:], bio_vector if bio else np.zeros(DIM), atol=1e-6)


def test_features_of_no_creators_is_an_empty_matrix():
    assert features([], [], []).shape == (0, N_FEATURES)


def test_rescore_puts_the_learned_probability_first_and_keeps_zero_shot(model):
    rng = np.random.default_rng(2)
    on = unit(rng, 6) * 0.6 + model.direction * 0.4
    off = unit(rng, 6) * 0.6 - model.direction * 0.4
    good = model.rescore(zero_shot(80.0, 0.7), None, on)
    bad = model.rescore(zero_shot(30.0, 0.2), None, off)
    assert good["method"] == bad["method"] == "trained"
    assert good["model_version"] == "v1"
    assert good["score"] > 80 > 20 > bad["score"]
    assert good["zero_shot_score"] == 80.0
    assert good["reasons"][0].startswith(f"{good['score']:.0f}% likely a fit")
    assert "which beat zero-shot on them" in good["reasons"][0]  # the AUCs are on the model's page
    assert good["reasons"][1:] == ["zero-shot reason"]
    assert good["evidence"] == {"best": [], "worst": []}


def test_predict_names_the_classes(model):
    rng = np.random.default_rng(3)
    x = features([zero_shot(80.0, 0.7), zero_shot(30.0, 0.2)], [None, None],
                 [unit(rng, 4) * 0.6 + model.direction * 0.4, unit(rng, 4) * 0.6 - model.direction * 0.4])
    assert model.predict(x) == ["fit", "not_fit"]
    assert model.predict_proba(np.zeros((0, N_FEATURES))).shape == (0,)


def test_an_estimator_with_other_classes_is_refused():
    estimator = LogisticRegression().fit(np.eye(2), ["spam", "genuine"])
    with pytest.raises(FitModelError, match="classes"):
        FitModel(estimator, "v1")


def test_save_and_load_give_the_same_answers(model, tmp_path):
    FitModel(model.estimator, "v1").save(tmp_path / "v1", {"model": "fit-running"}, "# card\n")
    loaded = FitModel.from_dir(tmp_path / "v1")
    meta = json.loads((tmp_path / "v1" / fit_model.METADATA_FILE).read_text())
    assert meta["format_version"] == fit_model.FORMAT_VERSION and meta["version"] == "v1"
    assert set(meta["libraries"]) == {"scikit-learn", "skops", "numpy", "scipy"}
    assert (tmp_path / "v1" / fit_model.CARD_FILE).read_text() == "# card\n"
    assert loaded.version == "v1" and loaded.name == "fit-running"
    x = np.random.default_rng(4).normal(size=(5, N_FEATURES)) * 0.1
    np.testing.assert_allclose(loaded.predict_proba(x), model.predict_proba(x))


def _write(path, estimator, meta_changes=None):
    path.mkdir(parents=True)
    sio.dump(estimator, path / fit_model.MODEL_FILE)
    meta = {"format_version": fit_model.FORMAT_VERSION, "version": "v9",
            "libraries": fit_model.library_versions(), **(meta_changes or {})}
    (path / fit_model.METADATA_FILE).write_text(json.dumps(meta))


@pytest.mark.parametrize(("case", "match"), [
    ("untrusted", "untrusted types"),
    ("no-metadata", "metadata.json"),
    ("wrong-format", "not a fit model"),
    ("corrupt", "model.skops"),
], ids=["untrusted", "no-metadata", "wrong-format", "corrupt"])
def test_loading_refuses_what_it_cannot_trust(model, tmp_path, case, match):
    path = tmp_path / case
    if case == "untrusted":  # a pickled function would run on load: skops must refuse it
        _write(path, FunctionTransformer(func=print))
    elif case == "no-metadata":
        path.mkdir()
        sio.dump(model.estimator, path / fit_model.MODEL_FILE)
    elif case == "wrong-format":
        _write(path, model.estimator, {"format_version": 99})
    else:
        _write(path, model.estimator)
        (path / fit_model.MODEL_FILE).write_bytes(b"not a zip file")
    with pytest.raises(FitModelError, match=match):
        FitModel.from_dir(path)


def test_loading_warns_when_libraries_changed(model, tmp_path):
    _write(tmp_path / "old", model.estimator, {"libraries": {"scikit-learn": "0.1", "skops": "0.1",
                                                             "numpy": "0.1", "scipy": "0.1"}})
    with pytest.warns(ModelVersionWarning, match="other library versions"):
        FitModel.from_dir(tmp_path / "old")
