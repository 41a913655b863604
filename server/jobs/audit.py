"""The audit of the watchlist: every saved creator re-scored from its last stored snapshot with the
models served now, and what changed since its last score.

It is one job on the job board (lock name ``audit``, so one audit at a time across processes), run
like training: in the server's thread pool (embedded) or on an RQ worker (teams). The creators go
in chunks of :data:`CHUNK`. Embedded, the job's thread scores them all. On RQ, the job puts the
chunks on a Redis list and queues a helper job for every other worker; each helper (and the job
itself) takes chunks until the list is empty, so N workers share one audit; the job waits for the
last chunk, then writes the report. Adding workers (on any machine pointing at the same Redis)
adds speed.

Each creator's new score is saved (its history gains a point, dated by the snapshot), then compared
with the score it replaced:

- ``fit_down``: a niche's fit fell by :data:`FIT_DROP` points or more;
- ``authenticity_down``: authenticity fell by :data:`AUTH_DROP` points or more;
- ``follower_jump``: the creator's history holds a sudden follower rise (records.find_follower_jump);
- ``competitor``: the score's ``brands`` section names a competitor the old score did not (scores
  without a ``brands`` section have nothing to compare).

Creators whose snapshot is older than ``stale_days`` (or who have none) "need a fresh look": the
audit can only re-read what was captured. The report is kept in the store (setting
:data:`LATEST`) for ``GET /v1/audit/latest`` and the dashboard.

A change of the models (a new embedder, a newly activated comment or fit model) starts an audit:
:func:`audit_if_models_changed` compares what is served with what the last audit used.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from server.jobs.board import Busy, RedisBoard
from server.jobs.runner import JOB_TIMEOUT, QUEUE, Context, TaskError
from server.registry.registry import ZERO_SHOT

__all__ = [
    "AUDIT",
    "AUTH_DROP",
    "CHUNK",
    "DEFAULT_STALE_DAYS",
    "FIT_DROP",
    "LATEST",
    "LOCK",
    "MODELS_SEEN",
    "audit",
    "audit_if_models_changed",
    "changes_between",
    "help_audit",
    "served_models",
]

log = logging.getLogger(__name__)

AUDIT = "server.jobs.audit:audit"
LOCK = "audit"  # the job board's lock name: one audit at a time
LATEST = "audit/latest"  # store setting: the last finished audit's report
MODELS_SEEN = "audit/models"  # store setting: the models the last audit scored with
CURRENT = "audit/current"  # store setting: the id of the audit job started last
FIT_DROP = 15.0
AUTH_DROP = 5.0  # authenticity moves by a few points between runs of the same model on the same comments
DEFAULT_STALE_DAYS = 30
CHUNK = 20
STALL_SECONDS = 600.0  # no chunk finished for this long: a helper died holding one
_KEEP = 24 * 3600


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- what changed ---------------------------------------------------------------------------


def _competitors(score: Mapping[str, Any] | None) -> set[str]:
    """Competitor brand names in a score's ``brands`` section, whatever its exact shape."""
    section = (score or {}).get("brands")
    if isinstance(section, Mapping):
        items: Any = next(
            (
                section[k]
                for k in ("brands", "items", "collaborations", "mentions")
                if isinstance(section.get(k), list)
            ),
            [],
        )
    else:
        items = section if isinstance(section, list) else []
    return {
        str(item.get("name")).strip()
        for item in items
        if isinstance(item, Mapping) and item.get("competitor") and item.get("name")
    }


def changes_between(
    platform: str,
    handle: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    jump: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """What the audit lists for one creator: the old and new score as JSON, and a follower jump."""
    out: list[dict[str, Any]] = []
    who = {"platform": platform, "handle": handle}
    old_fit = {f.get("niche"): f for f in (old or {}).get("niche_fit") or []}
    for item in new.get("niche_fit") or []:
        before = (old_fit.get(item.get("niche")) or {}).get("score")
        after = item.get("score")
        if isinstance(before, int | float) and isinstance(after, int | float) and before - after >= FIT_DROP:
            out.append(
                {
                    **who,
                    "kind": "fit_down",
                    "niche": item.get("niche"),
                    "before": before,
                    "after": after,
                    "message": f"fit for {item.get('name') or item.get('niche')} fell {before - after:.0f} "
                    f"points ({before:.0f} -> {after:.0f})",
                }
            )
    before = ((old or {}).get("authenticity") or {}).get("score")
    after = (new.get("authenticity") or {}).get("score")
    if isinstance(before, int | float) and isinstance(after, int | float) and before - after >= AUTH_DROP:
        out.append(
            {
                **who,
                "kind": "authenticity_down",
                "before": before,
                "after": after,
                "message": f"authenticity fell {before - after:.0f} points ({before:.0f} -> {after:.0f})",
            }
        )
    if jump:
        out.append(
            {
                **who,
                "kind": "follower_jump",
                "before": jump.get("from"),
                "after": jump.get("to"),
                "message": str(jump.get("reason")),
            }
        )
    for name in sorted(_competitors(new) - _competitors(old)):
        out.append(
            {**who, "kind": "competitor", "message": f"a new collaboration with the competitor {name}"}
        )
    return out


def _age_days(captured: str | None, now: datetime) -> float | None:
    if not captured:
        return None
    try:
        at = datetime.fromisoformat(captured.replace("Z", "+00:00"))
    except ValueError:
        return None
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return round((now - at).total_seconds() / 86400, 1)


# ---- scoring with the served models ---------------------------------------------------------


def served_models(runtime: Any) -> dict[str, str]:
    """The versions a score made now would carry: embedder, comment model, each niche's fit model."""
    from server.registry import COMMENTS, fit_model_name

    names = [COMMENTS, *(fit_model_name(n["id"]) for n in runtime.store.list_niches())]
    versions = runtime.registry.active_versions(names)
    return {"embedder": runtime.embedder.version, **{k: str(v) for k, v in versions.items() if v is not None}}


class _Rescorer:
    """A scorer over the runtime's embedder with the models served now (built once per audit chunk run)."""

    def __init__(self, runtime: Any):
        from server.registry import COMMENTS, fit_model_name
        from server.scoring.niche import Niche
        from server.scoring.scorer import Scorer

        self.runtime = runtime
        registry = runtime.registry
        self.niches = [Niche.from_record(r) for r in runtime.store.list_niches()]
        versions = registry.active_versions([COMMENTS, *(fit_model_name(n.id) for n in self.niches)])
        for niche in self.niches:
            try:
                niche.model = registry.model(fit_model_name(niche.id), versions[fit_model_name(niche.id)])
            except Exception as exc:  # a version that does not load: zero-shot, as the server does
                log.warning("audit scores %s zero-shot: %s", niche.id, exc)
        self.scorer = Scorer(
            runtime.embedder, registry.model(COMMENTS, versions[COMMENTS]), runtime.background
        )

    def rescore(self, keys: Sequence[Sequence[str]], stale_days: int) -> dict[str, Any]:
        """Re-score and save each creator; what changed, who needs a fresh look, and the counts."""
        from pydantic import ValidationError

        from server.schemas import Snapshot
        from server.scoring.scorer import score_context
        from server.storage import StoreError
        from server.storage.records import find_follower_jump

        store = self.runtime.store
        now = datetime.now(UTC)
        outcome: dict[str, Any] = {"audited": 0, "skipped": 0, "failed": 0, "changes": [], "stale": []}
        for platform, handle in keys:
            entry = store.get_creator(platform, handle)
            if entry is None:
                continue  # deleted since the audit started
            snap = entry.get("snapshot")
            captured = (snap or {}).get("captured_at") if isinstance(snap, Mapping) else None
            days = _age_days(captured if isinstance(captured, str) else entry.get("created_at"), now)
            if not snap or days is None or days > stale_days:
                outcome["stale"].append(
                    {
                        "platform": platform,
                        "handle": entry["handle"],
                        "captured_at": captured if snap else None,
                        "days": days if snap else None,
                    }
                )
            if not snap:
                outcome["skipped"] += 1
                continue
            try:
                snapshot = Snapshot.model_validate(snap)
                new = self.scorer.score(
                    snapshot, self.niches, context=score_context(store, snapshot)
                ).to_json()
                store.save_creator(platform, handle, {"snapshot": snap, "score": new}, by="audit")
                jump = find_follower_jump(store.history(platform, handle))
            except (ValidationError, StoreError) as exc:
                log.warning("audit could not re-score %s/%s: %s", platform, handle, exc)
                outcome["failed"] += 1
                continue
            outcome["audited"] += 1
            outcome["changes"] += changes_between(platform, entry["handle"], entry.get("score"), new, jump)
        return outcome


# ---- the job --------------------------------------------------------------------------------


def _chunks(store: Any) -> tuple[list[list[list[str]]], int]:
    keys = [[c["platform"], c["handle"]] for c in store.list_creators()]
    return [keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK)], len(keys)


def _merge(outcomes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"audited": 0, "skipped": 0, "failed": 0, "changes": [], "stale": [],
                             "by_worker": {}}
    for outcome in outcomes:
        for key in ("audited", "skipped", "failed"):
            total[key] += outcome[key]
        who = str(outcome.get("worker") or "")
        total["by_worker"][who] = total["by_worker"].get(who, 0) + outcome["audited"]
        total["changes"] += outcome["changes"]
        total["stale"] += outcome["stale"]
    total["changes"].sort(key=lambda c: (c["kind"], c["platform"], c["handle"].lower()))
    total["stale"].sort(key=lambda s: (-(s["days"] if s["days"] is not None else 1e9), s["handle"].lower()))
    return total


class _RedisChunks:
    """The chunk list every worker takes from, and the outcomes they leave, in the team's Redis."""

    def __init__(self, client: Any, job_id: str):
        self.redis = client
        base = f"microscout:audit:{job_id}:"
        self.todo, self.done, self.count = base + "todo", base + "done", base + "creators"

    def put(self, chunks: Sequence[Any]) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self.todo, self.done, self.count)
        if chunks:
            pipe.rpush(self.todo, *(json.dumps(c) for c in chunks))
        for key in (self.todo, self.done, self.count):
            pipe.expire(key, _KEEP)
        pipe.execute()

    def take(self) -> list[list[str]] | None:
        raw = self.redis.lpop(self.todo)
        return json.loads(raw) if raw is not None else None

    def finish(self, chunk: Sequence[Any], outcome: Mapping[str, Any]) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.rpush(self.done, json.dumps(outcome))
        pipe.incrby(self.count, len(chunk))
        pipe.execute()

    def progress(self) -> tuple[int, int]:
        """(chunks finished, creators finished)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.llen(self.done)
        pipe.get(self.count)
        done, count = pipe.execute()
        return int(done), int(count or 0)

    def outcomes(self) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in self.redis.lrange(self.done, 0, -1)]

    def drop(self) -> None:
        self.redis.delete(self.todo, self.done, self.count)


def _work(
    chunks: _RedisChunks, runtime: Any, stale_days: int, after: Callable[[], None] | None = None
) -> None:
    rescorer: _Rescorer | None = None
    while (chunk := chunks.take()) is not None:
        rescorer = rescorer or _Rescorer(runtime)
        chunks.finish(chunk, {**rescorer.rescore(chunk, stale_days), "worker": _me()})
        if after is not None:
            after()


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _helpers(client: Any, job_id: str, stale_days: int) -> int:
    """Queue one helper job for every other worker listening now."""
    from rq import Queue, Worker

    queue = Queue(QUEUE, connection=client)
    count = max(0, Worker.count(connection=client, queue=queue) - 1)
    for _ in range(count):
        queue.enqueue_call(
            "server.jobs.audit.help_audit",
            args=(job_id, stale_days),
            timeout=JOB_TIMEOUT,
            result_ttl=600,
            failure_ttl=7 * 24 * 3600,
            description=f"audit {job_id} (helper)",
        )
    return count


def warm_up() -> str:
    """An RQ job that loads a worker's models before its first audit (the bench's warm-up): who ran it."""
    from server.jobs.runner import _worker, perform_setup

    perform_setup()
    _Rescorer(_worker["runtime"])
    return _me()


def help_audit(job_id: str, stale_days: int) -> dict[str, Any]:
    """An RQ worker's share of an audit: take chunks until none are left."""
    from server.jobs.runner import _worker, perform_setup

    perform_setup()
    runtime = _worker["runtime"]
    chunks = _RedisChunks(_worker["board"].redis, job_id)
    _work(chunks, runtime, stale_days)
    return {"job": job_id}


def audit(ctx: Context, stale_days: int = DEFAULT_STALE_DAYS, reason: str = "requested") -> dict[str, Any]:
    """Re-score every watchlisted creator (see the module docstring); the report goes to LATEST."""
    runtime = ctx.runtime
    store = runtime.store
    started = _now()
    clock = time.perf_counter()
    ctx.progress(0.0, "loading the models")
    models = served_models(runtime)
    store.set_setting(MODELS_SEEN, models)
    chunks, total = _chunks(store)
    ctx.progress(0.0, f"re-scoring: 0 of {total} creators")

    def report(done: int) -> None:
        ctx.progress(done / total if total else 1.0, f"re-scoring: {done} of {total} creators")

    if isinstance(ctx.board, RedisBoard):
        shared = _RedisChunks(ctx.board.redis, ctx.job_id)
        shared.put(chunks)
        helpers = _helpers(ctx.board.redis, ctx.job_id, stale_days)
        _work(shared, runtime, stale_days, after=lambda: report(shared.progress()[1]))
        last, moved = shared.progress(), time.monotonic()
        while last[0] < len(chunks):  # helpers are finishing their last chunks
            time.sleep(0.1)
            now = shared.progress()
            if now != last:
                last, moved = now, time.monotonic()
                report(now[1])
            elif time.monotonic() - moved > STALL_SECONDS:
                shared.drop()
                raise TaskError(
                    f"no chunk finished for {STALL_SECONDS:.0f} s: a worker stopped mid-audit; "
                    "scores saved so far stay"
                )
        merged = _merge(shared.outcomes())
        shared.drop()
    else:
        helpers = 0
        rescorer, outcomes, done = _Rescorer(runtime), [], 0
        for chunk in chunks:
            outcomes.append({**rescorer.rescore(chunk, stale_days), "worker": _me()})
            done += len(chunk)
            report(done)
        merged = _merge(outcomes)
    seconds = round(time.perf_counter() - clock, 2)
    latest = {
        "job": ctx.job_id,
        "state": "done",
        "started_at": started,
        "finished_at": _now(),
        "reason": reason,
        "stale_days": stale_days,
        "models": models,
        "seconds": seconds,
        "workers": 1 + helpers,
        **merged,
    }
    store.set_setting(LATEST, latest)
    rate = merged["audited"] / seconds if seconds else None
    return {
        "audited": merged["audited"],
        "skipped": merged["skipped"],
        "failed": merged["failed"],
        "changes": len(merged["changes"]),
        "stale": len(merged["stale"]),
        "workers": 1 + helpers,
        "creators_per_second": round(rate, 2) if rate else None,
        "summary": f"audited {merged['audited']} creators: {len(merged['changes'])} changes, "
        f"{len(merged['stale'])} need a fresh look",
    }


def submit(
    jobs: Any, store: Any, *, stale_days: int = DEFAULT_STALE_DAYS, reason: str = "requested"
) -> dict[str, Any]:
    """Queue an audit (Busy while one is queued or running); the dashboard follows it as CURRENT."""
    if not isinstance(stale_days, int) or not 1 <= stale_days <= 3650:
        raise ValueError("stale_days is a whole number of days from 1 to 3650")
    record = dict(jobs.submit(LOCK, AUDIT, {"stale_days": stale_days, "reason": reason}))
    store.set_setting(CURRENT, record["id"])
    return record


def audit_if_models_changed(
    runtime: Any, jobs: Any, models: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """Start an audit when a served model differs from the last audit's; the first time, only note them.

    Returns the job record when one was queued.
    """
    try:
        models = dict(models or served_models(runtime))
        seen = runtime.store.get_setting(MODELS_SEEN)
        if seen is None:
            runtime.store.set_setting(MODELS_SEEN, models)
            return None
        # a niche created since (zero-shot) or deleted is not a change of models
        moved = [
            f"{k} {seen.get(k, 'none')} -> {v}"
            for k, v in sorted(models.items())
            if seen.get(k) != v and not (k not in seen and v == ZERO_SHOT)
        ]
        if not moved:
            if seen != models:
                runtime.store.set_setting(MODELS_SEEN, models)
            return None
        reason = "models changed: " + "; ".join(moved)
        return submit(jobs, runtime.store, reason=reason)
    except Busy:
        return None
    except Exception:  # a model-change audit is a courtesy: it never breaks the activation that asked
        log.exception("could not start the model-change audit")
        return None
