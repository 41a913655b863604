"""The fit trainer: label checks, the cross-validation protocol, the activation rule, and the
label-count study on real TweetTopic posts (learned model vs zero-shot as labels grow)."""

from __future__ import annotations

import numpy as np
import pytest

from server.scoring.fit_model import FitModel
from server.scoring.niche import Background
from training import fit, fit_eval
from training.fit import LabelError, TrainingArguments


def label(handle: str, value: str, captions=("Sunday long run by the river",), platform="instagram", bio=""):
    return {"niche": "running", "label": value, "created_at": "2026-01-01T00:00:00Z", "created_by": "admin",
            "snapshot": {"platform": platform, "handle": handle, "bio": bio,
                         "posts": [{"id": f"p{i}", "caption": c} for i, c in enumerate(captions)]}}


@pytest.mark.parametrize(("fit_n", "not_fit_n", "message"), [
    (0, 0, "no labels yet"),
    (5, 0, "All 5 labels are 'fit'"),
    (0, 4, "All 4 labels are 'not_fit'"),
    (1, 1, "Only 1 'fit' and 1 'not a fit'"),
    (2, 6, "Only 2 'fit' and 6 'not a fit'"),
    (3, 3, None),
    (30, 3, None),
], ids=["none", "only-fit", "only-not-fit", "two-labels", "too-few-fit", "minimum", "unbalanced"])
def test_labels_that_cannot_train_a_model_are_refused_with_the_reason(fit_n, not_fit_n, message):
    counts = {"fit": fit_n, "not_fit": not_fit_n}
    if message is None:
        fit.check_labels(counts)
    else:
        with pytest.raises(LabelError, match=message):
            fit.check_labels(counts)


def test_prepare_labels_keeps_the_latest_label_per_creator_and_skips_bad_rows():
    labels = [label("Casey", "fit"), label("other", "not_fit"), label("casey", "not_fit"),
              label("x", "maybe"), {"label": "fit", "snapshot": {"platform": "myspace", "handle": "y"}},
              label("Casey", "fit", platform="tiktok")]
    creators, notes = fit.prepare_labels(labels)
    assert [(c.key, c.label) for c in creators] == [
        ("instagram/casey", "not_fit"), ("instagram/other", "not_fit"), ("tiktok/casey", "fit")]
    assert any("labelled more than once" in n for n in notes)
    assert any("unknown label 'maybe'" in n for n in notes)
    assert any("does not validate" in n for n in notes)


def test_cross_validation_compares_both_on_the_same_folds():
    rng = np.random.default_rng(0)
    y = ["fit"] * 10 + ["not_fit"] * 8
    x = rng.normal(size=(18, 5))
    x[:10, 0] += 3.0  # the learned model can separate the classes
    zs = np.concatenate([rng.uniform(40, 70, 10), rng.uniform(30, 60, 8)])  # zero-shot only partly
    metrics = fit.cross_validate(x, y, zs, TrainingArguments(c=1.0, repeats=4))
    assert metrics["protocol"] == {"kind": "repeated stratified k-fold", "folds": 5, "repeats": 4, "seed": 0,
                                   "labels": 18, "fit": 10, "not_fit": 8}
    assert metrics["learned"]["roc_auc"] > 0.9
    assert metrics["learned"]["roc_auc"] > metrics["zero_shot"]["roc_auc"]
    for name in ("learned", "zero_shot"):
        assert set(metrics[name]) == {"roc_auc", "average_precision", "f1", "std"}
        assert all(0.0 <= metrics[name][m] <= 1.0 for m in ("roc_auc", "average_precision", "f1"))
    counts = metrics["confusion_matrix"]["counts"]
    assert sum(map(sum, counts)) == 18 and counts[0][0] + counts[0][1] == 10


def test_tiny_label_sets_use_as_many_folds_as_the_smaller_class_allows():
    x = np.vstack([np.ones((3, 2)), -np.ones((3, 2))]) + np.random.default_rng(1).normal(size=(6, 2)) * 0.1
    y = ["fit"] * 3 + ["not_fit"] * 3
    metrics = fit.cross_validate(x, y, [9, 8, 7, 3, 2, 1], TrainingArguments(repeats=2))
    assert metrics["protocol"]["folds"] == 3
    assert metrics["zero_shot"]["roc_auc"] == 1.0


@pytest.mark.parametrize(("learned", "zero_shot", "activate"), [
    (0.95, 0.90, True), (0.90, 0.90, False), (0.80, 0.90, False)], ids=["beats", "ties", "worse"])
def test_a_new_version_is_served_only_when_it_beats_zero_shot(learned, zero_shot, activate):
    served, reason = fit.decide({"learned": {"roc_auc": learned}, "zero_shot": {"roc_auc": zero_shot}})
    assert served is activate
    assert f"{learned:.3f}" in reason and f"{zero_shot:.3f}" in reason
    assert ("zero-shot keeps serving" in reason) is (not activate)


# -- on the real model and real posts --------------------------------------------------------------

@pytest.fixture(scope="module")
def background(embedder):
    return Background.load(embedder)


@pytest.mark.slow
def test_training_on_real_creators_gives_a_model_with_its_evaluation(embedder, background):
    creators = fit_eval.labelled_creators("news_&_social_concern", 8, 6, 3, seed=0)
    labels = [{"label": c.label, "snapshot": fit_eval.snapshot(c)} for c in creators]
    seen: list[tuple[float, str]] = []
    result = fit.train(fit_eval.brief_for("news_&_social_concern"), labels, embedder, background,
                       name="fit-news", version="v1", progress=lambda f, m: seen.append((f, m)))
    assert isinstance(result.model, FitModel) and result.model.version == "v1"
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] >= 0.9
    stages = {m.split(":")[0] for _, m in seen}
    assert {"embedding", "cross-validation", "fitting on every label"} <= stages
    meta = result.metadata
    assert meta["data"]["labels"] == 17 and meta["data"]["fit"] == 8 and len(meta["data"]["sha256"]) == 64
    assert meta["embedding_model"] == embedder.version and meta["parameters"]["c"] == TrainingArguments().c
    assert meta["beats_zero_shot"] is result.beats_zero_shot and meta["decision"] == result.reason
    assert "| labelled fit |" in result.card and "zero-shot, same folds" in result.card
    assert result.metrics["learned"]["roc_auc"] >= 0.8


def test_training_refuses_labels_whose_creators_have_nothing_to_read():
    labels = [label(f"c{i}", "fit" if i < 3 else "not_fit", captions=()) for i in range(6)]
    labels[0] = label("c0", "fit", bio="Marathon coach")  # a bio alone is something to read
    with pytest.raises(LabelError, match="All 1 labels are 'fit'.*5 labelled creators have no bio"):
        fit.train(fit_eval.brief_for("sports"), labels, None, None, name="fit-sports", version="v1")


@pytest.mark.slow
def test_label_count_study_learned_model_against_zero_shot(embedder):
    """The study of training/reports/fit-study.md, smaller: 2 niches x 3 seeds, held-out creators."""
    niches = ("news_&_social_concern", "film_tv_&_video")
    rows = fit_eval.run(embedder, niches, seeds=range(3), cv_repeats=3)
    summary = {(s["niche"], s["labels"]): s for s in fit_eval.summarize(rows)}
    for n in fit_eval.LABEL_COUNTS:
        line = " | ".join(f"{c[:10]} zs {summary[(c, n)]['zero_shot_auc']:.3f} "
                          f"learned {summary[(c, n)]['learned_auc']:.3f}" for c in niches)
        print(f"{n:2d} labels: {line}")
    metrics = ("zero_shot_auc", "learned_auc", "served_auc", "activated_share")
    mean = {n: {m: np.mean([summary[(c, n)][m] for c in niches]) for m in metrics}
            for n in fit_eval.LABEL_COUNTS}
    # zero-shot needs no labels: the same AUC at every count
    assert len({round(mean[n]["zero_shot_auc"], 9) for n in fit_eval.LABEL_COUNTS}) == 1
    # with 48 labels the learned model ranks held-out creators as well as zero-shot (on MiniLM it did
    # better: 0.995 against 0.974; on e5, zero-shot alone already reaches 0.99 on these niches)
    assert mean[48]["learned_auc"] >= mean[48]["zero_shot_auc"] - 0.005
    # more labels help it, and the trainer's own cross-validation trusts it more often
    assert mean[48]["learned_auc"] >= mean[6]["learned_auc"] - 0.005
    assert mean[48]["activated_share"] >= mean[6]["activated_share"]
    # the guard never serves something much worse than zero-shot
    assert all(mean[n]["served_auc"] >= mean[n]["zero_shot_auc"] - 0.02 for n in fit_eval.LABEL_COUNTS)
