"""/v1/audit: re-score the whole watchlist with the served models, and what changed."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from server import services
from server.api import param, query_number, spec
from server.errors import NotFound
from server.schemas import JobAccepted
from server.schemas.results import CHANGE_KINDS, AuditReport

bp = Blueprint("audit", __name__, url_prefix="/v1")

_STALE = {"stale_days": param("snapshots older than this many days need a fresh look (default 30)",
                             type="integer", minimum=1, maximum=3650)}


@bp.post("/audit")
@spec(
    summary="Start the audit: every watchlisted creator re-scored from its last snapshot (202 with the job).",
    response=JobAccepted,
    status=202,
    query=_STALE,
)
def start():
    record = services.get().submit_audit(query_number("stale_days"))
    body = {
        "job": record["id"],
        "model": record["model"],
        "state": record["state"],
        "url": url_for("models.get_job", id=record["id"]),
    }
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["url"]
    return response


@bp.get("/audit/latest")
@spec(
    summary="The last finished audit: what changed since each creator's last score, and who needs a fresh "
    "look.",
    response=AuditReport,
    query={"kind": param("only changes of this kind", type="string", enum=list(CHANGE_KINDS))},
)
def latest():
    report = services.get().latest_audit()
    if report is None:
        raise NotFound("no audit has run yet: POST /v1/audit starts one")
    if "kind" in request.args:
        report = {**report, "changes": [c for c in report["changes"] if c["kind"] == request.args["kind"]]}
    return jsonify(report)
