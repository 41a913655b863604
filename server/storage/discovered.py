"""The Discovered inbox's rules: pure functions both stores call, so SQLite and Redis agree by
construction (merging a glance, bounds, the status, filters, sorting, CSV).

A discovered creator is kept as two parts, so listing thousands stays cheap:

entry  {"platform", "handle", "first_seen", "last_seen", "seen_count", "seen_on": [place], "followers",
        "fit": {niche id: score}, "best_fit", "best_niche", "posts_seen", "languages": {code: share},
        "status": "new" | "dismissed", "status_at"}; place = {"kind", "term", "count", "first_seen",
        "last_seen"}; posts_seen is how many posts the fit rests on (the posts kept), languages their
        languages (records from before languages were kept have none until glanced again); evidence,
        for a voice of the comments: the comments that made them one, {"text", "creator", "post_id",
        "comment_id", "likes", "replies", "at"}, newest first, at most MAX_EVIDENCE_KEPT
posts  [{"id", "text", "first_seen", "last_seen"}], newest first, at most MAX_POSTS_KEPT

A record as read (``view``) is the entry with its posts, the tier, and the watchlist's state:
``status`` is "saved" while the creator is on the watchlist, and ``watchlist`` holds its pipeline
status and stored overall.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.scoring import languages
from server.storage.protocol import InvalidValue
from server.storage.records import (
    check_creator,
    check_languages,
    check_listing,
    creator_key,
    escape_cell,
    sort_and_page,
)
from server.vocab import INBOX_STATUSES, PLATFORMS, SEEN_ON_KINDS, TIERS
from server.vocab import tier as vocab_tier

# Bounded growth: a creator seen on a hundred pages keeps its newest posts and places, not all.
MAX_POSTS_KEPT = 10
MAX_PLACES_KEPT = 20
MAX_EVIDENCE_KEPT = 5  # comments that made a commenter a voice (seen_on "comments")
STORED_STATUSES = ("new", "dismissed")  # "saved" is the watchlist's, read at view time
SORT_KEYS = ("fit", "last_seen", "first_seen", "seen_count", "followers", "handle")


def post_id(text: str) -> str:
    """Scroll pages' glances carry texts, not post ids: a post is known by its text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def kept_posts(posts: Sequence[Mapping[str, Any]], texts: Sequence[str], at: str) -> list[dict[str, Any]]:
    """``posts`` with ``texts`` seen at ``at``: newest first (this glance's in its order), at most
    MAX_POSTS_KEPT. Scoring computes the fit over these texts, and the store keeps the same ones."""
    seen: dict[str, dict[str, Any]] = {}
    for text in texts:
        pid = post_id(text)
        if pid not in seen:
            old = next((p for p in posts if p["id"] == pid), None)
            seen[pid] = {"id": pid, "text": text, "first_seen": old["first_seen"] if old else at,
                         "last_seen": at}
    older = sorted((dict(p) for p in posts if p["id"] not in seen), key=lambda p: p["last_seen"],
                   reverse=True)
    return [*seen.values(), *older][:MAX_POSTS_KEPT]


def _places(places: Sequence[Mapping[str, Any]], seen_on: Mapping[str, Any] | None,
            at: str) -> list[dict[str, Any]]:
    kept = [dict(p) for p in places]
    if seen_on is not None:
        kind, term = seen_on["kind"], seen_on.get("term") or None
        match = next((p for p in kept if p["kind"] == kind
                      and (p["term"] or "").casefold() == (term or "").casefold()), None)
        if match is None:
            kept.append({"kind": kind, "term": term, "count": 1, "first_seen": at, "last_seen": at})
        else:
            match.update(count=match["count"] + 1, last_seen=at)
    kept.sort(key=lambda p: p["last_seen"], reverse=True)
    return kept[:MAX_PLACES_KEPT]


def _best(fit: Mapping[str, float | None]) -> tuple[float | None, str | None]:
    scored = [(score, niche) for niche, score in fit.items() if score is not None]
    if not scored:
        return None, None
    score, niche = max(scored, key=lambda sn: (sn[0], sn[1]))
    return score, niche


def check_glance(glance: Mapping[str, Any]) -> None:
    check_creator(glance["platform"], glance["handle"])
    seen_on = glance.get("seen_on")
    if seen_on is not None and seen_on.get("kind") not in SEEN_ON_KINDS:
        raise InvalidValue(f"seen_on.kind must be one of {', '.join(SEEN_ON_KINDS)}", "seen_on")
    if not glance.get("texts"):
        raise InvalidValue("a glance has at least one text", "texts")


def merge_glance(existing: tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]] | None,
                 glance: Mapping[str, Any], at: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(entry, posts) after one glance: {"platform", "handle", "texts", "followers"?, "seen_on"?,
    "fit"?: {niche id: score}, "languages"?: {code: share}}. Fits of the niches glanced at replace the
    old ones; the rest stay. The languages sent are those of the posts kept, and replace the old ones."""
    check_glance(glance)
    if existing is None:
        entry: dict[str, Any] = {"platform": glance["platform"], "handle": glance["handle"],
                                 "first_seen": at, "seen_count": 0, "seen_on": [], "followers": None,
                                 "fit": {}, "status": "new", "status_at": None}
        posts: Sequence[Mapping[str, Any]] = []
    else:
        entry, posts = dict(existing[0]), existing[1]
    entry["handle"] = glance["handle"]  # as last shown
    entry["last_seen"] = at
    entry["seen_count"] += 1
    entry["seen_on"] = _places(entry["seen_on"], glance.get("seen_on"), at)
    if glance.get("followers") is not None:
        entry["followers"] = int(glance["followers"])
    entry["fit"] = {**entry["fit"], **(glance.get("fit") or {})}
    entry["best_fit"], entry["best_niche"] = _best(entry["fit"])
    kept = kept_posts(posts, glance["texts"], at)
    entry["posts_seen"] = len(kept)
    if glance.get("languages") is not None:
        entry["languages"] = {str(code): float(share) for code, share in glance["languages"].items()}
    if glance.get("evidence"):
        new = dict(glance["evidence"])
        older = [e for e in entry.get("evidence", []) if (e.get("comment_id"), e.get("text")) !=
                 (new.get("comment_id"), new.get("text"))]
        entry["evidence"] = [new, *older][:MAX_EVIDENCE_KEPT]
    return entry, kept


def merge_glances(existing: Mapping[str, tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]] | None],
                  glances: Sequence[Mapping[str, Any]], at: str,
                  ) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every glance merged into its creator's (entry, posts), by creator key; a creator named twice
    in one request is merged twice, in order."""
    merged: dict[str, Any] = {}
    for glance in glances:
        key = creator_key(glance["platform"], glance["handle"])
        merged[key] = merge_glance(merged.get(key) or existing.get(key), glance, at)
    return merged


def set_status(entry: Mapping[str, Any], status: str, at: str) -> dict[str, Any]:
    if status not in STORED_STATUSES:
        raise InvalidValue(f"status must be one of {', '.join(STORED_STATUSES)} (saved is the watchlist's)",
                           "status")
    return {**entry, "status": status, "status_at": at}


def watch_state(creator: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the inbox shows of a watchlist entry (listed form, without snapshot and score)."""
    if creator is None:
        return None
    summary = creator.get("summary") or {}
    return {"status": creator["status"], "overall": summary.get("overall"), "tier": summary.get("tier"),
            "followers": summary.get("followers")}


def view(entry: Mapping[str, Any], posts: Sequence[Mapping[str, Any]] | None,
         watch: Mapping[str, Any] | None) -> dict[str, Any]:
    """A record as read: the entry, its posts (None: left out), tier, and the watchlist's state."""
    record = dict(entry)
    record.setdefault("languages", {})  # glanced before languages were kept
    if posts is not None:
        record["posts"] = [dict(p) for p in posts]
    followers = entry.get("followers")
    if followers is None and watch is not None:
        followers = watch.get("followers")
    record["followers"] = followers
    record["tier"] = vocab_tier(followers) if followers is not None else (watch or {}).get("tier")
    record["watchlist"] = None if watch is None else {"status": watch["status"], "overall": watch["overall"]}
    if watch is not None:
        record["status"] = "saved"
    return record


# ---- listing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DiscoveredQuery:
    """Filters (all optional, combined with AND) and the sort of GET /v1/discovered.

    ``seen_on`` is a kind ("hashtag") or a kind and its term ("hashtag:sourdough", any case).
    ``niche``: only creators with a fit for that niche; sort=fit then sorts by it (else by the best).
    """

    niche: str | None = None
    platform: str | None = None
    tier: str | None = None
    seen_on: str | None = None
    status: tuple[str, ...] = ()
    min_fit: float | None = None
    language: tuple[str, ...] = ()  # codes: creators with at least languages.FILTER_SHARE of posts in one
    sort: str = "last_seen"
    order: str | None = None  # None: best/newest/most first, A-Z for handles
    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        if self.platform is not None and self.platform not in PLATFORMS:
            raise InvalidValue(f"platform must be one of {', '.join(PLATFORMS)}", "platform")
        if self.tier is not None and self.tier not in TIERS:
            raise InvalidValue(f"tier must be one of {', '.join(TIERS)}", "tier")
        if self.seen_on is not None and self.seen_on.split(":", 1)[0] not in SEEN_ON_KINDS:
            raise InvalidValue(f"seen_on starts with one of {', '.join(SEEN_ON_KINDS)}", "seen_on")
        if any(s not in INBOX_STATUSES for s in self.status):
            raise InvalidValue(f"status must be among {', '.join(INBOX_STATUSES)}", "status")
        check_languages(self.language)
        check_listing(self.sort, SORT_KEYS, self.order, self.limit, self.offset)

    def fit_of(self, record: Mapping[str, Any]) -> float | None:
        """The fit this query shows: for its niche, else the best."""
        return (record.get("fit") or {}).get(self.niche) if self.niche else record.get("best_fit")


def _seen_at(record: Mapping[str, Any], wanted: str) -> bool:
    kind, _, term = wanted.partition(":")
    return any(p["kind"] == kind and (not term or (p["term"] or "").casefold() == term.strip().casefold())
               for p in record.get("seen_on") or [])


def _matches(record: Mapping[str, Any], query: DiscoveredQuery) -> bool:
    if query.platform is not None and record["platform"] != query.platform:
        return False
    if query.tier is not None and record.get("tier") != query.tier:
        return False
    if query.status and record.get("status") not in query.status:
        return False
    if query.niche is not None and query.fit_of(record) is None:
        return False
    if query.min_fit is not None and (query.fit_of(record) or 0) < query.min_fit:
        return False
    if query.language and not languages.matches(record.get("languages"), query.language):
        return False
    return query.seen_on is None or _seen_at(record, query.seen_on)


def _sort_value(record: Mapping[str, Any], query: DiscoveredQuery) -> Any:
    if query.sort == "fit":  # fits saturate at 100 on a few on-niche posts: more posts seen rank first
        fit = query.fit_of(record)
        return None if fit is None else (fit, record.get("posts_seen") or 0)
    if query.sort == "handle":
        return str(record["handle"]).casefold()
    return record.get(query.sort)


def select(records: Iterable[Mapping[str, Any]], query: DiscoveredQuery | None = None,
           ) -> tuple[list[dict[str, Any]], int]:
    """(the page of records, how many match): filtered, sorted, records without the sort value last."""
    query = query or DiscoveredQuery()
    chosen = [r for r in records if _matches(r, query)]
    page = sort_and_page(chosen, lambda r: _sort_value(r, query), offset=query.offset, limit=query.limit,
                         ascending=(query.order or ("asc" if query.sort == "handle" else "desc")) == "asc")
    return [dict(r) for r in page], len(chosen)


# ---- export -------------------------------------------------------------------------------

EXPORT_KEY = "discovered"  # optional in an export document: those from before the inbox have none


def export_part(items: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The inbox in an export document: each record's entry with its posts, in key order."""
    ordered = sorted((dict(i) for i in items), key=lambda i: creator_key(i["platform"], i["handle"]))
    return {EXPORT_KEY: ordered}


def import_part(data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(key, entry, posts) of every inbox record in an export document; InvalidValue when malformed."""
    items = data.get(EXPORT_KEY, [])
    if not isinstance(items, list) or not all(
            isinstance(i, Mapping) and isinstance(i.get("posts"), list) and i.get("platform") in PLATFORMS
            and isinstance(i.get("handle"), str) for i in items):
        raise InvalidValue(f"'{EXPORT_KEY}' must be a list of inbox records with their posts", EXPORT_KEY)
    return [(creator_key(i["platform"], i["handle"]), {k: v for k, v in i.items() if k != "posts"},
             list(i["posts"])) for i in items]


# ---- CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = ("platform", "handle", "status", "tier", "followers", "best_fit", "best_niche", "seen_count",
               "first_seen", "last_seen")


def to_csv(records: Sequence[Mapping[str, Any]], niches: Sequence[str]) -> str:
    """One row a creator: where seen, one ``fit:<niche>`` column per niche, the latest post's text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(f"fit:{n}" for n in niches), "seen_on", "latest_post"])
    for r in records:
        places = "; ".join(f"{p['kind']}{' ' + p['term'] if p['term'] else ''} x{p['count']}"
                           for p in r.get("seen_on") or [])
        latest = (r.get("posts") or [{}])[0].get("text")
        row = [*(r.get(c) for c in CSV_COLUMNS), *((r.get("fit") or {}).get(n) for n in niches), places,
               latest]
        writer.writerow([escape_cell(v) for v in row])
    return out.getvalue()
