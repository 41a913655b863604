"""Voices in the comments: audience members whose replies spark discussion (the marketer's guide).

A commenter is a *voice* when both hold for one of their comments:

1. **It stands out under its post**: its likes are at least ``RATIO`` times the median likes of the
   post's other audience comments (and at least ``MIN_LIKES``), or its replies are (at least
   ``MIN_REPLIES``). A post needs ``MIN_OTHERS`` other audience comments to have a baseline, so one
   comment alone under a post never stands out.
2. **It is substantive and on the niche**: the comment classifier calls it genuine, it has at least
   ``MIN_WORDS`` words (``MIN_CHARS`` characters for scripts written without spaces), and its vector is
   on one of the brand's niches or, with no niche, close to the caption of its own post
   (``ON_POST_COSINE``). On the niche means an on-niche value (the same calibration as posts) above
   what the texts of a creator who posts nothing on the niche average (``Method.ordinary``): a comment
   talks about the post in passing ("a trick from my mother: add the chickpeas once the water boils")
   and rarely reaches the line a caption must reach to count as about the niche.

Pure functions over the snapshot, the classifier's verdicts and the vectors the scorer already has:
no extra embedding pass.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from server.scoring.authenticity import ON_POST_COSINE

__all__ = ["NicheLine", "assess", "RATIO", "MIN_LIKES", "MIN_REPLIES", "MIN_OTHERS", "MIN_WORDS", "MOST"]

RATIO = 3.0
MIN_LIKES = 5
MIN_REPLIES = 2
MIN_OTHERS = 3
MIN_WORDS = 12  # a tip, an experience, an argument; one-liners and jokes are shorter
MIN_CHARS = 40  # Chinese, Japanese, Thai: no spaces between words
MOST = 5  # voices named in the answer


@dataclass(frozen=True)
class NicheLine:
    """A niche's brief vector and its ``niche.Calibration``: a comment is judged by the same on-niche
    value as posts, against the niche's ordinary level."""

    niche: str
    name: str
    vector: np.ndarray
    calibration: Any

    def margin(self, vector: np.ndarray) -> float:
        """How far ``vector``'s on-niche value is above the niche's ordinary level (> 0: on the niche)."""
        return float(self.calibration.values(vector)[0]) - float(self.calibration.ordinary)


def _substantive(text: str) -> bool:
    words = text.split()
    if len(words) >= MIN_WORDS:
        return True
    return len(words) <= 2 and len("".join(words)) >= MIN_CHARS and not text.isascii()


def _stands_out(value: int, others: list[int], floor: int) -> bool:
    return value >= floor and value >= RATIO * statistics.median(others)


def assess(snapshot: Any, verdicts: Sequence[dict[str, Any]], comment_vectors: np.ndarray,
           caption_vectors: dict[str, np.ndarray], niches: Sequence[NicheLine]) -> dict[str, Any]:
    """The voices section for ``snapshot``; verdicts and vectors align with its comments."""
    comments = snapshot.comments
    creator = snapshot.handle.casefold()
    audience = [i for i, c in enumerate(comments)
                if not c.by_creator and (c.author or "").casefold() not in ("", creator)]
    by_post: dict[str, list[int]] = defaultdict(list)
    for i in audience:
        by_post[comments[i].post_id or ""].append(i)

    found: list[dict[str, Any]] = []
    standing_out = 0
    with_baseline = 0
    for post_id, members in by_post.items():
        if len(members) < MIN_OTHERS + 1:
            continue
        with_baseline += 1
        for i in members:
            c = comments[i]
            others = [j for j in members if j != i]
            likes, replies = c.likes or 0, c.replies or 0
            by_likes = _stands_out(likes, [comments[j].likes or 0 for j in others], MIN_LIKES)
            by_replies = _stands_out(replies, [comments[j].replies or 0 for j in others], MIN_REPLIES)
            if not (by_likes or by_replies):
                continue
            standing_out += 1
            if verdicts[i].get("label") != "genuine" or not _substantive(c.text):
                continue
            vector = np.asarray(comment_vectors[i], dtype=np.float32)
            on = [(line, line.margin(vector)) for line in niches]
            best = max((pair for pair in on if pair[1] >= 0), key=lambda pair: pair[1], default=None)
            caption = caption_vectors.get(post_id)
            on_post = caption is not None and float(vector @ caption) >= ON_POST_COSINE
            if best is None and not (on_post and not niches):
                continue
            median_likes = statistics.median([comments[j].likes or 0 for j in others])
            found.append({
                "author": c.author, "comment_id": c.id, "post_id": c.post_id, "text": c.text[:280],
                "likes": likes, "replies": replies,
                "post_median_likes": float(median_likes),
                "niche": best[0].niche if best else None, "niche_name": best[0].name if best else None,
                "on_post": on_post,
                "reasons": _voice_reasons(by_likes, by_replies, best[0].name if best else None, on_post),
            })
    found.sort(key=lambda v: (-(v["likes"] + 3 * v["replies"]), v["author"] or ""))
    # one entry a commenter: their most engaging comment
    voices, seen = [], set()
    for voice in found:
        key = (voice["author"] or "").casefold()
        if key not in seen:
            seen.add(key)
            voices.append(voice)
    return {"comments_analyzed": len(audience), "posts_with_baseline": with_baseline,
            "standing_out": standing_out, "voices": voices[:MOST],
            "reasons": _reasons(len(audience), with_baseline, standing_out, voices)}


def _voice_reasons(by_likes: bool, by_replies: bool, niche: str | None, on_post: bool) -> list[str]:
    drew = " and ".join(w for w, yes in (("likes", by_likes), ("replies", by_replies)) if yes)
    out = [f"Drew far more {drew} than the other comments on the post."]
    if niche:
        out.append(f"Writes about {niche} in their own words.")
    elif on_post:
        out.append("Talks about the post itself in their own words.")
    return out


def _reasons(n: int, with_baseline: int, standing_out: int, voices: list[dict[str, Any]]) -> list[str]:
    if not n:
        return ["No audience comments were captured."]
    if not with_baseline:
        return [f"No post had enough comments ({MIN_OTHERS + 1} or more) to tell who stands out."]
    if voices:
        names = ", ".join(f"@{v['author']}" for v in voices[:3])
        who = "1 commenter sparks" if len(voices) == 1 else f"{len(voices)} commenters spark"
        return [f"{who} discussion on the niche: {names}."]
    if standing_out:
        return ["Some comments drew far more likes or replies than others, but none was substantive "
                "and on the niche."]
    return ["No comment drew far more likes or replies than the others on its post."]
