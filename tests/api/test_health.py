from __future__ import annotations

from server import __version__


def test_healthz_answers_loading_without_auth(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "loading"
    assert body["version"] == __version__


def test_healthz_ok_once_models_loaded(scoring_client):
    body = scoring_client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["models"]["embedder"].startswith("multilingual-e5-small")  # the default
    assert "comments" in body["models"]


def test_openapi_documents_every_v1_route(app, client):
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented, (path, method)
    score = doc["paths"]["/v1/score"]["post"]
    assert {"401", "422", "429"} <= set(score["responses"])
    assert "401" not in doc["paths"]["/healthz"]["get"]["responses"]  # open, no token asked
    assert score["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ScoreRequest")
    assert "Snapshot" in str(doc["components"]["schemas"]["ScoreRequest"]) or "posts" in str(
        doc["components"]["schemas"]["ScoreRequest"])
