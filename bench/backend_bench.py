"""Compare the embedding backends on this machine: speed, memory, quality.

Each backend runs in its own fresh process (so RSS and imports are its own): load time, RSS with
the model loaded, whether torch got imported, the time to embed realistic snapshots (73 texts, batch
16, no cache), and vectors for every real comment and post in ../shared/data. Quality is the cosine of
each vector to the torch fp32 (sentence-transformers) vector of the same text: mean, 1st percentile, min.

    .venv/bin/python bench/backend_bench.py [--quick] [--snapshots N] [--repeat R]
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from snapshots import SnapshotMaker, _rows  # noqa: E402

BACKENDS = ("torch", "onnx", "onnx-int8")


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def quality_texts(data: Path) -> list[str]:
    """Every real comment and post we have: the texts the server will see in the wild."""
    texts = [r["content"] for r in _rows(data / "youtube-spam-collection/train.csv")]
    texts += [r["text"] for r in _rows(data / "scamspot-instagram-comments/train.csv")]
    lines = (data / "tweet-topic-xl/train.jsonl").read_text().splitlines()
    texts += [json.loads(line)["text"] for line in lines if line.strip()]
    return list(dict.fromkeys(t for t in texts if t.strip()))


def child(backend: str, data_dir: str, snapshots: int, repeat: int, out: str) -> None:
    from server.scoring.embedder import Embedder

    started = time.perf_counter()
    embedder = Embedder(cache_mb=64, backend=backend, data_dir=data_dir, store_url="")  # batch: the setting
    embedder.wait()
    load_s = time.perf_counter() - started
    maker = SnapshotMaker()
    sets = [maker.texts() for _ in range(snapshots)]
    times = []
    for _ in range(repeat):
        for texts in sets:
            t0 = time.perf_counter()
            embedder.encode_uncached(texts)
            times.append(time.perf_counter() - t0)
    corpus = quality_texts(Path("/work/shared/data"))
    t0 = time.perf_counter()
    vectors = embedder.encode_uncached(corpus)
    corpus_s = time.perf_counter() - t0
    np.save(out, vectors)
    print(json.dumps({"backend": backend, "load_s": load_s, "rss_mb": rss_mb(),
                      "torch_imported": "torch" in sys.modules, "snapshot_s": times,
                      "corpus_texts": len(corpus), "corpus_s": corpus_s}))


def sweep(data_dir: str, sizes: list[int], snapshots: int, repeat: int) -> None:
    """ONNX backends at several batch sizes, interleaved so a busy machine hurts each alike."""
    from server.scoring.backends import onnx_export
    from server.scoring.backends.ort import OnnxBackend, build_in_subprocess
    from server.scoring.embedder import model_path, model_version

    maker = SnapshotMaker()
    sets = [maker.texts() for _ in range(snapshots)]
    runs = {}
    for variant in onnx_export.VARIANT_FILES:
        path = build_in_subprocess(data_dir, model_version(), variant)
        for size in sizes:
            runs[f"onnx {variant} batch {size}"] = OnnxBackend(variant, path, model_path(), size)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for backend in runs.values():
        backend.embed(sets[0])
    for _ in range(repeat):
        for texts in sets:
            for name, backend in runs.items():
                t0 = time.perf_counter()
                backend.embed(texts)
                times[name].append(time.perf_counter() - t0)
    print(f"load average {os.getloadavg()[0]:.2f}; {snapshots * repeat} snapshots of 73 texts each")
    for name, values in times.items():
        p50, p90 = np.median(values) * 1000, np.percentile(values, 90) * 1000
        print(f"{name:<24} p50 {p50:8.1f} ms  p90 {p90:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer snapshots")
    parser.add_argument("--snapshots", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", default=os.environ.get("MICROSCOUT_DATA_DIR", str(ROOT / "var")),
                        help="where the ONNX models are built (the server's DATA_DIR)")
    parser.add_argument("--sweep", default="", help="comma-separated batch sizes: time the ONNX backends "
                        "at each (in this process) instead of the comparison")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.snapshots, args.repeat = 5, 2
    if args.sweep:
        sweep(args.data_dir, [int(x) for x in args.sweep.split(",")], args.snapshots, args.repeat)
        return
    if args.child:
        child(args.child[0], args.data_dir, args.snapshots, args.repeat, args.child[1])
        return

    results, vectors = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in BACKENDS:
            out = str(Path(tmp) / f"{backend}.npy")
            cmd = [sys.executable, __file__, "--data-dir", args.data_dir, "--snapshots", str(args.snapshots),
                   "--repeat", str(args.repeat), "--child", backend, out]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode:
                sys.exit(f"{backend} failed:\n{done.stderr[-3000:]}")
            results[backend] = json.loads(done.stdout.strip().splitlines()[-1])
            vectors[backend] = np.load(out)

    ref = results["torch"]
    ref_p50 = float(np.median(ref["snapshot_s"]))
    print(f"load average {os.getloadavg()[0]:.2f}; {len(ref['snapshot_s'])} snapshot encodes of 73 texts per "
          f"backend; quality over {ref['corpus_texts']} real texts")
    print(f"{'backend':<10} {'p50 ms':>8} {'p90 ms':>8} {'speed-up':>8} {'RSS MB':>7} {'load s':>7} "
          f"{'torch?':>6} {'cos mean':>9} {'cos p1':>8} {'cos min':>8}")
    for backend in BACKENDS:
        r = results[backend]
        p50, p90 = np.median(r["snapshot_s"]) * 1000, np.percentile(r["snapshot_s"], 90) * 1000
        cos = (vectors[backend] * vectors["torch"]).sum(axis=1)
        print(f"{backend:<10} {p50:8.1f} {p90:8.1f} {ref_p50 * 1000 / p50:7.2f}x {r['rss_mb']:7.0f} "
              f"{r['load_s']:7.1f} {'yes' if r['torch_imported'] else 'no':>6} {cos.mean():9.5f} "
              f"{np.percentile(cos, 1):8.5f} {cos.min():8.5f}")


if __name__ == "__main__":
    main()
