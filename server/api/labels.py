"""/v1/labels and /v1/comment-labels: the marketer's "fit" / "not a fit" marks and comment
corrections, kept as training examples with the time and the token that gave them."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from server import services
from server.api import spec
from server.schemas import (
    CommentLabelCreate,
    CommentLabelList,
    CommentLabelRecord,
    LabelCreate,
    LabelList,
    LabelReceipt,
)

bp = Blueprint("labels", __name__, url_prefix="/v1")


@bp.post("/labels")
@spec(summary="Mark a creator as fit or not fit for a stored niche (422 for an unknown niche).",
      body=LabelCreate, response=LabelReceipt, status=201)
def add_label(payload: LabelCreate):
    snapshot = payload.snapshot.model_dump(mode="json", exclude_unset=True)
    record = services.get().store.add_label(payload.niche, payload.label, snapshot, by=g.identity)
    return jsonify({k: v for k, v in record.items() if k != "snapshot"}), 201


@bp.get("/labels")
@spec(summary="The fit labels, oldest first, with their snapshots.", response=LabelList,
      query={"niche": "only this niche's labels"})
def list_labels():
    return jsonify({"labels": services.get().store.list_labels(request.args.get("niche") or None)})


@bp.post("/comment-labels")
@spec(summary="Correct the comment classifier: this comment is genuine, generic or spam.",
      body=CommentLabelCreate, response=CommentLabelRecord, status=201)
def add_comment_label(payload: CommentLabelCreate):
    record = services.get().store.add_comment_label(payload.text, payload.label, payload.post_caption,
                                                    by=g.identity)
    return jsonify(record), 201


@bp.get("/comment-labels")
@spec(summary="The comment corrections, oldest first.", response=CommentLabelList)
def list_comment_labels():
    return jsonify({"comment_labels": services.get().store.list_comment_labels()})
