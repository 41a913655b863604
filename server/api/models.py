"""Models, training jobs and active-learning suggestions.

GET  /v1/models                                       every model, its versions and the active one
GET  /v1/models/{name}                                one model
GET  /v1/models/{name}/versions/{version}             metadata and model card of a version
POST /v1/models/{name}/train                          202 {"job"}; 409 while one runs; 422 unusable labels
POST /v1/models/{name}/versions/{version}/activate    serve that version (rollback = an older one)
GET  /v1/jobs/{id}                                    state, progress, message, result
GET  /v1/niches/{id}/suggestions                      watchlisted creators to label next
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, url_for

from server import services
from server.api import BOOLEAN_PARAM, param, parse_body, query_flag, query_number, read_body, spec
from server.errors import NotFound
from server.schemas import (
    Activation,
    Job,
    JobAccepted,
    ModelInfo,
    ModelList,
    ModelVersionDetail,
    Suggestions,
    TrainRequest,
)

bp = Blueprint("models", __name__, url_prefix="/v1")

_FORCE = {"force": param("true: activate the new version even when it does not beat the served one",
                         **BOOLEAN_PARAM)}


@bp.get("/models")
@spec(summary="Every model (comments, fit-<niche>) with its versions, metrics and active version.",
      response=ModelList)
def list_models():
    registry = services.get().registry
    return jsonify({"models": [registry.describe(name) for name in registry.names()]})


@bp.get("/models/<name>")
@spec(summary="One model with its versions, metrics and active version.", response=ModelInfo)
def get_model(name: str):
    services.get().registry.check(name)
    return jsonify(services.get().registry.describe(name))


@bp.get("/models/<name>/versions/<version>")
@spec(summary="A version's metadata (data, parameters, metrics) and model card.", response=ModelVersionDetail)
def get_version(name: str, version: str):
    services.get().registry.check(name)
    registry = services.get().registry
    files = registry.files(name, version)
    metadata = registry.metadata(name, version)
    card = files.get("MODEL_CARD.md", b"").decode("utf-8", errors="replace")
    return jsonify({"name": name, "version": version, "active": registry.active_version(name) == version,
                    "metadata": metadata, "card": card})


@bp.post("/models/<name>/train")
@spec(summary="Start training a model in the background: 202 with the job id.", response=JobAccepted,
      status=202, query=_FORCE)
def train(name: str):
    force = query_flag("force")
    if read_body().strip():
        force = force or parse_body(TrainRequest).force
    record = services.get().submit_training(name, force=force)
    body = {"job": record["id"], "model": name, "state": record["state"],
            "url": url_for("models.get_job", id=record["id"])}
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["url"]
    return response


@bp.get("/jobs/<id>")
@spec(summary="A job's state (queued, running, done, failed), progress 0..1, message and result.",
      response=Job)
def get_job(id: str):  # "id": the name the README gives the path parameter
    record = services.get().jobs.get(id) if id.isalnum() and len(id) <= 64 else None
    if record is None:
        raise NotFound(f"no job {id!r}", {"job": id})
    return jsonify({k: record.get(k) for k in Job.model_fields})


@bp.post("/models/<name>/versions/<version>/activate")
@spec(summary="Serve this version from every server process's next request on (rollback: an older one).",
      response=Activation)
def activate(name: str, version: str):
    services.get().registry.check(name)
    value = services.get().registry.activate(name, version, by=getattr(g, "identity", ""))
    services.get().audit_if_models_changed()  # the watchlist's scores are re-made with it
    return jsonify({"name": name, "active": value["version"], "activated_at": value["activated_at"],
                    "activated_by": value["by"]})


@bp.get("/niches/<id>/suggestions")
@spec(summary="Watchlisted creators whose fit the model (or zero-shot) is least sure of: label these next.",
      response=Suggestions, query={"limit": param("how many (1-100, default 10)", type="integer", minimum=1,
                                                  maximum=100)})
def suggestions(id: str):
    limit = query_number("limit")
    svc = services.get()
    if svc.store.get_niche(id) is None:
        raise NotFound(f"no niche {id!r}", {"niche": id})
    return jsonify(svc.suggest(id, 10 if limit is None else limit))
