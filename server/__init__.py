"""microscout: the Flask service. ``create_app()`` builds it; nothing reads config at import."""

from __future__ import annotations

from typing import Any

from flask import Flask

__version__ = "0.1.0"
__all__ = ["__version__", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Safe defaults, then ``MICROSCOUT_*`` variables, then ``test_config``."""
    from server import api, auth, dashboard, errors, ratelimit, services, settings
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
    ratelimit.init_app(app)  # after auth: it counts per identity
    api.init_app(app)
    dashboard.init_app(app)
    return app

