"""What each embedding backend does to quality, measured on the real data and the real models.

1. Cosine to the torch fp32 (sentence-transformers) vector of the same text, over every real comment
   and post in ../shared/data, embedded the way the server embeds (batches of 16, sorted by length).
2. Batch dependence: dynamic int8 scales activations per batch, so a text's vector depends a little
   on its batch-mates. Cosine between each text embedded in length-sorted batches and in shuffled ones.
3. The comment model's metrics (training/comments: YouTube paper protocol, ScamSpot grouped CV):
   "retrained" = heads trained and tested on this backend's vectors (what `microscout train comments`
   gives under that backend); "torch head" = heads trained on torch vectors, tested on this backend's
   (a model trained under torch, served under this backend).
4. Zero-shot niche fit AUC from the niche study (training/fit_eval.py), per backend.

    .venv/bin/python bench/quality_bench.py [--quick] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from backend_bench import quality_texts  # noqa: E402

BACKENDS = ("torch", "onnx", "onnx-int8")


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


def describe(cos: np.ndarray) -> str:
    return f"mean {cos.mean():.5f}  p1 {np.percentile(cos, 1):.5f}  min {cos.min():.5f}"


def comment_metrics(corpora: dict, args, torch_name: str = "torch") -> dict[str, dict[str, dict]]:
    """Per backend: YouTube-protocol and ScamSpot-CV metrics, retrained and with the torch head."""
    from sklearn.model_selection import StratifiedGroupKFold

    from training.comments import binary_metrics, evaluate, fit_corpus, predict
    from training.datasets import normalise_text, youtube_protocol_split

    ref = corpora[torch_name]
    rows = ref.rows
    train_idx, test_idx = youtube_protocol_split(rows)
    others = [i for i, r in enumerate(rows) if r.source != "youtube"]
    yt_train = sorted(train_idx + others)
    ss = np.array([i for i, r in enumerate(rows) if r.source == "scamspot"])
    rest = [i for i, r in enumerate(rows) if r.source != "scamspot"]
    folds = list(StratifiedGroupKFold(args.cv_folds, shuffle=True, random_state=args.seed).split(
        ss, ref.labels[ss], [normalise_text(rows[i].text) for i in ss]))

    torch_yt = fit_corpus(ref.subset(yt_train), args)
    torch_ss = [fit_corpus(ref.subset(sorted(rest + ss[a].tolist())), args) for a, _ in folds]
    out: dict[str, dict[str, dict]] = {}
    for name, corpus in corpora.items():
        started = time.perf_counter()
        retrained = evaluate(corpus, args)
        yt_p = predict(torch_yt, corpus.subset(test_idx))
        ss_p = np.zeros(len(ss))
        for estimators, (_, b) in zip(torch_ss, folds, strict=True):
            ss_p[b] = predict(estimators, corpus.subset(ss[b]))
        out[name] = {
            "youtube retrained": retrained["youtube"]["overall"],
            "youtube torch head": binary_metrics(corpus.labels[test_idx], yt_p, args.threshold),
            "scamspot retrained": {k: retrained["scamspot"][k] for k in ("mcc", "f1", "accuracy", "roc_auc")},
            "scamspot torch head": binary_metrics(corpus.labels[ss], ss_p, args.threshold),
        }
        print(f"  comment metrics for {name}: {time.perf_counter() - started:.0f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 niche seeds instead of --niche-seeds")
    parser.add_argument("--data-dir", default=os.environ.get("MICROSCOUT_DATA_DIR", str(ROOT / "var")))
    parser.add_argument("--niche-seeds", type=int, default=5)
    args = parser.parse_args()
    from server.scoring.embedder import Embedder

    embedders = {}
    for name in BACKENDS:
        embedders[name] = Embedder(cache_mb=256, backend=name, data_dir=args.data_dir, store_url="")
        embedders[name].wait()

    texts = quality_texts(Path("/work/shared/data"))
    vectors = {name: e.encode_uncached(texts) for name, e in embedders.items()}
    print(f"1. cosine to torch fp32 over {len(texts)} real texts (server batching: 16, sorted by length)")
    for name in BACKENDS:
        print(f"   {name:<10} {describe(cosine_rows(vectors[name], vectors['torch']))}", flush=True)

    order = np.random.default_rng(0).permutation(len(texts))[:1000]  # shuffled batches pad a lot: a sample
    print(f"2. batch dependence: {len(order)} of the texts in length-sorted vs shuffled batches of 16")
    for name, e in embedders.items():
        shuffled = np.zeros_like(vectors[name])
        for start in range(0, len(order), 16):  # one model call per batch: no re-sorting across them
            rows = order[start:start + 16]
            shuffled[rows] = e.encode_uncached([texts[i] for i in rows])
        print(f"   {name:<10} {describe(cosine_rows(shuffled[order], vectors[name][order]))}", flush=True)

    from training.comments import Corpus, TrainingArguments, load_corpus

    targs = TrainingArguments()
    base = load_corpus(embedders["torch"])
    corpora = {"torch": base}
    for name in BACKENDS[1:]:
        corpora[name] = Corpus(base.rows, embedders[name].encode([r.text for r in base.rows]))
    print(f"3. comment model ({len(base.rows)} labelled comments)", flush=True)
    metrics = comment_metrics(corpora, targs)
    print(f"   {'backend':<10} {'evaluation':<22} {'MCC':>6} {'F1':>6} {'acc':>6} {'AUC':>6}")
    for name in BACKENDS:
        for label, m in metrics[name].items():
            print(f"   {name:<10} {label:<22} {m['mcc']:6.3f} {m['f1']:6.3f} {m['accuracy']:6.3f} "
                  f"{m.get('roc_auc', float('nan')):6.3f}")

    from training import fit_eval

    seeds = range(2 if args.quick else args.niche_seeds)
    niches = fit_eval.REPORT_NICHES
    print(f"4. zero-shot niche fit AUC (training/fit_eval.py, {len(niches)} niches x {len(seeds)} seeds)",
          flush=True)
    for name, e in embedders.items():
        rows = fit_eval.run(e, seeds=seeds, label_counts=(12,), cv_repeats=1)
        aucs = np.array([r["zero_shot_auc"] for r in rows])
        per_niche = {n: np.mean([r["zero_shot_auc"] for r in rows if r["niche"] == n]) for n in niches}
        print(f"   {name:<10} mean AUC {aucs.mean():.4f}  "
              + "  ".join(f"{n[:12]} {v:.3f}" for n, v in per_niche.items()))


if __name__ == "__main__":
    main()
