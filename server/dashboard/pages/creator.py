"""A creator's page: every score section with reasons and evidence, history charts, the pipeline
fields (status, niche, tags, notes), the labels given, and fit / not-a-fit buttons."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError

from server.dashboard import bp, security
from server.dashboard.charts import Series, line_chart, parse_time
from server.dashboard.drafting import profile_url, quote_caption
from server.dashboard.pages import store
from server.dashboard.pages.results import results_for
from server.schemas import CommentLabelCreate
from server.storage import StoreError
from server.storage.records import creator_key
from server.vocab import FIT_LABELS, STATUSES


def load(platform: str, handle: str) -> dict[str, Any]:
    creator = store().get_creator(platform, handle)
    if creator is None:
        abort(404, f"{platform}/{handle} is not on the watchlist.")
    return creator


def labels_for(platform: str, handle: str) -> list[dict[str, Any]]:
    """The fit labels given for this creator (a label keeps the snapshot it was given on)."""
    key = creator_key(platform, handle)
    return [
        label
        for label in store().list_labels()
        if creator_key(
            str((label.get("snapshot") or {}).get("platform", "")),
            str((label.get("snapshot") or {}).get("handle", "")),
        )
        == key
    ]


def charts(points: list[dict[str, Any]], niche_names: dict[str, str]) -> dict[str, Any]:
    """Followers over time, and the scores (overall, authenticity, fit per niche) over time."""
    timed = [(t, p) for p in points if (t := parse_time(p.get("captured_at") or p.get("at"))) is not None]
    timed.sort(key=lambda tp: tp[0])

    def series(label: str, pick) -> Series:
        return Series(label, [(t, float(v)) for t, p in timed if isinstance(v := pick(p), int | float)])

    fit_ids = sorted({n for _, p in timed for n in (p.get("fit") or {})})
    scores = [
        series("Overall", lambda p: p.get("overall")),
        series("Authenticity", lambda p: p.get("authenticity")),
        *(
            series(f"Fit: {niche_names.get(n, n)}", lambda p, n=n: (p.get("fit") or {}).get(n))
            for n in fit_ids
        ),
    ]
    scores = [s for s in scores if s.points]
    return {
        "followers": line_chart(
            "chart-followers", "Followers over time", [series("Followers", lambda p: p.get("followers"))]
        ),
        "scores": line_chart(
            "chart-scores", "Scores over time (0-100)", scores, y_range=(0, 100), fmt=lambda v: f"{v:.0f}"
        ),
        "legend": [s.label for s in scores],
        "count": len(timed),
    }


_SECTIONS = ("creator", "overall", "authenticity", "engagement", "disclosure")


def readable_score(score: Any) -> dict[str, Any]:
    """A stored score as the page can draw it, whatever its shape: one kept by an older scorer, or an
    imported one that is not a score at all, shows what it has instead of breaking the page."""
    if not isinstance(score, dict):
        return {}
    readable = dict(score)
    for name in _SECTIONS:
        if not isinstance(readable.get(name), dict):
            readable[name] = {}
    if not isinstance(readable.get("niche_fit"), list):
        readable["niche_fit"] = []
    readable["niche_fit"] = [fit for fit in readable["niche_fit"] if isinstance(fit, dict)]
    return readable


@bp.get("/creators/<platform>/<handle>")
@security.require_sign_in
def creator(platform: str, handle: str):
    entry = load(platform, handle)
    niches = store().list_niches()
    names = {n["id"]: n["name"] for n in niches}
    score = readable_score(entry.get("score"))
    return render_template(
        "creator.html",
        creator=entry,
        score=score,
        snapshot=entry.get("snapshot") or {},
        niches=niches,
        niche_names=names,
        statuses=STATUSES,
        fit_labels=FIT_LABELS,
        labels=labels_for(platform, handle),
        charts=charts(store().history(platform, handle), names),
        jump=store().follower_jump(platform, handle),
        profile=profile_url(entry["platform"], entry["handle"], entry.get("snapshot")),
        results=results_for(entry),
    )


@bp.post("/creators/<platform>/<handle>")
@security.require_sign_in
def creator_save(platform: str, handle: str):
    load(platform, handle)
    changes: dict[str, Any] = {}
    form = request.form
    if "status" in form:
        changes["status"] = form["status"]
    if "niche" in form:
        changes["niche"] = form["niche"] or None
    if "tags" in form:
        changes["tags"] = [t.strip() for t in form["tags"].split(",") if t.strip()]
    if "notes" in form:
        changes["notes"] = form["notes"].replace("\r\n", "\n")
    try:
        store().save_creator(platform, handle, changes, by=security.identity() or "")
    except StoreError as exc:
        flash(f"Not saved: {exc.message}", "error")
    else:
        flash("Saved.")
    return redirect(url_for("dashboard.creator", platform=platform, handle=handle))


@bp.post("/creators/<platform>/<handle>/labels")
@security.require_sign_in
def creator_label(platform: str, handle: str):
    """Mark the creator fit / not a fit for a niche: a training example made of the stored snapshot."""
    from server.dashboard.pages.niches import add_label

    entry = load(platform, handle)
    message, ok = add_label(entry, request.form.get("niche", ""), request.form.get("label", ""))
    flash(message, "message" if ok else "error")
    return redirect(url_for("dashboard.creator", platform=platform, handle=handle) + "#labels")


def _comment(snapshot: dict[str, Any], ref: str) -> dict[str, Any] | None:
    """A captured comment by its id, or by its position (what the score's ``flagged[].index`` names)."""
    comments = [c for c in snapshot.get("comments") or [] if isinstance(c, dict)]
    for comment in comments:
        if ref and str(comment.get("id")) == ref:
            return comment
    if ref.isdigit() and int(ref) < len(comments):
        return comments[int(ref)]
    return None


@bp.post("/creators/<platform>/<handle>/comment-labels")
@security.require_sign_in
def comment_label(platform: str, handle: str):
    """Correct the comment classifier on a flagged comment, as POST /v1/comment-labels does."""
    entry = load(platform, handle)
    snapshot = entry.get("snapshot") or {}
    comment = _comment(snapshot, request.form.get("comment", ""))
    captions = {
        str(p.get("id")): p.get("caption") for p in snapshot.get("posts") or [] if isinstance(p, dict)
    }
    back = url_for("dashboard.creator", platform=platform, handle=handle) + "#h-auth"
    if comment is None:
        flash("That comment is not in the latest capture any more.", "error")
        return redirect(back)
    try:
        payload = CommentLabelCreate.model_validate({
            "text": comment.get("text", ""),
            "label": request.form.get("label", ""),
            "post_caption": captions.get(str(comment.get("post_id"))) or None,
        })
        store().add_comment_label(
            payload.text, payload.label, payload.post_caption, by=security.identity() or ""
        )
    except (ValidationError, StoreError) as exc:
        flash(f"Not saved: {exc}", "error")
    else:
        flash(
            f"Correction saved: “{quote_caption(payload.text, 60)}” is {payload.label}. "
            "Retrain the comment model to learn from it."
        )
    return redirect(back)
