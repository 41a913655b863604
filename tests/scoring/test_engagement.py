"""Engagement: tiers, per-post rates, medians, view rates, peers, odd and missing data."""

from __future__ import annotations

import math
import random
import statistics

import numpy as np
import pytest

from server import vocab
from server.schemas import Snapshot
from server.scoring import engagement
from server.scoring.engagement import (
    HEURISTIC_MIDPOINTS,
    MIN_PEERS,
    assess,
    heuristic_score,
    post_rates,
)


def make(followers: int | None = 20_000, posts: list[tuple] = (), platform: str = "instagram") -> Snapshot:
    """posts: (likes, comments, views) tuples; None means the count was not captured."""
    items = []
    for i, counts in enumerate(posts):
        likes, comments, views = (tuple(counts) + (None, None, None))[:3]
        items.append({"id": f"p{i}", "caption": f"post {i}", "likes": likes, "comments_count": comments,
                      "views": views})
    return Snapshot.model_validate({"platform": platform, "handle": "creator", "followers": followers,
                                    "posts": items})


def steady(n: int, likes: int = 1000, comments: int = 50) -> list[tuple]:
    return [(likes, comments)] * n


def test_every_tier_has_a_heuristic_midpoint_per_platform():
    for platform in ("instagram", "tiktok", "youtube"):
        assert set(HEURISTIC_MIDPOINTS[platform]) == set(vocab.TIERS)


# ---- per-post rates and the median ------------------------------------------------------------

@pytest.mark.parametrize(("followers", "posts", "rates"), [
    (1_000, [(40, 10)], [0.05]),
    (1_000, [(40, 10), (90, 10), (0, 0)], [0.05, 0.10, 0.0]),
    (1_000, [(40, None)], [0.04]),                  # missing comment count counts as 0
    (1_000, [(None, 10), (50, 0)], [0.05]),         # no like count: left out
    (1_000, [(None, None)], []),
    (None, [(40, 10)], []),
    (0, [(40, 10)], []),
    (1_000, [(100_001, 0), (20, 0)], [0.02]),      # over 100x followers: left out
    (1_000, [(100_000, 0)], [100.0]),              # exactly 100x is extreme but kept
])
def test_post_rates(followers, posts, rates):
    assert post_rates(make(followers, posts)) == pytest.approx(rates)


@pytest.mark.parametrize(("posts", "median", "mean"), [
    ([(100, 0)], 0.01, 0.01),
    ([(100, 0), (300, 0)], 0.02, 0.02),
    ([(100, 0), (200, 0), (9_000, 0)], 0.02, 0.31),          # the median ignores the viral post
    ([(100, 0), (200, 0), (400, 0), (800, 0)], 0.03, 0.0375),
    ([(90, 10), (190, 10), (None, 5)], 0.015, 0.015),
])
def test_rate_is_the_median_over_posts(posts, median, mean):
    result = assess(make(10_000, posts))
    assert result["rate"] == pytest.approx(median)
    assert result["mean_rate"] == pytest.approx(mean)
    assert result["posts_analyzed"] == sum(1 for p in posts if p[0] is not None)


def test_reason_names_the_rate_and_the_post_count():
    result = assess(make(20_000, [(700, 20)] * 11 + [(800, 20)]))
    assert result["reasons"][0].startswith(
        "a typical post gets likes and comments from 3.6% of followers (12 posts)")


# ---- missing and odd data never crash, always explain -----------------------------------------

@pytest.mark.parametrize(("followers", "posts", "reason"), [
    (None, steady(5), "no follower count captured: engagement per follower unavailable"),
    (0, steady(5), "the follower count is 0"),
    (5_000, [], "no posts captured"),
    (5_000, [(None, 3)] * 4, "none of the 4 posts had a like count captured"),
    (5_000, [(None, 3)] * 2 + steady(3), "2 of 5 posts had no like count captured"),
    (5_000, [(100, None)] * 3, "3 posts had no comment count; counted as 0 comments"),
    (5_000, [(10**9, 5)] + steady(3), "left out as a capture error"),
    (5_000, [(100, 10**9)] + steady(3), "left out as a capture error"),
    (5_000, [(500, 20, 100)] + steady(2), "more likes and comments than views"),
])
def test_missing_and_absurd_data_give_reasons(followers, posts, reason):
    result = assess(make(followers, posts))
    assert any(reason in r for r in result["reasons"]), result["reasons"]


@pytest.mark.parametrize(("followers", "posts"), [
    (None, steady(5)), (0, steady(5)), (5_000, []), (5_000, [(None, None)] * 3),
    (5_000, [(10**9, 10**9)] * 3),
])
def test_no_rate_means_no_score_and_low_confidence(followers, posts):
    result = assess(make(followers, posts))
    assert result["rate"] is None
    assert result["score"] is None
    assert result["confidence"] == "low"
    assert result["score_basis"]["method"] is None


def test_absurd_posts_are_counted_and_left_out():
    result = assess(make(1_000, [(500_000, 0), (50, 5), (60, 5), (70, 5)]))
    assert result["posts_excluded"] == 1
    assert result["posts_analyzed"] == 3
    assert result["rate"] == pytest.approx(0.065)


def test_random_extreme_snapshots_never_crash():
    rng = random.Random(7)
    pick = [None, 0, 1, 9_999, 10**6, 10**11]
    for _ in range(300):
        posts = [tuple(rng.choice(pick) for _ in range(3)) for _ in range(rng.randint(0, 8))]
        result = assess(make(rng.choice(pick), posts, rng.choice(["instagram", "tiktok", "youtube"])),
                        [rng.random() for _ in range(rng.randint(0, 8))])
        assert result["score"] is None or 0 <= result["score"] <= 100
        assert result["reasons"]


# ---- view rate --------------------------------------------------------------------------------

@pytest.mark.parametrize(("posts", "value", "n"), [
    ([(100, 0, 1_000), (50, 0, 1_000), (300, 0, 1_000)], 0.1, 3),
    ([(90, 10, 1_000), (None, None, 5_000), (100, 0, None)], 0.1, 1),
    ([(100, 0, 0)], None, 0),                       # zero views: no rate
    ([(100, 0)], None, 0),
    ([(None, 0, 1_000)], None, 0),                  # views without likes
    ([(2_000, 0, 1_000), (10, 0, 100)], 0.1, 1),    # more likes than views: left out
])
def test_view_rate(posts, value, n):
    result = assess(make(10_000, posts, "tiktok"))
    assert result["view_rate"]["posts"] == n
    if value is None:
        assert result["view_rate"]["value"] is None
    else:
        assert result["view_rate"]["value"] == pytest.approx(value)


def test_view_rate_needs_no_follower_count():
    result = assess(make(None, [(100, 0, 2_000)] * 3, "youtube"))
    assert result["rate"] is None
    assert result["view_rate"] == {"value": pytest.approx(0.05), "posts": 3}


def test_views_per_follower():
    result = assess(make(10_000, [(None, None, 5_000), (None, None, 20_000), (None, None, 8_000)], "youtube"))
    assert result["views_per_follower"] == {"value": pytest.approx(0.8), "posts": 3}
    assert result["rate"] is None


# ---- comments per 1,000 likes and consistency -------------------------------------------------

@pytest.mark.parametrize(("posts", "value", "reason"), [
    ([(10_000, 10)] * 3, 1.0, "unusually few comments for the likes"),
    ([(1_000, 300)] * 3, 300.0, "unusually many comments for the likes"),
    ([(1_000, 30)] * 3, 30.0, None),
    ([(10_000, 10)] * 2, 1.0, None),                # two posts: too few for a verdict
])
def test_comments_per_thousand_likes(posts, value, reason):
    result = assess(make(50_000, posts))
    assert result["comments_per_1000_likes"]["value"] == pytest.approx(value)
    flagged = [r for r in result["reasons"] if "per 1,000 likes" in r]
    if reason is None:
        assert flagged == []
    else:
        assert reason in flagged[0]


@pytest.mark.parametrize(("posts", "label", "reason"), [
    ([(1_000, 0)] * 6, "steady", "steady engagement"),
    ([(100, 0)] * 5 + [(5_000, 0)], "one post dominates", "one post carries most of the engagement"),
    ([(100, 0), (100, 0), (1_500, 0), (1_500, 0), (100, 0), (100, 0), (100, 0), (3_000, 0)], "uneven",
     "swings a lot"),
])
def test_consistency(posts, label, reason):
    result = assess(make(20_000, posts))
    assert result["consistency"]["label"] == label
    assert any(reason in r for r in result["reasons"])


def test_consistency_names_the_viral_post():
    result = assess(make(20_000, [(100, 0)] * 5 + [(5_000, 0)]))
    assert result["consistency"]["top_post_id"] == "p5"
    assert result["consistency"]["top_post_share"] == pytest.approx(5_000 / 5_500, abs=1e-3)


def test_consistency_needs_three_posts():
    assert assess(make(20_000, steady(2)))["consistency"] is None


# ---- peers, percentile, score -----------------------------------------------------------------

# our rate is 0.05 in every row (1,000 interactions on 20,000 followers)
@pytest.mark.parametrize(("peers", "percentile"), [
    ([0.01, 0.02, 0.03, 0.04, 0.06], 80.0),
    ([0.06, 0.07, 0.08, 0.09, 0.10], 0.0),
    ([0.01, 0.02, 0.03, 0.04, 0.045], 100.0),
    ([0.05] * 5, 50.0),                                   # ties count half
    ([0.01, 0.05, 0.05, 0.09, 0.09, 0.09], 100 * (1 + 1) / 6),
    (np.array([0.01, 0.02, 0.03, 0.04, 0.06], dtype=np.float32), 80.0),
    ([0.01, 0.02, 0.03, 0.04, 0.06, float("nan"), -1.0, None, float("inf")], 80.0),  # junk filtered
])
def test_percentile_among_peers(peers, percentile):
    result = assess(make(20_000, steady(5, likes=950, comments=50)), peers)
    assert result["percentile"] == pytest.approx(percentile)
    assert result["score"] == pytest.approx(round(percentile, 1))
    assert result["score_basis"]["method"] == "peer percentile"
    assert result["percentile_note"] is None


@pytest.mark.parametrize(("peers", "note"), [
    ([], "no other instagram micro creators seen by this server"),
    ([0.01], "only 1 other instagram micro creators"),
    ([0.01, 0.02, 0.03, 0.04], f"only 4 other instagram micro creators seen by this server; a percentile "
                               f"needs at least {MIN_PEERS}"),
    ([0.01, 0.02, 0.03, 0.04, float("nan")], "only 4 other"),
])
def test_too_few_peers_falls_back_to_the_heuristic(peers, note):
    result = assess(make(20_000, steady(5, likes=950, comments=50)), peers)
    assert result["percentile"] is None
    assert note in result["percentile_note"]
    assert result["score_basis"]["method"] == "heuristic"
    assert any("not a published benchmark" in r for r in result["reasons"])
    assert result["score"] == pytest.approx(heuristic_score(0.05, "instagram", "micro"), abs=0.05)


@pytest.mark.parametrize(("platform", "tier_name"), [
    (p, t) for p in HEURISTIC_MIDPOINTS for t in HEURISTIC_MIDPOINTS[p]])
def test_heuristic_is_50_at_the_midpoint_and_monotonic(platform, tier_name):
    mid = HEURISTIC_MIDPOINTS[platform][tier_name]
    assert heuristic_score(mid, platform, tier_name) == pytest.approx(50.0)
    scores = [heuristic_score(mid * f, platform, tier_name) for f in (0, 0.25, 0.5, 1, 2, 4, 100)]
    assert scores == sorted(scores)
    assert scores[0] == 0.0 and scores[-1] < 100.0
    assert heuristic_score(mid * 2, platform, tier_name) == pytest.approx(100 / (1 + 2 ** -1.5))


def test_same_rate_scores_higher_for_a_bigger_tier():
    # bigger accounts are held to a lower midpoint, so 2% is worth more at mega than at nano
    assert heuristic_score(0.02, "instagram", "mega") > heuristic_score(0.02, "instagram", "nano")


@pytest.mark.parametrize(("n", "confidence"), [(1, "low"), (4, "low"), (5, "medium"), (9, "medium"),
                                                (10, "high"), (47, "high")])
def test_confidence_from_posts_with_counts(n, confidence):
    result = assess(make(20_000, steady(n) + [(None, None)] * 3))
    assert result["confidence"] == confidence
    assert result["posts_without_counts"] == 3


# ---- reference points -------------------------------------------------------------------------

def test_references_are_labelled_and_never_unsourced_numbers():
    refs = engagement.references()
    assert refs
    for ref in refs:
        assert {"title", "publisher", "year", "url"} <= set(ref["source"])
        assert ref["source"]["url"].startswith("https://")
        assert ref["platform"] in (None, "instagram", "tiktok", "youtube")
        assert ref["tier"] in (None, *vocab.TIERS)
        if ref["value"] is None:
            assert ref["note"]
        else:  # a number needs its definition: followers or views, mean or median, which sample
            assert isinstance(ref["value"], float) and 0 < ref["value"] < 1
            assert ref["definition"]


def test_references_follow_the_platform_and_are_copies():
    result = assess(make(20_000, steady(5), "tiktok"))
    assert all(ref["platform"] in (None, "tiktok") for ref in result["references"])
    result["references"][0]["value"] = 123
    assert engagement.references()[0]["value"] is None


def test_guide_citation_has_no_invented_figure():
    imh = next(r for r in engagement.references() if r["source"]["publisher"] == "Influencer Marketing Hub")
    assert imh["value"] is None and imh["source"]["year"] == 2024


# ---- a real profile ---------------------------------------------------------------------------

# The 12 posts of @megadeth's Instagram profile as saved in 2022 by meedan/pender
# (test/data/instagram-profile-graphql.json, commit b08425ae, MIT, (c) 2016 Meedan):
# followers 2,520,817; (likes, comments, video views or None).
MEGADETH = [(20269, 151, 66061), (33593, 202, 120351), (68130, 633, None), (47549, 606, None),
            (20097, 64, None), (37700, 113, 120096), (15219, 81, None), (14385, 43, None),
            (34528, 150, 112795), (14781, 57, 49928), (15378, 100, None), (16515, 86, None)]


def test_a_real_mega_profile():
    result = assess(make(2_520_817, MEGADETH))
    rates = [(likes + comments) / 2_520_817 for likes, comments, _ in MEGADETH]
    assert result["tier"] == "mega"
    assert result["rate"] == pytest.approx(statistics.median(rates))
    assert result["rate"] == pytest.approx(0.00805, abs=1e-5)
    assert result["view_rate"]["posts"] == 5
    assert result["view_rate"]["value"] == pytest.approx(
        statistics.median((lk + c) / v for lk, c, v in MEGADETH if v))
    assert result["confidence"] == "high"
    assert result["reasons"][0].startswith(
        "a typical post gets likes and comments from 0.8% of followers (12 posts)")
    assert math.isclose(result["score"], heuristic_score(result["rate"], "instagram", "mega"), abs_tol=0.05)
