"""Backend-independent rules for stored records: pure functions both stores call, so SQLite and
Redis agree by construction (ids, merges, summaries, history points, filters, sorting, CSV)."""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import logging
import math
import re
import secrets
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from pydantic import ValidationError

from server.scoring import languages
from server.scoring.score import Score
from server.storage.protocol import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    SORT_KEYS,
    Conflict,
    InvalidValue,
)
from server.vocab import COMMENT_LABELS, FIT_LABELS, PLATFORMS, STATUSES, TIERS, check_handle, slugify
from server.vocab import tier as vocab_tier

log = logging.getLogger(__name__)

MAX_NOTES = 10_000
MAX_TAGS = 30
MAX_TAG = 50
NICHE_FIELDS = ("name", "description", "keywords", "hashtags", "example_posts", "weights")
CREATOR_FIELDS = ("niche", "status", "notes", "tags", "snapshot", "score", "outreach")
# Outreach terms kept on a creator (the dashboard's outreach page): short text fields by name.
COMPENSATION_TYPES = ("flat_fee", "product_seeding", "performance_bonus", "hybrid")
MAX_OUTREACH_FIELDS = 30
MAX_OUTREACH_TEXT = 10_000
RESERVED_TOKEN_NAMES = ("admin",)  # the configured MICROSCOUT_API_TOKEN answers to "admin"

# A follower rise of more than JUMP_SHARE within JUMP_DAYS, from at least JUMP_MIN_BASE followers,
# is "sudden": organic growth of a micro creator is a few percent a month; bought followers arrive
# in blocks. The base floor keeps 40 -> 60 followers from counting.
JUMP_SHARE = 0.30
JUMP_DAYS = 30
JUMP_MIN_BASE = 1000

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def now() -> str:
    """UTC timestamp with microseconds; fixed width, so strings sort by time."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def creator_key(platform: str, handle: str) -> str:
    """Identity of a creator: handles are case-insensitive on all three platforms."""
    return f"{platform}/{handle.strip().removeprefix('@').lower()}"


def check_creator(platform: str, handle: str) -> None:
    """The rules of the wire's Snapshot.handle (a leading '@' is dropped)."""
    if platform not in PLATFORMS:
        raise InvalidValue(f"platform must be one of {', '.join(PLATFORMS)}", "platform")
    try:
        check_handle(handle)
    except ValueError as exc:
        raise InvalidValue(str(exc), "handle") from None


# ---- niches -------------------------------------------------------------------------------

def _texts(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidValue("must be a list of strings", field)
    return list(value)


def build_niche(fields: Mapping[str, Any], at: str,
                existing: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A complete niche record from create fields, or ``existing`` with ``fields`` changed."""
    unknown = set(fields) - set(NICHE_FIELDS) - {"id"}
    if unknown:
        raise InvalidValue(f"unknown niche field(s): {', '.join(sorted(unknown))}", sorted(unknown)[0])
    if existing is None:
        name = fields.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidValue("a niche needs a name", "name")
        niche_id = fields.get("id") or slugify(name)
        if not isinstance(niche_id, str) or len(niche_id) > 60 or not _SLUG.match(niche_id):
            raise InvalidValue("an id is a slug: a-z and 0-9 joined by '-', at most 60 characters", "id")
        record: dict[str, Any] = {"id": niche_id, "name": "", "description": "", "keywords": [],
                                  "hashtags": [], "example_posts": [], "created_at": at, "updated_at": at}
    else:
        if "id" in fields and fields["id"] != existing["id"]:
            raise InvalidValue("a niche's id cannot change", "id")
        record = dict(existing)
        record["updated_at"] = at
    for key in NICHE_FIELDS:
        if key not in fields:
            continue
        value = fields[key]
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue("a niche needs a name", "name")
            record["name"] = value
        elif key == "description":
            if not isinstance(value, str):
                raise InvalidValue("must be a string", key)
            record[key] = value
        elif key == "weights":
            if value is None:
                record.pop("weights", None)
            elif isinstance(value, Mapping) and all(isinstance(k, str) and _number(v) is not None
                                                     for k, v in value.items()):
                record["weights"] = {k: float(v) for k, v in value.items()}
            else:
                raise InvalidValue("weights map a name to a number", key)
        else:
            record[key] = _texts(value, key)
    return record


# ---- creators -----------------------------------------------------------------------------

def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def read_score(score: Any) -> Score | None:
    """A stored or sent score (JSON) as a Score; InvalidValue when it is not one."""
    if score is None:
        return None
    if isinstance(score, Score):
        return score
    if not isinstance(score, Mapping):
        raise InvalidValue("a score is an object", "score")
    try:
        return Score.model_validate(score)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidValue(f"not a score as POST /v1/score returns it: {where}: {first['msg']}",
                           "score") from exc


def _stored_score(score: Any) -> Score | None:
    """A score saved earlier; one that is no longer a valid Score counts as none."""
    try:
        return read_score(score)
    except InvalidValue:
        return None


def wire_score(score: Any) -> dict[str, Any] | None:
    """A stored score as the API may send it: the JSON when it is a valid Score, None otherwise.

    A score imported, or saved before scores were validated, could hold NaN or lack sections; it must
    never reach the wire (the dashboard shows such a score as best it can instead).
    """
    if score is None:
        return None
    try:
        read_score(score)
    except InvalidValue as exc:
        log.warning("a stored score is not a valid score; the API leaves it out: %s", exc.message[:200])
        return None
    return dict(score)


def summarize(snapshot: Mapping[str, Any] | None, score: Score | None) -> dict[str, Any]:
    """The numbers lifted from a score and a snapshot, for sorting, filtering and history.

    ``languages`` ({code: share} of the captions) comes from the score; a score saved without that
    section (older clients) has it detected from the snapshot's captions."""
    followers: float | None = score.creator.followers if score is not None else None
    if followers is None:
        followers = _number((snapshot or {}).get("followers"))
    tier: str | None = score.creator.tier if score is not None else None
    if tier is None:
        tier = vocab_tier(int(followers)) if followers is not None else None
    fit = {item.niche: item.score for item in score.niche_fit} if score is not None else {}
    return {"followers": int(followers) if followers is not None else None, "tier": tier,
            "overall": score.overall.score if score is not None else None,
            "authenticity": score.authenticity.score if score is not None else None,
            "engagement_rate": score.engagement.rate if score is not None else None, "fit": fit,
            "languages": post_languages(snapshot, score)}


def post_languages(snapshot: Mapping[str, Any] | None, score: Score | None) -> dict[str, float]:
    """{code: share} of the creator's captions: the score's section, else detected from the snapshot."""
    if score is not None and score.languages is not None:
        return {s.code: s.share for s in score.languages.posts.shares}
    posts = (snapshot or {}).get("posts")
    captions = [p["caption"] for p in posts if isinstance(p, Mapping) and isinstance(p.get("caption"), str)
                and p["caption"].strip()] if isinstance(posts, list) else []
    return languages.share_map(languages.mix(captions))


def check_languages(codes: Sequence[str]) -> None:
    """A listing's language filter: ISO 639-1 codes or und (InvalidValue names the ``language`` field)."""
    try:
        languages.codes(codes)
    except ValueError as exc:
        raise InvalidValue(str(exc), "language") from exc


def history_point(at: str, snapshot: Mapping[str, Any] | None, score: Score | None) -> dict[str, Any]:
    """What one save measured: only the snapshot and score sent with it, never older ones."""
    summary = summarize(snapshot, score)
    captured = (snapshot or {}).get("captured_at")
    return {"at": at, "captured_at": captured if isinstance(captured, str) else None,
            "followers": summary["followers"], "overall": summary["overall"],
            "authenticity": summary["authenticity"], "engagement_rate": summary["engagement_rate"],
            "fit": summary["fit"]}


def merge_creator(existing: Mapping[str, Any] | None, platform: str, handle: str, changes: Mapping[str, Any],
                  *, by: str, at: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The full creator after a save (with snapshot and score), and the history point it adds (or None).

    Only the keys in ``changes`` change. A save carrying a snapshot or a score adds a point; a
    save that only moves the status or edits notes measured nothing new, so it adds none.
    """
    check_creator(platform, handle)
    unknown = set(changes) - set(CREATOR_FIELDS)
    if unknown:
        raise InvalidValue(f"unknown field(s): {', '.join(sorted(unknown))}", sorted(unknown)[0])
    snapshot = changes.get("snapshot")
    score = changes.get("score")
    if snapshot is not None:
        if not isinstance(snapshot, Mapping):
            raise InvalidValue("a snapshot is an object", "snapshot")
        sent = (str(snapshot.get("platform", platform)), str(snapshot.get("handle") or handle))
        if creator_key(*sent) != creator_key(platform, handle):
            raise Conflict("the snapshot is of another creator than the one named", "snapshot")
    typed = read_score(score)
    if existing is None:
        entry: dict[str, Any] = {"platform": platform, "handle": handle.strip().removeprefix("@"),
                                 "display_name": None, "niche": None, "status": STATUSES[0], "notes": "",
                                 "tags": [], "outreach": {}, "summary": summarize(None, None),
                                 "created_at": at, "updated_at": at, "updated_by": by, "snapshot": None,
                                 "score": None}
    else:
        entry = dict(existing)
    if "niche" in changes:
        niche = changes["niche"]
        if niche is not None and not isinstance(niche, str):
            raise InvalidValue("a niche is referred to by its id", "niche")
        entry["niche"] = niche
    if "status" in changes:
        if changes["status"] not in STATUSES:
            raise InvalidValue(f"status must be one of {', '.join(STATUSES)}", "status")
        entry["status"] = changes["status"]
    if "notes" in changes:
        notes = changes["notes"] if changes["notes"] is not None else ""
        if not isinstance(notes, str) or len(notes) > MAX_NOTES:
            raise InvalidValue(f"notes are text of at most {MAX_NOTES:,} characters", "notes")
        entry["notes"] = notes
    if "tags" in changes:
        entry["tags"] = normalize_tags(changes["tags"] if changes["tags"] is not None else [])
    if "outreach" in changes:
        entry["outreach"] = check_outreach(changes["outreach"] if changes["outreach"] is not None else {})
    if snapshot is not None:
        entry["snapshot"] = dict(snapshot)
        entry["handle"] = str(snapshot.get("handle") or handle).removeprefix("@")
        if isinstance(snapshot.get("display_name"), str):
            entry["display_name"] = snapshot["display_name"]
    if typed is not None:
        entry["score"] = typed.to_json()
        entry["summary"] = summarize(entry["snapshot"], typed)
    elif snapshot is not None:
        entry["summary"] = summarize(entry["snapshot"], _stored_score(entry["score"]))
    entry["updated_at"] = at
    entry["updated_by"] = by
    point = history_point(at, snapshot, typed) if snapshot is not None or typed is not None else None
    return entry, point


def normalize_tags(tags: Any) -> list[str]:
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidValue("tags are a list of strings", "tags")
    seen: dict[str, str] = {}
    for tag in (t.strip() for t in tags):
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    if len(seen) > MAX_TAGS or any(len(t) > MAX_TAG for t in seen.values()):
        raise InvalidValue(f"at most {MAX_TAGS} tags of at most {MAX_TAG} characters", "tags")
    return list(seen.values())


def check_outreach(outreach: Any) -> dict[str, str]:
    """Outreach terms replace the stored ones whole: names to text, compensation one of COMPENSATION_TYPES."""
    if not isinstance(outreach, Mapping) or len(outreach) > MAX_OUTREACH_FIELDS:
        raise InvalidValue(f"outreach is an object of at most {MAX_OUTREACH_FIELDS} fields", "outreach")
    for key, value in outreach.items():
        if not isinstance(key, str) or not _FIELD_NAME.match(key):
            raise InvalidValue("outreach field names are lower-case words joined by '_'", "outreach")
        if not isinstance(value, str) or len(value) > MAX_OUTREACH_TEXT:
            raise InvalidValue(f"outreach.{key} is text of at most {MAX_OUTREACH_TEXT:,} characters",
                               "outreach")
    if outreach.get("compensation") not in (None, "", *COMPENSATION_TYPES):
        raise InvalidValue(f"outreach.compensation is one of {', '.join(COMPENSATION_TYPES)}", "outreach")
    return dict(outreach)


MAX_BRAND_NAMES = 20
MAX_COMPETITORS = 50
MAX_BRAND_TEXT = 100


def _brand_texts(value: Any, field: str, handles: bool = False) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) > MAX_BRAND_NAMES:
        raise InvalidValue(f"{field} is a list of at most {MAX_BRAND_NAMES} texts", field)
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_BRAND_TEXT:
            raise InvalidValue(f"{field} holds texts of 1 to {MAX_BRAND_TEXT} characters", field)
        text = item.strip().lstrip("@") if handles else " ".join(item.split())
        if not text:
            raise InvalidValue(f"{field} holds texts of 1 to {MAX_BRAND_TEXT} characters", field)
        if text.casefold() not in {o.casefold() for o in out}:
            out.append(text)
    return out


def build_brand(fields: Mapping[str, Any], at: str) -> dict[str, Any]:
    """The brand profile, replaced whole: {"names", "handles", "competitors": [{"name", "handles"}],
    "updated_at"}; handles without "@", duplicates (case-folded) dropped."""
    if not isinstance(fields, Mapping):
        raise InvalidValue("the brand profile is an object", "brand")
    competitors = fields.get("competitors", [])
    if (not isinstance(competitors, Sequence) or isinstance(competitors, str)
            or len(competitors) > MAX_COMPETITORS):
        raise InvalidValue(f"competitors is a list of at most {MAX_COMPETITORS}", "competitors")
    kept = []
    for i, item in enumerate(competitors):
        if not isinstance(item, Mapping):
            raise InvalidValue("a competitor is {name, handles}", f"competitors.{i}")
        name = _brand_texts([item.get("name")], f"competitors.{i}.name")[0]
        handles = _brand_texts(item.get("handles", []), f"competitors.{i}.handles", handles=True)
        kept.append({"name": name, "handles": handles})
    return {"names": _brand_texts(fields.get("names", []), "names"),
            "handles": _brand_texts(fields.get("handles", []), "handles", handles=True),
            "competitors": kept, "updated_at": at}


EMPTY_BRAND: dict[str, Any] = {"names": [], "handles": [], "competitors": [], "updated_at": None}


def import_brand(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The export's brand profile, checked; None for an older export without one (or an empty one)."""
    brand = data.get("brand")
    if not brand or not any(brand.get(k) for k in ("names", "handles", "competitors")):
        return None
    return build_brand(brand, brand.get("updated_at") or now())


def public(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A creator as listed: without the (large) snapshot and score."""
    return {k: v for k, v in entry.items() if k not in ("snapshot", "score")}


def _listed(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A stored entry as a listing shows it: a summary from before languages were kept lists none
    (until the creator's next save). A new dict, but its nested values may be the store's: set keys
    on it, never change its summary, tags or outreach in place."""
    listed = dict(entry)
    if isinstance(listed.get("summary"), Mapping) and "languages" not in listed["summary"]:
        listed["summary"] = {**listed["summary"], "languages": {}}
    return listed


def comment_authors(snapshot: Mapping[str, Any] | None, handle: str) -> set[str]:
    """Case-folded authors of the audience's comments (not the creator's own replies)."""
    own = handle.lower()
    authors = set()
    for comment in (snapshot or {}).get("comments") or []:
        if not isinstance(comment, Mapping) or comment.get("by_creator"):
            continue
        author = comment.get("author")
        if isinstance(author, str) and author.strip():
            folded = author.strip().removeprefix("@").lower()
            if folded != own:
                authors.add(folded)
    return authors


# ---- listing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CreatorQuery:
    """Filters (all optional, combined with AND) and the sort of GET /v1/watchlist."""

    niche: str | None = None
    status: tuple[str, ...] = ()
    tier: str | None = None
    text: str | None = None
    language: tuple[str, ...] = ()  # codes: creators with at least languages.FILTER_SHARE of captions in one
    sort: str = "updated"
    order: str | None = None  # None: best/newest first for numbers and times, A-Z for handles
    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        if any(s not in STATUSES for s in self.status):
            raise InvalidValue(f"status must be among {', '.join(STATUSES)}", "status")
        if self.tier is not None and self.tier not in TIERS:
            raise InvalidValue(f"tier must be one of {', '.join(TIERS)}", "tier")
        check_languages(self.language)
        check_listing(self.sort, SORT_KEYS, self.order, self.limit, self.offset)


def check_listing(sort: str, keys: Sequence[str], order: str | None, limit: int | None, offset: int) -> None:
    """The sort, order and page of a listing (the watchlist's, the Discovered inbox's)."""
    if sort not in keys:
        raise InvalidValue(f"sort must be one of {', '.join(keys)}", "sort")
    if order not in (None, "asc", "desc"):
        raise InvalidValue("order is asc or desc", "order")
    if limit is not None and not 0 <= limit <= 10_000:
        raise InvalidValue("limit is 0..10000", "limit")
    if offset < 0:
        raise InvalidValue("offset is 0 or more", "offset")


def sort_and_page(chosen: Sequence[Mapping[str, Any]], value: Callable[[Mapping[str, Any]], Any], *,
                  ascending: bool, offset: int = 0, limit: int | None = None) -> list[Mapping[str, Any]]:
    """``chosen`` sorted by ``value`` (ties by creator key; those without a value last, whatever the
    order), then the page from ``offset``."""
    valued = sorted(((creator_key(e["platform"], e["handle"]), value(e), e) for e in chosen),
                    key=itemgetter(0))
    known = [v for v in valued if v[1] is not None]
    known.sort(key=itemgetter(1), reverse=not ascending)  # stable: ties stay in key order
    ordered = [v[2] for v in known] + [v[2] for v in valued if v[1] is None]
    return ordered[offset:None if limit is None else offset + limit]


def _sort_value(entry: Mapping[str, Any], sort: str, niche: str | None) -> Any:
    summary = entry.get("summary") or {}
    if sort == "fit":
        fits = summary.get("fit") or {}
        if niche:
            return fits.get(niche)
        values = [v for v in fits.values() if v is not None]
        return max(values) if values else None
    if sort in ("updated", "created"):
        return entry.get(f"{sort}_at")
    if sort == "handle":
        return str(entry.get("handle", "")).lower()
    return summary.get(sort)


def _matches(entry: Mapping[str, Any], query: CreatorQuery) -> bool:
    if query.niche is not None and entry.get("niche") != query.niche:
        return False
    if query.status and entry.get("status") not in query.status:
        return False
    if query.tier is not None and (entry.get("summary") or {}).get("tier") != query.tier:
        return False
    kept = (entry.get("summary") or {}).get("languages")
    return not query.language or languages.matches(kept, query.language)


def _haystack(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """What the text filter searches, case-folded: handle, display name, notes and tags."""
    return tuple(str(h).casefold() for h in (entry.get("handle") or "", entry.get("display_name") or "",
                                               entry.get("notes") or "", *(entry.get("tags") or [])))


def select(entries: Iterable[Mapping[str, Any]], query: CreatorQuery | None = None) -> list[dict[str, Any]]:
    """Filter and sort; creators without the sort value come last whatever the order."""
    return Listing(entries).select(query)[0]


class Listing:
    """Stored entries ready to be filtered and sorted many times: in key order, each sort's values
    computed once. The SQLite store keeps one and brings it up to date with the entries written since
    (``changed``): a 10,000-creator page is then a filter pass and one sort on precomputed values.
    Entries are never changed: answers are new dicts."""

    def __init__(self, entries: Iterable[Mapping[str, Any]], keys: list[str] | None = None,
                 language_counted: dict[str, int] | None = None):
        """``keys``: the entries' creator keys, when ``entries`` are already in their order;
        ``language_counted``: their language_counts, when known."""
        if keys is None:
            keyed = sorted(((creator_key(e["platform"], e["handle"]), e) for e in entries), key=itemgetter(0))
            keys, entries = [k for k, _ in keyed], [e for _, e in keyed]
        self.keys, self.entries = keys, list(entries)
        self.languages = language_counts(self.entries) if language_counted is None else language_counted
        self._values: dict[tuple[str, str | None], list[Any]] = {}  # (sort, niche): a value per entry
        self._haystacks: list[tuple[str, ...]] | None = None

    def changed(self, changes: Mapping[str, Mapping[str, Any] | None]) -> Listing:
        """A new listing with each creator key's entry in ``changes`` replaced, added, or (None) removed.
        The values computed for the other entries carry over: a few changes cost a few computations."""
        keys, entries = list(self.keys), list(self.entries)
        values = {which: list(v) for which, v in self._values.items()}
        haystacks = None if self._haystacks is None else list(self._haystacks)
        counts = Counter(self.languages)
        for key, entry in changes.items():
            at = bisect.bisect_left(keys, key)
            if at < len(keys) and keys[at] == key:  # the old entry leaves
                counts.subtract(_languages(entries[at]))
                del keys[at], entries[at]
                for column in values.values():
                    del column[at]
                if haystacks is not None:
                    del haystacks[at]
            if entry is not None:
                counts.update(_languages(entry))
                keys.insert(at, key)
                entries.insert(at, entry)
                for which, column in values.items():
                    column.insert(at, _sort_value(entry, *which))
                if haystacks is not None:
                    haystacks.insert(at, _haystack(entry))
        new = Listing(entries, keys, {c: n for c, n in counts.items() if n > 0})
        new._values, new._haystacks = values, haystacks
        return new

    def _sort_values(self, query: CreatorQuery) -> list[Any]:
        which = (query.sort, query.niche if query.sort == "fit" else None)
        if which not in self._values:
            self._values[which] = [_sort_value(e, *which) for e in self.entries]
        return self._values[which]

    def select(self, query: CreatorQuery | None = None) -> tuple[list[dict[str, Any]], int]:
        """(the page ``query.offset`` and ``query.limit`` choose, how many creators match)."""
        query = query or CreatorQuery()
        chosen: Sequence[int] = range(len(self.entries))
        if query.niche is not None or query.status or query.tier or query.language:
            chosen = [i for i in chosen if _matches(self.entries[i], query)]
        if query.text:
            if self._haystacks is None:
                self._haystacks = [_haystack(e) for e in self.entries]
            needle, haystacks = query.text.casefold(), self._haystacks
            chosen = [i for i in chosen if any(needle in h for h in haystacks[i])]
        values = self._sort_values(query)
        known = [i for i in chosen if values[i] is not None]  # in key order: ties stay in it (stable sort)
        known.sort(key=values.__getitem__,
                   reverse=(query.order or ("asc" if query.sort == "handle" else "desc")) == "desc")
        end = None if query.limit is None else query.offset + query.limit
        page = (known + [i for i in chosen if values[i] is None])[query.offset:end]
        return [_listed(self.entries[i]) for i in page], len(chosen)


def language_counts(entries: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """{code: how many creators have it in at least languages.FILTER_SHARE of their captions}."""
    return dict(Counter(code for entry in entries for code in _languages(entry)))


def _languages(entry: Mapping[str, Any]) -> list[str]:
    return [code for code, share in ((entry.get("summary") or {}).get("languages") or {}).items()
            if share >= languages.FILTER_SHARE]


# ---- history ------------------------------------------------------------------------------

def _time(point: Mapping[str, Any]) -> datetime | None:
    for key in ("captured_at", "at"):
        value = point.get(key)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def find_follower_jump(points: Sequence[Mapping[str, Any]], followers_now: int | None = None,
                       at: str | None = None) -> dict[str, Any] | None:
    """The most recent rise of more than JUMP_SHARE within JUMP_DAYS (from at least JUMP_MIN_BASE).

    Points are ordered by capture time (the save time when the snapshot had none). For each point
    the smallest earlier count inside the window is the base (a sliding-window minimum), so a rise
    spread over several saves is caught as well as one between two saves.
    """
    timed = [(t, int(p["followers"])) for p in points
             if (t := _time(p)) is not None and _number(p.get("followers")) is not None]
    if followers_now is not None:
        timed.append((_time({"at": at or now()}) or datetime.now(UTC), int(followers_now)))
    timed.sort(key=lambda tf: tf[0])
    window = JUMP_DAYS * 86400
    minima: deque[int] = deque()  # indices into timed, followers increasing
    found: tuple[int, int] | None = None
    for j, (t, followers) in enumerate(timed):
        while minima and (t - timed[minima[0]][0]).total_seconds() > window:
            minima.popleft()
        if minima:
            base = timed[minima[0]][1]
            if (followers - base) / base > JUMP_SHARE:
                found = (minima[0], j)
        if followers >= JUMP_MIN_BASE:
            while minima and timed[minima[-1]][1] >= followers:
                minima.pop()
            minima.append(j)
    if found is None:
        return None
    (t0, f0), (t1, f1) = timed[found[0]], timed[found[1]]
    days = (t1 - t0).total_seconds() / 86400
    change = (f1 - f0) / f0
    return {"from": f0, "to": f1, "change": round(change, 4), "days": round(days, 2),
            "since": t0.strftime("%Y-%m-%dT%H:%M:%SZ"), "until": t1.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "reason": f"followers rose {change:.0%} ({f0:,} -> {f1:,}) in {max(days, 0):.0f} days: "
                      "a sudden jump can mean bought followers"}


# ---- results ------------------------------------------------------------------------------

RESULTS_EXPORT_KEY = "results"


def check_result(row: Mapping[str, Any]) -> str:
    """The creator key of an imported row; InvalidValue for a row the store cannot keep."""
    if not isinstance(row.get("id"), str) or not row["id"]:
        raise InvalidValue("a result row needs an id", "id")
    check_creator(str(row.get("platform")), str(row.get("handle") or ""))
    if not isinstance(row.get("week"), str):
        raise InvalidValue("a result row needs its week", "week")
    return creator_key(row["platform"], row["handle"])


def sort_results(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return sorted((dict(r) for r in rows), key=lambda r: (creator_key(r["platform"], r["handle"]),
                                                          str(r.get("campaign")), r["week"], r["id"]))


# ---- labels and tokens --------------------------------------------------------------------

def check_label(label: str) -> None:
    if label not in FIT_LABELS:
        raise InvalidValue(f"label must be one of {', '.join(FIT_LABELS)}", "label")


def check_comment_label(text: Any, label: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise InvalidValue("a comment label needs the comment's text", "text")
    if label not in COMMENT_LABELS:
        raise InvalidValue(f"label must be one of {', '.join(COMMENT_LABELS)}", "label")


def check_token_name(name: str) -> None:
    if not isinstance(name, str) or not _TOKEN_NAME.match(name):
        raise InvalidValue("a token name is 1-64 letters, digits, '_', '.', '@' or '-'", "name")
    if name.lower() in RESERVED_TOKEN_NAMES:
        raise InvalidValue(f"'{name}' is the configured token's name; choose another", "name")


def new_token() -> str:
    return "ms_" + secrets.token_urlsafe(32)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def hash_session(session_id: str) -> str:
    """What the store keeps of a session id: a copy of the store cannot sign anyone in."""
    return hashlib.sha256(b"microscout-session\0" + session_id.encode()).hexdigest()


def hash_token(token: str) -> str:
    """SHA-256 is enough: tokens are 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(token.encode()).hexdigest()


# ---- export -------------------------------------------------------------------------------

EXPORT_KEYS = ("niches", "creators", "labels", "comment_labels", "tokens", "settings")


def check_export(data: Any) -> None:
    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        raise InvalidValue(f"not a microscout export (format must be '{EXPORT_FORMAT}')", "format")
    if data.get("version") != EXPORT_VERSION:
        raise InvalidValue(f"export version {data.get('version')!r} is not {EXPORT_VERSION}", "version")
    for key in EXPORT_KEYS:
        expected = dict if key == "settings" else list
        if not isinstance(data.get(key), expected):
            raise InvalidValue(f"'{key}' must be a {expected.__name__}", key)


def export_document(niches: list, creators: list, labels: list, comment_labels: list, tokens: list,
                    settings: dict) -> dict[str, Any]:
    """Deterministic order, so exporting an imported workspace gives the same document."""
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
            "niches": sorted(niches, key=lambda n: n["id"]),
            "creators": sorted(creators, key=lambda c: creator_key(c["platform"], c["handle"])),
            "labels": sorted(labels, key=lambda r: r["id"]),
            "comment_labels": sorted(comment_labels, key=lambda r: r["id"]),
            "tokens": sorted(tokens, key=lambda t: t["name"]),
            "settings": dict(sorted(settings.items()))}


# ---- CSV ----------------------------------------------------------------------------------

# A cell a spreadsheet runs as a formula: one starting with = + - @ (or their full-width forms), a tab
# or a carriage return, also after spaces of any kind (the no-break space included), and also at the
# start of any ';'-separated part, since spreadsheets in many locales split CSV cells at ';'.
_FORMULA = re.compile(r"(^|;)(?=[^\S\t\r]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20])")


def escape_cell(value: Any) -> Any:
    """OWASP CSV injection: text a spreadsheet would run as a formula gets a leading quote (each part)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value  # our own numbers, never a formula
    return _FORMULA.sub(r"\1'", str(value))


CSV_COLUMNS = ("platform", "handle", "display_name", "niche", "status", "tier", "followers", "overall",
               "authenticity", "engagement_rate")


def to_csv(entries: Sequence[Mapping[str, Any]]) -> str:
    """One row a creator; one ``fit:<niche>`` column for every niche any creator was scored on."""
    niches = sorted({n for e in entries for n in ((e.get("summary") or {}).get("fit") or {})})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(f"fit:{n}" for n in niches), "tags", "notes", "created_at", "updated_at",
                     "updated_by"])
    for e in entries:
        s = e.get("summary") or {}
        row = [*(e.get(c) for c in CSV_COLUMNS[:5]), *(s.get(c) for c in CSV_COLUMNS[5:]),
               *((s.get("fit") or {}).get(n) for n in niches), "; ".join(e.get("tags") or []), e.get("notes"),
               e.get("created_at"), e.get("updated_at"), e.get("updated_by")]
        writer.writerow([escape_cell(v) for v in row])
    return out.getvalue()
