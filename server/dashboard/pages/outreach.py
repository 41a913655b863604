"""A creator's outreach page: terms kept on the creator, a draft message quoting their best-matching
posts, and a UTM link per creator and campaign, each with a copy button."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from server.dashboard import bp, drafting, security
from server.dashboard.pages import store
from server.dashboard.pages.creator import load
from server.storage import StoreError

TERM_FIELDS = (
    "brand",
    "sender",
    "product",
    "compensation",
    "fee",
    "deliverables",
    "timeline",
    "usage_rights",
    "exclusivity",
    "campaign",
    "landing_url",
    "utm_source",
    "utm_medium",
    "utm_content",
    "discount_code",
    "template",
    "niche",
)
# What the next creator's page starts from: who writes, for which brand, to which page.
DEFAULTS_SETTING = "dashboard.outreach_defaults"
DEFAULT_FIELDS = ("brand", "sender", "product", "landing_url", "utm_medium", "campaign")


def _utm(entry: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    campaign = (
        values.get("campaign") or values.get("niche") or entry.get("niche") or values.get("brand") or ""
    )
    utm = drafting.utm_defaults(entry["platform"], entry["handle"], campaign)
    for key in ("utm_source", "utm_medium", "utm_content"):
        if values.get(key):
            utm[key] = values[key]
    if values.get("campaign"):
        utm["utm_campaign"] = values["campaign"]
    return utm


def page_context(entry: dict[str, Any]) -> dict[str, Any]:
    stored = entry.get("outreach") or {}
    values = {**(store().get_setting(DEFAULTS_SETTING) or {}), **stored}
    score = entry.get("score") or {}
    fit = drafting.pick_fit(score.get("niche_fit"), values.get("niche") or entry.get("niche"))
    utm = _utm(entry, values)
    link, link_error = "", ""
    if values.get("landing_url"):
        try:
            link = drafting.build_utm_link(values["landing_url"], utm)
        except ValueError as exc:
            link_error = str(exc)
    template = str(values["template"]) if values.get("template") in drafting.TEMPLATES else "first_contact"
    draft = drafting.draft_message(
        entry,
        fit,
        drafting.Terms.from_mapping({**values, "link": link}),
        template=template,
        authenticity=score.get("authenticity"),
        snapshot=entry.get("snapshot"),
    )
    return {
        "creator": entry,
        "values": values,
        "fit": fit,
        "utm": utm,
        "link": link,
        "link_error": link_error,
        "draft": draft,
        "message": stored.get("message") or draft.body,
        "edited": bool(stored.get("message")),
        "template": template,
        "templates": drafting.TEMPLATES,
        "compensation": drafting.COMPENSATION,
        "niche_fit": score.get("niche_fit") or [],
    }


@bp.get("/creators/<platform>/<handle>/outreach")
@security.require_sign_in
def outreach(platform: str, handle: str):
    return render_template("outreach.html", **page_context(load(platform, handle)))


@bp.post("/creators/<platform>/<handle>/outreach")
@security.require_sign_in
def outreach_save(platform: str, handle: str):
    entry = load(platform, handle)
    current = dict(entry.get("outreach") or {})
    action = request.form.get("action", "terms")
    if action == "terms":
        terms = {k: request.form.get(k, "").strip() for k in TERM_FIELDS if request.form.get(k, "").strip()}
        if current.get("message"):
            terms["message"] = current["message"]
        new, note = terms, "Terms saved; the draft below uses them."
    elif action == "message":
        new, note = (
            {**current, "message": request.form.get("message", "").replace("\r\n", "\n")},
            "Message saved.",
        )
    else:  # "reset": back to the template's draft
        new, note = {k: v for k, v in current.items() if k != "message"}, "Draft rebuilt from the template."
    try:
        store().save_creator(platform, handle, {"outreach": new}, by=security.identity() or "")
    except StoreError as exc:
        flash(f"Not saved: {exc.message}", "error")
    else:
        if action == "terms":
            store().set_setting(DEFAULTS_SETTING, {k: new[k] for k in DEFAULT_FIELDS if new.get(k)})
        flash(note)
    return redirect(url_for("dashboard.outreach", platform=platform, handle=handle))
