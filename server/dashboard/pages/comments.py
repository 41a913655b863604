"""The comment model page: the served version's metrics next to the published baselines (from its
metadata.json), the users' corrections, the versions, and retraining with a live progress bar."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import render_template, request

from server import services
from server.dashboard import bp, security
from server.dashboard.pages import store
from server.dashboard.pages.models import describe
from server.registry import COMMENTS, RegistryError


def baselines(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per YouTube video: our accuracy, F1 and MCC next to the paper's best classifier."""
    per_video = ((metadata.get("metrics") or {}).get("youtube") or {}).get("per_video") or {}
    rows = []
    for video, ours in per_video.items():
        paper = ours.get("paper") or {}
        rows.append({
            "video": video.split("-", 1)[-1],
            "n": ours.get("n"),
            "accuracy": ours.get("accuracy"),
            "f1": ours.get("f1"),
            "mcc": ours.get("mcc"),
            "paper_classifier": paper.get("classifier"),
            "paper_accuracy": paper.get("accuracy"),
            "paper_mcc": paper.get("mcc"),
            "beats": isinstance(ours.get("mcc"), float)
            and isinstance(paper.get("mcc"), float)
            and ours["mcc"] > paper["mcc"],
        })
    return rows


@bp.get("/models/comments")
@security.require_sign_in
def comment_model():
    registry = services.get().registry
    info = describe(COMMENTS)
    metadata: dict[str, Any] = {}
    problem = None
    if info["active"]:
        try:
            metadata = registry.metadata(COMMENTS, info["active"])
        except RegistryError as exc:
            problem = str(exc)
    corrections = store().list_comment_labels()
    used = ((metadata.get("final_fit") or {}).get("corrections")) if metadata else None
    metrics = metadata.get("metrics") or {}
    return render_template(
        "comments.html",
        info=info,
        metadata=metadata,
        metrics=metrics,
        problem=problem,
        baselines=baselines(metadata),
        youtube=(metrics.get("youtube") or {}).get("overall") or {},
        scamspot=metrics.get("scamspot") or {},
        generic=metrics.get("generic_rules") or {},
        corrections=corrections,
        counts=Counter(c["label"] for c in corrections),
        new_corrections=len(corrections) - used if isinstance(used, int) else None,
        recent=list(reversed(corrections[-10:])),
        model_name=COMMENTS,
        versions=info["versions"],
        job=request.args.get("job"),
    )
