"""Build the ONNX models the ONNX Runtime backends run, once, into the data directory.

Three files, each built from the one before:

- ``model.onnx``: ``torch.onnx.export`` of the packaged weights (eager attention), with mean pooling
  and L2 normalisation inside the graph; dynamic batch and sequence axes.
- ``model.fused.onnx``: onnxruntime's BERT fusions (EmbedLayerNormalization, Attention, BiasGelu,
  SkipLayerNormalization).
- ``model.fused.int8.onnx``: dynamic int8 quantization of the fused graph's matrix products (the
  attention and feed-forward weights), per output channel. The embedding tables stay float: quantized
  per tensor they cost quality (min cosine 0.937 instead of 0.952 on the real texts) for no speed.

They live in ``DATA_DIR/onnx/<model version>/<recipe>/``; the recipe names this file's format and the
onnxruntime version, because fused graphs use contrib ops of the runtime that fused them. Every file
is written to a temporary name and renamed, under a lock, so concurrent processes (gunicorn workers,
a second server) never read a half-written model and build it only once.

This module imports torch (the export needs it); the server runs it in a subprocess
(``python -m server.scoring.backends.onnx_export``) so torch never enters the serving process.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

RECIPE = 2  # bump when the export, fusion or quantization settings change
OPSET = 17
NUM_HEADS = 12
HIDDEN_SIZE = 384
EXPORT_FILE = "model.onnx"
FUSED_FILE = "model.fused.onnx"
INT8_FILE = "model.fused.int8.onnx"
VARIANT_FILES = {"fp32": FUSED_FILE, "int8": INT8_FILE}

__all__ = ["VARIANT_FILES", "artifact_dir", "build", "ensure", "main"]


def artifact_dir(data_dir: str | Path, model_version: str) -> Path:
    """Where this model version's ONNX files live for the installed onnxruntime."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model_version).strip("-")
    return Path(data_dir) / "onnx" / slug / f"recipe{RECIPE}-ort{metadata.version('onnxruntime')}"


def ensure(data_dir: str | Path, model_version: str, model_dir: str | Path, variant: str) -> Path:
    """The path of ``variant`` ("fp32" or "int8"), building whatever is missing first."""
    if variant not in VARIANT_FILES:
        raise ValueError(f"unknown ONNX variant {variant!r}; expected one of {sorted(VARIANT_FILES)}")
    out = artifact_dir(data_dir, model_version)
    target = out / VARIANT_FILES[variant]
    if target.exists():
        return target
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out / ".lock"):
        build(out, model_dir, variant)
    return target


def build(out: Path, model_dir: str | Path, variant: str) -> None:
    """Build the files ``variant`` needs that are not in ``out`` yet (the caller holds the lock)."""
    if not (out / EXPORT_FILE).exists():
        with _atomic(out / EXPORT_FILE) as tmp:
            export(model_dir, tmp)
    if not (out / FUSED_FILE).exists():
        with _atomic(out / FUSED_FILE) as tmp:
            fuse(out / EXPORT_FILE, tmp)
    if variant == "int8" and not (out / INT8_FILE).exists():
        with _atomic(out / INT8_FILE) as tmp:
            quantize(out / FUSED_FILE, tmp)


def export(model_dir: str | Path, path: Path) -> None:
    """``torch.onnx.export`` of the sentence encoder: token ids and mask in, unit vectors out."""
    import torch
    from transformers import AutoModel

    class SentenceEncoder(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    # Trace with padding in the example, so the mask path is part of the graph.
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter is the one onnxruntime's BERT fusions understand; it warns that
        # it is legacy, and the tracer warns about shape checks that are constant for BERT.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            SentenceEncoder(bert), (ids, mask), str(path), dynamo=False, opset_version=OPSET,
            input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                          "attention_mask": {0: "batch", 1: "sequence"},
                          "sentence_embedding": {0: "batch"}})


def fuse(source: Path, path: Path) -> None:
    """onnxruntime's transformer optimizer with the BERT fusions; refuses a graph it did not fuse."""
    from onnxruntime.transformers import optimizer

    model = optimizer.optimize_model(str(source), model_type="bert", num_heads=NUM_HEADS,
                                     hidden_size=HIDDEN_SIZE, opt_level=0)
    fused = model.get_fused_operator_statistics()
    if fused.get("Attention", 0) != 6 or fused.get("EmbedLayerNormalization", 0) != 1:
        raise RuntimeError(f"BERT fusion did not apply to the exported graph: {fused}")
    model.save_model_to_file(str(path), use_external_data_format=False)


def quantize(source: Path, path: Path) -> None:
    """Dynamic int8: weights per output channel, activations quantized on the fly (per batch)."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # the quantizer's "consider pre-processing" advice is for CNNs
    try:
        quantize_dynamic(str(source), str(path), per_channel=True, weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Attention"],
                         # the fused contrib ops defeat shape inference; their outputs are float
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        quiet.setLevel(level)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Build the ONNX models at install time or from the server's loader (in a subprocess)."""
    from server.scoring.weights import model_path, model_version

    parser = argparse.ArgumentParser(prog="python -m server.scoring.backends.onnx_export",
                                     description=main.__doc__)
    parser.add_argument("--data-dir", required=True, help="the server's MICROSCOUT_DATA_DIR")
    parser.add_argument("--variant", choices=sorted(VARIANT_FILES), default="int8")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    print(ensure(args.data_dir, model_version(), model_path(), args.variant))
    return 0


if __name__ == "__main__":
    sys.exit(main())
