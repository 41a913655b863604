"""Sign in with an API token at "/", sign out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from server.dashboard import bp, security
from server.dashboard.pages import safe_next


@bp.get("/")
def signin():
    if security.identity() is not None:
        return redirect(safe_next(url_for("dashboard.watchlist")))
    return render_template("signin.html", next=safe_next(""))


@bp.post("/")
def signin_submit():
    if security.sign_in(request.form.get("token", "")) is None:
        return render_template(
            "signin.html", next=safe_next(""), error="That token is not known to this server."
        ), 401
    return redirect(safe_next(url_for("dashboard.watchlist")))


@bp.post("/sign-out")
def signout():
    security.sign_out()
    flash("Signed out.")
    return redirect(url_for("dashboard.signin"))
