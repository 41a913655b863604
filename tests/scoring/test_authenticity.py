"""Authenticity signals on hand-built snapshots, verdicts and vectors (no model needed)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from server.schemas import Snapshot
from server.scoring import authenticity

DIM = 384
T0 = datetime(2025, 1, 1, 12, 0)


def unit(seed: int) -> np.ndarray:
    """A random unit vector; two different seeds are near-orthogonal in 384 dimensions."""
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def towards(base: np.ndarray, seed: int, weight: float) -> np.ndarray:
    v = weight * base + (1 - weight) * unit(seed)
    return (v / np.linalg.norm(v)).astype(np.float32)


def verdict(label: str = "genuine") -> dict:
    return {"label": label, "spam_probability": 0.9 if label == "spam" else 0.05,
            "generic_probability": 0.9 if label == "generic" else 0.05, "reasons": [f"{label} by test"]}


def build(comments: list[dict], posts: int = 2, **extra) -> Snapshot:
    return Snapshot.model_validate({
        "platform": "instagram", "handle": "creator",
        "posts": [{"id": f"p{i}", "caption": f"caption {i}"} for i in range(posts)],
        "comments": [{"id": f"c{i}", "post_id": "p0", "author": f"user{i}", **c}
                     for i, c in enumerate(comments)],
        **extra})


def run(snapshot: Snapshot, labels=None, vectors=None, captions=None, cross=None) -> dict:
    n = len(snapshot.comments)
    labels = labels or ["genuine"] * n
    vectors = vectors if vectors is not None else np.stack([unit(1000 + i) for i in range(n)]) if n else \
        np.zeros((0, DIM), np.float32)
    return authenticity.assess(snapshot, [verdict(x) for x in labels], vectors, captions or {}, cross)


def test_no_comments_is_not_scored():
    out = run(build([]))
    assert out["score"] is None
    assert out["comments_analyzed"] == 0 and out["confidence"] == "low"
    assert "No audience comments" in out["reasons"][0]


def test_misaligned_inputs_are_refused():
    snap = build([{"text": "hello there"}])
    with pytest.raises(ValueError):
        authenticity.assess(snap, [], np.zeros((1, DIM)), {})


@pytest.mark.parametrize(("labels", "genuine", "generic", "spam"), [
    (["genuine"] * 4, 1.0, 0.0, 0.0),
    (["genuine", "generic", "spam", "spam"], 0.25, 0.25, 0.5),
    (["generic"] * 3 + ["genuine"], 0.25, 0.75, 0.0),
])
def test_shares_follow_the_verdicts(labels, genuine, generic, spam):
    snap = build([{"text": f"comment number {i} about things"} for i in range(len(labels))])
    out = run(snap, labels)
    assert (out["genuine_share"], out["generic_share"], out["spam_share"]) == (genuine, generic, spam)
    assert len(out["flagged"]) == sum(x != "genuine" for x in labels)
    assert {f["label"] for f in out["flagged"]} <= {"generic", "spam"}


def test_creator_comments_are_not_audience():
    snap = build([{"text": "what a great recipe, which flour?"}, {"text": "thanks @user0, use bread flour",
                                                                  "by_creator": True, "author": "creator"}])
    out = run(snap, ["genuine", "spam"])  # a creator reply the model misread never counts against them
    assert out["comments_analyzed"] == 1 and out["creator_comments"] == 1
    assert out["spam_share"] == 0.0 and out["flagged"] == []


@pytest.mark.parametrize(("texts", "authors", "posts", "expected"), [
    # five accounts paste one sentence: all five are duplicates
    (["Amazing content, check my page for more"] * 5, ["a", "b", "c", "d", "e"], ["p0"] * 5, 1.0),
    # the same account repeating itself on one post is not copy-paste across accounts or posts
    (["Amazing content, check my page for more"] * 2 + ["a different real thought"], ["a", "a", "b"],
     ["p0", "p0", "p0"], 0.0),
    # ...but the same text on two different posts is
    (["Amazing content, check my page for more"] * 2 + ["a different real thought"], ["a", "a", "b"],
     ["p0", "p1", "p0"], 2 / 3),
    # short praise repeats naturally: "nice" from four people is not a copy ring
    (["nice", "Nice!", "nice", "so cute"], ["a", "b", "c", "d"], ["p0"] * 4, 0.0),
    # case, spacing and punctuation do not hide a copy
    (["Love this look, where is it from?", "love this look where is it from", "totally different"],
     ["a", "b", "c"], ["p0", "p0", "p0"], 2 / 3),
])
def test_exact_duplicates(texts, authors, posts, expected):
    rows = zip(texts, authors, posts, strict=True)
    snap = build([{"text": t, "author": a, "post_id": p} for t, a, p in rows])
    out = run(snap)
    assert out["duplicate_share"] == pytest.approx(expected, abs=1e-4)


def test_duplicate_reason_names_the_accounts():
    snap = build([{"text": "Wow this is so inspiring, keep it up!!", "author": f"acct{i}"} for i in range(5)]
                 + [{"text": f"an honest opinion number {i}"} for i in range(5)])
    out = run(snap)
    assert "5 accounts left the same text" in " ".join(out["reasons"])
    assert all("same text as 4 other comment(s) by 4 other account(s)" in f["reasons"]
               for f in out["flagged"])


@pytest.mark.parametrize(("weight", "length_ok", "is_dup"), [
    (0.99, True, True),   # cosine ~1: near copies with a word changed
    (0.55, True, False),  # related but not copies
    (0.99, False, False),  # short texts are near each other without being copies
])
def test_near_duplicates_by_embedding(weight, length_ok, is_dup):
    base = unit(7)
    long = ["This giveaway is amazing, I entered already!", "This giveaway is so amazing, I entered already"]
    texts = long if length_ok else ["so cute!!", "so cute <3"]
    vectors = np.stack([towards(base, 11, weight), towards(base, 12, weight), unit(99)])
    snap = build([{"text": texts[0], "author": "a"}, {"text": texts[1], "author": "b"},
                  {"text": "something else entirely here"}])
    out = run(snap, vectors=vectors)
    cos = float(vectors[0] @ vectors[1])
    assert (cos >= authenticity.NEAR_DUPLICATE_COSINE) == (weight > 0.9)
    assert out["duplicate_share"] == pytest.approx(2 / 3 if is_dup else 0.0, abs=1e-4)


def test_repeat_commenters_within_creator_and_pods_across():
    loyal = [{"text": f"great point on post {p}", "author": "loyal", "post_id": f"p{p}"} for p in range(3)]
    comments = (loyal + [{"text": "nice work here", "author": "podder", "post_id": "p0"},
                   {"text": "fire content", "author": "podder", "post_id": "p1"},
                   {"text": "just passing by", "author": "once", "post_id": "p2"}])
    cross = {"podder": ["@beauty_b", "@beauty_c"], "once": []}
    out = run(build(comments, posts=3), cross=cross)
    within = out["repeat_commenters"]["within_creator"]
    assert within["accounts"] == 2
    assert within["top"][0] == {"author": "loyal", "posts": 3, "comments": 3}
    across = out["repeat_commenters"]["across_creators"]
    assert across["accounts"] == 1 and across["top"][0]["creators"] == ["@beauty_b", "@beauty_c"]
    assert {f["text"] for f in out["flagged"]} == {"nice work here", "fire content"}
    assert any("engagement pod" in r and "@beauty_b" in r for r in out["reasons"])
    without = run(build(comments, posts=3), cross=None)
    assert without["repeat_commenters"]["across_creators"] == {"accounts": 0, "known": False, "top": []}
    assert without["score"] > out["score"]


@pytest.mark.parametrize(("creator_posts", "expected"), [([], 0.0), (["p0"], 0.5), (["p0", "p1"], 1.0)])
def test_creator_reply_rate(creator_posts, expected):
    comments = [{"text": "love the colours here", "post_id": "p0"},
                {"text": "how long did this take", "post_id": "p1"}]
    comments += [{"text": "thank you!", "post_id": p, "by_creator": True, "author": "creator"}
                 for p in creator_posts]
    out = run(build(comments))
    assert out["creator_reply_rate"] == expected
    assert out["creator_replies"]["posts_with_comments"] == 2


def test_questions_answered_by_mention_or_time():
    comments = [
        {"text": "Which camera do you use?", "author": "asker1", "posted_at": T0},
        {"text": "Where did you buy the lamp?", "author": "asker2", "post_id": "p1", "posted_at": T0},
        {"text": "how do you edit these photos", "author": "asker3", "posted_at": T0},
        {"text": "gorgeous light", "author": "fan"},
        {"text": "@asker1 a Fuji X100V", "by_creator": True, "author": "creator"},
        {"text": "thanks all", "by_creator": True, "author": "creator", "post_id": "p1",
         "posted_at": T0 + timedelta(hours=1)},
    ]
    out = run(build(comments))
    q = out["questions_answered"]
    assert (q["asked"], q["answered"], q["share"]) == (3, 2, round(2 / 3, 4))
    none = run(build(comments[:4]))["questions_answered"]
    assert none["share"] is None and "cannot be seen" in none["note"]


@pytest.mark.parametrize(("marked", "creator_comment", "rate", "answered", "share"), [
    ([], False, 0.0, 0, None),           # nothing the creator did is visible
    (["q1"], False, 0.5, 1, 0.5),        # a collapsed thread the creator answered: a reply and an answer
    (["q1", "q2"], False, 1.0, 2, 1.0),
    (["q1"], True, 1.0, 2, 1.0),         # with a loaded creator comment on the other post
])
def test_threads_marked_as_answered_by_the_creator_count(marked, creator_comment, rate, answered, share):
    comments = [{"id": "q1", "text": "What shoes do you race in?", "post_id": "p0"},
                {"id": "q2", "text": "How many km a week?", "post_id": "p1", "posted_at": T0},
                {"id": "x", "text": "great video, thanks", "post_id": "p1"}]
    comments = [{**c, "creator_replied": c["id"] in marked} for c in comments]
    if creator_comment:
        comments.append({"text": "about 60 km", "post_id": "p1", "by_creator": True, "author": "creator",
                         "posted_at": T0 + timedelta(hours=2)})
    posts = [{"id": "p0", "caption": "race"}, {"id": "p1", "caption": "plan"}]
    comments = [{"author": f"user{i}", **c} for i, c in enumerate(comments)]
    snap = Snapshot.model_validate({"platform": "youtube", "handle": "creator", "posts": posts,
                                    "comments": comments})
    out = run(snap)
    assert out["creator_reply_rate"] == rate
    assert out["creator_replies"]["threads_answered"] == len(marked)
    q = out["questions_answered"]
    assert (q["asked"], q["answered"], q["share"]) == (2, answered, share)
    if marked:
        assert any("collapsed thread" in r for r in out["reasons"])


def test_relevance_against_other_captions():
    captions = {f"p{i}": unit(500 + i) for i in range(3)}
    posts = [f"p{i % 3}" for i in range(12)]
    about = np.stack([towards(captions[p], 600 + i, 0.6) for i, p in enumerate(posts)])
    off = np.stack([unit(700 + i) for i in range(12)])
    snap = build([{"text": f"comment {i} text", "post_id": p} for i, p in enumerate(posts)], posts=3)
    on_topic = run(snap, vectors=about, captions=captions)["relevance"]
    off_topic = run(snap, vectors=off, captions=captions)["relevance"]
    assert on_topic["lift"] > 0.3 and on_topic["on_post_share"] == 1.0
    assert abs(off_topic["lift"]) < 0.1 and off_topic["on_post_share"] == 0.0
    assert on_topic["baseline_kind"].startswith("the same comments")
    on_score = run(snap, vectors=about, captions=captions)["score"]
    assert on_score > run(snap, vectors=off, captions=captions)["score"]


def test_relevance_with_one_caption_uses_the_fixed_baseline():
    cap = unit(1)
    snap = build([{"text": "this is about the post"}], posts=1)
    rel = run(snap, vectors=towards(cap, 2, 0.7)[None, :], captions={"p0": cap})["relevance"]
    assert rel["baseline"] == authenticity.UNRELATED_COSINE
    assert rel["lift"] > 0.3


@pytest.mark.parametrize(("n", "confidence"), [(3, "low"), (19, "low"), (20, "medium"), (99, "medium"),
                                               (100, "high"), (300, "high")])
def test_confidence_from_sample_size(n, confidence):
    snap = build([{"text": f"a thoughtful comment number {i}", "author": f"u{i}"} for i in range(n)])
    assert run(snap)["confidence"] == confidence


@pytest.mark.parametrize("label", ["genuine", "spam"])
def test_few_comments_never_look_as_sure_as_many(label):
    def score(n: int) -> float:
        snap = build([{"text": f"comment number {i} with words", "author": f"u{i}"} for i in range(n)])
        return run(snap, [label] * n)["score"]

    few, many = score(3), score(300)
    assert abs(few - 50) < abs(many - 50)
    assert abs(few - 50) <= 50 * 3 / 13 + 1e-6
    assert (many > 90) if label == "genuine" else (many < 10)


def test_result_is_plain_json():
    import json

    captions = {"p0": unit(1), "p1": unit(2)}
    snap = build([{"text": "Which camera do you use here?", "author": "a"},
                  {"text": "Amazing content, check my page for more", "author": "b", "post_id": "p1"},
                  {"text": "Amazing content, check my page for more", "author": "c"}])
    vectors = np.stack([towards(captions["p0"], 3, 0.7), unit(4), unit(4)])
    out = run(snap, ["genuine", "spam", "spam"], vectors=vectors, captions=captions, cross={"b": ["@other"]})
    assert json.loads(json.dumps(out)) == out
