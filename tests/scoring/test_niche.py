"""Zero-shot niche fit on the real model: calibration, consistency, evidence."""

from __future__ import annotations

import numpy as np
import pytest

from server.schemas import NicheBrief
from server.scoring import niche
from tests import samples

pytestmark = pytest.mark.slow

COOKING = [
    "Slow-cooked beef ragu with fresh pappardelle, recipe in the comments.",
    "Sourdough day: 75% hydration, overnight proof, the crumb came out beautiful.",
    "Five weeknight dinners under 30 minutes, all on one tray.",
    "Homemade ramen broth simmered for twelve hours, worth every minute.",
    "Lemon tart with a buttery shortcrust and torched meringue.",
    "Meal prep for the week: roasted vegetables, rice and chickpea curry.",
    "Testing three supermarket olive oils so you do not have to.",
    "My grandmother's dumplings, folded the way she taught me.",
]


@pytest.fixture(scope="module")
def background(embedder):
    return niche.Background.load(embedder)


def fit(embedder, background, captions, bio="", brief=samples.RUNNING_NICHE):
    item = niche.Niche.from_brief(NicheBrief(**brief))
    parts = embedder.encode(item.texts())
    posts = [(f"p{i}", c) for i, c in enumerate(captions)]
    post_vectors = embedder.encode([c for _, c in posts])
    bio_vector = embedder.encode([bio])[0] if bio else None
    return niche.assess(item, parts, bio, bio_vector, posts, post_vectors, background)


def test_on_niche_creator_scores_high_and_off_niche_low(embedder, background):
    runner = fit(embedder, background, samples.RUNNING_CAPTIONS, bio="Marathon runner and coach")
    cook = fit(embedder, background, COOKING, bio="Home cook sharing recipes")
    assert runner["score"] >= 90, runner
    assert cook["score"] <= 40, cook
    assert runner["on_niche_share"] > 0.7 > cook["on_niche_share"]
    assert runner["confidence"] == "high"


def test_consistency_beats_a_single_viral_on_niche_post(embedder, background):
    consistent = fit(embedder, background, samples.RUNNING_CAPTIONS[:8])
    one_hit = fit(embedder, background, COOKING[:7] + [samples.RUNNING_CAPTIONS[5]])
    assert consistent["score"] > one_hit["score"] + 30
    assert any("single hit" in r for r in one_hit["reasons"])


def test_evidence_is_ordered_and_points_at_posts(embedder, background):
    result = fit(embedder, background, COOKING[:4] + samples.RUNNING_CAPTIONS[:4])
    best, worst = result["evidence"]["best"], result["evidence"]["worst"]
    sims = [e["similarity"] for e in best]
    assert sims == sorted(sims, reverse=True)
    assert best[0]["caption"] in samples.RUNNING_CAPTIONS
    assert worst[0]["caption"] in COOKING
    assert worst[0]["similarity"] < best[-1]["similarity"]


def test_nothing_to_judge_gives_no_score(embedder, background):
    result = fit(embedder, background, [])
    assert result["score"] is None and result["confidence"] == "low"
    assert result["reasons"]


def test_percentile_is_share_below():
    ref = np.array([0.1, 0.2, 0.3, 0.4])
    assert niche.percentile(0.05, ref) == 0.0
    assert niche.percentile(0.5, ref) == 100.0
    assert niche.percentile(0.25, ref) == 50.0
