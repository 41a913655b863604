"""The strongest reason of each blended component, in the words a person would use.

The panel's first view shows four bars (fit, authenticity, engagement, disclosure) with one sentence
each; the numbers behind the sentence stay in the sections (the panel's details table). A sentence
names no raw statistic: no decimals, no similarity, baseline or lift, only counts and whole percents.
"""

from __future__ import annotations

from typing import Any

__all__ = ["headlines"]


def _fit(best: dict[str, Any] | None) -> str | None:
    if best is None or best.get("score") is None:
        return None
    name, score, share = best["name"], best["score"], best.get("on_niche_share")
    if best.get("method") == "trained":
        likely = "a likely" if score >= 50 else "an unlikely"
        return f"The model trained on your labels calls them {likely} fit for {name}."
    if share is not None and share >= 0.75:
        return f"Nearly every post is about {name}."
    if share is not None and share >= 0.4:
        return f"Many of their posts are about {name}."
    if score >= 50:
        return f"Their bio and posts lean towards {name}."
    if share:
        return f"Only a few posts are about {name}."
    return f"Their posts are not about {name}."


def _authenticity(auth: dict[str, Any]) -> str | None:
    n = auth.get("comments_analyzed") or 0
    if auth.get("score") is None or not n:
        return None
    few = " (only a few comments seen so far)" if n < 20 else ""
    pods = auth["repeat_commenters"]["across_creators"]["accounts"]
    spam, dup = auth.get("spam_share") or 0, auth.get("duplicate_share") or 0
    genuine, generic = auth.get("genuine_share") or 0, auth.get("generic_share") or 0
    if spam >= 0.25:
        return f"Many comments are spam or scams{few}."
    if dup >= 0.2:
        return f"Many comments are copy-pasted across accounts{few}."
    if pods >= 3:
        return f"Several commenters also comment on other creators you track: a possible pod{few}."
    if genuine >= 0.6:
        lift = auth["relevance"].get("lift")
        about = ", talking about the posts" if lift is not None and lift >= 0.05 else ""
        return f"Most comments are genuine{about}{few}."
    if generic >= 0.4:
        return f"Many comments are generic praise or emoji{few}."
    return f"A mix of genuine, generic and spam comments{few}."


def _engagement(eng: dict[str, Any]) -> str | None:
    if eng.get("score") is None:
        return None
    tier = eng.get("tier") or "similar"
    pct = eng.get("percentile")
    if pct is not None:
        if pct >= 75:
            return f"More engaging than most {tier} creators seen here."
        if pct >= 25:
            return f"About as engaging as other {tier} creators seen here."
        return f"Less engaging than most {tier} creators seen here."
    score = eng["score"]
    word = "high" if score >= 70 else "typical" if score >= 40 else "low"
    rate = eng.get("rate") or 0.0
    share = "under 1%" if rate < 0.01 else f"about {round(100 * rate)}%"
    return f"Engagement is {word} for their size: {share} of followers like or comment on a typical post."


def _disclosure(disc: dict[str, Any]) -> str | None:
    k = disc.get("sponsored_count") or 0
    if disc.get("score") is None or not k:
        return None
    shown = disc.get("disclosed_count") or 0
    if shown == k:
        return ("Every sponsored post is clearly disclosed." if k > 1
                else "The sponsored post is clearly disclosed.")
    if shown == 0:
        return f"None of the {k} sponsored posts is clearly disclosed." if k > 1 else \
            "The sponsored post is not clearly disclosed."
    return f"{k - shown} of {k} sponsored posts hide or skip the disclosure."


def headlines(best_fit: dict[str, Any] | None, auth: dict[str, Any], eng: dict[str, Any],
              disc: dict[str, Any]) -> dict[str, str | None]:
    """{component: sentence or None when the component is not scored}."""
    return {"fit": _fit(best_fit), "authenticity": _authenticity(auth), "engagement": _engagement(eng),
            "disclosure": _disclosure(disc)}
