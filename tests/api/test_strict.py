"""Requests are read as /openapi.json types them, no looser: what lax coercion used to let through.

Bodies: a date is an ISO string (not 0), a count an integer (not false, "12" or 12.5), a flag a
boolean (not 1); an integer is still a number. Query arguments: each declared one is checked against
its schema, an empty value too (``?sort=`` is not a sort key).
"""

from __future__ import annotations

import pytest

from tests import samples
from tests.api.test_niches import envelope


@pytest.mark.parametrize(("field", "value"), [("captured_at", 0), ("captured_at", 1700000000),
                                              ("followers", False), ("followers", "12000"),
                                              ("followers", 12000.5), ("verified", 1), ("verified", "true"),
                                              ("bio", 12)])
def test_a_body_value_of_another_type_is_422(client, auth, field, value):
    snapshot = {**samples.snapshot(handle="strict"), field: value}
    response = client.put("/v1/watchlist/instagram/strict", json={"snapshot": snapshot}, headers=auth)
    envelope(response, 422)
    assert field in response.get_json()["error"]["message"]


def test_the_types_it_names_still_pass(client, auth):
    snapshot = {**samples.snapshot(handle="typed"), "captured_at": "2026-03-01T10:00:00Z", "followers": 12000,
                "verified": True}
    snapshot["posts"][0]["likes"] = 10  # a count as an integer
    response = client.put("/v1/watchlist/instagram/typed", json={"snapshot": snapshot}, headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["snapshot"]["followers"] == 12000


def test_a_number_without_a_fraction_is_an_integer(client, auth):
    """JSON Schema's integer: 474292.0 and 1e3 are integers (schemathesis sends them as valid)."""
    snapshot = {**samples.snapshot(handle="integral"), "following": 474292.0, "followers": 1e3}
    response = client.put("/v1/watchlist/instagram/integral", json={"snapshot": snapshot}, headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["snapshot"]["followers"] == 1000


def test_an_integer_is_a_number(client, auth):
    response = client.post("/v1/niches", json={"name": "Running", "description": "road and trail running",
                                               "weights": {"fit": 1, "authenticity": 0.5}}, headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["sort=", "order=", "tier=", "limit=", "offset=", "sort=Overall",
                                   "limit=1.0", "limit=true", "offset=-1", "tier=micro&tier=huge"])
def test_a_query_value_the_schema_does_not_allow_is_422(client, auth, query):
    name = query.split("=")[0]
    envelope(client.get(f"/v1/watchlist?{query}", headers=auth), 422, name)


@pytest.mark.parametrize(("path", "query"), [("/v1/discovered", "platform="), ("/v1/discovered", "seen_on="),
                                             ("/v1/discovered", "min_fit=nan"), ("/v1/results", "sort="),
                                             ("/v1/results", "sort=cost"), ("/v1/audit/latest", "kind=x"),
                                             ("/v1/niches/n1/suggestions", "limit=0")])
def test_every_route_checks_its_declared_arguments(client, auth, path, query):
    envelope(client.get(f"{path}?{query}", headers=auth), 422, query.split("=")[0])


@pytest.mark.parametrize("value", ["1", "yes", "TRUE", ""])
def test_a_flag_is_true_or_false(client, auth, value):
    envelope(client.post(f"/v1/results/import?skip_unmatched={value}", data=b"x", headers=auth), 422,
             "skip_unmatched")
    envelope(client.post(f"/v1/models/fit-running/train?force={value}", headers=auth), 422, "force")


def test_free_text_arguments_may_be_empty(client, auth):
    response = client.get("/v1/watchlist?q=&niche=&sort=handle&order=asc&limit=5", headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_openapi_states_the_checks(client):
    doc = client.get("/openapi.json").get_json()
    params = {p["name"]: p["schema"] for p in doc["paths"]["/v1/results"]["get"]["parameters"]}
    assert params["sort"]["enum"][0] == "return"
    params = {p["name"]: p["schema"] for p in doc["paths"]["/v1/results/import"]["post"]["parameters"]}
    assert params["skip_unmatched"] == {"type": "boolean"}
    params = {p["name"]: p["schema"] for p in doc["paths"]["/v1/audit/latest"]["get"]["parameters"]}
    assert "competitor" in params["kind"]["enum"]


@pytest.mark.parametrize("handle", ["\u00d7\u00f8\u009b", "..", "a\u200bb", "a/b"])
def test_a_body_handle_follows_the_one_handle_rule(client, auth, handle):
    """Found by schemathesis: the save's own ``handle`` was typed by the schema's pattern only."""
    envelope(client.put("/v1/watchlist/instagram/named", json={"handle": handle}, headers=auth), 422)
    created = client.post("/v1/watchlist", json={"platform": "instagram", "handle": handle}, headers=auth)
    envelope(created, 422)
    assert client.post("/v1/watchlist", json={"platform": "instagram", "handle": "@named"},
                       headers=auth).get_json()["handle"] == "named"
