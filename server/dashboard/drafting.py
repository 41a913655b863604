"""Outreach: a first message and a tracked link, as pure functions of what the watchlist knows.

The guide (shared/background/micro-influencer-guide.txt) asks outreach to be personal and specific:
reference the creator's own posts, say why the partnership makes sense, leave room for their voice,
and be clear about compensation, deliverables, timelines, usage rights and exclusivity. The draft
quotes the posts the niche-fit scorer found closest to the brief (its ``evidence["best"]``) and is
meant to be edited before it is sent; nothing here calls an outside service.

UTM links follow Google Analytics' campaign parameters: utm_source, utm_medium and utm_campaign are
required, utm_content tells creators (or posts) apart within a campaign.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

__all__ = [
    "COMPENSATION",
    "TEMPLATES",
    "Draft",
    "Terms",
    "build_utm_link",
    "draft_message",
    "quote_caption",
    "utm_defaults",
    "profile_url",
]

COMPENSATION = {
    "flat_fee": "a flat fee",
    "product_seeding": "product seeding (we send the product; what you say about it stays yours)",
    "performance_bonus": "a performance bonus on the results your tracked link brings",
    "hybrid": "a hybrid of a base fee and a performance bonus on tracked results",
}
TEMPLATES = {
    "first_contact": "First contact",
    "follow_up": "Follow-up (no answer yet)",
}
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
QUOTE_CHARS = 90
PROFILE_URLS = {
    "instagram": "https://www.instagram.com/{}/",
    "tiktok": "https://www.tiktok.com/@{}",
    "youtube": "https://www.youtube.com/@{}",
}


@dataclass(frozen=True)
class Terms:
    """What the marketer offers; empty fields are left out of the message."""

    brand: str = ""
    sender: str = ""
    product: str = ""
    compensation: str = ""  # a key of COMPENSATION, or ""
    fee: str = ""
    deliverables: str = ""
    timeline: str = ""
    usage_rights: str = ""
    exclusivity: str = ""
    link: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Terms:
        known = cls.__dataclass_fields__
        return cls(**{k: str(v).strip() for k, v in data.items() if k in known and v is not None})


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    posts: list[dict[str, Any]] = field(default_factory=list)  # the posts the message quotes


def web_url(value: Any) -> str | None:
    """``value`` when it is an http(s) address, else None: a link taken from a snapshot (which the page
    being captured wrote) never becomes a ``javascript:`` or ``data:`` link on a dashboard page."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or any(ord(c) < 33 for c in url):
        return None
    return url


def profile_url(platform: str, handle: str, snapshot: Mapping[str, Any] | None = None) -> str | None:
    """The profile the snapshot came from, else the platform's canonical address for the handle."""
    url = web_url((snapshot or {}).get("url"))
    if url is not None:
        return url
    pattern = PROFILE_URLS.get(platform)
    return pattern.format(quote(handle, safe="._-")) if pattern else None


def quote_caption(caption: str, limit: int = QUOTE_CHARS) -> str:
    """The opening words of a caption in the creator's own words: first line, cut at a word, no tag pile."""
    text = " ".join(caption.split("\n", 1)[0].split())
    text = re.sub(r"(\s+[#@][\w.]+)+\s*$", "", text)  # a trailing hashtag block is not their voice
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "…"


def _first_name(display_name: str | None, handle: str) -> str:
    name = (display_name or "").strip()
    if not name:
        return "@" + handle
    first = name.split()[0]
    return first if any(ch.isalpha() for ch in first) else name


def _best_posts(
    fit: Mapping[str, Any] | None, snapshot: Mapping[str, Any] | None, count: int
) -> list[dict[str, Any]]:
    """The fit evidence's best-matching posts, with their URL from the snapshot where it has one."""
    urls = {
        str(p.get("id")): web_url(p.get("url"))
        for p in (snapshot or {}).get("posts") or [] if isinstance(p, Mapping)
    }
    best = ((fit or {}).get("evidence") or {}).get("best") or []
    chosen = []
    for item in best:
        caption = str(item.get("caption") or "").strip()
        if not caption:
            continue
        chosen.append({
            "post_id": str(item.get("post_id", "")),
            "caption": caption,
            "quote": quote_caption(caption),
            "similarity": item.get("similarity"),
            "url": urls.get(str(item.get("post_id", ""))),
        })
        if len(chosen) == count:
            break
    return chosen


def _fit_sentence(fit: Mapping[str, Any] | None, niche_name: str) -> str:
    share, analyzed = (fit or {}).get("on_niche_share"), (fit or {}).get("posts_analyzed")
    if isinstance(share, int | float) and isinstance(analyzed, int) and analyzed > 0:
        on = round(share * analyzed)
        if on >= 2:
            return (
                f"{on} of your last {analyzed} posts are about {niche_name.lower()}, so this would sit "
                "naturally in what you already make rather than interrupt it."
            )
    return f"Your posts about {niche_name.lower()} are exactly the conversation we want to be part of."


def _offer(terms: Terms) -> list[str]:
    lines = []
    if terms.deliverables:
        lines.append(f"- What we would ask for: {terms.deliverables}")
    if terms.timeline:
        lines.append(f"- Timeline: {terms.timeline}")
    if terms.compensation in COMPENSATION or terms.fee:
        pay = COMPENSATION.get(terms.compensation, "")
        if terms.fee:
            pay = f"{pay} ({terms.fee})" if pay else terms.fee
        lines.append(f"- Compensation: {pay}")
    if terms.usage_rights:
        lines.append(f"- Usage rights: {terms.usage_rights}")
    if terms.exclusivity:
        lines.append(f"- Exclusivity: {terms.exclusivity}")
    return lines


def draft_message(
    creator: Mapping[str, Any],
    fit: Mapping[str, Any] | None,
    terms: Terms,
    *,
    template: str = "first_contact",
    authenticity: Mapping[str, Any] | None = None,
    snapshot: Mapping[str, Any] | None = None,
) -> Draft:
    """A message to edit and send: quotes the creator's best-matching posts and says why it fits.

    ``creator`` has platform, handle and display_name; ``fit`` is one entry of the score's
    ``niche_fit`` (its evidence supplies the posts); ``authenticity`` adds the creator's reply habit
    when the score measured it.
    """
    if template not in TEMPLATES:
        raise ValueError(f"template must be one of {', '.join(TEMPLATES)}")
    handle = str(creator.get("handle", ""))
    name = _first_name(creator.get("display_name"), handle)
    niche_name = str((fit or {}).get("name") or "your niche")
    # Bracketed gaps are meant to be seen and filled before sending, never to read as finished text.
    brand = terms.brand or "[your brand]"
    me = f"I'm {terms.sender or '[your name]'} from {brand}"
    posts = _best_posts(fit, snapshot, 2)
    if len(posts) == 2:
        seen = f"Your posts “{posts[0]['quote']}” and “{posts[1]['quote']}” stayed with me"
    elif posts:
        seen = f"Your post “{posts[0]['quote']}” stayed with me"
    else:
        seen = f"Your {niche_name.lower()} posts stayed with me"
    product = terms.product or "[the product or campaign]"
    reply_rate = (authenticity or {}).get("creator_reply_rate")
    audience = ""
    if isinstance(reply_rate, int | float) and reply_rate >= 0.1:
        audience = (
            " You take time to answer your audience in the comments, and that trust is the reason we "
            "would rather fit your way of doing things than ask you to change it."
        )
    offer = _offer(terms)
    link = f"\nYour tracked link, so results are credited to you: {terms.link}\n" if terms.link else ""
    sign = terms.sender or "[your name]"

    if template == "follow_up":
        subject = f"Following up: {brand} x @{handle}"
        body = (
            f"Hi {name},\n\n"
            f"A short follow-up to my note about a partnership with {brand}. {seen}, and I still think "
            f"{product} would fit what you do. {_fit_sentence(fit, niche_name)}\n\n"
            + ("The offer, so it is easy to weigh:\n" + "\n".join(offer) + "\n\n" if offer else "")
            + "If the timing is wrong or it is not for you, a one-line no is completely fine; "
            "I will not keep writing.\n\n"
            f"Thank you,\n{sign}\n"
        )
        return Draft(subject, body, posts)

    subject = f"{brand} x @{handle}: a partnership idea"
    body = (
        f"Hi {name},\n\n"
        f"{me}. {seen}: it is specific and clearly made for people who care about "
        f"{niche_name.lower()}.\n\n"
        f"Why I am writing: we would love to work with you on {product}. "
        f"{_fit_sentence(fit, niche_name)}{audience}\n\n"
        + ("What we have in mind (all open to your input):\n" + "\n".join(offer) + "\n\n" if offer else "")
        + "You know your audience best, so the idea, format and words would be yours; we would not send "
        'a script. Sponsored posts would be clearly disclosed ("ad" or the platform\'s paid-partnership '
        "label, near the start of the caption).\n"
        + link
        + "\nIf this sounds interesting, reply and I will send a short brief; if it is not a fit, that is "
        "fine too.\n\n"
        f"Best,\n{sign}\n"
    )
    return Draft(subject, body, posts)


def _slug(value: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def utm_defaults(platform: str, handle: str, campaign: str) -> dict[str, str]:
    """Consistent lower-case values (Analytics treats "Instagram" and "instagram" as two sources)."""
    return {
        "utm_source": platform.lower(),
        "utm_medium": "influencer",
        "utm_campaign": _slug(campaign),
        "utm_content": handle.lower().removeprefix("@"),
    }


def build_utm_link(url: str, params: Mapping[str, str]) -> str:
    """``url`` with the UTM parameters set: each value percent-encoded, the page's other query parameters
    and its #fragment kept as they were, and any older utm_* values replaced.

    Raises ValueError for a URL that is not http(s) with a host, or a missing source, medium or campaign.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("the landing page must be an http:// or https:// address")
    values = {k: str(params.get(k) or "").strip() for k in UTM_KEYS}
    missing = [k for k in UTM_KEYS[:3] if not values[k]]
    if missing:
        raise ValueError(f"{', '.join(missing)} cannot be empty")
    kept = [
        piece
        for piece in parts.query.split("&")
        if piece and unquote_plus(piece.split("=", 1)[0]).lower() not in UTM_KEYS
    ]
    ours = [f"{k}={quote(v, safe='')}" for k, v in values.items() if v]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "&".join(kept + ours), parts.fragment))


def pick_fit(niche_fit: Sequence[Mapping[str, Any]] | None, niche: str | None) -> Mapping[str, Any] | None:
    """The creator's fit for ``niche`` when scored on it, else the best-scoring niche."""
    items = [f for f in niche_fit or [] if isinstance(f, Mapping)]
    for item in items:
        if niche and item.get("niche") == niche:
            return item
    scored = [f for f in items if isinstance(f.get("score"), int | float)]
    return max(scored, key=lambda f: f["score"], default=items[0] if items else None)
