"""Training, activation and job progress for the niche and comment model pages.

Views call the same domain objects as /v1/models (the registry, ``Services.submit_training``, the
job board); the job's JSON is served here too, so the page polls it with its session cookie.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, request, url_for

from server import services
from server.dashboard import bp, security
from server.dashboard.pages import safe_next
from server.jobs import Busy
from server.registry import ZERO_SHOT, RegistryError, UnknownModel, UnknownVersion, niche_of

JOB_FIELDS = (
    "id",
    "model",
    "state",
    "progress",
    "message",
    "result",
    "error",
    "created_at",
    "started_at",
    "finished_at",
)


def model_page(name: str) -> str:
    niche = niche_of(name)
    return url_for("dashboard.niche", niche_id=niche) if niche else url_for("dashboard.comment_model")


def describe(name: str) -> dict[str, Any]:
    """The registry's description of ``name``, with each version marked older or newer than the served one."""
    info = services.get().registry.describe(name)
    order = [v["version"] for v in info["versions"]]
    served = order.index(info["active"]) if info["active"] in order else -1
    for index, version in enumerate(info["versions"]):
        version["older"] = index < served  # activating an older version is a rollback
    return info


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _answer(message: str, status: int, name: str, job: str | None = None):
    if _wants_json():
        response = jsonify({
            "error": {
                "code": "conflict" if status == 409 else "invalid",
                "message": message,
                "details": {"model": name, "job": job},
            }
        })
        response.status_code = status
        return response
    flash(message, "error")
    target = safe_next(model_page(name))
    return redirect(target + (f"?job={job}" if job else ""))


@bp.post("/models/<name>/train")
@security.require_sign_in
def train(name: str):
    svc = services.get()
    try:
        svc.registry.check(name)
    except UnknownModel:
        abort(404, f"No model named {name!r}.")
    force = request.form.get("force") == "1"
    try:
        svc.check_trainable(name)
        record = svc.submit_training(name, force=force)
    except Busy as exc:
        return _answer(f"Already training: {exc}", 409, name, exc.job_id)
    except ValueError as exc:  # labels that cannot train a model (training.fit.LabelError)
        return _answer(f"Cannot train yet: {exc}", 422, name)
    if _wants_json():
        response = jsonify({"job": record["id"], "url": url_for("dashboard.job", job_id=record["id"])})
        response.status_code = 202
        return response
    return redirect(safe_next(model_page(name)) + f"?job={record['id']}")


@bp.post("/models/<name>/versions/<version>/activate")
@security.require_sign_in
def activate(name: str, version: str):
    registry = services.get().registry
    try:
        registry.check(name)
        registry.activate(name, version, by=security.identity() or "")
    except (UnknownModel, UnknownVersion) as exc:
        abort(404, str(exc))
    except RegistryError as exc:  # a version whose files do not load is never served
        flash(f"Not activated: {exc}", "error")
    else:
        label = "zero-shot scoring" if version == ZERO_SHOT else f"version {version}"
        flash(f"Now serving {label} of {name}.")
    return redirect(safe_next(model_page(name)))


@bp.get("/jobs/<job_id>.json")
@security.require_sign_in
def job(job_id: str):
    record = services.get().jobs.get(job_id) if job_id.isalnum() and len(job_id) <= 64 else None
    if record is None:
        abort(404, f"No job {job_id!r}.")
    return jsonify({key: record.get(key) for key in JOB_FIELDS})
