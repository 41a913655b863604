"""GET /healthz and GET /openapi.json: the two routes that need no token."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from server import __version__, openapi
from server.api import spec
from server.schemas import Health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@spec(summary="Liveness and model readiness; no auth.", response=Health)
def healthz():
    services = current_app.extensions["microscout"]
    return jsonify(Health(version=__version__, **services.health()).model_dump())


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi.build(current_app))
