"""Discovered: every creator the chips glanced at while the marketer scrolled, ranked by fit to a
chosen niche, with where they were seen; open the profile, save to the watchlist, dismiss; CSV."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from server.dashboard import bp, security
from server.dashboard.drafting import profile_url
from server.dashboard.pages import safe_next, store
from server.dashboard.pages.watchlist import read_languages
from server.dashboard.present import PLATFORM_NAMES
from server.scoring import languages
from server.storage import StoreError
from server.storage.discovered import DiscoveredQuery, to_csv
from server.vocab import INBOX_STATUSES, PLATFORMS, SEEN_ON_KINDS, TIERS

ROWS = 300  # a page shows the best this many; the CSV has them all
PLACES_FROM = 300  # the "where seen" choices come from the places of the creators seen last
SHOWN = {"": ("new", "saved"), "all": ()}  # the status choice -> statuses; one status shows itself


def read_query(args: MultiDict[str, str], niche_ids: set[str]) -> DiscoveredQuery:
    """The filters in the page's address; values the store would refuse are dropped, not an error page."""
    status = args.get("status", "")
    seen_on = args.get("seen_on") or None
    return DiscoveredQuery(
        niche=args.get("niche") if args.get("niche") in niche_ids else None,
        platform=args.get("platform") if args.get("platform") in PLATFORMS else None,
        tier=args.get("tier") if args.get("tier") in TIERS else None,
        seen_on=seen_on if seen_on and seen_on.split(":", 1)[0] in SEEN_ON_KINDS else None,
        status=SHOWN.get(status, (status,) if status in INBOX_STATUSES else SHOWN[""]),
        language=read_languages(args),
        sort="last_seen" if args.get("sort") == "last_seen" else "fit",
    )


def _language_choices(recent: list[dict[str, Any]], chosen: tuple[str, ...]) -> list[tuple[str, str]]:
    """(code, text) of every language recent creators post in (at least the filter's share), and the
    chosen ones."""
    counts = Counter(code for r in recent for code, share in (r.get("languages") or {}).items()
                     if share >= languages.FILTER_SHARE)
    for code in chosen:
        counts.setdefault(code, 0)
    return [(code, f"{code} ({n})" if n else code)
            for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def place_label(kind: str, term: str | None) -> str:
    """How a place reads: "#sourdough", "search “trail running”", "feed"."""
    if not term:
        return {"comments": "comments", "feed": "feed"}.get(kind, kind)
    return f"#{term.lstrip('#')}" if kind == "hashtag" else f"{kind} “{term}”"


def _places(recent: list[dict[str, Any]], chosen: str | None) -> list[tuple[str, str]]:
    """(filter value, label) of every kind, and every kind with term seen on the recent creators."""
    values = {kind: place_label(kind, None) for kind in SEEN_ON_KINDS}
    for record in recent:
        for place in record.get("seen_on") or []:
            if place["term"]:
                values.setdefault(f"{place['kind']}:{place['term'].casefold()}",
                                  place_label(place["kind"], place["term"]))
    if chosen and chosen not in values:
        kind, _, term = chosen.partition(":")
        values[chosen] = place_label(kind, term)
    return sorted(values.items(), key=lambda kv: (":" in kv[0], kv[1].casefold()))


@bp.get("/discovered")
@security.require_sign_in
def discovered() -> str:
    niches = store().list_niches()
    query = read_query(request.args, {n["id"] for n in niches})
    rows, total = store().list_discovered(replace(query, limit=ROWS))
    recent, _ = store().list_discovered(DiscoveredQuery(limit=PLACES_FROM))
    for row in rows:
        row["fit_shown"] = query.fit_of(row)
        row["profile"] = profile_url(row["platform"], row["handle"])
    return render_template(
        "discovered.html",
        rows=rows,
        total=total,
        query=query,
        niches=niches,
        niche_names={n["id"]: n["name"] for n in niches},
        choices={  # each filter's (value, text) pairs
            "niche": [(n["id"], n["name"]) for n in niches],
            "platform": [(p, PLATFORM_NAMES[p]) for p in PLATFORMS],
            "tier": [(t, t.capitalize()) for t in TIERS],
            "seen_on": _places(recent, query.seen_on),
            "language": _language_choices(recent, query.language),
            "status": [*((s, s.capitalize()) for s in INBOX_STATUSES), ("all", "All")],
            "sort": [("fit", "Fit"), ("last_seen", "Last seen")],
        },
        status=request.args.get("status", ""),
        place_label=place_label,
        language=query.language[0] if query.language else None,
        filtered=any(request.args.get(k)
                     for k in ("niche", "platform", "tier", "seen_on", "language", "status")),
        csv_url=url_for("dashboard.discovered_csv", **request.args.to_dict(flat=False)),  # type: ignore[arg-type]
    )


@bp.get("/discovered.csv")
@security.require_sign_in
def discovered_csv() -> Response:
    niches = [n["id"] for n in store().list_niches()]
    rows, _ = store().list_discovered(read_query(request.args, set(niches)))
    return Response(to_csv(rows, niches), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="microscout-discovered.csv"'})


def _chosen() -> tuple[str, str] | None:
    platform, handle = request.form.get("platform", ""), request.form.get("handle", "")
    return (platform, handle) if platform in PLATFORMS and handle else None


@bp.post("/discovered/save")
@security.require_sign_in
def discovered_save() -> Any:
    """Put a discovered creator on the watchlist, with the niche it was ranked by and where it was seen."""
    back = safe_next(url_for("dashboard.discovered"))
    chosen = _chosen()
    record = store().get_discovered([chosen])[0] if chosen else None
    if chosen is None or record is None:
        flash("That creator is not in the inbox.", "error")
        return redirect(back)
    if store().get_creator(*chosen) is not None:
        flash(f"@{record['handle']} is already on the watchlist.")
        return redirect(back)
    niche = request.form.get("niche") or record.get("best_niche")
    places = ", ".join(f"{place_label(p['kind'], p['term'])} ({p['count']}x)" for p in record["seen_on"])
    changes: dict[str, Any] = {"notes": f"Discovered while scrolling: {places or 'a scroll page'}."}
    if niche and store().get_niche(niche) is not None:
        changes["niche"] = niche
    try:
        store().save_creator(chosen[0], record["handle"], changes, by=security.identity() or "")
    except StoreError as exc:
        flash(f"Not saved: {exc.message}", "error")
        return redirect(back)
    flash(f"@{record['handle']} saved to the watchlist. Open the profile with the extension to score it "
          "in full.")
    return redirect(back)


@bp.post("/discovered/status")
@security.require_sign_in
def discovered_status() -> Any:
    back = safe_next(url_for("dashboard.discovered"))
    chosen, status = _chosen(), request.form.get("status", "")
    if chosen is None or status not in ("new", "dismissed"):
        flash("Choose a creator and dismiss or restore it.", "error")
        return redirect(back)
    try:
        record = store().set_discovered_status(*chosen, status)
    except StoreError as exc:
        flash(f"Not changed: {exc.message}", "error")
        return redirect(back)
    flash(f"@{record['handle']} {'dismissed' if status == 'dismissed' else 'is back in the inbox'}.")
    return redirect(back)
