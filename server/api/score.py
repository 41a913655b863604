"""POST /v1/score: a snapshot in, every section of the score out."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server import services
from server.api import spec
from server.schemas import Score, ScoreRequest

bp = Blueprint("score", __name__, url_prefix="/v1")


@bp.post("/score")
@spec(summary="Score a creator snapshot against inline or stored niches.", body=ScoreRequest, response=Score)
def score(payload: ScoreRequest):
    return jsonify(services.get().score(payload.snapshot(), payload.niches).to_json())
