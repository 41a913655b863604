"""The audit: what counts as a change (table), the job end to end in the embedded thread pool with the
real models, a change of models starting it, and the same audit shared by two RQ workers on a real
redis-server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from server.jobs import RedisBoard, RQJobs
from server.jobs import audit as audits
from server.storage.redis import RedisStore
from tests import samples
from tests.conftest import TOKEN
from tests.dashboard.conftest import baking_snapshot
from tests.jobs.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
MICROSCOUT = str(Path(sys.executable).parent / "microscout")
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def scored(fit=80.0, authenticity=70.0, brands=None, followers=24_300):
    answer = samples.score(fit={"running": fit}, authenticity=authenticity, followers=followers)
    if brands is not None:
        answer["brands"] = brands
    return answer


@pytest.mark.parametrize(
    ("old", "new", "kinds"),
    [
        (scored(fit=80), scored(fit=66), []),  # 14 points: not yet
        (scored(fit=80), scored(fit=65), ["fit_down"]),
        (scored(authenticity=70), scored(authenticity=66), []),
        (scored(authenticity=70), scored(authenticity=65), ["authenticity_down"]),
        (scored(fit=40, authenticity=40), scored(fit=90, authenticity=90), []),  # rises are not listed
        (None, scored(), []),  # never scored before: nothing to compare
        (scored(), scored(brands={"brands": [{"name": "Nike", "competitor": True}]}), ["competitor"]),
        (
            scored(brands={"brands": [{"name": "Nike", "competitor": True}]}),
            scored(
                brands={
                    "brands": [{"name": "Nike", "competitor": True}, {"name": "Acme", "competitor": False}]
                }
            ),
            [],
        ),
        (
            scored(brands=[]),
            scored(brands=[{"name": "Hoka", "competitor": True}]),
            ["competitor"],
        ),  # a bare list
        (scored(), scored(brands="unexpected shape"), []),
    ],
)
def test_what_counts_as_a_change(old, new, kinds):
    assert [c["kind"] for c in audits.changes_between("instagram", "x", old, new)] == kinds


def test_a_follower_jump_is_listed_with_its_reason():
    jump = {"from": 10_000, "to": 20_000, "reason": "followers rose 100% (10,000 -> 20,000) in 8 days: ..."}
    (change,) = audits.changes_between("instagram", "x", scored(), scored(), jump)
    assert (
        change["kind"] == "follower_jump" and change["before"] == 10_000 and "rose 100%" in change["message"]
    )


def fill(store):
    store.create_niche(samples.RUNNING_NICHE)
    fresh = "2099-01-01T00:00:00Z"  # never older than stale_days
    # said to fit running, actually bakes: the re-score's fit falls
    baker = {**baking_snapshot("oatbaker", 41_000), "captured_at": fresh}
    store.save_creator(
        "instagram",
        "oatbaker",
        {"snapshot": baker, "score": scored(fit=97.0, authenticity=50.0, followers=41_000)},
        by="t",
    )
    # scored with an authenticity the 10 captured comments never supported
    runner = {**samples.snapshot(), "captured_at": fresh}
    store.save_creator(
        "instagram", "creator", {"snapshot": runner, "score": scored(authenticity=99.0)}, by="t"
    )
    # followers doubled between two captures: a jump; its snapshot is from 2024: needs a fresh look
    for followers, when in ((10_000, "2024-03-01T00:00:00Z"), (20_500, "2024-03-09T00:00:00Z")):
        snap = samples.snapshot(handle="jumper", followers=followers, captured_at=when)
        store.save_creator("instagram", "jumper", {"snapshot": snap}, by="t")
    store.save_creator("tiktok", "nosnapshot", {"notes": "met at a fair"}, by="t")


@pytest.mark.slow
def test_the_audit_rescores_the_watchlist_and_lists_what_changed(scoring_app, scoring_client):
    scout = scoring_app.extensions["microscout"]
    fill(scout.store)
    before = len(scout.store.history("instagram", "creator"))
    started = scoring_client.post("/v1/audit?stale_days=90", headers=AUTH)
    assert started.status_code == 202, started.get_json()
    job = started.get_json()["job"]
    done = wait_until(
        lambda: scoring_client.get(f"/v1/jobs/{job}", headers=AUTH).get_json(),
        lambda r: r["state"] in ("done", "failed"),
        timeout=120,
    )
    assert done["state"] == "done", done
    assert done["result"]["audited"] == 3 and done["result"]["skipped"] == 1
    assert done["message"] == "audited 3 creators: 3 changes, 2 need a fresh look"
    latest = scoring_client.get("/v1/audit/latest", headers=AUTH).get_json()
    assert latest["job"] == job and latest["stale_days"] == 90
    kinds = {(c["handle"], c["kind"]) for c in latest["changes"]}
    assert kinds == {("oatbaker", "fit_down"), ("creator", "authenticity_down"), ("jumper", "follower_jump")}
    assert [(s["handle"], s["captured_at"]) for s in latest["stale"]] == [
        ("nosnapshot", None),  # none at all first, then the oldest
        ("jumper", "2024-03-09T00:00:00Z"),
    ]
    assert latest["models"]["embedder"] == scout.embedder.version
    # the new score is saved, made by the served models, and dated by the snapshot in the history
    entry = scout.store.get_creator("instagram", "oatbaker")
    assert entry["score"]["versions"]["embedder"] == scout.embedder.version
    assert entry["summary"]["fit"]["running"] < 82.0
    assert len(scout.store.history("instagram", "creator")) == before + 1
    fit_only = scoring_client.get("/v1/audit/latest?kind=fit_down", headers=AUTH).get_json()
    assert [c["handle"] for c in fit_only["changes"]] == ["oatbaker"]


@pytest.mark.slow
def test_a_change_of_models_starts_the_audit(scoring_app, scoring_client):
    scout = scoring_app.extensions["microscout"]
    fill(scout.store)
    seen = scout.store.get_setting(audits.MODELS_SEEN)
    assert seen is not None and seen["embedder"] == scout.embedder.version  # noted at start, no audit
    assert scout.store.get_setting(audits.CURRENT) is None
    assert scout.audit_if_models_changed() is None  # nothing changed since
    scout.store.set_setting(audits.MODELS_SEEN, {**seen, "embedder": "an-older-embedder"})
    record = scout.audit_if_models_changed()
    assert record is not None and record["params"]["reason"].startswith(
        "models changed: embedder an-older-embedder"
    )
    done = wait_until(
        lambda: scout.jobs.get(record["id"]), lambda r: r["state"] in ("done", "failed"), timeout=120
    )
    assert done["state"] == "done", done
    assert scout.store.get_setting(audits.MODELS_SEEN)["embedder"] == scout.embedder.version
    # activating a model (here: a niche back to zero-shot, a new version name) starts one too
    scout.store.set_setting(audits.MODELS_SEEN, {**seen, "fit-running": "v7"})
    response = scoring_client.post("/v1/models/fit-running/versions/zero-shot/activate", headers=AUTH)
    assert response.status_code == 200, response.get_json()
    current = scout.store.get_setting(audits.CURRENT)
    assert current != record["id"]
    assert (
        wait_until(lambda: scout.jobs.get(current), lambda r: r["state"] == "done", timeout=120)["state"]
        == "done"
    )


class Worker:
    """`microscout worker` in its own process on the shared Redis; the ONNX model built by the test
    session's embedder is reused (same data directory), so a worker starts in seconds."""

    def __init__(self, url: str, log: Path):
        env = {
            **os.environ,
            "MICROSCOUT_STORE_URL": url,
            "PYTHONPATH": str(ROOT),
            "MICROSCOUT_DATA_DIR": str(ROOT / "var"),
        }
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [MICROSCOUT, "worker"], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.mark.slow
@pytest.mark.redis
def test_two_rq_workers_share_one_audit(redis_server, tmp_path, embedder):
    url = redis_server.url.rsplit("/", 1)[0] + "/15"
    client = redis.Redis.from_url(url)
    client.flushdb()
    store = RedisStore(url)
    store.create_niche(samples.RUNNING_NICHE)
    creators = 2 * audits.CHUNK + 5  # three chunks
    for i in range(creators):
        snap = samples.snapshot(
            handle=f"runner{i}",
            captured_at="2099-01-01T00:00:00Z",
            comments=samples.snapshot()["comments"][:3],
        )
        store.save_creator("instagram", f"runner{i}", {"snapshot": snap}, by="t")
    workers = [Worker(url, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        from rq import Worker as RQWorker

        wait_until(lambda: RQWorker.count(connection=client), lambda n: n == 2, timeout=60)
        jobs = RQJobs(RedisBoard(client))
        record = audits.submit(jobs, store, stale_days=30)
        done = wait_until(
            lambda: jobs.get(record["id"]), lambda r: r["state"] in ("done", "failed"), timeout=240, every=0.2
        )
        assert done["state"] == "done", (
            done,
            [(tmp_path / f"worker{i}.log").read_text()[-2000:] for i in (0, 1)],
        )
        assert done["result"]["audited"] == creators and done["result"]["workers"] == 2
        latest = store.get_setting(audits.LATEST)
        assert latest["audited"] == creators and latest["stale"] == []
        rescored = [store.get_creator("instagram", f"runner{i}")["score"] for i in range(creators)]
        assert all(s is not None and s["versions"]["embedder"] == embedder.version for s in rescored)
        assert client.keys(f"microscout:audit:{record['id']}:*") == []  # the shared chunk list is gone
    finally:
        for worker in workers:
            worker.stop()
        store.close()
        client.close()
