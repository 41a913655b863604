"""/v1/niches over HTTP: CRUD with slug ids, validation, the envelope on every error."""

from __future__ import annotations

import pytest

from tests.samples import RUNNING_NICHE


def envelope(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert {"code", "message", "details"} <= set(error)
    if field is not None:
        assert field in [f["field"] for f in error["details"]["fields"]], error
    return error


def test_niche_life_cycle(client, auth):
    created = client.post("/v1/niches", json=RUNNING_NICHE, headers=auth)
    assert created.status_code == 201
    niche = created.get_json()
    assert niche["id"] == "running" and niche["keywords"] == RUNNING_NICHE["keywords"]
    assert client.get("/v1/niches/running", headers=auth).get_json() == niche
    assert client.get("/v1/niches", headers=auth).get_json() == {"niches": [niche]}

    patched = client.patch("/v1/niches/running", json={"hashtags": ["#marathon"], "weights": {"fit": 0.5}},
                           headers=auth).get_json()
    assert patched["hashtags"] == ["#marathon"] and patched["weights"] == {"fit": 0.5}
    assert patched["description"] == RUNNING_NICHE["description"]

    replaced = client.put("/v1/niches/running", json={"name": "Trail running"}, headers=auth).get_json()
    assert (replaced["id"], replaced["name"], replaced["keywords"], replaced.get("weights")) == (
        "running", "Trail running", [], None)
    assert replaced["created_at"] == niche["created_at"]

    assert client.delete("/v1/niches/running", headers=auth).status_code == 204
    envelope(client.get("/v1/niches/running", headers=auth), 404)
    assert client.get("/v1/niches", headers=auth).get_json() == {"niches": []}


def test_explicit_id_and_duplicate_slug(client, auth):
    first = client.post("/v1/niches", json={"name": "Vegan Baking"}, headers=auth)
    assert first.get_json()["id"] == "vegan-baking"
    error = envelope(client.post("/v1/niches", json={"name": "vegan baking!"}, headers=auth), 409)
    assert "vegan-baking" in error["message"]
    other = client.post("/v1/niches", json={"name": "vegan baking!", "id": "vegan-baking-2"}, headers=auth)
    assert other.status_code == 201 and other.get_json()["id"] == "vegan-baking-2"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": 5}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "x", "id": "Has Spaces"}, "id"),
    ({"name": "x", "id": "UPPER"}, "id"),
    ({"name": "x", "keywords": "running"}, "keywords"),
    ({"name": "x", "keywords": [""]}, "keywords.0"),
    ({"name": "x", "keywords": ["k"] * 101}, "keywords"),
    ({"name": "x", "weights": {"fit": -1}}, "weights.fit"),
    ({"name": "x", "description": "d" * 4001}, "description"),
])
def test_bad_niches_are_422_naming_the_field(client, auth, body, field):
    envelope(client.post("/v1/niches", json=body, headers=auth), 422, field)
    assert client.get("/v1/niches", headers=auth).get_json() == {"niches": []}


@pytest.mark.parametrize(("method", "body"), [("get", None), ("put", {"name": "x"}), ("patch", {"name": "x"}),
                                               ("delete", None)])
def test_unknown_niche_is_404(client, auth, method, body):
    envelope(getattr(client, method)("/v1/niches/nope", json=body, headers=auth), 404)


def test_patch_refuses_null_for_required_fields(client, auth):
    client.post("/v1/niches", json=RUNNING_NICHE, headers=auth)
    envelope(client.patch("/v1/niches/running", json={"name": None}, headers=auth), 422, "name")
    weighted = client.patch("/v1/niches/running", json={"weights": {"fit": 1}}, headers=auth).get_json()
    assert weighted["weights"] == {"fit": 1.0}
    cleared = client.patch("/v1/niches/running", json={"weights": None}, headers=auth).get_json()
    assert "weights" not in cleared


@pytest.mark.parametrize("body", [b"{", b"[1]", b""])
def test_malformed_bodies(client, auth, body):
    envelope(client.post("/v1/niches", data=body, headers={**auth, "Content-Type": "application/json"}), 400)


def test_niche_routes_need_a_token(client):
    for response in (client.get("/v1/niches"), client.post("/v1/niches", json=RUNNING_NICHE)):
        envelope(response, 401)


def test_niche_routes_are_in_openapi(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert set(paths["/v1/niches"]) == {"get", "post"}
    assert set(paths["/v1/niches/{id}"]) == {"get", "put", "patch", "delete"}
    create = paths["/v1/niches"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/NicheCreate")
    assert "201" in create["responses"] and "409" in create["responses"]
