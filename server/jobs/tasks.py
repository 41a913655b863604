"""The jobs microscout runs: training a niche's fit model or the comment model.

Both go one way: the trainer returns a ``TrainingResult`` (``training.result``), the registry keeps
it as the next version (the registry is the only writer of versions), and the job decides whether to
serve it. Each keeps every version it trains in the registry and activates it only when it earned it (fit:
beats zero-shot in cross-validation on the same labels; comments: no worse than the served version
on the shipped protocol) or when the user forces it. Any failure before activation leaves the
served version as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from server.jobs.runner import Context, TaskError
from server.registry.registry import COMMENTS, niche_of

__all__ = ["COMMENT_MCC_TOLERANCE", "TRAIN", "ChunkedEmbedder", "comment_decision", "preflight",
           "protocol_mcc", "train", "train_comments", "train_fit"]

TRAIN = "server.jobs.tasks:train"
# A retrained comment model may trail the served one by this much MCC on a protocol (refitting noise)
COMMENT_MCC_TOLERANCE = 0.005


class ChunkedEmbedder:
    """The shared embedder, asked ``chunk`` texts at a time: scoring requests get their turn in between.

    ``progress(done, total)`` hears about large calls (a training corpus), chunk by chunk.
    """

    def __init__(self, embedder: Any, chunk: int = 32, progress: Callable[[int, int], None] | None = None):
        self.embedder = embedder
        self.chunk = chunk
        self.progress = progress
        self.version = getattr(embedder, "version", "unknown")
        self.data_dir = getattr(embedder, "data_dir", None)  # training caches its vectors there, per version

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np

        parts = []
        for start in range(0, len(texts), self.chunk):
            parts.append(self.embedder.encode(list(texts[start:start + self.chunk])))
            if self.progress is not None and len(texts) >= 10 * self.chunk:
                self.progress(min(start + self.chunk, len(texts)), len(texts))
        return np.concatenate(parts) if parts else self.embedder.encode([])


def _audit_after(runtime: Any) -> None:
    """A newly served model re-scores the watchlist (see jobs/audit.py); never fails the training."""
    from server.jobs.audit import audit_if_models_changed

    jobs = getattr(runtime, "jobs", None)
    if jobs is not None:
        audit_if_models_changed(runtime, jobs)


def preflight(runtime: Any, model: str) -> None:
    """Refuse before queueing what cannot work: an unknown model (UnknownModel) or labels (LabelError)."""
    from training import fit

    runtime.registry.check(model)
    niche_id = niche_of(model)
    if niche_id:
        fit.usable_creators(runtime.store.list_labels(niche_id))


def train(ctx: Context, model: str, force: bool = False) -> dict[str, Any]:
    """Train ``model`` (``comments`` or ``fit-<niche id>``)."""
    if model == COMMENTS:
        return train_comments(ctx, force)
    return train_fit(ctx, model, force)


def train_fit(ctx: Context, model: str, force: bool = False) -> dict[str, Any]:
    from server.scoring.niche import Niche
    from training import fit

    runtime = ctx.runtime
    niche_id = niche_of(model) or ""
    record = runtime.store.get_niche(niche_id)
    if record is None:
        raise TaskError(f"the niche {niche_id!r} no longer exists")
    ctx.progress(0.0, "loading labels")
    labels = runtime.store.list_labels(niche_id)
    registry = runtime.registry
    version = registry.next_version(model)
    ctx.progress(0.01, "loading the embedding model")
    embedder = runtime.embedder
    ctx.progress(0.01, "loading the zero-shot background")
    background = runtime.background
    result = fit.train(Niche.from_record(record), labels, embedder, background, name=model, version=version,
                       progress=ctx.progress)
    ctx.progress(0.95, "saving")
    registry.keep(model, version, result)
    activated = result.beats_zero_shot or force
    reason = result.reason
    if activated:
        registry.activate(model, version, by=f"job {ctx.job_id}" + (" (forced)" if force else ""))
        _audit_after(runtime)
        if force and not result.beats_zero_shot:
            reason = "activated because forced, although " + reason.split("; zero-shot keeps serving")[0]
    m = result.metrics
    return {"model": model, "version": version, "activated": activated, "reason": reason,
            "served": version if activated else registry.active_version(model),
            "labels": m["protocol"]["labels"],
            "metrics": {"learned": {k: m["learned"][k] for k in ("roc_auc", "average_precision", "f1")},
                        "zero_shot": {k: m["zero_shot"][k] for k in ("roc_auc", "average_precision", "f1")},
                        "protocol": m["protocol"]},
            "summary": f"{version} {'activated' if activated else 'kept, not activated'}: {reason}"}


def protocol_mcc(metrics: dict[str, Any]) -> dict[str, float] | None:
    """The shipped protocol's headline numbers: YouTube paper split and ScamSpot cross-validation MCC."""
    try:
        return {"youtube_mcc": float(metrics["youtube"]["overall"]["mcc"]),
                "scamspot_mcc": float(metrics["scamspot"]["mcc"])}
    except (KeyError, TypeError):
        return None


def comment_decision(new: dict[str, float], served: dict[str, float] | None, served_version: str | None,
                     force: bool) -> tuple[bool, str]:
    """(activate?, why): a retrained comment model must be no worse than the served one on each protocol."""
    compared = ", ".join(f"{k} {v:.3f}" + (f" (served {served[k]:.3f})" if served else "")
                         for k, v in new.items())
    worse = [k for k in new if served is not None and new[k] < served[k] - COMMENT_MCC_TOLERANCE]
    if worse and not force:
        return False, (f"not activated: worse than the served {served_version} on {', '.join(worse)}: "
                       f"{compared}")
    if worse:
        return True, f"activated because forced, although worse on {', '.join(worse)}: {compared}"
    if served is None:
        return True, f"activated: no comparable served version ({compared})"
    return True, f"activated: no worse than the served {served_version} on the shipped protocol: {compared}"


def train_comments(ctx: Context, force: bool = False) -> dict[str, Any]:
    from training import comments as trainer

    runtime = ctx.runtime
    registry = runtime.registry
    corrections = [(c["text"], c["label"]) for c in runtime.store.list_comment_labels()]
    served = registry.active_version(COMMENTS)
    served_mcc = protocol_mcc(registry.metadata(COMMENTS, served).get("metrics", {})) if served else None
    version = registry.next_version(COMMENTS)
    ctx.progress(0.0, f"training on the shipped data and {len(corrections)} corrections")
    embedder = ChunkedEmbedder(runtime.embedder, progress=lambda done, total: ctx.progress(
        0.05 * done / total, f"embedding: {done} of {total} comments"))
    result = trainer.train(version, extra_labels=corrections, progress=ctx.progress, embedder=embedder)
    ctx.progress(0.97, "saving")
    registry.keep(COMMENTS, version, result)
    new = protocol_mcc(result.metadata["metrics"])
    if new is None:
        raise TaskError("the comment trainer returned no protocol metrics; nothing activated")
    activated, reason = comment_decision(new, served_mcc, served, force)
    if activated:
        registry.activate(COMMENTS, version, by=f"job {ctx.job_id}" + (" (forced)" if force else ""))
        _audit_after(runtime)
    return {"model": COMMENTS, "version": version, "activated": activated, "reason": reason,
            "served": version if activated else served, "corrections": len(corrections),
            "metrics": {**new, "served": served_mcc}, "summary": f"{version}: {reason}"}
