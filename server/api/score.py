"""POST /v1/score: a snapshot in, every section of the score out."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server import services
from server.api import spec
from server.ratelimit import charge_work
from server.schemas import Score, ScoreRequest

bp = Blueprint("score", __name__, url_prefix="/v1")


@bp.post("/score")
@spec(summary="Score a creator snapshot against inline or stored niches.", body=ScoreRequest, response=Score)
def score(payload: ScoreRequest):
    briefs = [n for n in payload.niches or [] if not isinstance(n, str)]
    charge_work([payload.bio, *(p.caption for p in payload.posts), *(c.text for c in payload.comments),
                 *(f"{b.name}. {b.description}" for b in briefs),
                 *(t for b in briefs for t in b.example_posts)])
    return jsonify(services.get().score(payload.snapshot(), payload.niches).to_json())
