"""Settings: the brand profile (your brand's names and accounts, your competitors), which the score's
brands section reads to say "worked with X" and to flag competitor collaborations."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from server.dashboard import bp, security
from server.dashboard.pages import store
from server.storage import StoreError


def split_list(text: str) -> list[str]:
    """Items of a field written one a line or comma-separated."""
    return [item.strip() for item in re.split(r"[\n,]", text or "") if item.strip()]


def read_competitors(text: str) -> list[dict[str, Any]]:
    """One competitor a line: "FastFeet: @fastfeet, @fastfeet.es" (a name alone is fine too)."""
    competitors = []
    for line in (text or "").splitlines():
        name, _, handles = line.partition(":")
        if name.strip():
            competitors.append({"name": name.strip(), "handles": split_list(handles)})
    return competitors


def write_competitors(competitors: list[dict[str, Any]]) -> str:
    return "\n".join(c["name"] + (": " + ", ".join("@" + h for h in c["handles"]) if c["handles"] else "")
                     for c in competitors)


@bp.get("/settings")
@security.require_sign_in
def settings() -> str:
    brand = store().get_brand()
    return render_template("settings.html", brand=brand, values={
        "names": "\n".join(brand["names"]), "handles": "\n".join("@" + h for h in brand["handles"]),
        "competitors": write_competitors(brand["competitors"])})


@bp.post("/settings")
@security.require_sign_in
def settings_save() -> Any:
    form = request.form
    profile = {"names": split_list(form.get("names", "")), "handles": split_list(form.get("handles", "")),
               "competitors": read_competitors(form.get("competitors", ""))}
    try:
        store().put_brand(profile)
    except StoreError as exc:
        flash(f"Not saved: {exc.message}", "error")
        return render_template("settings.html", brand=store().get_brand(), values=dict(form)), 422
    flash("Brand profile saved: scores name your competitors from now on.")
    return redirect(url_for("dashboard.settings"))
