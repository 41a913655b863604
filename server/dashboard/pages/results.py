"""The Results page (what each partnership returned, the import form, the CSV) and the Audit page
(re-score the watchlist, follow its progress, read what changed). A creator's own results are drawn
on the creator page from :func:`creator_panel`."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from server import services
from server.dashboard import bp, security
from server.dashboard.charts import Series, line_chart, parse_time
from server.dashboard.pages import store
from server.jobs import Busy
from server.results import ImportRefused, creator_results, overview, to_csv
from server.results.imports import import_file
from server.storage import StoreError

SORTS = {
    "return": "Return on spend",
    "revenue": "Revenue",
    "conversions": "Conversions",
    "sessions": "Sessions",
    "cost_per_conversion": "Cost per conversion",
}
CHART_CREATORS = 6  # lines on the overview chart: more are unreadable


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _weekly(label: str, weeks: list[dict[str, Any]], key: str) -> Series:
    points = [(t, float(w[key])) for w in weeks if (t := parse_time(w["week"])) and w.get(key) is not None]
    return Series(label, points)


def creator_panel(result: dict[str, Any]) -> dict[str, Any]:
    """Charts for one creator: traffic per week (sessions, engaged), revenue to date against the cost."""
    weeks = sorted((w for c in result["campaigns"] for w in c["weeks"]), key=lambda w: w["week"])
    by_week: dict[str, dict[str, float]] = {}
    for w in weeks:
        slot = by_week.setdefault(w["week"], {"sessions": 0.0, "engaged_sessions": 0.0, "revenue": 0.0})
        for key in slot:
            slot[key] += float(w.get(key) or 0)
    merged: list[dict[str, Any]] = [{"week": k, **v} for k, v in sorted(by_week.items())]
    to_date, running = [], 0.0
    for w in merged:
        running += float(w["revenue"])
        to_date.append({"week": w["week"], "revenue": running, "cost": result["cost"]})
    has_traffic = result["sessions"] is not None
    empty = "No results imported yet: import a GA4 export or a Shopify discount report on the Results page."
    traffic = [
        _weekly("Sessions", merged, "sessions"),
        _weekly("Engaged sessions", merged, "engaged_sessions"),
    ]
    money = [_weekly("Revenue to date", to_date, "revenue")]
    if result["cost"] is not None:
        money.append(_weekly("Cost (fee)", to_date, "cost"))
    return {
        "traffic": line_chart(
            "chart-traffic",
            "Sessions and engaged sessions per week",
            traffic if has_traffic else [],
            empty=empty,
        ),
        "money": line_chart(
            "chart-money", "Revenue to date against the cost", money, fmt=_money, empty=empty
        ),
        "traffic_legend": [s.label for s in traffic] if has_traffic else [],
        "money_legend": [s.label for s in money],
    }


def results_for(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The creator page's results section, or None when nothing was imported for them."""
    rows = store().list_results(entry["platform"], entry["handle"])
    if not rows:
        return None
    result = creator_results(entry, rows)
    return {"result": result, "charts": creator_panel(result)}


def _overview_chart(rows: list[dict[str, Any]]) -> Any:
    series = []
    for result in rows[:CHART_CREATORS]:
        weeks = sorted((w for c in result["campaigns"] for w in c["weeks"]), key=lambda w: w["week"])
        running, points = 0.0, []
        for w in weeks:
            running += float(w["revenue"])
            if (t := parse_time(w["week"])) is not None:
                points.append((t, running))
        series.append(Series("@" + result["handle"], points))
    return line_chart(
        "chart-results",
        "Revenue to date per creator",
        series,
        fmt=_money,
        empty="No results yet: import an export below.",
    )


@bp.get("/results")
@security.require_sign_in
def results():
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "return"
    rows = overview(store().list_creators(), store().list_results(), sort)
    names = {n["id"]: n["name"] for n in store().list_niches()}
    return render_template(
        "results.html",
        rows=rows,
        sort=sort,
        sorts=SORTS,
        chart=_overview_chart(rows),
        legend=["@" + r["handle"] for r in rows[:CHART_CREATORS]],
        flagged=[r for r in rows if r["low_engagement"]],
        niche_names=names,
        report=request.args.get("imported"),
    )


@bp.post("/results/import")
@security.require_sign_in
def results_import():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a CSV file to import.", "error")
        return redirect(url_for("dashboard.results"))
    try:
        report = import_file(
            store(),
            upload.read(),
            by=security.identity() or "",
            file_name=upload.filename,
            skip_unmatched=request.form.get("skip_unmatched") == "on",
        )
    except ImportRefused as exc:
        flash(f"Nothing imported from {upload.filename}:", "error")
        for problem in exc.problems[:20]:
            flash(str(problem), "error")
        if len(exc.problems) > 20:
            flash(f"... and {len(exc.problems) - 20} more rows.", "error")
        return redirect(url_for("dashboard.results"))
    except StoreError as exc:
        flash(f"Not imported: {exc.message}", "error")
        return redirect(url_for("dashboard.results"))
    kind = {"ga4": "Google Analytics 4", "shopify": "Shopify discount codes"}[report["kind"]]
    flash(
        f"{upload.filename} ({kind}): {report['imported'] + report['duplicates']} rows for "
        f"{report['creators']} creators: {report['imported']} imported, {report['duplicates']} already "
        f"imported; {report['skipped']} rows of other traffic skipped."
    )
    for problem in report["unmatched"]:
        flash(f"Not imported: {problem['message']}", "error")
    for note in report["notes"]:
        flash(f"Note: {note}")
    return redirect(url_for("dashboard.results"))


@bp.get("/results.csv")
@security.require_sign_in
def results_csv():
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "return"
    rows = overview(store().list_creators(), store().list_results(), sort)
    return Response(
        to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="results.csv"'},
    )


@bp.get("/audit")
@security.require_sign_in
def audit():
    scout = services.get()
    job = scout.current_audit()
    running = job is not None and job["state"] in ("queued", "running")
    latest = scout.latest_audit()
    kinds = {
        "fit_down": "Fit down",
        "authenticity_down": "Authenticity down",
        "follower_jump": "Follower jump",
        "competitor": "Competitor collaboration",
    }
    return render_template("audit.html", job=job, running=running, latest=latest, kinds=kinds)


@bp.post("/audit")
@security.require_sign_in
def audit_start():
    raw = request.form.get("stale_days", "30")
    stale_days = int(raw) if raw.isdigit() and 1 <= int(raw) <= 3650 else 30
    try:
        services.get().submit_audit(stale_days)
    except Busy:
        flash("An audit is already running; its progress is below.")
    else:
        flash("Audit started: every watchlisted creator is re-scored from its last snapshot.")
    return redirect(url_for("dashboard.audit"))
