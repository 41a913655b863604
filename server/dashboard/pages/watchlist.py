"""The watchlist: a sortable, filterable table, search, bulk status change and the CSV export."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from server.dashboard import bp, security
from server.dashboard.pages import safe_next, store
from server.scoring import languages
from server.storage import CreatorQuery, StoreError
from server.storage.records import to_csv
from server.vocab import STATUSES, TIERS

PAGE = 100  # rows a page: a 10,000-creator watchlist renders in well under 200 ms (bench/audit_bench.py)
# (sort key, column heading); the store sorts, so only its keys are sortable
COLUMNS = (
    ("handle", "Creator"),
    ("overall", "Overall"),
    ("fit", "Fit"),
    ("authenticity", "Authenticity"),
    ("followers", "Followers"),
    ("updated", "Last seen"),
)


def read_query(args: MultiDict[str, str], niche_ids: set[str] | None = None) -> CreatorQuery:
    """The filters in the page's address; values the store would refuse are dropped, not an error page."""
    niche = args.get("niche") or None
    if niche_ids is not None and niche not in niche_ids:
        niche = None
    sort = args.get("sort", "updated")
    order = args.get("order")
    return CreatorQuery(
        niche=niche,
        status=tuple(s for s in args.getlist("status") if s in STATUSES),
        tier=args.get("tier") if args.get("tier") in TIERS else None,
        text=(args.get("q") or "").strip()[:200] or None,
        language=read_languages(args),
        sort=sort if sort in {c for c, _ in COLUMNS} else "updated",
        order=order if order in ("asc", "desc") else None,
    )


def read_languages(args: MultiDict[str, str]) -> tuple[str, ...]:
    """The language filter's codes; ones that are not ISO 639-1 codes (or und) are dropped."""
    wanted = [code for raw in args.getlist("language") for code in raw.split(",")]
    return tuple(code for code in dict.fromkeys(c.strip().lower() for c in wanted) if _is_code(code))


def _is_code(code: str) -> bool:
    try:
        return bool(languages.codes([code]))
    except ValueError:
        return False


def language_options(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(code, how many creators have it as at least FILTER_SHARE of their captions), most common first."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _fit(creator: dict[str, Any], niche: str | None) -> float | None:
    """With a niche filter, the fit for that niche; otherwise the best (the store sorts the same way)."""
    fits = (creator.get("summary") or {}).get("fit") or {}
    if niche:
        return fits.get(niche)
    values = [v for v in fits.values() if v is not None]
    return max(values) if values else None


def _headings(query: CreatorQuery) -> list[dict[str, Any]]:
    args: dict[str, Any] = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"}
    current = query.order or ("asc" if query.sort == "handle" else "desc")
    headings = []
    for key, label in COLUMNS:
        active = key == query.sort
        flip = "desc" if current == "asc" else "asc"
        order = flip if active else ("asc" if key == "handle" else "desc")
        headings.append({
            "key": key,
            "label": label,
            "url": url_for("dashboard.watchlist", **{**args, "sort": key, "order": order}),
            "aria": ("ascending" if current == "asc" else "descending") if active else None,
        })
    return headings


@bp.get("/watchlist")
@security.require_sign_in
def watchlist():
    niches = store().list_niches()
    query = read_query(request.args, {n["id"] for n in niches})
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and int(raw) >= 1 else 1
    creators, total = store().find_creators(replace(query, offset=(page - 1) * PAGE, limit=PAGE))
    pages = max(1, -(-total // PAGE))
    if page > pages:  # past the end: the last page
        page = pages
        creators, total = store().find_creators(replace(query, offset=(page - 1) * PAGE, limit=PAGE))
    for creator in creators:
        creator["fit_shown"] = _fit(creator, query.niche)
    filtered = bool(request.args.get("q") or query.niche or query.status or query.tier or query.language)
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"}
    return render_template(
        "watchlist.html",
        creators=creators,
        total=total,
        page=page,
        pages=pages,
        first=(page - 1) * PAGE + 1,
        page_url=lambda n: url_for("dashboard.watchlist", **args, page=n),
        query=query,
        niches=niches,
        niche_names={n["id"]: n["name"] for n in niches},
        statuses=STATUSES,
        tiers=TIERS,
        headings=_headings(query),
        filtered=filtered,
        # from the whole watchlist, so a filter never hides the other languages
        language_options=language_options(store().creator_languages()),
        csv_url=url_for("dashboard.watchlist_csv", **request.args.to_dict(flat=False)),
    )


@bp.get("/watchlist.csv")
@security.require_sign_in
def watchlist_csv():
    """The API's CSV (same columns, same formula escaping) for the rows the page shows."""
    query = read_query(request.args, {n["id"] for n in store().list_niches()})
    body = to_csv(store().list_creators(query))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="microscout-watchlist.csv"'},
    )


@bp.post("/watchlist/status")
@security.require_sign_in
def watchlist_status():
    status = request.form.get("status", "")
    chosen = [c for c in request.form.getlist("creator") if "/" in c]
    back = safe_next(url_for("dashboard.watchlist"))
    if status not in STATUSES:
        flash("Choose a status to move the selected creators to.", "error")
        return redirect(back)
    if not chosen:
        flash("Select at least one creator first.", "error")
        return redirect(back)
    moved, failed = 0, []
    for key in chosen:
        platform, handle = key.split("/", 1)
        if store().get_creator(platform, handle) is None:  # a save would create it
            failed.append(f"{key} (not on the watchlist)")
            continue
        try:
            store().save_creator(platform, handle, {"status": status}, by=security.identity() or "")
            moved += 1
        except StoreError as exc:
            failed.append(f"{key} ({exc.message})")
    flash(f"Moved {moved} creator{'s' if moved != 1 else ''} to {status}.")
    if failed:
        flash("Not moved: " + "; ".join(failed), "error")
    return redirect(back)
