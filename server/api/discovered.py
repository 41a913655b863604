"""Discovery: POST /v1/glance for the chips on scroll pages, and the Discovered inbox it fills."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from server import services
from server.api import LANGUAGE_PARAM, choices_pattern, language_query, param, query_number, spec
from server.ratelimit import charge_work
from server.schemas import DiscoveredCreator, DiscoveredList, DiscoveredUpdate, GlanceRequest, GlanceResponse
from server.storage.discovered import SORT_KEYS, DiscoveredQuery
from server.vocab import INBOX_STATUSES, PLATFORMS, SEEN_ON_KINDS, TIERS

bp = Blueprint("discovered", __name__, url_prefix="/v1")

LIST_QUERY = {
    "niche": param("only creators with a fit for this niche id (and, with sort=fit, ranked by it)"),
    "platform": param("instagram, tiktok or youtube", type="string", enum=list(PLATFORMS)),
    "tier": param("nano, micro, mid, macro or mega", type="string", enum=list(TIERS)),
    "seen_on": param("where seen: a kind (hashtag, search, feed, comments) or a kind and its term, "
                     "e.g. hashtag:sourdough (any case)", type="string",
                     pattern="^(?:" + "|".join(SEEN_ON_KINDS) + ")(?::[\\s\\S]*)?$"),
    "status": param("one or more of new, dismissed, saved (on the watchlist), comma-separated", type="string",
                    pattern=choices_pattern(INBOX_STATUSES)),
    "min_fit": param("only creators whose fit (for the niche, else the best) is at least this",
                     type="number"),
    "language": param("creators with at least 20% of their posts seen in one of these ISO 639-1 codes (es, "
                      "or es,pt; und: unknown)", **LANGUAGE_PARAM),
    "sort": param("fit (for the niche, else the best), last_seen (default), first_seen, seen_count, "
                  "followers or handle", type="string", enum=list(SORT_KEYS)),
    "order": param("desc (default; handle: asc) or asc; creators without the value come last", type="string",
                   enum=["asc", "desc"]),
    "limit": param("at most this many (0-10000)", type="integer", minimum=0, maximum=10000),
    "offset": param("skip this many", type="integer", minimum=0),
}


def _query() -> DiscoveredQuery:
    args = request.args
    statuses = tuple(s.strip() for raw in args.getlist("status") for s in raw.split(",") if s.strip())
    return DiscoveredQuery(niche=args.get("niche") or None, platform=args.get("platform"),
                           tier=args.get("tier"), seen_on=args.get("seen_on"),
                           status=statuses, language=language_query(),
                           min_fit=query_number("min_fit", float), sort=args.get("sort", "last_seen"),
                           order=args.get("order"), limit=query_number("limit"),
                           offset=query_number("offset") or 0)


@bp.post("/glance")
@spec(summary="Glance at up to 50 creators of a scroll page (10 texts each): tier, fit per niche and "
              "watchlist state, in order; each glance is remembered in the Discovered inbox.",
      body=GlanceRequest, response=GlanceResponse)
def glance(payload: GlanceRequest):
    charge_work(payload.texts())
    return jsonify(services.get().glance(payload).model_dump(mode="json"))


@bp.get("/discovered")
@spec(summary="The Discovered inbox: creators glanced at, where and how often seen, their fit; "
              "filtered and sorted.", response=DiscoveredList, query=LIST_QUERY)
def list_discovered():
    page, total = services.get().store.list_discovered(_query())
    return jsonify({"creators": page, "total": total})


@bp.put("/discovered/<platform>/<handle>")
@spec(summary="Dismiss a discovered creator, or bring it back as new.", body=DiscoveredUpdate,
      response=DiscoveredCreator)
def update_discovered(platform: str, handle: str, payload: DiscoveredUpdate):
    return jsonify(services.get().store.set_discovered_status(platform, handle, payload.status))
