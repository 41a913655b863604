"""The dashboard: server-rendered pages for the watchlist, creators, outreach, niches and models.

One blueprint ``bp`` at "/"; each page's views live in ``server.dashboard.pages``. Pages call the
same domain objects as the /v1 API (the store, the model registry, the jobs), never the API over
HTTP. Templates are Jinja2 with autoescape; the CSS and the little JavaScript ship in ``static/``
(no CDN, nothing remote), so the dashboard works offline.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from server.dashboard import security

__all__ = ["bp", "init_app"]

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/",
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


@bp.before_request
def _csrf():
    security.check_csrf()


@bp.after_request
def _headers(response):
    # Pages hold watchlist data: keep them out of shared caches and other sites' frames.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    return response


def init_app(app: Flask) -> None:
    from server.dashboard import pages, present

    security.init_app(app)
    present.init_app(app)
    pages.register()
    app.register_blueprint(bp)
