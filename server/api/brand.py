"""GET, PUT /v1/brand: the brand profile the score's brands section reads (own brand, competitors)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server import services
from server.api import spec
from server.schemas import BrandProfile, BrandUpdate

bp = Blueprint("brand", __name__, url_prefix="/v1")


@bp.get("/brand")
@spec(summary="The brand profile: your brand's names and handles, and your competitors.",
      response=BrandProfile)
def get_brand():
    return jsonify(services.get().store.get_brand())


@bp.put("/brand")
@spec(summary="Replace the brand profile.", body=BrandUpdate, response=BrandProfile)
def put_brand(payload: BrandUpdate):
    return jsonify(services.get().store.put_brand(payload.model_dump()))
