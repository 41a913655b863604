"""Engagement: how much a creator's audience interacts with their posts, per follower and per view.

The rate of a post is (likes + comments) / followers; the creator's rate is the median over posts,
so one viral post does not carry the profile. Rates are fractions (0.041 is 4.1%).

A post counts when its like count was captured. A missing comment count is taken as 0 and said so:
comments are a small share of interactions, while a post with hidden likes (or a YouTube list that
shows only views) would make a per-follower rate meaningless. A post whose likes or comments exceed
``ABSURD_MULTIPLE`` times the followers is left out as a capture error, never averaged in.

The score (0-100):

- with at least ``MIN_PEERS`` creators of the same platform and tier seen by this server, it is the
  percentile of the rate among them (80 = more engaging than 80% of those peers);
- otherwise a HEURISTIC, not a benchmark: a log-logistic curve ``100 / (1 + (midpoint / rate) ** 1.5)``
  that gives 50 at a per-platform, per-tier midpoint, about 74 at twice it and about 26 at half.
  The midpoints in ``HEURISTIC_MIDPOINTS`` are our own judgement of a middling rate (smaller
  accounts and TikTok engage more per follower); they are not measured or published figures, and the
  answer says so. Published figures are shown separately as labelled reference points.
"""

from __future__ import annotations

import json
import math
import numbers
import statistics
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from server.vocab import tier

__all__ = ["MIN_PEERS", "HEURISTIC_MIDPOINTS", "post_rates", "assess", "heuristic_score",
           "references"]

MIN_PEERS = 5
ABSURD_MULTIPLE = 100
REFERENCES_FILE = Path(__file__).parent / "data" / "engagement_references.json"

# Our judgement of a middling per-follower rate (median of (likes + comments) / followers).
# Heuristic only: used for the score until the server has seen enough peers.
HEURISTIC_MIDPOINTS: dict[str, dict[str, float]] = {
    "instagram": {"nano": 0.040, "micro": 0.025, "mid": 0.015, "macro": 0.012, "mega": 0.010},
    "tiktok": {"nano": 0.080, "micro": 0.060, "mid": 0.050, "macro": 0.045, "mega": 0.040},
    "youtube": {"nano": 0.030, "micro": 0.020, "mid": 0.015, "macro": 0.010, "mega": 0.008},
}
_STEEPNESS = 1.5

# Comments per 1,000 likes outside this band earn a reason (heuristic, see _ratio_reason).
_FEW_COMMENTS = 2.0
_MANY_COMMENTS = 250.0
_TOP_SHARE = 0.5  # one post with this share of all interactions "carries" the profile
_UNEVEN_CV = 1.0


def post_rates(snapshot: Any) -> list[float]:
    """(likes + comments) / followers for each post with a like count; [] without followers."""
    followers = snapshot.followers
    if not followers:
        return []
    return [rate for _, rate, _ in _counted(snapshot.posts, followers)[0]]


@cache
def _load_references() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(REFERENCES_FILE.read_text(encoding="utf-8"))["references"])


def references(platform: str | None = None) -> list[dict[str, Any]]:
    """Published reference points (all, or those that apply to one platform), copies."""
    return [json.loads(json.dumps(ref)) for ref in _load_references()
            if platform is None or ref.get("platform") in (None, platform)]


def _counted(posts: Sequence[Any], followers: int) -> tuple[list[tuple[Any, float, int]], list[str]]:
    """(post, rate, interactions) for usable posts, and reasons for posts left out as absurd."""
    usable, absurd = [], []
    limit = ABSURD_MULTIPLE * followers
    for post in posts:
        if post.likes is None:
            continue
        comments = post.comments_count or 0
        if post.likes > limit or comments > limit:
            absurd.append(f"post {post.id}: {post.likes:,} likes and {comments:,} comments on {followers:,} "
                          f"followers is over {ABSURD_MULTIPLE}x the audience; left out as a capture error")
            continue
        interactions = post.likes + comments
        usable.append((post, interactions / followers, interactions))
    return usable, absurd


def _percent(value: float) -> str:
    return f"{value * 100:.2g}%" if value < 0.01 else f"{value * 100:.1f}%"


def _view_rates(posts: Sequence[Any]) -> tuple[list[float], int]:
    """(likes + comments) / views per post with both; and how many had views but odd counts."""
    rates, inconsistent = [], 0
    for post in posts:
        if post.likes is None or not post.views:
            continue
        interactions = post.likes + (post.comments_count or 0)
        if interactions > post.views:
            inconsistent += 1  # more interactions than views: counts from different moments
            continue
        rates.append(interactions / post.views)
    return rates, inconsistent


def _consistency(usable: list[tuple[Any, float, int]]) -> dict[str, Any] | None:
    if len(usable) < 3:
        return None
    rates = [rate for _, rate, _ in usable]
    total = sum(interactions for _, _, interactions in usable)
    top_post, _, top = max(usable, key=lambda item: item[2])
    mean = statistics.fmean(rates)
    cv = statistics.pstdev(rates) / mean if mean > 0 else 0.0
    top_share = top / total if total else 0.0
    if top_share >= _TOP_SHARE:
        label = "one post dominates"
    elif cv >= _UNEVEN_CV:
        label = "uneven"
    else:
        label = "steady"
    return {"label": label, "top_post_id": top_post.id, "top_post_share": round(top_share, 3),
            "cv": round(cv, 3), "posts": len(usable)}


def _percentile(rate: float, peer_rates: Sequence[float]) -> tuple[float | None, int]:
    peers = [float(r) for r in peer_rates
             if r is not None and isinstance(r, numbers.Real) and math.isfinite(r) and r >= 0]
    if len(peers) < MIN_PEERS:
        return None, len(peers)
    below = sum(1 for r in peers if r < rate)
    equal = sum(1 for r in peers if r == rate)
    return 100.0 * (below + 0.5 * equal) / len(peers), len(peers)


def heuristic_score(rate: float, platform: str, tier_name: str) -> float:
    """The no-peers score: 50 at the heuristic midpoint, log-logistic around it (not a benchmark)."""
    if rate <= 0:
        return 0.0
    midpoint = HEURISTIC_MIDPOINTS[platform][tier_name]
    return 100.0 / (1.0 + (midpoint / rate) ** _STEEPNESS)


def _confidence(n: int) -> str:
    return "high" if n >= 10 else "medium" if n >= 5 else "low"


def _ratio_reason(per_1000: float) -> str | None:
    if per_1000 < _FEW_COMMENTS:
        few = "less than one comment" if per_1000 < 1.5 else f"about {per_1000:.0f} comments"
        return (f"{few} per 1,000 likes: unusually few comments for the likes, "
                "which can mean bought likes")
    if per_1000 > _MANY_COMMENTS:
        return (f"{per_1000:.0f} comments per 1,000 likes: unusually many comments for the likes "
                "(giveaways, comment pods or bought comments)")
    return None


def assess(snapshot: Any, peer_rates: Sequence[float] = ()) -> dict[str, Any]:
    """The engagement section of the score for a ``server.schemas.Snapshot``.

    ``peer_rates`` are the rates of other creators of the same platform and tier that this server
    has seen; the percentile and the score use them once there are ``MIN_PEERS``.
    """
    followers = snapshot.followers
    tier_name = tier(followers)
    posts = list(snapshot.posts)
    reasons: list[str] = []
    without_counts = sum(1 for p in posts if p.likes is None)
    missing_comments = sum(1 for p in posts if p.likes is not None and p.comments_count is None)

    usable: list[tuple[Any, float, int]] = []
    absurd: list[str] = []
    if followers is None:
        reasons.append("no follower count captured: engagement per follower unavailable")
    elif followers == 0:
        reasons.append("the follower count is 0: engagement per follower is undefined")
    else:
        usable, absurd = _counted(posts, followers)

    rates = [rate for _, rate, _ in usable]
    rate = statistics.median(rates) if rates else None
    mean_rate = statistics.fmean(rates) if rates else None

    if not posts:
        reasons.append("no posts captured")
    elif without_counts == len(posts):
        reasons.append(f"none of the {len(posts)} posts had a like count captured "
                       "(hidden likes or not loaded)")
    elif without_counts:
        reasons.append(f"{without_counts} of {len(posts)} posts had no like count captured and were left out")
    if missing_comments:
        reasons.append(f"{missing_comments} posts had no comment count; counted as 0 comments")
    reasons.extend(absurd)
    if rate is not None:
        reasons.insert(0, f"a typical post gets likes and comments from {_percent(rate)} of followers "
                          f"({len(rates)} post{'s' if len(rates) != 1 else ''})")

    view_rates, inconsistent = _view_rates(posts)
    view_rate = statistics.median(view_rates) if view_rates else None
    if view_rate is not None:
        reasons.append(f"on a typical post {_percent(view_rate)} of viewers like or comment "
                       f"({len(view_rates)} post{'s' if len(view_rates) != 1 else ''} with views)")
    if inconsistent:
        reasons.append(f"{inconsistent} posts had more likes and comments than views; "
                       "left out of the view rate")
    viewed = [p.views / followers for p in posts if p.views is not None and followers]
    views_per_follower = statistics.median(viewed) if viewed else None

    ratios = [1000.0 * (p.comments_count or 0) / p.likes for p, _, _ in usable
              if p.likes and p.comments_count is not None]
    per_1000 = statistics.median(ratios) if ratios else None
    if per_1000 is not None and len(ratios) >= 3 and (note := _ratio_reason(per_1000)):
        reasons.append(note)

    consistency = _consistency(usable)
    if consistency is not None:
        share = f"{consistency['top_post_share'] * 100:.0f}%"
        if consistency["label"] == "one post dominates":
            reasons.append(f"one post carries most of the engagement ({share} of all likes and comments, "
                           f"post {consistency['top_post_id']})")
        elif consistency["label"] == "uneven":
            reasons.append("engagement swings a lot from post to post")
        else:
            reasons.append("steady engagement from post to post")

    percentile, peers = (None, 0)
    percentile_note = None
    if rate is not None:
        percentile, peers = _percentile(rate, peer_rates)
        where = f"{snapshot.platform} {tier_name} creators"
        if percentile is None:
            seen = f"only {peers} other" if peers else "no other"
            percentile_note = f"{seen} {where} seen by this server; a percentile needs at least {MIN_PEERS}"
        else:
            reasons.append(f"more engaging than {percentile:.0f}% of {peers} {where} seen by this server")

    score: float | None = None
    basis: dict[str, Any]
    if rate is None or tier_name is None:
        basis = {"method": None, "note": "no per-follower rate, so no engagement score"}
    elif percentile is not None:
        score = percentile
        basis = {"method": "peer percentile", "peers": peers}
    else:
        score = heuristic_score(rate, snapshot.platform, tier_name)
        midpoint = HEURISTIC_MIDPOINTS[snapshot.platform][tier_name]
        basis = {"method": "heuristic", "midpoint": midpoint,
                 "note": f"{percentile_note}; scored by our heuristic (50 at {_percent(midpoint)} for "
                         f"{snapshot.platform} {tier_name}), not a published benchmark"}
        reasons.append(f"too few {snapshot.platform} {tier_name} creators seen here to compare with; scored "
                       "against our own rule of thumb for their size, not a published benchmark")

    return {
        "tier": tier_name,
        "followers": followers,
        "rate": rate,
        "mean_rate": mean_rate,
        "posts_analyzed": len(rates),
        "posts_without_counts": without_counts,
        "posts_excluded": len(absurd),
        "view_rate": {"value": view_rate, "posts": len(view_rates)},
        "views_per_follower": {"value": views_per_follower, "posts": len(viewed)},
        "comments_per_1000_likes": {"value": per_1000, "posts": len(ratios)},
        "consistency": consistency,
        "percentile": percentile,
        "peers": peers,
        "percentile_note": percentile_note,
        "references": references(snapshot.platform),
        "score": None if score is None else round(score, 1),
        "score_basis": basis,
        "confidence": _confidence(len(rates)),
        "reasons": reasons,
    }
