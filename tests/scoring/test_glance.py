"""Niche fit at a glance on the real model: the same numbers as the score's niche fit for the same
captions, each niche's trained model applied as in a score, and one embedding call for everything."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from server.schemas import NicheBrief
from server.scoring import glance, niche
from server.scoring.fit_model import FitModel, features
from tests import samples
from tests.scoring.test_niche import COOKING

pytestmark = pytest.mark.slow

BAKING = {"name": "Home cooking", "description": "Quick recipes, baking, meal prep and kitchen tips.",
          "keywords": ["recipe", "dinner", "baking", "meal prep", "sourdough"]}
CREATORS = [samples.RUNNING_CAPTIONS[:2], COOKING[:3], [samples.RUNNING_CAPTIONS[5], COOKING[0]],
            ["Unboxing my new phone, first impressions"]]


@pytest.fixture(scope="module")
def background(embedder):
    return niche.Background.load(embedder)


def briefs() -> list[niche.Niche]:
    return [niche.Niche.from_brief(NicheBrief(**b)) for b in (samples.RUNNING_NICHE, BAKING)]


def test_a_glance_gives_the_scores_zero_shot_fit_for_the_same_captions(embedder, background):
    found = glance.fits(embedder, background, briefs(), CREATORS)
    for texts, fits in zip(CREATORS, found, strict=True):
        for item, fit in zip(briefs(), fits, strict=True):
            posts = [(f"p{i}", t) for i, t in enumerate(texts)]
            expected = niche.assess(item, embedder.encode(item.texts()), "", None, posts,
                                    embedder.encode(texts), background)
            assert (fit["niche"], fit["name"], fit["method"]) == (item.id, item.name, "zero-shot")
            for key in ("score", "raw", "percentile", "on_niche_share"):
                assert fit[key] == expected[key], (texts, item.id, key)
    running, cooking = (f["score"] for f in found[0])
    assert running > 60 > cooking
    assert found[1][1]["score"] > 60 > found[1][0]["score"]


def test_a_glance_at_one_to_three_on_niche_posts_is_good_but_never_certain(embedder, background):
    """The consistency is shrunk toward ordinary creators by niche.PRIOR_TEXTS texts: more on-niche
    posts seen, a higher score, and none of one to three posts reaches 100."""
    running = briefs()[0]
    found = glance.fits(embedder, background, [running], [samples.RUNNING_CAPTIONS[:n] for n in (1, 2, 3)])
    scores = [f[0]["score"] for f in found]
    assert 40 < scores[0] < 90 and max(scores) < 97, scores


def test_one_embedding_call_for_every_creator_and_niche(embedder, background, monkeypatch):
    calls: list[int] = []
    encode = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts: calls.append(len(texts)) or encode(texts))
    glance.fits(embedder, background, briefs(), CREATORS)
    n_brief_parts = sum(len(b.texts()) for b in briefs())
    assert calls == [sum(len(t) for t in CREATORS) + n_brief_parts]


def test_a_trained_niche_model_rescores_as_in_a_score(embedder, background):
    running = briefs()[0]
    rng = np.random.default_rng(3)
    results, posts, labels = [], [], []
    for i in range(30):  # creators near or far from the brief: a real estimator, fitted
        fit = i % 2 == 0
        texts = samples.RUNNING_CAPTIONS if fit else COOKING
        chosen = [texts[j] for j in rng.choice(len(texts), size=3, replace=False)]
        results.append(glance.fits(embedder, background, [running], [chosen])[0][0])
        posts.append(embedder.encode(chosen))
        labels.append("fit" if fit else "not_fit")
    model = FitModel(LogisticRegression(C=1.0).fit(features(results, [None] * 30, posts), labels), "v7")
    running.model = model

    found = glance.fits(embedder, background, [running], CREATORS)
    for texts, (fit,) in zip(CREATORS, found, strict=True):
        zero_shot = glance.fits(embedder, background, [briefs()[0]], [texts])[0][0]
        expected = model.rescore({**zero_shot, "reasons": []}, None, embedder.encode(texts))
        assert (fit["method"], fit["model_version"]) == ("trained", "v7")
        assert fit["score"] == expected["score"]
    assert found[0][0]["score"] > 50 > found[1][0]["score"]
