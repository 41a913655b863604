"""GET, PUT /v1/brand: the brand profile the score's brands section reads."""

from __future__ import annotations

import pytest

from tests.api.test_niches import envelope

PROFILE = {"names": ["Stride Co"], "handles": ["@stride.co"],
           "competitors": [{"name": "FastFeet", "handles": ["fastfeet", "@fastfeet.es"]}]}


def test_the_profile_is_empty_until_saved_then_replaced_whole(client, auth):
    assert client.get("/v1/brand", headers=auth).get_json() == {"names": [], "handles": [], "competitors": [],
                                                                "updated_at": None}
    saved = client.put("/v1/brand", json=PROFILE, headers=auth)
    assert saved.status_code == 200
    body = saved.get_json()
    assert body["handles"] == ["stride.co"]
    assert body["competitors"] == [{"name": "FastFeet", "handles": ["fastfeet", "fastfeet.es"]}]
    assert client.get("/v1/brand", headers=auth).get_json() == body
    cleared = client.put("/v1/brand", json={}, headers=auth).get_json()
    assert cleared["names"] == [] and cleared["competitors"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"names": "Stride Co"}, "names"),
    ({"names": ["  "]}, "names.0"),
    ({"competitors": [{"handles": ["x"]}]}, "competitors.0.name"),
    ({"competitors": [{"name": "A"}] * 51}, "competitors"),
])
def test_bad_profiles_are_422_naming_the_field(client, auth, body, field):
    client.put("/v1/brand", json=PROFILE, headers=auth)
    envelope(client.put("/v1/brand", json=body, headers=auth), 422, field)
    assert client.get("/v1/brand", headers=auth).get_json()["names"] == ["Stride Co"]


def test_the_profile_needs_a_token(client):
    assert client.get("/v1/brand").status_code == 401
    assert client.put("/v1/brand", json=PROFILE).status_code == 401


def test_openapi_documents_the_route(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/v1/brand"])
