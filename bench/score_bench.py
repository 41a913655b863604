"""`make bench`: how fast microscout scores, against the plain way, on this machine, in one run.

The plain way is what a script would do without this project's work: sentence-transformers fp32
``encode`` of a snapshot's texts at batch 16, fresh each time. Every figure is also given as a ratio
to the plain way's p50 measured in this same run, so a busy machine shifts both sides alike.

Measured, on realistic snapshots built from real texts (bench/snapshots.py: 1 bio, 12 captions of
about 40 words, 60 comments of about 12 words; never a repeated text unless the step says so):

- the physical floor: the served model's MFLOP per word piece (MiniLM-L6 21.2, multilingual-e5-small's
  12 layers 42.4) over numpy's measured matmul rate here;
- the plain way, and the server's embedder alone (default backend, no cache) on the same texts, one
  round before the server's steps and one after them, so the ratios hold when the machine's speed
  drifts over the run;
- the server as run in production (`microscout serve`: gunicorn, gthread), started fresh: time from
  process start to /healthz answering and to the first score; then POST /v1/score on new snapshots,
  the same snapshots again, and a snapshot with one new comment; then 8 concurrent clients posting
  new snapshots for 60 s; the server's RSS (gunicorn worker with the model) through all of it.

    .venv/bin/python bench/score_bench.py [--quick] [--snapshots N] [--clients 8] [--seconds 60]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from snapshots import SnapshotMaker  # noqa: E402

from server.settings import SETTINGS  # noqa: E402

# forward pass per word piece: MiniLM-L6 (6 layers, hidden 384, FFN 1536); e5-small has 12 such layers
MFLOP_PER_TOKEN = {"minilm": 21.2, "e5": 42.4}
TOKEN = "bench-token-0123456789abcdef"
NICHE = {"name": "Food and dining", "description": "Restaurants, home cooking, recipes and food reviews.",
         "keywords": ["food", "recipe", "restaurant", "dinner", "cooking"]}


# -- small helpers ------------------------------------------------------------------------------
def stats(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {"n": len(ms), "p50": float(np.median(ms)), "p90": float(np.percentile(ms, 90))}


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(c) for c in found]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def matmul_gflops(seconds: float = 2.0) -> float:
    """numpy float32 matmul rate on this machine with every core numpy uses (the best of a few runs)."""
    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    b = a.T.copy()
    a @ b  # warm up the BLAS threads
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        a @ b
        best = max(best, 2 * 1024**3 / (time.perf_counter() - t0) / 1e9)
    return best


class Client:
    """One keep-alive HTTP connection (one per client thread)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def score(self, snapshot: dict[str, Any]) -> tuple[float, int, bytes]:
        t0 = time.perf_counter()
        status, body = self.request("POST", "/v1/score", {**snapshot, "niches": [NICHE]})
        return time.perf_counter() - t0, status, body


# -- the server ---------------------------------------------------------------------------------
class Server:
    """`microscout serve` in a fresh process, as `make run` starts it."""

    def __init__(self, data_dir: Path, env: dict[str, str]):
        self.port = free_port()
        self.env = {**os.environ, **env, "MICROSCOUT_PORT": str(self.port),
                    "MICROSCOUT_DATA_DIR": str(data_dir), "MICROSCOUT_API_TOKEN": TOKEN,
                    "MICROSCOUT_RATE_LIMIT": "0", "MICROSCOUT_WORK_LIMIT": "0"}  # a load test, one token:
        # measure the server, not the limits
        self.log = tempfile.NamedTemporaryFile("w+", prefix="microscout-bench-", suffix=".log", delete=False)
        self.process: subprocess.Popen[bytes] | None = None
        self.peak_rss = 0.0

    def start(self) -> dict[str, float]:
        """Start and time /healthz answering and the first score (polling every 10 ms)."""
        command = shutil.which("microscout", path=str(Path(sys.executable).parent)) or "microscout"
        started = time.perf_counter()
        self.process = subprocess.Popen([command, "serve"], env=self.env, stdout=self.log, stderr=self.log,
                                        start_new_session=True)
        client = Client(self.port)
        timings: dict[str, float] = {}
        while "healthz" not in timings:
            self._check_alive()
            try:
                status, _ = client.request("GET", "/healthz")
                if status == 200:
                    timings["healthz"] = time.perf_counter() - started
            except OSError:
                time.sleep(0.01)
        probe = SnapshotMaker(seed=99).snapshot()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            self._check_alive()
            _, status, body = client.score(probe)
            if status == 200:
                timings["first_score"] = time.perf_counter() - started
                return timings
            if status != 503 or b"failed to load" in body:
                timings["first_score_error"] = float(status)
                timings["error_body"] = body.decode()[:300]  # type: ignore[assignment]
                return timings
            time.sleep(0.05)
        raise RuntimeError("no score within 600 s")

    def _check_alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            self.log.seek(0)
            raise RuntimeError(f"server exited {self.process.returncode}:\n{self.log.read()[-3000:]}")

    def rss(self) -> dict[str, float]:
        assert self.process is not None
        workers = children(self.process.pid)
        worker = max((rss_mb(w) for w in workers), default=0.0)
        self.peak_rss = max(self.peak_rss, worker)
        return {"worker": worker, "total": rss_mb(self.process.pid) + sum(rss_mb(w) for w in workers)}

    def sample_rss(self, stop: threading.Event) -> None:
        while not stop.wait(0.25):
            self.rss()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


# -- the measurements ---------------------------------------------------------------------------
def time_snapshots(kind: str, texts_path: str, data_dir: str) -> None:
    """Child process: time one way of embedding each snapshot's texts; prints JSON."""
    texts_per_snapshot = json.loads(Path(texts_path).read_text())
    if kind == "plain":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        from server.scoring.embedder import model_path

        model = SentenceTransformer(model_path(), device="cpu")
        model.encode(["warm up"], batch_size=16)

        def embed(texts: list[str]) -> Any:
            return model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False)
        version = "sentence-transformers fp32"
    else:
        from server.scoring.embedder import Embedder

        embedder = Embedder(store_url="", data_dir=data_dir)
        embedder.wait()
        embed, version = embedder.encode_uncached, embedder.version
    times = []
    for texts in texts_per_snapshot:
        t0 = time.perf_counter()
        embed(texts)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"times": times, "version": version}))


def measure_offline(texts: list[list[str]], data_dir: Path) -> dict[str, Any]:
    """One round of the plain way and the embedder alone, each in its own fresh process (no library's
    spinning threads in the other's way), one after the other."""
    found: dict[str, Any] = {}
    with tempfile.NamedTemporaryFile("w", suffix=".json") as handle:
        json.dump(texts, handle)
        handle.flush()
        for kind in ("plain", "embedder"):
            done = subprocess.run([sys.executable, __file__, "--child", kind, handle.name, "--data-dir",
                                   str(data_dir)], capture_output=True, text=True, check=False)
            if done.returncode:
                sys.exit(f"{kind} failed:\n{done.stderr[-3000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            found[kind], found[kind + "_version"] = result["times"], result["version"]
    return found


def word_pieces(texts: list[str]) -> int:
    """Word pieces the model sees for ``texts`` (the tokenizer's own count, cut at 256 a text)."""
    from tokenizers import Tokenizer

    from server.scoring.backends.ort import max_seq_length
    from server.scoring.embedder import model_path

    tokenizer = Tokenizer.from_file(str(Path(model_path()) / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_seq_length(model_path()))
    tokenizer.no_padding()
    return sum(len(enc.ids) for enc in tokenizer.encode_batch(texts))


def load_test(port: int, maker: SnapshotMaker, clients: int, seconds: float) -> dict[str, Any]:
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[int, int] = {}
    end = time.monotonic() + seconds

    def run() -> None:
        client = Client(port)
        while time.monotonic() < end:
            with lock:
                snapshot = maker.snapshot()
            elapsed, status, _ = client.score(snapshot)
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors[status] = errors.get(status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"done": len(latencies), "errors": errors, "wall": wall, "per_s": len(latencies) / wall,
            **stats(latencies or [float("nan")])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short run: 6 snapshots, 15 s of load")
    parser.add_argument("--snapshots", type=int, default=30, help="snapshots per sequential step")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the concurrent step")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench"),
                        help="the server's DATA_DIR (ONNX models are built here once)")
    parser.add_argument("--backend", default=None, help="MICROSCOUT_EMBED_BACKEND for this run")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "TEXTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        time_snapshots(args.child[0], args.child[1], args.data_dir)
        return
    if args.quick:
        args.snapshots, args.seconds = 6, 15.0
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {"MICROSCOUT_EMBED_BACKEND": args.backend} if args.backend else {}
    os.environ.update(env)

    load = os.getloadavg()
    print(f"microscout bench: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"at start", flush=True)
    maker = SnapshotMaker(seed=int(time.time()))  # a new seed each run: nothing is cached from before
    new = [maker.snapshot() for _ in range(args.snapshots)]
    texts = [[s["bio"], *(p["caption"] for p in s["posts"]), *(c["text"] for c in s["comments"])]
             for s in new]

    gflops = matmul_gflops()
    tokens = [word_pieces(t) for t in texts]
    default_model = next(setting.default for setting in SETTINGS if setting.name == "EMBED_MODEL")
    model = os.environ.get("MICROSCOUT_EMBED_MODEL") or default_model
    floor_ms = float(np.median(tokens)) * MFLOP_PER_TOKEN[model] / 1000 / gflops * 1000
    # One round of the plain way and the embedder alone before the server's steps and one after: the
    # machine's speed drifts over minutes (the plain way's p50 moved 486-643 ms between runs), and the
    # ratios below compare the server with both sides of it.
    before = measure_offline(texts, data_dir)
    print(f"  plain way and embedder {before['embedder_version']} alone, first round done", flush=True)

    server = Server(data_dir, env)
    rows: list[tuple[str, dict[str, float] | None, str]] = []
    try:
        startup = server.start()
        stop = threading.Event()
        sampler = threading.Thread(target=server.sample_rss, args=(stop,), daemon=True)
        sampler.start()
        rss_idle = server.rss()
        scoring = "first_score" in startup
        if scoring:
            client = Client(server.port)
            new_s, repeat_s, one_s = [], [], []
            for snapshot in new:
                elapsed, status, body = client.score(snapshot)
                assert status == 200, body[:300]
                new_s.append(elapsed)
            for snapshot in new:
                elapsed, status, body = client.score(snapshot)
                assert status == 200, body[:300]
                repeat_s.append(elapsed)
            for snapshot in new:
                elapsed, status, body = client.score(maker.with_new_comment(snapshot, maker.comment()))
                assert status == 200, body[:300]
                one_s.append(elapsed)
            print("  sequential scoring done; load test running", flush=True)
            concurrent = load_test(server.port, maker, args.clients, args.seconds)
            rows += [("POST /v1/score, new snapshot", stats(new_s), ""),
                     ("POST /v1/score, same snapshot again", stats(repeat_s), ""),
                     ("POST /v1/score, one new comment", stats(one_s), "")]
        stop.set()
        rss_loaded = server.rss()
    finally:
        server.stop()
    after = measure_offline(texts, data_dir)
    plain_s, alone_s = before["plain"] + after["plain"], before["embedder"] + after["embedder"]
    version = after["embedder_version"]
    plain = stats(plain_s)

    # -- the report -------------------------------------------------------------------------
    p50 = plain["p50"]
    load = os.getloadavg()
    print(f"\nload average at end {load[0]:.2f}; snapshot = 73 texts, median {int(np.median(tokens))} "
          f"word pieces; embedder: {version}")
    print(f"{'measure':<42} {'p50 ms':>9} {'p90 ms':>9} {'p50 / plain':>11}")

    def line(name: str, s: dict[str, float] | None, note: str = "") -> None:
        if s is None:
            print(f"{name:<42} {'-':>9} {'-':>9} {'-':>11}  {note}")
        else:
            print(f"{name:<42} {s['p50']:9.1f} {s['p90']:9.1f} {s['p50'] / p50:10.3f}x  {note}")

    around = "own process, half before the server's steps, half after"
    line("plain way: sentence-transformers fp32", plain, f"n={plain['n']}, {around}")
    line("embedder alone (no cache)", stats(alone_s), f"n={len(alone_s)}, {around}")
    line("physical floor", {"p50": floor_ms, "p90": floor_ms},
         f"{model}: {MFLOP_PER_TOKEN[model]} MFLOP/token at {gflops:.0f} GFLOP/s "
         "(numpy fp32 matmul; int8 kernels go under it)")
    for name, s, note in rows:
        line(name, s, note or f"n={s['n'] if s else 0}")
    if not scoring:
        print(f"POST /v1/score unavailable: {startup.get('first_score_error')} "
              f"{startup.get('error_body', '')}")
    else:
        alone_per_s = 1000 / float(np.mean(np.array(alone_s) * 1000))
        c = concurrent
        print(f"\n{args.clients} clients x {args.seconds:.0f} s, new snapshots: {c['done']} scored, "
              f"errors {c['errors'] or 0}, {c['per_s']:.2f} snapshots/s = "
              f"{c['per_s'] / alone_per_s:.0%} of the embedder alone "
              f"({alone_per_s:.2f}/s; plain way {1000 / float(np.mean(np.array(plain_s) * 1000)):.2f}/s); "
              f"latency p50 {c['p50']:.0f} ms, p90 {c['p90']:.0f} ms")
    print(f"server start -> /healthz: {startup['healthz']:.2f} s; -> first score: "
          f"{startup.get('first_score', float('nan')):.2f} s")
    print(f"server RSS (gunicorn worker): {rss_idle['worker']:.0f} MB after the first score, "
          f"{server.peak_rss:.0f} MB peak, {rss_loaded['worker']:.0f} MB at the end "
          f"(master + worker {rss_loaded['total']:.0f} MB)")

    # -- the budgets (issue 7 and DESIGN.md); a report, not a test: timings belong to this machine --
    alone_p50 = stats(alone_s)["p50"]
    checks = [("/healthz within 2 s of start", startup["healthz"] < 2.0, f"{startup['healthz']:.2f} s"),
              ("worker RSS under 700 MB", server.peak_rss < 700, f"{server.peak_rss:.0f} MB peak")]
    if scoring:
        new_p50, repeat_p50 = stats(new_s)["p50"], stats(repeat_s)["p50"]
        alone_per_s = 1000 / float(np.mean(np.array(alone_s) * 1000))
        checks = [
            ("new snapshot p50 <= 0.6x the plain way", new_p50 <= 0.6 * p50, f"{new_p50 / p50:.3f}x"),
            ("new snapshot p50 <= 1.15x the embedder alone", new_p50 <= 1.15 * alone_p50,
             f"{new_p50 / alone_p50:.2f}x"),
            ("same snapshot again p50 < 20 ms", repeat_p50 < 20, f"{repeat_p50:.1f} ms"),
            ("8 clients: no errors, >= 90% of the embedder alone",
             not concurrent["errors"] and concurrent["per_s"] >= 0.9 * alone_per_s,
             f"{concurrent['per_s'] / alone_per_s:.0%}, {concurrent['errors'] or 0} errors"),
            *checks]
    print("\nbudgets")
    for name, ok, value in checks:
        print(f"  {'met ' if ok else 'MISSED'}  {name:<52} {value}")


if __name__ == "__main__":
    main()
