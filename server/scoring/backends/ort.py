"""ONNX Runtime backends: the exported graph, tokenized with the model's own ``tokenizer.json``.

Nothing here imports torch: the graph does the pooling and normalisation, ``tokenizers`` does the
word pieces. The model file is built by ``onnx_export`` in a child process on first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring.backends import onnx_export

DIM = 384


def build_in_subprocess(data_dir: str | Path, model_version: str, variant: str) -> Path:
    """The path of the ONNX model, exported first by a child process if missing (torch stays there)."""
    target = onnx_export.artifact_dir(data_dir, model_version) / onnx_export.VARIANT_FILES[variant]
    if target.exists():
        return target
    root = str(Path(__file__).resolve().parents[3])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "server.scoring.backends.onnx_export", "--data-dir", str(data_dir),
         "--variant", variant], env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0 or not target.exists():
        raise RuntimeError(f"ONNX export failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return target


def max_seq_length(model_dir: str | Path) -> int:
    """The word-piece limit sentence-transformers applies (256 for all-MiniLM-L6-v2, not the 128
    that the packaged tokenizer.json carries)."""
    config = Path(model_dir) / "sentence_bert_config.json"
    return int(json.loads(config.read_text())["max_seq_length"])


class OnnxBackend:
    def __init__(self, name: str, model_file: str | Path, model_dir: str | Path, batch_size: int,
                 threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        # skops (the comment model's loader) lists sklearn's estimators by importing every sklearn
        # module, and sklearn's array-API shim for torch imports torch when it is installed: 300 MB
        # and 3 s for arrays we never pass. Mark the shim missing unless something already loaded it.
        sys.modules.setdefault("sklearn.externals.array_api_compat.torch", None)  # type: ignore[arg-type]
        self.name = name
        self.model_file = Path(model_file)
        self.batch_size = batch_size
        self.max_length = max_seq_length(model_dir)
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()  # padded per batch below, to the batch's longest text

        # Two sessions of one model. ORT's threads spin-wait between operators: a lone request runs
        # 25% faster for it, but under concurrent requests the spinning takes the cores the other
        # requests' Python needs (8 clients: 75% of the embedder's throughput with spinning, 91% without).
        self.session = self._session(ort, threads, spinning=True)
        self.shared_session = self._session(ort, threads, spinning=False)

    def _session(self, ort: Any, threads: int, spinning: bool) -> Any:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        return ort.InferenceSession(str(self.model_file), options, providers=["CPUExecutionProvider"])

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return [enc.ids for enc in self.tokenizer.encode_batch(list(texts), add_special_tokens=True)]

    def embed(self, texts: Sequence[str], contended: bool = False) -> np.ndarray:
        out = np.empty((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        session = self.shared_session if contended else self.session
        ids = self.tokenize(texts)
        order = np.argsort([len(row) for row in ids], kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            width = max(len(ids[i]) for i in rows)
            input_ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                input_ids[r, :len(ids[i])] = ids[i]
                mask[r, :len(ids[i])] = 1
            out[rows] = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        return out
