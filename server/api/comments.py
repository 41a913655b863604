"""POST /v1/comments/classify: label comments genuine, generic or spam, in order."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server import services
from server.api import spec
from server.ratelimit import charge_work
from server.schemas import ClassifyRequest, ClassifyResponse

bp = Blueprint("comments", __name__, url_prefix="/v1")


@bp.post("/comments/classify")
@spec(summary="Classify comments as genuine, generic or spam.", body=ClassifyRequest,
      response=ClassifyResponse)
def classify(payload: ClassifyRequest):
    charge_work([t for c in payload.comments for t in (c.text, c.post_caption or "")])
    return jsonify(services.get().classify(payload.comments))
