"""Who is signed in to the dashboard, and the CSRF token every form carries.

Sign-in exchanges an API token (the admin token or a team token from the store) for a server-side
session: the store keeps a hash of a random session id with the name behind the token and a
fingerprint of the token; the cookie (signed with SECRET_KEY, HttpOnly, SameSite=Lax, Secure when
the request came over https) carries only that opaque id. Sign-out ends the session in the store,
so a copied cookie is worthless afterwards; changing the admin token or revoking a team token ends
the sessions made with it at their next request.

CSRF is Flask-WTF's ``CSRFProtect``: a token per session, sent back by every form as ``csrf_token``
(or by fetch() as the ``X-CSRF-Token`` header), checked before any dashboard POST reaches a view.
The JSON API is not checked: it takes no cookies, only a bearer token a cross-site form cannot send.
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
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from server import auth, services
from server.vocab import read_or_create_secret

SECRET_FILE = "secret_key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = timedelta(hours=12)  # a working day, then sign in again
SESSION_KEY = "sid"

csrf = CSRFProtect()


def resolve_secret_key(config: dict[str, Any]) -> str:
    """SECRET_KEY from the settings, else the one kept in DATA_DIR/secret_key (made 0600 on first start)."""
    if config.get("SECRET_KEY"):
        return str(config["SECRET_KEY"])
    return read_or_create_secret(Path(config["DATA_DIR"]) / SECRET_FILE, lambda: secrets.token_urlsafe(48))[0]


def _fingerprint(name: str) -> str:
    """What identifies the token behind a session: a hash of the admin token, the team token's birth.

    Kept in the store's session record, never in the cookie."""
    if name == auth.ADMIN:
        return hashlib.sha256(current_app.config["ADMIN_TOKEN"].encode()).hexdigest()
    for item in services.get().store.list_tokens():
        if item["name"] == name:
            return str(item["created_at"])
    return ""


def sign_in(token: str) -> str | None:
    """Start a session for ``token``; returns the name behind it, or None when the token is unknown."""
    name = auth.identify_or_throttle(current_app, token.strip()) if token.strip() else None
    if name is None:
        return None
    end_session()  # a fresh id at every sign-in (no session fixation)
    lifetime = SESSION_LIFETIME.total_seconds()
    session_id = services.get().store.create_session({"who": name, "key": _fingerprint(name)}, lifetime)
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = session_id
    g.dashboard_identity = name
    return name


def end_session() -> None:
    """End this browser's session in the store (the cookie's id counts for nothing after)."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str) and session_id:
        services.get().store.end_session(session_id)


def sign_out() -> None:
    end_session()
    session.clear()
    g.dashboard_identity = None


def identity() -> str | None:
    """The signed-in name, or None when there is no session or its token no longer counts.

    Checked once a request (one read of the store, two for a team token)."""
    if "dashboard_identity" not in g:
        g.dashboard_identity = _check_session()
    return g.dashboard_identity


def _check_session() -> str | None:
    session_id = session.get(SESSION_KEY)
    if not isinstance(session_id, str) or not session_id:
        return None
    record = services.get().store.get_session(session_id)
    if not record or not record.get("who"):
        return None
    name, key = str(record["who"]), str(record.get("key") or "")
    current = _fingerprint(name)
    return name if current and hmac.compare_digest(current, key) else None


def _signed_in_as() -> str | None:
    """For templates: the signed-in name; None also when the store cannot tell (an outage's error page)."""
    try:
        return identity()
    except Exception:
        return None


def require_sign_in(view):
    """Pages show nothing before sign-in: the browser goes to the sign-in form, fetch() gets 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if identity() is None:
            session.pop(SESSION_KEY, None)
            if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
                abort(401)
            return redirect(url_for("dashboard.signin", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def csrf_token() -> str:
    """This session's CSRF token (made on first use, so the sign-in form has one too)."""
    return generate_csrf()


def check_csrf() -> None:
    """400 for a dashboard POST whose token is missing or wrong (a cross-site form cannot know it)."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    csrf.protect()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, with the Secure flag whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    app.config["SECRET_KEY"] = resolve_secret_key(app.config)
    app.config["SESSION_COOKIE_NAME"] = "microscout_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    app.session_interface = SessionInterface()
    # the dashboard's blueprint calls check_csrf() itself; the JSON API takes bearer tokens only
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config["WTF_CSRF_FIELD_NAME"] = CSRF_FIELD
    app.config["WTF_CSRF_HEADERS"] = [CSRF_HEADER, "X-CSRFToken"]
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # as long as the session: a page left open still posts
    csrf.init_app(app)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["signed_in_as"] = _signed_in_as

    @app.errorhandler(CSRFError)
    def _csrf_refused(exc: CSRFError):
        from server.errors import ApiError, _answer

        err = ApiError("The form expired or did not come from this dashboard; reload the page and try again.")
        return _answer(err)
