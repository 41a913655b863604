"""`make bench` soak: mixed traffic at a steady rate against `microscout serve` (gunicorn, 2 workers)
on a Redis store, with a Redis restart and a SIGKILL of a worker in the middle.

What it prints, every ``--every`` seconds: RSS, open files and threads of the gunicorn master and
its workers (summed), requests sent and failed. At the end: acknowledged writes lost (each save
carries a nonce; every creator is read back and must hold the nonce of its last save answered 2xx,
or of a later one answered with an error that may have been kept: must be 0), the error rate per
phase (before the disruptions, during them, and after recovery: must be 0), and whether RSS, open
files and threads stayed flat after the warm-up, by this rule (FLAT_RULE, printed with the figures):

    the first 25% of the run (``--warmup``) is warm-up, shown but not judged: the server's pools and
    caches fill there (gthread's threads and the Redis pool's connections start lazily, up to 8 a
    worker; the model's arenas; the LRU caches). A measure is flat when the median of the last 20% of
    the samples is at most the highest sample of the steady window (warm-up end to the Redis restart
    at 40%) plus a tolerance: RSS 2%, open files 4, threads 2 (what requests in flight hold at one
    sampling instant); for master and workers summed (the worker SIGKILLed at 50% is replaced by a
    fresh one that must warm up to under the same line), and for each process alive in both windows
    (so a leak in the surviving worker cannot hide behind its fresh, smaller neighbour).

Traffic, per second on average: 4 saves (PUT /v1/watchlist with a snapshot and a score), 4 reads
(GET one creator, the list, the history, the niches), 0.5 score (POST /v1/score of a new snapshot),
0.5 glance (POST /v1/glance of 10 creators), from 8 client threads on a fixed schedule. Each client
saves its own creators in turn, as many as it saves in 80% of the warm-up, so the watchlist stops
growing before the steady window (a watchlist that grows all run grows the memory a list read takes
with it: data, not a leak). Scores and glances send new texts all run: the embedding cache (64 MB a
worker) keeps filling, by 0.6 MB every 600 requests of this mix (tracemalloc, in one process), inside
the tolerance.

    .venv/bin/python bench/soak.py [--minutes 20] [--every 30] [--warmup MIN] [--out test-artifacts/soak.json]

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


def _socket_peers() -> dict[str, tuple[int, int]]:
    """socket inode -> (local port, remote port), for the TCP sockets of this machine."""
    peers = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            peers[parts[9]] = (int(parts[1].rsplit(":", 1)[1], 16), int(parts[2].rsplit(":", 1)[1], 16))
    return peers


def proc_detail(pid: int, server_port: int, redis_port: int) -> dict[str, Counter[str]]:
    """What a process's threads and open files are: threads by name, files by kind (sockets by peer)."""
    threads: Counter[str] = Counter()
    files: Counter[str] = Counter()
    peers = _socket_peers()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            threads[Path(f"/proc/{pid}/task/{task}/comm").read_text().strip()] += 1
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                local, remote = peers.get(target[8:-1], (0, 0))
                target = ("socket: redis" if remote == redis_port else
                          "socket: listening" if local == server_port and remote == 0 else
                          "socket: client" if local == server_port else "socket: other")
            elif target.startswith("pipe:"):
                target = "pipe"
            files[target] += 1
    except OSError:
        pass
    return {"threads": threads, "files": files}


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Soak:
    def __init__(self, minutes: float, every: float, warmup: float | None = None):
        self.seconds = minutes * 60
        self.warmup = 0.25 * self.seconds if warmup is None else warmup * 60
        self.every = every
        self.directory = Path(tempfile.mkdtemp(prefix="microscout-soak-"))
        self.redis = RedisServer(self.directory / "redis")
        self.port = free_port()
        self.server: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.acknowledged: dict[str, str] = {}  # handle -> the last nonce answered 2xx
        self.unsure: dict[str, set[str]] = {}  # handle -> nonces sent since, not answered 2xx (may be kept)
        self.saves = 0  # 2xx saves
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

    def one(self, kind: str, rng: random.Random, handle: str) -> None:
        n = self.next_serial()
        phase = self.phase
        try:
            if kind == "save":
                nonce = f"nonce-{n}-{rng.random()}"
                followers = 10_000 + n
                body = {"notes": nonce, "status": "shortlisted",
                        "snapshot": samples.snapshot(handle=handle, followers=followers),
                        "score": samples.score(followers=followers, handle=handle)}
                with self.lock:
                    self.unsure.setdefault(handle, set()).add(nonce)
                status, _ = self.request("PUT", f"/v1/watchlist/instagram/{handle}", body)
                if 200 <= status < 300:
                    with self.lock:
                        self.acknowledged.pop(handle, None)  # keep the dict in order of last save
                        self.acknowledged[handle] = nonce
                        self.unsure[handle].clear()
                        self.saves += 1
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
        # the watchlist stops growing before the warm-up ends: each client saves its own creators in turn
        # (one client's saves of a creator are sequential, so its last 2xx nonce is the one kept)
        handles = [f"soak{index}x{i}" for i in range(max(5, int(0.8 * self.warmup * dict(MIX)["save"] / 8)))]
        saved = 0
        next_at = time.monotonic() + rng.random() * interval
        while not stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at += interval  # a fixed schedule: a slow answer does not lower the offered rate
            kind = rng.choices([k for k, _ in MIX], weights=[r for _, r in MIX])[0]
            self.one(kind, rng, handles[saved % len(handles)])
            saved += kind == "save"

    # -- the run ----------------------------------------------------------------------------
    def sample(self) -> None:
        assert self.server is not None
        pids = [self.server.pid, *children(self.server.pid)]
        stats = [proc_stats(pid) for pid in pids]
        detail: dict[str, Counter[str]] = {"threads": Counter(), "files": Counter()}
        for i, pid in enumerate(pids):
            for kind, counts in proc_detail(pid, self.port, self.redis.port).items():
                role = "master" if i == 0 else "worker"
                detail[kind].update({f"{role}: {k}": v for k, v in counts.items()})
        with self.lock:
            sent = sum(sum(c.values()) for c in self.counts.values())
            failed = sum(sum(c.values()) for c in self.errors.values())
        row = {"t": round(time.monotonic() - self.start_time), "rss_mb": round(sum(s[0] for s in stats)),
               "workers_rss_mb": [round(s[0]) for s in stats[1:]], "open_files": sum(s[1] for s in stats),
               "threads": sum(s[2] for s in stats), "requests": sent, "failed": failed, "phase": self.phase,
               "processes": {str(pid): {"rss_mb": round(st[0], 1), "open_files": st[1], "threads": st[2]}
                             for pid, st in zip(pids, stats, strict=True)},
               "detail": {k: dict(v) for k, v in detail.items()}}
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
            # a save answered with an error or cut off after this one may have been kept too
            if status != 200 or (body.get("notes") != nonce and body.get("notes") not in self.unsure[handle]):
                lost.append(handle)
        return lost

    def summary(self, lost: list[str]) -> dict[str, Any]:
        def rate(phase: str) -> float:
            sent = sum(self.counts[phase].values())
            return round(sum(self.errors[phase].values()) / sent, 5) if sent else 0.0

        result = {
            "minutes": self.seconds / 60, "events": self.events,
            "requests": {p: dict(c) for p, c in self.counts.items()},
            "errors": {p: dict(c) for p, c in self.errors.items()},
            "error_rate": {p: rate(p) for p in self.counts},
            "acknowledged_writes": self.saves, "creators_checked": len(self.acknowledged),
            "acknowledged_lost": len(lost),
            "lost_examples": lost[:10],
            "resources": flatness(self.samples, self.seconds, self.warmup),
            "samples": self.samples, "load_average": os.getloadavg(),
        }
        shown = {k: v for k, v in result.items() if k != "samples"}
        shown["resources"] = {k: v for k, v in result["resources"].items() if k != "what_grew"}
        print(json.dumps(shown, indent=1), flush=True)
        print(f"flatness rule: {FLAT_RULE}", flush=True)
        print("what grew after the warm-up (threads by name, open files by kind; master and workers summed):",
              json.dumps(result["resources"]["what_grew"]), flush=True)
        return result


# the rule of the module docstring, printed with the figures
TOLERANCE = {"rss_mb": 0.02, "open_files": 4, "threads": 2}  # RSS: a share; files, threads: a count
FLAT_RULE = ("after a warm-up of the first 25% of the run: median(last 20% of samples) <= "
             "max(samples from the warm-up's end to the Redis restart at 40%) + tolerance "
             "(RSS 2%, open files 4, threads 2: what requests in flight hold at one sampling instant), "
             "for master and workers summed and for each process alive in both windows")


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def flatness(samples: list[dict[str, Any]], seconds: float, warmup: float) -> dict[str, Any]:
    """Each measure's warm-up growth, steady reference, end value and verdict under FLAT_RULE."""
    steady = [s for s in samples if warmup <= s["t"] < 0.4 * seconds] or samples[:1]
    end = [s for s in samples if s["t"] >= 0.8 * seconds] or samples[-1:]
    out: dict[str, Any] = {"rule": FLAT_RULE, "warmup_s": round(warmup)}
    for measure, tolerance in TOLERANCE.items():
        reference = max(s[measure] for s in steady)
        final = _median([s[measure] for s in end])
        allowed = reference * tolerance if measure == "rss_mb" else tolerance
        out[measure] = {"start": samples[0][measure], "warm": steady[0][measure], "reference": reference,
                        "end": final, "growth_after_warmup": round(final - reference, 1),
                        "flat": final <= reference + allowed}
    # the same line for each process alive through both windows (the master, the surviving worker): a
    # leak in one must not hide behind the fresh, smaller worker that replaced the killed one
    survivors = set(steady[0]["processes"]).intersection(*(s["processes"] for s in steady + end))
    out["survivors"] = {}
    for pid in sorted(survivors):
        judged = {}
        for measure, tolerance in TOLERANCE.items():
            reference = max(s["processes"][pid][measure] for s in steady)
            final = _median([s["processes"][pid][measure] for s in end])
            allowed = reference * tolerance if measure == "rss_mb" else tolerance
            judged[measure] = {"reference": reference, "end": final, "flat": final <= reference + allowed}
        out["survivors"][pid] = judged
    out["flat"] = all(out[m]["flat"] for m in TOLERANCE) and all(
        j["flat"] for judged in out["survivors"].values() for j in judged.values())
    before, after = steady[-1]["detail"], samples[-1]["detail"]
    out["what_grew"] = {kind: {k: after[kind].get(k, 0) - before[kind].get(k, 0)
                               for k in sorted(set(before[kind]) | set(after[kind]))
                               if after[kind].get(k, 0) != before[kind].get(k, 0)} for kind in after}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between resource samples")
    parser.add_argument("--warmup", type=float, default=None,
                        help="minutes of warm-up not judged for flatness (default: 25%% of the run)")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "soak.json")
    args = parser.parse_args()
    soak = Soak(args.minutes, args.every, args.warmup)
    try:
        result = soak.run()
    finally:
        soak.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    flat = result["resources"]["flat"]
    ok = result["acknowledged_lost"] == 0 and result["error_rate"]["after"] == 0 and flat
    print("soak:", "PASS" if ok else "FAIL",
          f"(lost {result['acknowledged_lost']}, error rate after recovery "
          f"{result['error_rate']['after']}; RSS, files, threads after the warm-up: "
          f"{'' if flat else 'NOT '}flat)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
