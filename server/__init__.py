"""microscout: the Flask service. ``create_app()`` builds it; nothing reads config at import."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request

__version__ = "0.1.0"
__all__ = ["__version__", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Safe defaults, then ``MICROSCOUT_*`` variables, then ``test_config``."""
    from server import api, auth, dashboard, errors, services, settings
    from server.vocab import private_dir

    app = Flask(__name__)
    app.config.update(settings.load())
    if test_config:
        app.config.update(test_config)
    private_dir(app.config["DATA_DIR"])  # 0700: tokens, secrets and the database live there
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    errors.init_app(app)
    services.init_app(app)
    auth.init_app(app)
    _limit_rate(app)  # after auth: it counts per identity
    api.init_app(app)
    dashboard.init_app(app)
    return app


def _limit_rate(app: Flask) -> None:
    """429 for a token over MICROSCOUT_RATE_LIMIT requests a minute on /v1.

    Only the API is limited: /healthz and /openapi.json are never, and the dashboard's pages are
    exempt because a person clicks them. Someone whose extension or script ran into the limit can
    still sign in and look at their watchlist.
    """
    from server.errors import RateLimited
    from server.ratelimit import open_limiter

    limiter = open_limiter(app.config)
    app.extensions["ratelimit"] = limiter
    if limiter is None:
        return

    @app.before_request
    def _count_request():
        identity = g.get("identity")  # set by auth for every /v1 request with a known token
        if identity is None or not request.path.startswith("/v1"):
            return None
        limit = app.extensions["ratelimit"]  # looked up per request: a test may swap in its own
        decision = limit.hit(identity)
        if not decision.allowed:
            seconds = decision.retry_after
            raise RateLimited(f"Too many requests for this token (limit {limit.limit} a minute); "
                              f"retry in {seconds} s.", {"limit": limit.limit, "retry_after": seconds},
                              headers={"Retry-After": str(seconds)})
        return None
