"""The ONNX export: built once even by racing processes, fused, quantized per channel, and giving
the same vectors as sentence-transformers; the serving process never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from server.scoring.backends import onnx_export
from server.scoring.backends.ort import OnnxBackend, max_seq_length
from server.scoring.embedder import model_path, model_version

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
DATA = Path("/work/shared/data")


def run_export(data_dir: Path, variant: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "server.scoring.backends.onnx_export", "--data-dir",
                             str(data_dir), "--variant", variant], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Two processes export into one empty data dir at the same time, as two gunicorn workers would."""
    data_dir = tmp_path_factory.mktemp("data")
    racers = [run_export(data_dir, "int8"), run_export(data_dir, "int8")]
    outputs = [racer.communicate(timeout=900) for racer in racers]
    for racer, (_, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err[-2000:]
    assert len({out.strip() for out, _ in outputs}) == 1
    return data_dir


@pytest.fixture(scope="module")
def artifacts(built) -> Path:
    return onnx_export.artifact_dir(built, model_version())


@pytest.fixture(scope="module")
def reference():
    from server.scoring.backends.sbert import TorchBackend

    return TorchBackend(model_path(), 16)


def real_texts(n: int) -> list[str]:
    """Real comments and posts, with the longest ones in (past 128 and past 256 word pieces)."""
    import csv

    with open(DATA / "scamspot-instagram-comments/train.csv", newline="", encoding="utf-8") as handle:
        comments = [row["text"] for row in csv.DictReader(handle)]
    lines = (DATA / "tweet-topic-xl/train.jsonl").read_text().splitlines()
    posts = [json.loads(line)["text"] for line in lines if line.strip()]
    longest = sorted(comments, key=len)[-3:]
    return comments[: n // 2] + posts[: n // 2] + longest + [" ".join(posts[:40])]


def test_racing_exports_leave_four_whole_models_and_no_temporaries(artifacts):
    models = [onnx_export.EXPORT_FILE, onnx_export.FUSED_FILE, onnx_export.DYNAMIC_FILE,
              onnx_export.INT8_FILE]
    assert {p.name for p in artifacts.iterdir()} == {".lock", *models}
    for name in models:
        onnx.checker.check_model(str(artifacts / name))


def test_artifacts_are_keyed_by_model_version_and_runtime(tmp_path):
    path = onnx_export.artifact_dir(tmp_path, model_version())
    assert path.parent.name.startswith("all-MiniLM-L6-v2")
    assert f"recipe{onnx_export.RECIPE}" in path.name and "ort" in path.name


def test_graph_has_dynamic_axes_and_pooling_inside(artifacts):
    model = onnx.load(str(artifacts / onnx_export.EXPORT_FILE))
    inputs = {i.name: [d.dim_param for d in i.type.tensor_type.shape.dim] for i in model.graph.input}
    assert inputs == {"input_ids": ["batch", "sequence"], "attention_mask": ["batch", "sequence"]}
    (output,) = model.graph.output
    dims = output.type.tensor_type.shape.dim
    assert output.name == "sentence_embedding" and dims[0].dim_param == "batch"
    ops = {node.op_type for node in model.graph.node}
    assert {"ReduceSum", "Div"} <= ops  # mean pooling and the normalisation are in the graph


def op_counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in onnx.load(str(path)).graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return counts


def test_fused_graph_has_the_bert_fusions(artifacts):
    counts = op_counts(artifacts / onnx_export.FUSED_FILE)
    assert counts.get("EmbedLayerNormalization") == 1
    assert counts.get("Attention") == 6
    assert counts.get("BiasGelu") == 6
    # the residual adds and layer norms stay apart: onnxruntime's SkipLayerNormalization is slower
    assert "SkipLayerNormalization" not in counts and counts.get("LayerNormalization") == 12


@pytest.mark.parametrize("variant", ["fp32", "int8"])
def test_sessions_do_not_fuse_the_layer_norms_back(artifacts, tmp_path, variant):
    """onnxruntime fuses Add + LayerNormalization into SkipLayerNormalization when it loads a graph;
    its CPU kernel took 4x the time of the two it replaces. The backend's sessions load without
    that fusion (SESSION_UNFUSED), and without SESSION_UNFUSED the fusion would happen."""
    import onnxruntime as ort

    def optimized(disabled: list[str]) -> dict[str, int]:
        options = ort.SessionOptions()
        options.optimized_model_filepath = str(tmp_path / f"{variant}-{len(disabled)}.onnx")
        ort.InferenceSession(str(artifacts / onnx_export.VARIANT_FILES[variant]), options,
                             providers=["CPUExecutionProvider"], disabled_optimizers=disabled)
        return op_counts(Path(options.optimized_model_filepath))

    assert "SkipLayerNormalization" not in optimized(onnx_export.SESSION_UNFUSED)
    assert optimized([]).get("SkipLayerNormalization") == 12


def test_int8_weights_are_quantized_per_channel(artifacts):
    model = onnx.load(str(artifacts / onnx_export.INT8_FILE))
    counts = op_counts(artifacts / onnx_export.INT8_FILE)
    assert counts.get("QAttention") == 6                       # the fused attention, quantized
    assert counts.get("MatMulIntegerToFloat") == 6 * 3         # attention output, FFN in and out
    assert "QEmbedLayerNormalization" not in counts            # embedding tables stay float
    scales = [init for init in model.graph.initializer if init.name.endswith("_scale") and init.dims]
    assert len(scales) == 6 * 4  # per layer: qkv, attention output, FFN in, FFN out
    assert all(np.prod(s.dims) in (384, 1152, 1536) for s in scales)  # one scale per output channel


def test_int8_activations_have_the_calibrated_fixed_ranges(artifacts):
    """The served graph quantizes every activation with its range from int8_ranges.json: no range is
    read off a call any more; the dynamic graph it is made from reads every one of them."""
    ranges = onnx_export.load_ranges("minilm")
    dynamic = op_counts(artifacts / onnx_export.DYNAMIC_FILE)
    served = op_counts(artifacts / onnx_export.INT8_FILE)
    assert dynamic.get("DynamicQuantizeLinear") == len(ranges) == 6 * 4
    assert "DynamicQuantizeLinear" not in served and served.get("QuantizeLinear") == len(ranges)
    model = onnx.load(str(artifacts / onnx_export.INT8_FILE))
    constants = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    for node in (n for n in model.graph.node if n.op_type == "QuantizeLinear"):
        low, high = ranges[node.input[0]]
        scale, zero = float(constants[node.input[1]]), int(constants[node.input[2]])
        assert scale == pytest.approx((max(high, 0) - min(low, 0)) / 255, rel=1e-6)
        assert -zero * scale == pytest.approx(min(low, 0), abs=scale)  # the range's low end is 0..255's 0


def test_ranges_that_do_not_fit_the_graph_are_refused(artifacts, tmp_path):
    ranges = dict(onnx_export.load_ranges("minilm"))
    ranges.pop(next(iter(ranges)))
    with pytest.raises(RuntimeError, match="do not fit"):
        onnx_export.fix_ranges(artifacts / onnx_export.DYNAMIC_FILE, tmp_path / "x.onnx", ranges)
    assert not (tmp_path / "x.onnx").exists()


def test_tokenization_is_sentence_transformers(artifacts, reference):
    backend = OnnxBackend("onnx", artifacts / onnx_export.FUSED_FILE, model_path(), 16)
    assert backend.max_length == reference.model.max_seq_length == max_seq_length(model_path()) == 256
    texts = real_texts(40)
    ours = backend.tokenize(texts)
    theirs = reference.model.tokenize(texts)["input_ids"].tolist()
    for mine, padded in zip(ours, theirs, strict=True):
        assert mine == [t for t in padded if t != 0]
    assert max(len(ids) for ids in ours) == 256  # the long texts are cut at 256, not 128


@pytest.mark.parametrize(("variant", "mean_floor", "min_floor"), [
    ("fp32", 0.99999, 0.9999),
    ("int8", 0.98, 0.90),
])
def test_vectors_match_sentence_transformers(artifacts, reference, variant, mean_floor, min_floor):
    backend = OnnxBackend(variant, artifacts / onnx_export.VARIANT_FILES[variant], model_path(), 16)
    texts = real_texts(300)
    ours, theirs = backend.embed(texts), reference.embed(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    cos = (ours * theirs).sum(axis=1)
    assert cos.mean() > mean_floor and cos.min() > min_floor, (cos.mean(), cos.min())
    # Batches spread over lanes (sessions side by side) give what one session gives alone.
    alone = OnnxBackend(variant, artifacts / onnx_export.VARIANT_FILES[variant], model_path(), 16, lanes=1)
    assert len(backend.lanes) == min(os.cpu_count() or 1, 4) and len(alone.lanes) == 1
    assert np.array_equal(backend.embed(texts[:40]), alone.embed(texts[:40]))


TORCH_MODULES = ("sorted(m for m in sys.modules "
                 "if m.split('.')[0] in ('torch', 'transformers', 'sentence_transformers'))")


def run_python(script: str) -> dict:
    """Run ``script`` in a fresh interpreter; its last line of output is JSON."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_serving_process_never_imports_torch(built, backend):
    result = run_python(f"""
        import sys, json
        from server.scoring.embedder import Embedder
        e = Embedder(16, 8, backend={backend!r}, data_dir={str(built)!r}, store_url='')
        v = e.encode(['does this load torch?', 'no it should not'])
        print(json.dumps({{'torch': {TORCH_MODULES}, 'shape': list(v.shape)}}))
    """)
    assert result == {"torch": [], "shape": [2, 384]}


def test_whole_server_scores_without_torch(built):
    """The app with every model loaded (the comment model too: skops) and a score, torch-free."""
    result = run_python(f"""
        import sys, json
        from server import create_app
        from tests import samples
        token = 'x' * 20
        app = create_app({{'DATA_DIR': {str(built)!r}, 'EMBED_BACKEND': 'onnx-int8', 'API_TOKEN': token}})
        services = app.extensions['microscout']
        assert services.wait(300), services.health()
        body = {{**samples.snapshot(), 'niches': [samples.RUNNING_NICHE]}}
        r = app.test_client().post('/v1/score', json=body, headers={{'Authorization': 'Bearer ' + token}})
        print(json.dumps({{'status': r.status_code, 'torch': {TORCH_MODULES}}}))
    """)
    assert result == {"status": 200, "torch": []}


def test_int8_vector_is_a_function_of_the_text_alone(built, artifacts):
    """The served int8 graph's activation ranges are fixed, so served through ``load`` (batches of
    INT8_BATCH) a text gets the same vector, to float rounding, whatever shares its batch and however
    long their padding. The dynamic graph, whose ranges are read off each call, batched the same way
    moves vectors by orders of magnitude more: what made int8 run one text a call before recipe 4."""
    from server.scoring import backends

    backend = backends.load("onnx-int8", model_path(), 16, built, model_version())
    assert backend.batch_size == backends.INT8_BATCH > 1
    texts = real_texts(40)
    others = texts[30:] + ["a much longer comment " * 20]

    def moved(served: OnnxBackend) -> float:
        """How far ``texts[:10]`` move, embedded one a call against batched among ``others``."""
        alone = np.vstack([served.embed([text]) for text in texts[:10]])
        served.batch_size = backends.INT8_BATCH
        mixed = served.embed(others + texts[:10][::-1])[len(others):][::-1]
        return float(np.abs(alone - mixed).max())

    dynamic = OnnxBackend("onnx-int8", artifacts / onnx_export.DYNAMIC_FILE, model_path(), 1, lanes=1)
    assert moved(backend) < 1e-6
    assert moved(dynamic) > 1e-3
