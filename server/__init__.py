"""microscout: the Flask service. ``create_app()`` builds it; nothing reads config at import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

__version__ = "0.1.0"
__all__ = ["__version__", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Safe defaults, then ``MICROSCOUT_*`` variables, then ``test_config``."""
    from server import api, auth, dashboard, errors, services, settings

    app = Flask(__name__)
    app.config.update(settings.load())
    if test_config:
        app.config.update(test_config)
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    errors.init_app(app)
    services.init_app(app)
    auth.init_app(app)
    api.init_app(app)
    dashboard.init_app(app)
    return app
