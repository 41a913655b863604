"""/v1/watchlist: saved creators with pipeline status, notes, tags, latest snapshot and score,
their history, and the CSV export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from server import services
from server.api import LANGUAGE_PARAM, choices_pattern, language_query, param, query_number, spec
from server.errors import InvalidField, NotFound
from server.schemas import CreatorDetail, CreatorList, History, WatchlistCreate, WatchlistSave
from server.storage import CreatorQuery, records
from server.vocab import STATUSES, TIERS

bp = Blueprint("watchlist", __name__, url_prefix="/v1")

LIST_QUERY = {
    "niche": param("only creators assigned to this niche id (and, with sort=fit, their fit for it)"),
    "status": param("one or more of discovered, shortlisted, contacted, negotiating, partnered, declined "
                    "(comma-separated)", type="string", pattern=choices_pattern(STATUSES)),
    "tier": param("nano, micro, mid, macro or mega", type="string", enum=list(TIERS)),
    "q": param("text found in the handle, display name, notes or tags (case-insensitive)"),
    "language": param("creators with at least 20% of their captions in one of these ISO 639-1 codes (es, or "
                      "es,pt; und: unknown)", **LANGUAGE_PARAM),
    "sort": param("overall, fit, authenticity, followers, updated (default), created or handle",
                  type="string", enum=list(records.SORT_KEYS)),
    "order": param("desc (default; handle: asc) or asc; creators without the value come last", type="string",
                   enum=["asc", "desc"]),
    "limit": param("at most this many (0-10000)", type="integer", minimum=0, maximum=10000),
    "offset": param("skip this many", type="integer", minimum=0),
}


def _query(paged: bool = True) -> CreatorQuery:
    args = request.args
    statuses = tuple(s.strip() for raw in args.getlist("status") for s in raw.split(",") if s.strip())
    return CreatorQuery(niche=args.get("niche") or None, status=statuses, tier=args.get("tier"),
                        text=args.get("q") or None, language=language_query(),
                        sort=args.get("sort", "updated"),
                        order=args.get("order"), limit=query_number("limit") if paged else None,
                        offset=(query_number("offset") or 0) if paged else 0)


@bp.get("/watchlist")
@spec(summary="List saved creators, filtered and sorted.", response=CreatorList, query=LIST_QUERY)
def list_creators():
    creators, total = services.get().store.find_creators(_query())
    return jsonify({"creators": creators, "total": total})


def _save(platform: str, handle: str, payload: WatchlistSave) -> Any:
    changes: dict[str, Any] = {}
    for field in ("niche", "status", "notes", "tags", "outreach", "score"):
        if field in payload.model_fields_set:
            changes[field] = getattr(payload, field)
    if payload.score is not None:
        changes["score"] = payload.score.to_json()  # the store keeps JSON
    if payload.snapshot is not None:
        changes["snapshot"] = payload.snapshot.model_dump(mode="json", exclude_unset=True)
    for field in ("status", "notes", "tags", "score"):  # only the niche can be cleared with null
        if field in changes and changes[field] is None:
            raise InvalidField(f"{field}: may not be null",
                               {"fields": [{"field": field, "message": "may not be null"}]})
    store = services.get().store
    _, created = store.save_creator(platform, handle, changes, by=g.identity)
    entry = store.get_creator(platform, handle) or {}
    return jsonify({**entry, "score": records.wire_score(entry.get("score"))}), 201 if created else 200


@bp.post("/watchlist")
@spec(summary="Save or update a creator named by the snapshot (or by platform and handle); 201 when new.",
      body=WatchlistCreate, response=CreatorDetail, created=True)
def save_creator(payload: WatchlistCreate):
    platform = payload.platform or (payload.snapshot.platform if payload.snapshot else None)
    handle = payload.handle or (payload.snapshot.handle if payload.snapshot else None)
    if not platform or not handle:
        raise InvalidField("platform and handle: send a snapshot, or both fields",
                           {"fields": [{"field": "handle", "message": "required without a snapshot"}]})
    return _save(platform, handle.strip().removeprefix("@"), payload)


@bp.get("/watchlist/<platform>/<handle>")
@spec(summary="Read a saved creator with the latest snapshot and score.", response=CreatorDetail)
def get_creator(platform: str, handle: str):
    entry = services.get().store.get_creator(platform, handle)
    if entry is None:
        raise NotFound(f"{platform}/{handle} is not on the watchlist")
    return jsonify({**entry, "score": records.wire_score(entry.get("score"))})


@bp.put("/watchlist/<platform>/<handle>")
@spec(summary="Save or update this creator: only the fields sent change; 201 when new.", body=WatchlistSave,
      response=CreatorDetail, created=True)
def put_creator(platform: str, handle: str, payload: WatchlistSave):
    return _save(platform, handle, payload)


@bp.post("/watchlist/<platform>/<handle>")
@spec(summary="Same as PUT: save or update this creator; 201 when new.", body=WatchlistSave,
      response=CreatorDetail, created=True)
def post_creator(platform: str, handle: str, payload: WatchlistSave):
    return _save(platform, handle, payload)


@bp.delete("/watchlist/<platform>/<handle>")
@spec(summary="Remove a creator and its history from the watchlist (labels stay).", status=204)
def delete_creator(platform: str, handle: str):
    services.get().store.delete_creator(platform, handle)
    return "", 204


@bp.get("/watchlist/<platform>/<handle>/history")
@spec(summary="Followers and scores at every save, and the latest sudden follower jump.", response=History)
def history(platform: str, handle: str):
    store = services.get().store
    points = store.history(platform, handle)
    entry = store.get_creator(platform, handle)
    return jsonify({"platform": platform, "handle": entry["handle"] if entry else handle, "points": points,
                    "follower_jump": records.find_follower_jump(points)})


@bp.get("/watchlist.csv")
@spec(summary="The watchlist as CSV: one row a creator, scores as columns, formulas escaped.",
      query={k: v for k, v in LIST_QUERY.items() if k not in ("limit", "offset")})
def watchlist_csv():
    entries = services.get().store.list_creators(_query(paged=False))
    return Response(records.to_csv(entries), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="watchlist.csv"'})
