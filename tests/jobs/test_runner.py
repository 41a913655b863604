"""Running jobs: states, progress, results and reasons, in a thread pool and in the caller's thread."""

from __future__ import annotations

import pytest

from server.jobs import Busy, LocalBoard, ThreadJobs
from tests.jobs.conftest import TASKS, wait_until


@pytest.fixture
def jobs(tmp_path):
    jobs = ThreadJobs(LocalBoard(tmp_path / "jobs"), runtime={"name": "the runtime"})
    yield jobs
    jobs.close()


def finished(jobs, job_id):
    return wait_until(lambda: jobs.get(job_id), lambda r: r["state"] in ("done", "failed"))


@pytest.mark.parametrize(("task", "params", "state", "check"), [
    ("count", {"n": 4}, "done", lambda r: r["result"]["counted"] == 4 and r["message"] == "counted to 4"),
    ("fail", {}, "failed", lambda r: r["error"] == "the labels went away"
     and r["message"] == "failed: the labels went away"),
    ("crash", {}, "failed", lambda r: r["error"] == "RuntimeError: something unexpected"),
], ids=["done", "task-error", "unexpected-error"])
def test_a_job_ends_done_with_its_result_or_failed_with_the_reason(jobs, task, params, state, check):
    accepted = jobs.submit("fit-running", f"{TASKS}:{task}", params)
    assert accepted["state"] == "queued"
    record = finished(jobs, accepted["id"])
    assert record["state"] == state, record
    assert check(record), record
    assert record["started_at"] and record["finished_at"]
    if state == "done":
        assert record["progress"] == 1.0 and record["result"]["seconds"] >= 0
    jobs.submit("fit-running", f"{TASKS}:count", {})  # the model is free again either way


def test_a_second_training_of_the_same_model_is_refused_while_one_runs(jobs, tmp_path):
    gate = tmp_path / "go"
    first = jobs.submit("fit-running", f"{TASKS}:wait_for", {"path": str(gate)})
    running = wait_until(lambda: jobs.get(first["id"]), lambda r: r["message"] == "waiting: for the test")
    assert running["state"] == "running" and running["progress"] == 0.5
    with pytest.raises(Busy):
        jobs.submit("fit-running", f"{TASKS}:count", {})
    other = jobs.submit("comments", f"{TASKS}:count", {})  # queued behind it: one job at a time
    assert jobs.get(other["id"])["state"] == "queued"
    gate.touch()
    assert finished(jobs, first["id"])["state"] == "done"
    assert finished(jobs, other["id"])["state"] == "done"


def test_run_here_reports_progress_to_the_caller_and_the_board(jobs):
    seen = []
    record = jobs.run_here("fit-running", f"{TASKS}:count", {"n": 3}, runtime=None,
                           on_progress=lambda f, m: seen.append((round(f, 2), m)))
    assert record["state"] == "done"
    assert seen == [(0.0, "counting: 1 of 3"), (0.33, "counting: 2 of 3"), (0.67, "counting: 3 of 3")]
    assert jobs.get(record["id"])["state"] == "done"
    jobs.submit("fit-running", f"{TASKS}:count", {})
