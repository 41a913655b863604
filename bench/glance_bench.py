"""`make bench`, the glance part: POST /v1/glance as the chips on a scroll page call it, against the
budget of DESIGN.md (30 creators of 2 texts each: p50 at most 0.5 s; the same glance again under
20 ms), next to the embedder alone on the same texts, measured in the same run: glance by glance,
the embedder alone (its own process, no cache) embeds the glance's texts right before or after the
server answers it, so a machine that gets busier weighs on both alike.

A glance here is what a hashtag page sends: 30 creators never seen before, each with the opening of
2 real posts (bench/snapshots.py: real TweetTopic posts of one topic, cut at the 400 characters a
glance takes), a follower count and where they were seen; the server has 3 stored niches, whose
briefs one earlier glance has embedded (a marketer's server has long done that). The server is
`microscout serve` as in production (bench/score_bench.py's Server); every glance is also
remembered in its inbox, so the write is part of each figure.

    .venv/bin/python bench/glance_bench.py [--quick] [--glances N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_bench import ROOT, Client, Server, stats, word_pieces  # noqa: E402
from snapshots import SnapshotMaker  # noqa: E402

CREATORS, TEXTS, TEXT_CHARS = 30, 2, 400
BUDGET_NEW_MS, BUDGET_REPEAT_MS = 500.0, 20.0
NICHES = [
    {"name": "Running", "description": "Road and trail running, marathon training, races and running gear.",
     "keywords": ["marathon", "running", "race", "training plan", "trail run"]},
    {"name": "Home cooking", "description": "Quick recipes, baking, meal prep and kitchen tips.",
     "keywords": ["recipe", "dinner", "baking", "meal prep", "sourdough"]},
    {"name": "Tech reviews", "description": "Phones, laptops and gadgets reviewed and compared.",
     "keywords": ["phone", "laptop", "review", "gadget", "unboxing"]},
]


def page_glance(maker: SnapshotMaker, n: int) -> dict[str, Any]:
    """A hashtag page's glance: 30 new creators, 2 new post openings each."""
    creators = []
    for i in range(CREATORS):
        topic = maker.rng.choice(maker.topics)
        creators.append({"platform": "instagram", "handle": f"glance_{n}_{i}",
                         "texts": [maker.caption(topic)[:TEXT_CHARS] for _ in range(TEXTS)],
                         "followers": maker.rng.randint(2_000, 400_000),
                         "seen_on": {"kind": "hashtag", "term": topic.split("_")[0]}})
    return {"creators": creators}


class EmbedderAlone:
    """The server's embedder (default backend, no cache) in a process of its own, timing on demand."""

    def __init__(self, data_dir: Path):
        self.process = subprocess.Popen([sys.executable, __file__, "--child", str(data_dir)], text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        self.version = json.loads(self.process.stdout.readline())["version"]

    def time(self, texts: list[str]) -> float:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(texts) + "\n")
        self.process.stdin.flush()
        return float(json.loads(self.process.stdout.readline())["seconds"])

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def child(data_dir: str) -> None:
    """Child process: embed each line's texts with encode_uncached, answer the seconds it took."""
    from server.scoring.embedder import Embedder

    embedder = Embedder(store_url="", data_dir=data_dir)
    embedder.wait()
    embedder.encode_uncached(["warm up"])
    print(json.dumps({"version": embedder.version}), flush=True)
    for line in sys.stdin:
        texts = json.loads(line)
        t0 = time.perf_counter()
        embedder.encode_uncached(texts)
        print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)


def timed(client: Client, body: dict[str, Any]) -> float:
    t0 = time.perf_counter()
    status, answer = client.request("POST", "/v1/glance", body)
    elapsed = time.perf_counter() - t0
    assert status == 200, answer[:300]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short run: 6 glances")
    parser.add_argument("--glances", type=int, default=20, help="new glances timed (each then repeated)")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench"),
                        help="where the ONNX models are built once (the server's inbox is a fresh store)")
    parser.add_argument("--child", metavar="DATA_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.quick:
        args.glances = 6
    load = os.getloadavg()
    print(f"microscout glance bench: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f} at start", flush=True)
    maker = SnapshotMaker(seed=int(time.time()))  # new texts each run: nothing is cached from before
    warm_up = page_glance(maker, 0)
    glances = [page_glance(maker, n + 1) for n in range(args.glances)]
    texts = [[t for c in g["creators"] for t in c["texts"]] for g in glances]
    pieces = sorted(word_pieces(t) for t in texts)[len(texts) // 2]

    with tempfile.TemporaryDirectory(prefix="microscout-glance-") as store_dir:
        server = Server(Path(args.data_dir), {"MICROSCOUT_STORE_URL": f"sqlite:///{store_dir}/inbox.db"})
        embedder = EmbedderAlone(Path(args.data_dir))
        try:
            startup = server.start()
            if "first_score" not in startup:
                sys.exit(f"the server did not come up: {startup}")
            client = Client(server.port)
            for niche in NICHES:
                status, answer = client.request("POST", "/v1/niches", niche)
                assert status == 201, answer[:300]
            timed(client, warm_up)  # embeds the niches' briefs once, as on any server in use
            alone_s, new = [], []
            for i, (glance, own) in enumerate(zip(glances, texts, strict=True)):
                if i % 2:  # alternate who goes first
                    new.append(timed(client, glance))
                    alone_s.append(embedder.time(own))
                else:
                    alone_s.append(embedder.time(own))
                    new.append(timed(client, glance))
            repeat = [timed(client, g) for g in glances]
            status, answer = client.request("GET", "/v1/discovered?limit=0")
            remembered = json.loads(answer)["total"] if status == 200 else f"error {status}"
        finally:
            server.stop()
            embedder.stop()

    alone, new_s, repeat_s = stats(alone_s), stats(new), stats(repeat)
    load = os.getloadavg()
    print(f"\nload average at end {load[0]:.2f}; a glance = {CREATORS} creators x {TEXTS} texts "
          f"({CREATORS * TEXTS} texts, median {pieces} word pieces), {len(NICHES)} stored niches; "
          f"the inbox holds {remembered} creators after the run")
    print(f"embedder: {embedder.version}")
    print(f"{'measure':<44} {'p50 ms':>9} {'p90 ms':>9} {'p50 / embedder':>15}")
    for name, s in (("embedder alone (no cache), same texts", alone),
                    ("POST /v1/glance, 30 new creators", new_s),
                    ("POST /v1/glance, the same glance again", repeat_s)):
        print(f"{name:<44} {s['p50']:9.1f} {s['p90']:9.1f} {s['p50'] / alone['p50']:14.2f}x  n={s['n']}")
    checks = [
        (f"glance of {CREATORS} creators x {TEXTS} texts p50 <= 0.5 s", new_s["p50"] <= BUDGET_NEW_MS,
         f"{new_s['p50']:.0f} ms ({new_s['p50'] / alone['p50']:.2f}x the embedder alone: "
         f"{alone['p50']:.0f} ms)"),
        ("the same glance again p50 < 20 ms", repeat_s["p50"] < BUDGET_REPEAT_MS,
         f"{repeat_s['p50']:.1f} ms"),
    ]
    print("\nbudgets")
    for name, ok, value in checks:
        print(f"  {'met ' if ok else 'MISSED'}  {name:<52} {value}")


if __name__ == "__main__":
    main()
