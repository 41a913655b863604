"""Small real tasks for the job tests: the machinery under test is the same one training uses."""

from __future__ import annotations

import time
from pathlib import Path

from server.jobs import TaskError


def count(ctx, n: int = 3) -> dict:
    for i in range(n):
        ctx.progress(i / n, f"counting: {i + 1} of {n}")
    return {"counted": n, "summary": f"counted to {n}"}


def fail(ctx, why: str = "the labels went away") -> dict:
    ctx.progress(0.3, "about to fail")
    raise TaskError(why)


def crash(ctx) -> dict:
    raise RuntimeError("something unexpected")


def wait_for(ctx, path: str, timeout: float = 120.0) -> dict:
    """Report progress, then block until ``path`` exists (the test decides when the job may end)."""
    ctx.progress(0.5, "waiting: for the test")
    deadline = time.monotonic() + timeout
    while not Path(path).exists():
        if time.monotonic() > deadline:
            raise TaskError("timed out")
        time.sleep(0.05)
    return {"waited": True}
