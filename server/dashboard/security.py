"""Who is signed in to the dashboard, and the CSRF token every form carries.

Sign-in exchanges an API token (the admin token or a team token from the store) for a session
cookie that is signed with SECRET_KEY, HttpOnly and SameSite=Lax. The cookie holds the token's
name and a fingerprint, never the token: changing the admin token or revoking a team token ends
the sessions made with it at their next request.

CSRF is hand-written (about twenty lines, so no Flask-WTF dependency for one hidden field): a
random token per session, sent back by every form as ``csrf_token`` (or by fetch() as the
``X-CSRF-Token`` header) and compared in constant time before any POST reaches a view.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, session, url_for

from server import auth, services
from server.vocab import read_or_create_secret

SECRET_FILE = "secret_key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def resolve_secret_key(config: dict[str, Any]) -> str:
    """SECRET_KEY from the settings, else the one kept in DATA_DIR/secret_key (made 0600 on first start)."""
    if config.get("SECRET_KEY"):
        return str(config["SECRET_KEY"])
    return read_or_create_secret(Path(config["DATA_DIR"]) / SECRET_FILE, lambda: secrets.token_urlsafe(48))[0]


def _fingerprint(name: str, token: str) -> str:
    """What identifies the token behind a session: a hash of the admin token, the team token's birth."""
    if name == auth.ADMIN:
        return hashlib.sha256(token.encode()).hexdigest()[:32]
    for item in services.get().store.list_tokens():
        if item["name"] == name:
            return str(item["created_at"])
    return ""


def sign_in(token: str) -> str | None:
    """Start a session for ``token``; returns the name behind it, or None when the token is unknown."""
    name = auth.identify(current_app, token.strip()) if token.strip() else None
    if name is None:
        return None
    session.clear()
    session.permanent = True
    session["who"] = name
    session["key"] = _fingerprint(name, token.strip())
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    g.dashboard_identity = name
    return name


def sign_out() -> None:
    session.clear()
    g.dashboard_identity = None


def identity() -> str | None:
    """The signed-in name, or None when there is no session or its token no longer counts.

    Checked once a request (a team token's check reads the store)."""
    if "dashboard_identity" not in g:
        g.dashboard_identity = _check_session()
    return g.dashboard_identity


def _check_session() -> str | None:
    name, key = session.get("who"), session.get("key")
    if not name or not key:
        return None
    if name == auth.ADMIN:
        current = hashlib.sha256(current_app.config["ADMIN_TOKEN"].encode()).hexdigest()[:32]
    else:
        store = services.get().store
        current = next((str(t["created_at"]) for t in store.list_tokens() if t["name"] == name), "")
    return name if current and hmac.compare_digest(current, key) else None


def require_sign_in(view):
    """Pages show nothing before sign-in: the browser goes to the sign-in form, fetch() gets 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if identity() is None:
            session.pop("who", None)
            if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
                abort(401)
            return redirect(url_for("dashboard.signin", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def csrf_token() -> str:
    """This session's CSRF token (made on first use, so the sign-in form has one too)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """400 for a POST whose token is missing or wrong (a cross-site form cannot know it)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, "The form expired or did not come from this dashboard; reload the page and try again.")


def init_app(app: Flask) -> None:
    app.config["SECRET_KEY"] = resolve_secret_key(app.config)
    app.config["SESSION_COOKIE_NAME"] = "microscout_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)  # a working day, then sign in again
    app.jinja_env.globals["csrf_token"] = csrf_token
