"""Fixtures, layered as in Flask's tutorial: app -> client, over a temporary data directory.

``app`` is the HTTP layer alone (models not loaded: /v1/score answers 503). ``scoring_app`` shares
one real embedder across the session, so the model loads once per test run.
"""

from __future__ import annotations

import pytest

from server import create_app

TOKEN = "test-token-0123456789"


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth():
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="session")
def embedder():
    from server.scoring.embedder import Embedder

    instance = Embedder()
    instance.wait()
    return instance


@pytest.fixture(scope="session")
def e5_embedder(embedder):
    """multilingual-e5-small (onnx-int8): the default ``embedder`` unless a setting chose another."""
    from server.scoring.embedder import Embedder

    if embedder.model.name == "e5" and embedder.backend == "onnx-int8":
        return embedder
    instance = Embedder(model="e5", backend="onnx-int8")
    instance.wait()
    return instance


@pytest.fixture(scope="session")
def minilm_embedder():
    """all-MiniLM-L6-v2 (onnx-int8), the English-only model a setting keeps, built once like ``embedder``."""
    from server.scoring.embedder import Embedder

    instance = Embedder(model="minilm", backend="onnx-int8")
    instance.wait()
    return instance


@pytest.fixture
def scoring_app(tmp_path, embedder):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    services = app.extensions["microscout"]
    services.embedder = embedder  # a Scout: the session shares one real embedder
    services.start()
    assert services.wait(120), services.health()
    return app


@pytest.fixture
def scoring_client(scoring_app):
    return scoring_app.test_client()
