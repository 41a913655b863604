"""Read the int8 graphs' activation ranges off real texts: ``server/scoring/data/int8_ranges.json``.

The served int8 graph quantizes each activation with a fixed range (``onnx_export.fix_ranges``), so a
text's vector does not depend on what it is batched with. The ranges come from here: every text of
the calibration set runs alone through the dynamic int8 graph (which quantizes each activation with
the call's own minimum and maximum), and a tensor's fixed range is the widest range any text gave it.

Calibration set (training parts only): the comments of both comment datasets (YouTube's published
training rows, ScamSpot's), and the posts of niche_eval's development part (tweets in English,
Spanish, Greek and Japanese; SIB-200 in 13 languages). Quality is then measured on texts the ranges
never saw, niche_eval's evaluation part: each int8 vector's cosine to the fp32 graph's, for the
dynamic graph run one text a call (what served before) and the fixed graph batched as served.

    python -m training.int8_ranges [--models e5 minilm] [--data-dir DIR] [--check N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring import backends
from server.scoring.backends import onnx_export
from server.scoring.weights import E5_PREFIXES, MODELS
from training import niche_eval
from training.datasets import load_scamspot, load_youtube

MAX_TOKENS = 128  # the server's EMBED_MAX_TOKENS


def texts(check: int, seed: int = 7) -> tuple[dict[str, list[str]], list[str]]:
    """The texts the ranges are read off, by source, and ``check`` posts of niche_eval's evaluation
    part, spread over its datasets, to measure quality on (never calibrated on)."""
    datasets = niche_eval.load_datasets()
    posts = [p.text for ds in datasets for p in ds.posts if niche_eval.in_development(p.group)]
    sources = {"youtube comments": [r.text for r in load_youtube()],
               "scamspot comments": [r.text for r in load_scamspot()],
               "niche_eval development posts": posts}
    rng = np.random.default_rng(seed)
    per = max(1, check // len(datasets))
    held = []
    for ds in datasets:
        part = [p.text for p in ds.posts if not niche_eval.in_development(p.group)]
        held += [part[i] for i in rng.choice(len(part), min(per, len(part)), replace=False)]
    return sources, held


def backend(model: str, path: Path, batch: int) -> Any:
    """An ONNX backend over ``path`` (tokenizer and inputs as served), one lane."""
    from server.scoring.backends.ort import E5OnnxBackend, OnnxBackend

    spec = MODELS[model]
    if model == "e5":
        return E5OnnxBackend("onnx-int8", path, spec.path(), batch, lanes=1, max_tokens=MAX_TOKENS)
    return OnnxBackend("onnx-int8", path, spec.path(), batch, lanes=1, max_tokens=MAX_TOKENS)


def read_ranges(dynamic: Path, served: Any, texts: Sequence[str]) -> dict[str, list[float]]:
    """Tensor -> [lowest, highest] value the dynamic graph quantized, over ``texts`` run one a call."""
    import onnx
    import onnxruntime as ort

    graph = onnx.load(str(dynamic))
    quantized = [n for n in graph.graph.node if n.op_type == "DynamicQuantizeLinear"]
    outputs = []
    for node in quantized:
        scale, zero = node.output[1:]
        graph.graph.output.extend([onnx.helper.make_tensor_value_info(scale, onnx.TensorProto.FLOAT, []),
                                   onnx.helper.make_tensor_value_info(zero, onnx.TensorProto.UINT8, [])])
        outputs += [scale, zero]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(graph.SerializeToString(), options, providers=["CPUExecutionProvider"],
                                   disabled_optimizers=onnx_export.SESSION_UNFUSED)
    low, high = np.zeros(len(quantized)), np.zeros(len(quantized))
    for ids in served.tokenize(texts):
        row = np.array([ids], dtype=np.int64)
        found = session.run(outputs, served._feeds(row, np.ones_like(row)))
        scale = np.array(found[0::2], dtype=np.float64)
        zero = np.array(found[1::2], dtype=np.float64)
        low, high = np.minimum(low, -zero * scale), np.maximum(high, (255 - zero) * scale)
    return {node.input[0]: [round(float(lo), 5), round(float(hi), 5)]
            for node, lo, hi in zip(quantized, low, high, strict=True)}


def cosines(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    c = (a * b).sum(axis=1)
    return {"mean": round(float(c.mean()), 5), "p1": round(float(np.percentile(c, 1)), 5),
            "min": round(float(c.min()), 5)}


def calibrate(model: str, data_dir: Path, sources: dict[str, list[str]], check: list[str]) -> dict[str, Any]:
    spec = MODELS[model]
    version = spec.version()
    dynamic = onnx_export.ensure(data_dir, version, spec.path(), "int8-dynamic", model)
    fp32 = onnx_export.ensure(data_dir, version, spec.path(), "fp32", model)
    prefix = E5_PREFIXES["query"] if model == "e5" else ""  # the server embeds every text as a query
    texts = [prefix + t for part in sources.values() for t in part]
    per_call = backend(model, dynamic, 1)
    started = time.perf_counter()
    ranges = read_ranges(dynamic, per_call, texts)
    seconds = time.perf_counter() - started
    fixed = dynamic.with_name("calibrated.int8.onnx")
    onnx_export.fix_ranges(dynamic, fixed, ranges)
    held = [prefix + t for t in check]
    reference = backend(model, fp32, 8).embed(held)
    served = backend(model, fixed, backends.INT8_BATCH).embed(held)
    alone = backend(model, fixed, 1).embed(held)
    return {"version": version, "recipe": onnx_export.RECIPE,
            "calibration": {"texts": len(texts), "by_source": {k: len(v) for k, v in sources.items()},
                            "seconds": round(seconds, 1)},
            "measured": {"texts": len(held), "on": "niche_eval's evaluation part (never calibrated on)",
                         "cosine to fp32, range per call, one text a call":
                             cosines(per_call.embed(held), reference),
                         f"cosine to fp32, fixed ranges, batches of {backends.INT8_BATCH}":
                             cosines(served, reference),
                         "fixed ranges, batched against alone, largest difference":
                             float(np.abs(served - alone).max())},
            "ranges": ranges}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.int8_ranges",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", choices=onnx_export.MODELS, default=list(onnx_export.MODELS))
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/microscout-int8-ranges"))
    parser.add_argument("--check", type=int, default=1700, help="held-out texts to measure quality on")
    parser.add_argument("--output", type=Path, default=onnx_export.RANGES_FILE)
    args = parser.parse_args(argv)
    out = json.loads(args.output.read_text()) if args.output.exists() else {}
    out["about"] = __doc__.split("\n\n")[1].replace("\n", " ")
    models = out.setdefault("models", {})
    sources, check = texts(args.check)
    for model in args.models:
        models[model] = calibrate(model, args.data_dir, sources, check)
        print(model, json.dumps(models[model]["measured"], indent=2))
    args.output.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
