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
    assert runner["score"] >= 80, runner
    assert cook["score"] <= 30, cook
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


def test_reasons_carry_no_raw_numbers(embedder, background):
    one_hit = COOKING[:7] + [samples.RUNNING_CAPTIONS[5]]
    for captions in (samples.RUNNING_CAPTIONS, COOKING, one_hit, COOKING[:1]):
        for reason in fit(embedder, background, captions)["reasons"]:
            assert not any(ch.isdigit() for ch in reason), reason


def test_percentile_is_share_below():
    ref = np.array([0.1, 0.2, 0.3, 0.4])
    assert niche.percentile(0.05, ref) == 0.0
    assert niche.percentile(0.5, ref) == 100.0
    assert niche.percentile(0.25, ref) == 50.0


# -- the method on synthetic vectors (no model) ---------------------------------------------------------
def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


SYNTHETIC = niche.Method(temperature=0.05, exclude_z=1.5, on_niche=0.5, consistent=0.6)


def synthetic_background(method=SYNTHETIC):
    rng = np.random.default_rng(0)
    anchors = unit(np.eye(8)[1:] + 0.05)              # seven topics on axes 1..7
    topics = rng.integers(1, 8, size=200)
    posts = unit(np.eye(8)[topics] + 0.3 * rng.normal(size=(200, 8)))
    return niche.Background.from_posts(posts, [[f"t{t}"] for t in topics], "synthetic", anchors, method)


def test_on_niche_value_is_the_briefs_softmax_share_among_the_topics():
    values = niche.on_niche(np.array([0.9, 0.5]), np.array([[0.5, 0.5], [0.9, 0.5]]), temperature=0.1)
    assert values[0] == pytest.approx(1 / (1 + 2 * np.exp(-4)))
    assert values[1] == pytest.approx(1 / (1 + np.exp(4) + 1))
    # the same shift of every cosine (a post in another language, say) leaves the value unchanged
    shifted = niche.on_niche(np.array([0.7]), np.array([[0.3, 0.3]]), 0.1)
    assert shifted[0] == pytest.approx(values[0])


def test_a_topic_that_stands_out_as_close_to_the_brief_does_not_compete():
    background = synthetic_background()
    brief = unit(np.eye(8)[1] + 0.2 * np.eye(8)[0])   # the brief is topic 1, nearly
    calibration = background.calibrate(brief)
    assert len(calibration.anchors) == 6
    assert float(np.max(calibration.anchors @ brief)) < float(np.max(background.anchors @ brief))


def language_texts():
    """Four topics (axes 0..3) written in two languages, each language its own offset (axes 6, 7): a
    multilingual model puts a text nearer texts of its own language, whatever they are about."""
    topics, languages = np.eye(8)[:4], 0.8 * np.eye(8)[6:8]
    return unit(topics[:, None, :] + languages[None, :, :])   # topics x languages x dim


def test_the_neutral_view_removes_what_only_says_which_language_a_text_is_in():
    texts = language_texts()
    view = niche.View.of(texts)
    french_topic0, english_topic1, french_topic1 = texts[0, 1], texts[1, 0], texts[1, 1]
    # as the vectors are, a French post is nearer another French text than an English one on its topic
    assert float(french_topic0 @ french_topic1) > float(french_topic0 @ english_topic1) + 0.3
    seen = view(np.stack([french_topic0, english_topic1, french_topic1]))
    assert float(seen[0] @ seen[2]) == pytest.approx(float(seen[0] @ seen[1]), abs=1e-5)
    assert float(seen[1] @ view(texts[1, 1:2])[0]) == pytest.approx(1.0, abs=1e-5)  # a topic in both: one
    assert np.allclose(np.linalg.norm(seen, axis=1), 1.0, atol=1e-5)


def test_topics_are_centroids_of_their_languages_seen_in_the_neutral_view():
    texts = language_texts()
    by_text = {}
    for topic, langs in enumerate(niche.load_anchors(languages=("en", "fr"))[:4]):
        for lang, text in enumerate(langs):
            by_text[text] = texts[topic, lang]
    method = niche.Method(0.05, 1.0, on_niche=0.5, consistent=0.6, languages=("en", "fr"), neutral=True)
    anchors, view = niche.anchor_vectors(lambda batch: np.stack([by_text[t] for t in batch]), method,
                                         path=_four_topics())
    assert view is not None and anchors.shape == (4, 8)
    assert list(np.argmax(anchors, axis=1)) == [0, 1, 2, 3]  # each topic on its own axis
    assert np.allclose(anchors @ (np.eye(8)[6] - np.eye(8)[7]), 0.0, atol=1e-5)  # no language left
    assert np.allclose(anchors, view(unit(texts.mean(axis=1))), atol=1e-6)
    plain, none = niche.anchor_vectors(lambda batch: np.stack([by_text[t] for t in batch]),
                                       niche.Method(0.05, 1.0, 0.5, 0.6, languages=("en", "fr")),
                                       path=_four_topics())
    assert none is None and np.allclose(plain, unit(texts.mean(axis=1)), atol=1e-6)


def _four_topics():
    import json
    import tempfile
    from pathlib import Path

    data = json.loads(niche.ANCHORS_FILE.read_text(encoding="utf-8"))
    four = {"topics": data["topics"][:4], "translations": {"fr": data["translations"]["fr"][:4]}}
    path = Path(tempfile.mkdtemp()) / "topics.json"
    path.write_text(json.dumps(four), encoding="utf-8")
    return path


def test_every_topic_is_written_in_every_language_of_the_file_and_the_methods():
    for languages in (niche.TOPIC_LANGUAGES, *(method.languages for method in niche.METHODS.values())):
        topics = niche.load_anchors(languages=languages)
        assert len(topics) == 36 and all(len(texts) == len(languages) for texts in topics)
        assert all(len(set(texts)) == len(texts) for texts in topics)  # translated, not copied


def test_scores_rank_consistent_creators_first_and_few_texts_never_saturate():
    background = synthetic_background()
    calibration = background.calibrate(unit(np.eye(8)[0] + 0.3 * np.eye(8)[1]))
    on = unit(np.eye(8)[0] + 0.3 * np.eye(8)[1] + 0.05)
    off = unit(np.eye(8)[5] + 0.05)
    v_on, v_off = calibration.values(on)[0], calibration.values(off)[0]
    assert v_on > 0.5 > v_off
    score = {name: calibration.scores(np.array([total]), np.array([n]))[0][0] for name, total, n in (
        ("all8", 8 * v_on, 8), ("one8", v_on + 7 * v_off, 8), ("none8", 8 * v_off, 8),
        ("one1", v_on, 1), ("two2", 2 * v_on, 2), ("three3", 3 * v_on, 3))}
    assert score["all8"] > score["one8"] + 30 > score["none8"] + 30
    assert score["one1"] < score["two2"] < score["three3"] < 100
    assert score["one1"] < 72
