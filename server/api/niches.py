"""/v1/niches: the brand's briefs that creators are scored against (ids are slugs)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server import services
from server.api import spec
from server.errors import InvalidField, NotFound
from server.schemas import Niche, NicheCreate, NicheList, NichePatch, NicheReplace

bp = Blueprint("niches", __name__, url_prefix="/v1/niches")


@bp.get("")
@spec(summary="List the stored niches.", response=NicheList)
def list_niches():
    return jsonify({"niches": services.get().store.list_niches()})


@bp.post("")
@spec(summary="Create a niche; its id is a slug of the name unless given (409 if taken).", body=NicheCreate,
      response=Niche, status=201)
def create_niche(payload: NicheCreate):
    record = services.get().store.create_niche(payload.model_dump(exclude_none=True))
    return jsonify(record), 201


@bp.get("/<id>")
@spec(summary="Read a niche.", response=Niche)
def get_niche(id: str):
    record = services.get().store.get_niche(id)
    if record is None:
        raise NotFound(f"no niche with id '{id}'")
    return jsonify(record)


@bp.put("/<id>")
@spec(summary="Replace a niche's fields (the id stays).", body=NicheReplace, response=Niche)
def replace_niche(id: str, payload: NicheReplace):
    return jsonify(services.get().store.update_niche(id, payload.model_dump()))


@bp.patch("/<id>")
@spec(summary="Change only the fields sent.", body=NichePatch, response=Niche)
def patch_niche(id: str, payload: NichePatch):
    changes = payload.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field != "weights":  # null clears weights; other fields need a value
            raise InvalidField(f"{field}: may not be null",
                               {"fields": [{"field": field, "message": "may not be null"}]})
    return jsonify(services.get().store.update_niche(id, changes))


@bp.delete("/<id>")
@spec(summary="Delete a niche (its labels stay, for the record).", status=204)
def delete_niche(id: str):
    services.get().store.delete_niche(id)
    return "", 204
