"""Niches: create and edit the briefs, each niche's labels, its model versions, training with a live
progress bar, activation (and rollback), and the label suggestions with one-click fit / not a fit."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError

from server import services
from server.core import NotReady
from server.dashboard import bp, security
from server.dashboard.pages import store
from server.dashboard.pages.models import describe
from server.registry import fit_model_name
from server.schemas import NicheCreate, NichePatch, Snapshot
from server.storage import StoreError
from server.vocab import FIT_LABELS

LIST_FIELDS = ("keywords", "hashtags")


def read_brief(form: Any) -> dict[str, Any]:
    """The niche form as the API's fields: keywords and hashtags split on commas, example posts one a line."""
    name = form.get("name", "")
    fields: dict[str, Any] = {
        "name": name.strip() or name,
        "description": form.get("description", "").strip(),
    }
    for key in LIST_FIELDS:
        fields[key] = [
            part.strip() for part in form.get(key, "").replace("\n", ",").split(",") if part.strip()
        ]
    fields["example_posts"] = [
        line.strip() for line in form.get("example_posts", "").splitlines() if line.strip()
    ]
    return fields


def _errors(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        out.setdefault(str(err["loc"][0]) if err["loc"] else "name", err["msg"].removeprefix("Value error, "))
    return out


def _store_errors(exc: StoreError) -> dict[str, str]:
    """A store refusal on the form field it concerns (a taken id is the name's problem)."""
    field = exc.field if exc.field in ("description", *LIST_FIELDS, "example_posts") else "name"
    return {field: exc.message}


def add_label(creator: dict[str, Any], niche: str, label: str) -> tuple[str, bool]:
    """Store a fit / not-a-fit example from the creator's stored snapshot, as POST /v1/labels would."""
    if label not in FIT_LABELS:
        return "Choose fit or not a fit.", False
    raw = creator.get("snapshot")
    if not raw:
        return "Nothing captured for this creator yet: save them from the extension first.", False
    try:
        snapshot = Snapshot.model_validate(raw).model_dump(mode="json")
    except ValidationError:
        return "The stored snapshot is not a valid capture any more; capture the creator again.", False
    record = store().get_niche(niche)
    if record is None:
        return f"No niche with id '{niche}'.", False
    try:
        store().add_label(niche, label, snapshot, by=security.identity() or "")
    except StoreError as exc:
        return f"Not labelled: {exc.message}", False
    verdict = "a fit" if label == "fit" else "not a fit"
    return f"@{creator['handle']} marked {verdict} for {record['name']}.", True


def _label_counts() -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for label in store().list_labels():
        counts.setdefault(label["niche"], {"fit": 0, "not_fit": 0})[label["label"]] += 1
    return counts


@bp.get("/niches")
@security.require_sign_in
def niches():
    return render_template(
        "niches.html", niches=store().list_niches(), counts=_label_counts(), form={}, errors={}
    )


@bp.post("/niches")
@security.require_sign_in
def niche_create():
    fields = read_brief(request.form)
    try:
        payload = NicheCreate.model_validate(fields)
        record = store().create_niche(payload.model_dump(exclude_none=True))
    except ValidationError as exc:
        return render_template(
            "niches.html",
            niches=store().list_niches(),
            counts=_label_counts(),
            form=request.form,
            errors=_errors(exc),
        ), 422
    except StoreError as exc:
        return render_template(
            "niches.html",
            niches=store().list_niches(),
            counts=_label_counts(),
            form=request.form,
            errors=_store_errors(exc),
        ), 409
    flash(f"Niche “{record['name']}” created. Save creators to it, then label a few fit / not a fit.")
    return redirect(url_for("dashboard.niche", niche_id=record["id"]))


def _niche_page(
    record: dict[str, Any], form: Any = None, errors: dict[str, str] | None = None, status: int = 200
):
    labels = store().list_labels(record["id"])
    handles = {}
    for label in labels:
        snap = label.get("snapshot") or {}
        handles[label["id"]] = (snap.get("platform"), snap.get("handle"))
    context = {
        "niche": record,
        "labels": labels,
        "label_handles": handles,
        "form": form
        if form is not None
        else {
            "name": record["name"],
            "description": record["description"],
            "keywords": ", ".join(record["keywords"]),
            "hashtags": ", ".join(record["hashtags"]),
            "example_posts": "\n".join(record["example_posts"]),
        },
        "errors": errors or {},
        "job": request.args.get("job"),
    }
    name = fit_model_name(record["id"])
    info = describe(name)
    context.update(model_name=name, info=info, versions=info["versions"], **label_suggestions(record["id"]))
    return render_template("niche.html", **context), status


def label_suggestions(niche_id: str, limit: int = 8) -> dict[str, Any]:
    """The creators to label next (GET /v1/niches/{id}/suggestions), or why there are none yet."""
    try:
        answer = services.get().suggest(niche_id, limit)
    except NotReady as exc:
        return {"suggestions": [], "suggestions_note": str(exc)}
    note = None
    if not answer["suggestions"]:
        if answer["candidates"]:
            note = "no unlabelled creator's capture has text to score"
        elif store().list_creators():
            note = "every watchlisted creator with a capture is labelled for this niche"
        else:
            note = "save creators to the watchlist from the extension first"
    return {
        "suggestions": answer["suggestions"],
        "suggestions_note": note,
        "suggestion_method": answer["method"],
    }


@bp.get("/niches/<niche_id>")
@security.require_sign_in
def niche(niche_id: str):
    record = store().get_niche(niche_id)
    if record is None:
        abort(404, f"No niche with id '{niche_id}'.")
    return _niche_page(record)


@bp.post("/niches/<niche_id>")
@security.require_sign_in
def niche_save(niche_id: str):
    record = store().get_niche(niche_id)
    if record is None:
        abort(404, f"No niche with id '{niche_id}'.")
    try:
        payload = NichePatch.model_validate(read_brief(request.form))
        store().update_niche(niche_id, payload.model_dump(exclude_unset=True))
    except ValidationError as exc:
        return _niche_page(record, request.form, _errors(exc), 422)
    except StoreError as exc:
        return _niche_page(record, request.form, _store_errors(exc), 422)
    flash("Brief saved. Scores use it from the next capture on.")
    return redirect(url_for("dashboard.niche", niche_id=niche_id))


@bp.post("/niches/<niche_id>/delete")
@security.require_sign_in
def niche_delete(niche_id: str):
    try:
        store().delete_niche(niche_id)
    except StoreError as exc:
        flash(f"Not deleted: {exc.message}", "error")
        return redirect(url_for("dashboard.niche", niche_id=niche_id))
    flash(f"Niche '{niche_id}' deleted; its labels are kept for the record.")
    return redirect(url_for("dashboard.niches"))


@bp.post("/niches/<niche_id>/labels")
@security.require_sign_in
def niche_label(niche_id: str):
    """One-click fit / not a fit from the suggestions list."""
    creator = store().get_creator(request.form.get("platform", ""), request.form.get("handle", ""))
    if creator is None:
        flash("That creator is not on the watchlist any more.", "error")
    else:
        message, ok = add_label(creator, niche_id, request.form.get("label", ""))
        flash(message, "message" if ok else "error")
    return redirect(url_for("dashboard.niche", niche_id=niche_id) + "#suggestions")
