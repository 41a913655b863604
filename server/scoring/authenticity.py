"""How authentic a creator's comment section looks: the "authenticity" section of a score.

Pure functions over a snapshot, the comment classifier's verdicts and the embedder's vectors; no
Flask, no I/O. Comments the creator wrote (``by_creator``) are replies, not audience: they count
for the reply rate and answered questions and are left out of every share.

How the score (0-100) blends the signals, on the audience comments only:

    quality    = 100 * (genuine_share + 0.4 * generic_share)    spam counts 0, low effort 40
    raw        = quality
                 - 50 * duplicate_share                          copy-paste across accounts or posts
                 + 10 * clip(relevance_lift / 0.15, -1, 1)       talk about their own post, or not
                 + 5 if the creator replied on at least 30% of posts with comments
                 - 20 * min(1, 2 * pod_share)                    accounts also seen on other creators
    score      = 50 + (clip(raw, 0, 100) - 50) * n / (n + 10)    shrunk to 50 by sample size n

so three comments move the score at most a fifth of the way from the neutral 50, and the confidence
says low (< 20 comments), medium (< 100) or high.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["assess", "confidence", "normalise", "NEAR_DUPLICATE_COSINE", "ON_POST_COSINE", "UNRELATED_COSINE"]

NEAR_DUPLICATE_COSINE = 0.95
NEAR_DUPLICATE_MIN_CHARS = 20  # short texts ("so cute!!") are near each other without being copies
EXACT_DUPLICATE_MIN_CHARS = 12  # "nice" from five people is normal; a sentence from five is not
ON_POST_COSINE = 0.30  # above the 99th percentile of unrelated comment pairs (0.31, see below)
# Mean MiniLM cosine of 5,000 random pairs of unrelated comments (YouTube music-video comments vs
# ScamSpot finance comments, training/data): the relevance baseline when a capture has one post.
UNRELATED_COSINE = 0.09
RELEVANCE_LIFT_SCALE = 0.15
REPLY_RATE_GOOD = 0.30
SHRINK = 10  # comments worth of prior at the neutral score
LOW, MEDIUM = 20, 100
TOP = 10  # how many repeat commenters to name

_QUESTION_START = re.compile(
    r"^\s*(?:who|what|where|when|why|how|which|can|could|would|will|do|does|did|is|are|was|should|have|has"
    r"|any|anyone)\b", re.I)
_MENTION = re.compile(r"@([\w.]+)")


def normalise(text: str) -> str:
    """Case, spacing and punctuation folded: the key for "the same text"."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def confidence(n: int) -> str:
    return "low" if n < LOW else "medium" if n < MEDIUM else "high"


def is_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_START.match(text) and len(text.split()) >= 3)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _duplicates(comments: Sequence[Any], audience: list[int], vectors: np.ndarray) -> dict[int, set[int]]:
    """audience index -> the other audience comments it copies (another author or another post)."""
    def differs(i: int, j: int) -> bool:
        a, b = comments[i], comments[j]
        other_author = (a.author or f"?{i}") != (b.author or f"?{j}")
        other_post = (a.post_id or "") != (b.post_id or "")
        return other_author or other_post

    links: dict[int, set[int]] = defaultdict(set)
    by_text: dict[str, list[int]] = defaultdict(list)
    for i in audience:
        key = normalise(comments[i].text)
        if len(key) >= EXACT_DUPLICATE_MIN_CHARS:
            by_text[key].append(i)
    for group in by_text.values():
        for i in group:
            links[i].update(j for j in group if j != i and differs(i, j))
    long = [i for i in audience if len(normalise(comments[i].text)) >= NEAR_DUPLICATE_MIN_CHARS]
    if len(long) >= 2:
        v = vectors[long]
        sims = v @ v.T
        for a, b in zip(*np.nonzero(np.triu(sims >= NEAR_DUPLICATE_COSINE, k=1)), strict=True):
            i, j = long[a], long[b]
            if differs(i, j):
                links[i].add(j)
                links[j].add(i)
    return {i: js for i, js in links.items() if js}


def _relevance(comments: Sequence[Any], audience: list[int], vectors: np.ndarray,
               caption_vectors: dict[str, np.ndarray]) -> dict[str, Any]:
    own, other, on_post = [], [], 0
    ids = list(caption_vectors)
    captions = np.asarray([caption_vectors[k] for k in ids], dtype=np.float32)
    for i in audience:
        pid = comments[i].post_id
        if pid not in caption_vectors:
            continue
        sims = captions @ vectors[i]
        at = ids.index(pid)
        own.append(float(sims[at]))
        on_post += int(sims[at] >= ON_POST_COSINE)
        if len(ids) > 1:
            other.append(float((sims.sum() - sims[at]) / (len(ids) - 1)))
    if not own:
        return {"mean_similarity": None, "on_post_share": None, "baseline": None, "lift": None,
                "comments_with_caption": 0, "baseline_kind": None}
    mean_own = float(np.mean(own))
    if other:
        baseline, kind = float(np.mean(other)), "the same comments against this creator's other captions"
    else:
        baseline, kind = UNRELATED_COSINE, "unrelated comment pairs (fixed reference)"
    return {"mean_similarity": round(mean_own, 4), "on_post_share": _share(on_post, len(own)),
            "baseline": round(baseline, 4), "lift": round(mean_own - baseline, 4),
            "comments_with_caption": len(own), "baseline_kind": kind}


def _creator_replies(comments: Sequence[Any], audience: list[int]) -> dict[str, Any]:
    """A post counts as replied when a creator comment sits under it, or when the platform marks an
    audience thread the creator answered (``creator_replied``: YouTube's collapsed threads)."""
    creator = [c for c in comments if c.by_creator]
    answered = [comments[i] for i in audience if comments[i].creator_replied]
    posts_with_audience = {comments[i].post_id for i in audience if comments[i].post_id}
    posts_replied = {c.post_id for c in [*creator, *answered] if c.post_id} & posts_with_audience
    with_replies = sum(1 for i in audience if (comments[i].replies or 0) > 0)
    return {"creator_comments": len(creator), "threads_answered": len(answered),
            "posts_with_comments": len(posts_with_audience), "posts_with_creator_reply": len(posts_replied),
            "post_share": _share(len(posts_replied), len(posts_with_audience)),
            "comments_with_replies_share": _share(with_replies, len(audience))}


def _questions(comments: Sequence[Any], audience: list[int]) -> dict[str, Any]:
    """Audience questions, and which the creator answered: a thread the platform marks as answered by
    the creator, or a creator comment on the same post that names the asker or came after the
    question when both have times."""
    creator = [c for c in comments if c.by_creator]
    asked = [i for i in audience if is_question(comments[i].text)]
    answered = 0
    for i in asked:
        q = comments[i]
        if q.creator_replied:
            answered += 1
            continue
        for c in creator:
            if c.post_id != q.post_id:
                continue
            named = q.author and q.author.lower() in {m.lower() for m in _MENTION.findall(c.text)}
            later = q.posted_at is not None and c.posted_at is not None and c.posted_at >= q.posted_at
            if named or later:
                answered += 1
                break
    seen = bool(creator) or any(comments[i].creator_replied for i in audience)
    note = None if seen else "no creator comments in the capture: answers cannot be seen"
    share = _share(answered, len(asked)) if seen else None
    return {"asked": len(asked), "answered": answered, "share": share, "note": note}


def _repeat_commenters(comments: Sequence[Any], audience: list[int],
                       cross_creator: dict[str, list[str]] | None) -> dict[str, Any]:
    posts: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for i in audience:
        author = comments[i].author
        if author:
            counts[author] += 1
            posts[author].add(comments[i].post_id or f"?{i}")
    repeat = sorted((a for a in posts if len(posts[a]) >= 2), key=lambda a: (-len(posts[a]), -counts[a], a))
    within = {"accounts": len(repeat), "authors_seen": len(posts),
              "top": [{"author": a, "posts": len(posts[a]), "comments": counts[a]} for a in repeat[:TOP]]}
    linked = {a: sorted(set(others)) for a, others in (cross_creator or {}).items() if others and a in counts}
    across = {"accounts": len(linked), "known": cross_creator is not None,
              "top": [{"author": a, "creators": linked[a], "comments": counts[a]}
                      for a in sorted(linked, key=lambda a: (-len(linked[a]), a))[:TOP]]}
    return {"within_creator": within, "across_creators": across}


def assess(snapshot: Any, verdicts: list[dict], comment_vectors: np.ndarray,
           caption_vectors: dict[str, np.ndarray],
           cross_creator: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The authenticity section for ``snapshot``; verdicts and vectors align with its comments."""
    comments = snapshot.comments
    if len(verdicts) != len(comments) or len(comment_vectors) != len(comments):
        raise ValueError(
            f"{len(comments)} comments, {len(verdicts)} verdicts, {len(comment_vectors)} vectors")
    vectors = np.asarray(comment_vectors, dtype=np.float32)
    if vectors.ndim != 2:
        vectors = vectors.reshape(len(comments), -1 if len(comments) else 0)
    audience = [i for i, c in enumerate(comments) if not c.by_creator]
    n = len(audience)
    labels = Counter(verdicts[i]["label"] for i in audience)
    duplicates = _duplicates(comments, audience, vectors)
    relevance = _relevance(comments, audience, vectors, caption_vectors)
    replies = _creator_replies(comments, audience)
    questions = _questions(comments, audience)
    repeat = _repeat_commenters(comments, audience, cross_creator)
    pod_authors = {a for a, others in (cross_creator or {}).items() if others}
    pod_comments = sum(1 for i in audience if comments[i].author in pod_authors)

    flagged = []
    for i in audience:
        v = verdicts[i]
        reasons = list(v.get("reasons", []))
        if i in duplicates:
            authors = {comments[j].author for j in duplicates[i]} - {comments[i].author}
            reasons.append(f"same text as {len(duplicates[i])} other comment(s)"
                           + (f" by {len(authors)} other account(s)" if authors else " on other posts"))
        if comments[i].author in pod_authors:
            reasons.append("this account also comments on other tracked creators")
        if v["label"] != "genuine" or i in duplicates or comments[i].author in pod_authors:
            flagged.append({"index": i, "id": comments[i].id, "text": comments[i].text, "label": v["label"],
                            "reasons": reasons})

    result: dict[str, Any] = {
        "score": None, "confidence": confidence(n), "comments_analyzed": n,
        "creator_comments": len(comments) - n, "posts_with_comments": replies["posts_with_comments"],
        "genuine_share": _share(labels["genuine"], n), "generic_share": _share(labels["generic"], n),
        "spam_share": _share(labels["spam"], n), "duplicate_share": _share(len(duplicates), n),
        "relevance": relevance, "creator_reply_rate": replies["post_share"], "creator_replies": replies,
        "questions_answered": questions, "repeat_commenters": repeat, "flagged": flagged, "reasons": [],
    }
    if n == 0:
        result["reasons"] = ["No audience comments were captured, so authenticity is not scored."]
        return result

    genuine, generic, spam = (labels[k] / n for k in ("genuine", "generic", "spam"))
    dup_share = len(duplicates) / n
    pod_share = pod_comments / n
    raw = 100 * (genuine + 0.4 * generic) - 50 * dup_share - 20 * min(1.0, 2 * pod_share)
    if relevance["lift"] is not None:
        raw += 10 * float(np.clip(relevance["lift"] / RELEVANCE_LIFT_SCALE, -1, 1))
    if (replies["post_share"] or 0) >= REPLY_RATE_GOOD:
        raw += 5
    raw = float(np.clip(raw, 0, 100))
    result["score"] = round(50 + (raw - 50) * n / (n + SHRINK), 1)
    result["score_unshrunk"] = round(raw, 1)
    result["reasons"] = _reasons(n, genuine, generic, spam, duplicates, comments, relevance, replies,
                                 questions, repeat)
    return result


def _reasons(n: int, genuine: float, generic: float, spam: float, duplicates: dict[int, set[int]],
             comments: Sequence[Any], relevance: dict, replies: dict, questions: dict,
             repeat: dict) -> list[str]:
    out = [f"Based on {n} audience comment{'s' if n != 1 else ''} ({confidence(n)} confidence)."]
    if n < LOW:
        out.append(f"Fewer than {LOW} comments: the score stays near neutral until more are seen.")
    out.append(f"{_pct(genuine)} of comments are genuine.")
    if generic:
        out.append(f"{_pct(generic)} of comments are generic praise or low effort.")
    if spam:
        out.append(f"{_pct(spam)} of comments are spam or scams.")
    if duplicates:
        texts = Counter(normalise(comments[i].text) for i in duplicates)
        text, count = texts.most_common(1)[0]
        authors = {comments[i].author for i in duplicates if normalise(comments[i].text) == text}
        if count >= 2:
            out.append(f"{len(authors)} accounts left the same text (\"{text[:60]}\").")
        out.append(f"{_pct(len(duplicates) / n)} of comments are copies or near-copies of another.")
    if relevance["lift"] is not None:
        if relevance["lift"] >= 0.05:
            out.append("Comments talk about the post they sit under "
                       f"({_pct(relevance['on_post_share'])} clearly on the post).")
        elif relevance["lift"] <= 0.01:
            out.append("Comments are no closer to their own post than to any other: "
                       "little talk about the content.")
    if replies["posts_with_comments"]:
        collapsed = replies["threads_answered"]
        out.append(f"The creator replied on {replies['posts_with_creator_reply']} of "
                   f"{replies['posts_with_comments']} posts with comments"
                   + (f" (counting {collapsed} collapsed thread{'s' if collapsed != 1 else ''} the platform "
                      "marks as answered by the creator)." if collapsed else "."))
    if questions["asked"]:
        if questions["share"] is None:
            out.append(f"{questions['asked']} audience question(s); no creator replies were captured.")
        else:
            out.append(f"The creator answered {questions['answered']} of {questions['asked']} "
                       "audience questions.")
    within, across = repeat["within_creator"], repeat["across_creators"]
    if within["accounts"]:
        out.append(f"{within['accounts']} account(s) comment on several of this creator's posts.")
    if across["accounts"]:
        creators = sorted({c for x in across["top"] for c in x["creators"]})
        out.append(f"{across['accounts']} commenter(s) also comment on other tracked creators "
                   f"({', '.join(creators[:5])}): a possible engagement pod.")
    return out
