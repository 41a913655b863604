"""The one :class:`server.core.Scout` of a Flask app, kept on ``app.extensions["microscout"]``.

``init_app`` makes it and starts loading the models in the background (so /healthz answers at
once); views and pages reach it with ``services.get()``.
"""

from __future__ import annotations

from flask import Flask, current_app

from server.core import Scout

__all__ = ["get", "init_app"]


def get() -> Scout:
    return current_app.extensions["microscout"]


def init_app(app: Flask) -> None:
    scout = Scout(app.config)
    app.extensions["microscout"] = scout
    if app.config["LOAD_MODELS"]:
        scout.start()
