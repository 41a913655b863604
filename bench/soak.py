"""`make bench` soak: mixed traffic at a steady rate against `microscout serve` (gunicorn, 2 workers)
on a Redis store, with a Redis restart and a SIGKILL of a worker in the middle.

What it prints, every ``--every`` seconds: RSS, open files and threads of the gunicorn master and
its workers (summed), requests sent and failed. At the end: acknowledged writes lost (each save
carries a nonce; every creator answered 2xx is read back and must hold its nonce: must be 0), and
the error rate per phase (before the disruptions, during them, and after recovery: must be 0).

Traffic, per second on average: 4 saves (PUT /v1/watchlist with a snapshot and a score), 4 reads
(GET one creator, the list, the history, the niches), 0.5 score (POST /v1/score of a new snapshot),
0.5 glance (POST /v1/glance of 10 creators), from 8 client threads on a fixed schedule.

    .venv/bin/python bench/soak.py [--minutes 20] [--every 30] [--out test-artifacts/soak.json]

The Redis restart is at 40% of the run (graceful: SIGTERM, then start on the same AOF); the worker
SIGKILL at 50%; "after recovery" starts at 60% (and at least 60 s after the kill).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import samples  # noqa: E402
from tests.storage.redis_server import RedisServer, free_port  # noqa: E402

TOKEN = "soak-test-token-0123456789abcdef"
MICROSCOUT = Path(sys.executable).parent / "microscout"
MIX = [("save", 4.0), ("read", 4.0), ("score", 0.5), ("glance", 0.5)]  # per second


def proc_stats(pid: int) -> tuple[float, int, int]:
    """(RSS in MB, open files, threads) of one process; zeros when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        rss = int(fields["VmRSS"].split()[0]) / 1024
        threads = int(fields["Threads"])
        files = len(os.listdir(f"/proc/{pid}/fd"))
        return rss, files, threads
    except (OSError, KeyError, ValueError):
        return 0.0, 0, 0


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Soak:
    def __init__(self, minutes: float, every: float):
        self.seconds = minutes * 60
        self.every = every
        self.directory = Path(tempfile.mkdtemp(prefix="microscout-soak-"))
        self.redis = RedisServer(self.directory / "redis")
        self.port = free_port()
        self.server: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.acknowledged: dict[str, str] = {}  # handle -> nonce answered 2xx
        self.counts: dict[str, Counter[str]] = {"before": Counter(), "during": Counter(), "after": Counter()}
        self.errors: dict[str, Counter[str]] = {"before": Counter(), "during": Counter(), "after": Counter()}
        self.samples: list[dict[str, Any]] = []
        self.events: list[str] = []
        self.start_time = 0.0
        self.phase = "before"
        self.serial = 0

    # -- processes ----------------------------------------------------------------------------
    def start(self) -> None:
        self.redis.start()
        env = {**os.environ, "MICROSCOUT_DATA_DIR": str(self.directory / "data"),
               "MICROSCOUT_STORE_URL": self.redis.url, "MICROSCOUT_API_TOKEN": TOKEN,
               "MICROSCOUT_PORT": str(self.port), "MICROSCOUT_WORKERS": "2", "MICROSCOUT_THREADS": "8",
               "MICROSCOUT_RATE_LIMIT": "0", "MICROSCOUT_WORK_LIMIT": "0"}  # one token: measure the server
        log = (self.directory / "server.log").open("ab")
        self.server = subprocess.Popen([str(MICROSCOUT), "serve"], env=env, stdout=log, stderr=log,
                                       start_new_session=True)
        deadline = time.monotonic() + 300
        ready = 0  # both workers load the model: wait for a run of "ok" answers
        while time.monotonic() < deadline:
            try:
                status, body = self.request("GET", "/healthz", timeout=2)
                ready = ready + 1 if status == 200 and body.get("status") == "ok" else 0
                if ready >= 10:
                    return
            except (OSError, http.client.HTTPException):
                ready = 0
            time.sleep(0.2 if ready else 0.5)
        raise RuntimeError(f"the server did not get ready; see {self.directory / 'server.log'}")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
        self.redis.stop()

    # -- requests -------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, timeout: float = 60) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            conn.close()

    def next_serial(self) -> int:
        with self.lock:
            self.serial += 1
            return self.serial

    def one(self, kind: str, rng: random.Random) -> None:
        n = self.next_serial()
        phase = self.phase
        try:
            if kind == "save":
                handle, nonce = f"soak{n}", f"nonce-{n}-{rng.random()}"
                followers = 10_000 + n
                body = {"notes": nonce, "status": "shortlisted",
                        "snapshot": samples.snapshot(handle=handle, followers=followers),
                        "score": samples.score(followers=followers, handle=handle)}
                status, _ = self.request("PUT", f"/v1/watchlist/instagram/{handle}", body)
                if 200 <= status < 300:
                    with self.lock:
                        self.acknowledged[handle] = nonce
            elif kind == "read":
                with self.lock:
                    known = list(self.acknowledged)[-50:]
                handle = rng.choice(known) if known else "nobody"
                path = rng.choice([f"/v1/watchlist/instagram/{handle}", "/v1/watchlist?limit=20",
                                   f"/v1/watchlist/instagram/{handle}/history", "/v1/niches"])
                status, _ = self.request("GET", path)
                if status == 404 and handle == "nobody":
                    status = 200
            elif kind == "score":
                snap = samples.snapshot(handle=f"scored{n}", bio=f"Runner number {n}, coach and writer.")
                status, _ = self.request("POST", "/v1/score", snap)
            else:
                creators = [{"platform": "tiktok", "handle": f"glance{n}x{i}",
                             "texts": [f"Morning run number {n}-{i} by the river", "New shoes review"]}
                            for i in range(10)]
                status, _ = self.request("POST", "/v1/glance", {"creators": creators})
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__  # type: ignore[assignment]
        with self.lock:
            self.counts[phase][kind] += 1
            if not (isinstance(status, int) and 200 <= status < 300):
                self.errors[phase][f"{kind} {status}"] += 1

    def client(self, index: int, stop: threading.Event) -> None:
        rng = random.Random(index)
        total = sum(rate for _, rate in MIX)
        interval = 8 / total  # 8 clients share the total rate
        next_at = time.monotonic() + rng.random() * interval
        while not stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at += interval  # a fixed schedule: a slow answer does not lower the offered rate
            kind = rng.choices([k for k, _ in MIX], weights=[r for _, r in MIX])[0]
            self.one(kind, rng)

    # -- the run ----------------------------------------------------------------------------
    def sample(self) -> None:
        assert self.server is not None
        pids = [self.server.pid, *children(self.server.pid)]
        stats = [proc_stats(pid) for pid in pids]
        with self.lock:
            sent = sum(sum(c.values()) for c in self.counts.values())
            failed = sum(sum(c.values()) for c in self.errors.values())
        row = {"t": round(time.monotonic() - self.start_time), "rss_mb": round(sum(s[0] for s in stats)),
               "workers_rss_mb": [round(s[0]) for s in stats[1:]], "open_files": sum(s[1] for s in stats),
               "threads": sum(s[2] for s in stats), "requests": sent, "failed": failed, "phase": self.phase}
        self.samples.append(row)
        print(f"{row['t']:>6} s  RSS {row['rss_mb']:>5} MB (workers {row['workers_rss_mb']})  "
              f"files {row['open_files']:>4}  threads {row['threads']:>3}  requests {sent:>6}  "
              f"failed {failed:>4}"
              f"  [{self.phase}]", flush=True)

    def disrupt(self, elapsed: float, done: set[str]) -> None:
        if "redis" not in done and elapsed >= 0.4 * self.seconds:
            done.add("redis")
            self.phase = "during"
            self.events.append(f"{elapsed:.0f} s: Redis restarted (SIGTERM, start on the same AOF)")
            print(self.events[-1], flush=True)
            self.redis.stop()
            time.sleep(3)
            self.redis.start()
        if "worker" not in done and elapsed >= 0.5 * self.seconds:
            done.add("worker")
            assert self.server is not None
            workers = children(self.server.pid)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                self.events.append(f"{elapsed:.0f} s: SIGKILL to gunicorn worker {workers[0]}")
                print(self.events[-1], flush=True)
            self.killed_at = elapsed
        if "recovered" not in done and "worker" in done and elapsed >= max(0.6 * self.seconds,
                                                                          self.killed_at + 60):
            done.add("recovered")
            self.phase = "after"
            self.events.append(f"{elapsed:.0f} s: counting 'after recovery' from here")
            print(self.events[-1], flush=True)

    def run(self) -> dict[str, Any]:
        self.start()
        self.start_time = time.monotonic()
        stop = threading.Event()
        threads = [threading.Thread(target=self.client, args=(i, stop), daemon=True) for i in range(8)]
        for t in threads:
            t.start()
        done: set[str] = set()
        self.killed_at = float("inf")
        next_sample = 0.0
        try:
            while (elapsed := time.monotonic() - self.start_time) < self.seconds:
                if elapsed >= next_sample:
                    self.sample()
                    next_sample += self.every
                self.disrupt(elapsed, done)
                time.sleep(0.5)
            self.sample()
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=90)
        lost = self.check_acknowledged()
        self.stop()
        return self.summary(lost)

    def check_acknowledged(self) -> list[str]:
        lost = []
        for handle, nonce in sorted(self.acknowledged.items()):
            status, body = self.request("GET", f"/v1/watchlist/instagram/{handle}")
            if status != 200 or body.get("notes") != nonce:
                lost.append(handle)
        return lost

    def summary(self, lost: list[str]) -> dict[str, Any]:
        def rate(phase: str) -> float:
            sent = sum(self.counts[phase].values())
            return round(sum(self.errors[phase].values()) / sent, 5) if sent else 0.0

        first, last = self.samples[1] if len(self.samples) > 1 else self.samples[0], self.samples[-1]
        result = {
            "minutes": self.seconds / 60, "events": self.events,
            "requests": {p: dict(c) for p, c in self.counts.items()},
            "errors": {p: dict(c) for p, c in self.errors.items()},
            "error_rate": {p: rate(p) for p in self.counts},
            "acknowledged_writes": len(self.acknowledged), "acknowledged_lost": len(lost),
            "lost_examples": lost[:10],
            "rss_mb": {"first": first["rss_mb"], "last": last["rss_mb"],
                       "max": max(s["rss_mb"] for s in self.samples)},
            "open_files": {"first": first["open_files"], "last": last["open_files"],
                           "max": max(s["open_files"] for s in self.samples)},
            "threads": {"first": first["threads"], "last": last["threads"],
                        "max": max(s["threads"] for s in self.samples)},
            "samples": self.samples, "load_average": os.getloadavg(),
        }
        print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1), flush=True)
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between resource samples")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "soak.json")
    args = parser.parse_args()
    soak = Soak(args.minutes, args.every)
    try:
        result = soak.run()
    finally:
        soak.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    ok = result["acknowledged_lost"] == 0 and result["error_rate"]["after"] == 0
    print("soak:", "PASS" if ok else "FAIL",
          f"(lost {result['acknowledged_lost']}, error rate after recovery "
          f"{result['error_rate']['after']})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
