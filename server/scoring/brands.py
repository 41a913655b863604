"""Brands a creator has worked with, competitor collaborations, and how commercial the feed is.

Read per post from the caption (@mentions, hashtags, brand names), the platform's paid-partnership
sponsors and the accounts tagged in the post, next to the disclosure section's verdict on the post:

- a post the disclosure rules call *sponsored* (label, clear or ambiguous term, code, affiliate link,
  "gifted by @x", ...) worked with every account it mentions, tags or names as sponsor;
- any post that names one of the brand profile's own or competitor brands (handle, name, or a
  hashtag starting with the name) records that brand too, as a mention when nothing says it was paid.

A competitor collaboration is a sponsored post for a competitor; it is *inside the exclusivity
window* when it was posted within the days of the creator's exclusivity terms (the watchlist's
outreach terms, e.g. "no competing brand for 60 days") before the capture.

Brand saturation (the guide: content that feels less commercialized) is the share of the recent
posts (the ``RECENT`` newest) that promote any brand, and how many distinct brands they promote.
Pure functions; no Flask, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["BrandProfile", "assess", "exclusivity_days", "RECENT", "HEAVY", "MODERATE"]

RECENT = 12
MODERATE = 0.2  # a fifth of recent posts promoting something: noticeable
HEAVY = 0.5     # half or more: the feed reads as an ad channel
MOST_REASONS = 3

_MENTION = re.compile(r"(?<![\w.@/])@([A-Za-z0-9_](?:[\w.]*\w)?)")
_HASHTAG = re.compile(r"#(\w+)")
_UNITS = {
    "day": 1, "days": 1, "d": 1, "día": 1, "días": 1, "dia": 1, "dias": 1, "tag": 1, "tage": 1, "tagen": 1,
    "jour": 1, "jours": 1, "giorni": 1, "giorno": 1,
    "week": 7, "weeks": 7, "w": 7, "semana": 7, "semanas": 7, "woche": 7, "wochen": 7, "semaine": 7,
    "semaines": 7, "settimana": 7, "settimane": 7,
    "month": 30, "months": 30, "mes": 30, "meses": 30, "monat": 30, "monate": 30, "monaten": 30, "mois": 30,
    "mese": 30, "mesi": 30,
    "year": 365, "years": 365, "año": 365, "años": 365, "ano": 365, "anos": 365, "jahr": 365, "jahre": 365,
    "jahren": 365, "an": 365, "ans": 365, "anno": 365, "anni": 365,
}
_SPAN = re.compile(r"(\d{1,4})\s*-?\s*([^\W\d_]+)", re.UNICODE)


def _key(text: str) -> str:
    return re.sub(r"[\W_]", "", text.casefold())


@dataclass(frozen=True)
class Brand:
    name: str
    handles: tuple[str, ...]
    competitor: bool


@dataclass(frozen=True)
class BrandProfile:
    """The marketer's brand (names, handles) and competitors ({"name", "handles"}), as stored."""

    names: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    competitors: tuple[Brand, ...] = ()
    brands: tuple[Brand, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        own = [Brand(name, tuple(h.lstrip("@") for h in self.handles), False) for name in self.names[:1]]
        if not own and self.handles:
            handles = tuple(h.lstrip("@") for h in self.handles)
            own = [Brand("@" + handles[0], handles, False)]
        own += [Brand(name, (), False) for name in self.names[1:]]
        object.__setattr__(self, "brands", (*own, *self.competitors))

    @classmethod
    def from_record(cls, record: Mapping[str, Any] | None) -> BrandProfile:
        record = record or {}
        return cls(names=tuple(record.get("names", ())), handles=tuple(record.get("handles", ())),
                   competitors=tuple(
                       Brand(c["name"], tuple(h.lstrip("@") for h in c.get("handles", ())), True)
                       for c in record.get("competitors", ())))

    @property
    def empty(self) -> bool:
        return not self.brands

    def match(self, caption: str, accounts: Sequence[str]) -> list[tuple[Brand, str]]:
        """(brand, how it was named) for every profile brand a caption or its accounts name."""
        found = []
        lowered = caption.casefold()
        account_keys = {_key(a) for a in accounts}
        tags = [_key(t) for t in _HASHTAG.findall(caption)]
        for brand in self.brands:
            handle_keys = {_key(h) for h in brand.handles if h}
            name_key = _key(brand.name.lstrip("@"))
            if handle_keys & account_keys:
                found.append((brand, "account"))
            elif len(name_key) >= 3 and any(t.startswith(name_key) for t in tags):
                found.append((brand, "hashtag"))
            elif len(brand.name) >= 3 and re.search(r"(?<!\w)" + re.escape(brand.name.casefold()) + r"(?!\w)",
                                                    lowered):
                found.append((brand, "name"))
        return found


def exclusivity_days(terms: str | None) -> int | None:
    """Days of an exclusivity term ("no competing brand for 60 days", "3 Monate", "6 semanas")."""
    if not terms:
        return None
    for number, unit in _SPAN.findall(terms):
        days = _UNITS.get(unit.casefold())
        if days is not None:
            return int(number) * days
    return None


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _ago(days: int) -> str:
    if days <= 1:
        return "in the last day" if days <= 0 else "a day ago"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"about {round(days / 30)} months ago"
    return f"about {round(days / 365)} years ago"


def _post_brands(post: Any, verdict: Mapping[str, Any], profile: BrandProfile, own: str,
                 now: datetime) -> list[dict[str, Any]]:
    """The brands one post names: profile brands anywhere, any account when the post is sponsored."""
    caption = post.caption or ""
    sponsored = bool(verdict.get("sponsored"))
    disclosed = bool(verdict.get("disclosed"))
    mentions = [m for m in _MENTION.findall(caption) if m.casefold() != own]
    sponsors = [s.lstrip("@") for s in getattr(post, "sponsors", []) or []]
    tagged = [t.lstrip("@") for t in getattr(post, "tagged", []) or [] if t.lstrip("@").casefold() != own]
    posted = _when(post.posted_at)
    days = (now - posted).days if posted else None
    named: dict[str, dict[str, Any]] = {}

    def add(key: str, name: str, handle: str | None, via: str, brand: Brand | None, paid: bool) -> None:
        entry = named.setdefault(key, {
            "name": name, "handle": handle, "post_id": post.id, "date": posted, "days_ago": days,
            "sponsored": paid, "disclosed": disclosed and paid,
            "competitor": bool(brand and brand.competitor), "own_brand": bool(brand and not brand.competitor),
            "via": []})
        if via not in entry["via"]:
            entry["via"].append(via)

    places = (("paid partnership", sponsors), ("tag", tagged), ("mention", mentions))
    for brand, how in profile.match(caption, [*mentions, *sponsors, *tagged]):
        handles = {_key(h) for h in brand.handles}
        paid = sponsored or any(_key(s) in handles for s in sponsors)
        vias = [v for v, accounts in places if {_key(a) for a in accounts} & handles] or [how]
        for via in vias:
            add(_key(brand.name), brand.name, brand.handles[0] if brand.handles else None, via, brand, paid)
    known = {_key(h) for b in profile.brands for h in b.handles}
    for via, accounts in places:
        if via == "paid partnership" or sponsored:
            for account in accounts:
                if _key(account) not in known:
                    add(_key(account), "@" + account, account, via, None, True)
    return list(named.values())


def assess(snapshot: Any, disclosure_posts: Sequence[Mapping[str, Any]], profile: BrandProfile,
           exclusivity: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The brands section: ``disclosure_posts`` is the disclosure section's ``posts`` (same order)."""
    now = _when(now) or _when(snapshot.captured_at) or datetime.now(UTC)
    verdicts = {p["post_id"]: p for p in disclosure_posts}
    own = snapshot.handle.casefold()
    entries = [entry for post in snapshot.posts
               for entry in _post_brands(post, verdicts.get(post.id, {}), profile, own, now)]

    dated = sorted(snapshot.posts, key=lambda p: _when(p.posted_at) or datetime.min.replace(tzinfo=UTC),
                   reverse=True) if all(p.posted_at for p in snapshot.posts) else list(snapshot.posts)
    recent = [p.id for p in dated[:RECENT]]
    paid_entries = [e for e in entries if e["sponsored"]]
    promoting = {pid for pid in recent if verdicts.get(pid, {}).get("sponsored")} | {
        e["post_id"] for e in paid_entries if e["post_id"] in recent}
    distinct = sorted({e["name"] for e in paid_entries if e["post_id"] in recent}, key=str.casefold)
    share = len(promoting) / len(recent) if recent else None
    level = (None if share is None else "heavy" if share >= HEAVY
             else "moderate" if share >= MODERATE else "light")

    window = exclusivity_days(exclusivity)
    flags = []
    for e in paid_entries:
        if not e["competitor"]:
            continue
        inside = None if window is None or e["days_ago"] is None else e["days_ago"] <= window
        flags.append({"name": e["name"], "post_id": e["post_id"], "date": e["date"],
                      "days_ago": e["days_ago"], "window_days": window, "inside_window": inside})
    flags.sort(key=lambda f: (f["days_ago"] is None, f["days_ago"] or 0))
    return {
        "profile_set": not profile.empty,
        "worked_with": entries,
        "distinct_brands": len({e["name"] for e in paid_entries}),
        "saturation": {"posts_analyzed": len(recent), "promoting_posts": len(promoting),
                       "share": None if share is None else round(share, 4),
                       "distinct_brands": len(distinct), "brands": distinct, "level": level},
        "exclusivity": {"terms": exclusivity or None, "days": window},
        "competitor_collaborations": flags,
        "reasons": _reasons(profile, entries, flags, len(recent), len(promoting), distinct, level, window),
    }


def _names(names: Sequence[str]) -> str:
    names = list(dict.fromkeys(names))
    shown = ", ".join(names[:MOST_REASONS])
    return shown + (f" and {len(names) - MOST_REASONS} more" if len(names) > MOST_REASONS else "")


def _reasons(profile: BrandProfile, entries: list[dict[str, Any]], flags: list[dict[str, Any]], recent: int,
             promoting: int, distinct: list[str], level: str | None, window: int | None) -> list[str]:
    out = []
    for f in flags:
        when = _ago(f["days_ago"]) if f["days_ago"] is not None else "at an unknown date"
        if f["inside_window"]:
            out.append(f"Worked with your competitor {f['name']} {when}, inside the {window}-day exclusivity "
                       "of their terms.")
        elif f["inside_window"] is False:
            out.append(f"Worked with your competitor {f['name']} {when}, before the {window}-day exclusivity "
                       "of their terms.")
        else:
            out.append(f"Worked with your competitor {f['name']} {when}; add exclusivity terms on the "
                       "outreach page to check the window.")
    paid = [e for e in entries if e["sponsored"]]
    if paid:
        out.append(f"Worked with {_names([e['name'] for e in paid])}.")
        hidden = sorted({e["name"] for e in paid if not e["disclosed"]}, key=str.casefold)
        if hidden:
            out.append(f"Not clearly disclosed for {_names(hidden)}.")
    if any(e["own_brand"] and e["sponsored"] for e in entries):
        out.append("Has worked with your brand before.")
    mentioned = [e["name"] for e in entries if not e["sponsored"]]
    if mentioned:
        out.append(f"Mentions {_names(mentioned)} with no sign of payment.")
    if recent:
        if level == "heavy":
            out.append(f"{promoting} of the {recent} recent posts promote a brand "
                       f"({len(distinct)} different): the feed reads as commercial.")
        elif promoting:
            out.append(f"{promoting} of the {recent} recent posts promote a brand "
                       f"({len(distinct)} different).")
        else:
            out.append(f"None of the {recent} recent posts promotes a brand.")
    if profile.empty:
        out.append("Add your brand and competitors in Settings to spot competitor collaborations.")
    return out
