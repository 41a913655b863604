"""Every error path answers with the one envelope and the right status; the server keeps serving."""

from __future__ import annotations

import json

import pytest

from tests import samples


def assert_envelope(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert {"code", "message", "details"} <= set(body["error"])
    assert "Traceback" not in response.get_data(as_text=True)
    if field is not None:
        fields = [f["field"] for f in body["error"]["details"]["fields"]]
        assert field in fields, fields
    return body["error"]


def test_missing_token(client):
    assert_envelope(client.post("/v1/score", json=samples.snapshot()), 401)


@pytest.mark.parametrize("header", ["Bearer wrong", "Basic dGVzdA==", "Bearer", "", "bearer  "])
def test_bad_token(client, header):
    assert_envelope(client.post("/v1/score", json=samples.snapshot(), headers={"Authorization": header}), 401)


@pytest.mark.parametrize("body", [b"{", b"not json", b"\xff\xfe", b"[1, 2]", b"\"text\"", b"null", b"   "])
def test_malformed_json(client, auth, body):
    response = client.post("/v1/score", data=body, headers={**auth, "Content-Type": "application/json"})
    assert_envelope(response, 400)


def test_body_over_limit(client, auth):
    big = json.dumps(samples.snapshot(bio="x" * (2 * 1024 * 1024)))
    response = client.post("/v1/score", data=big, headers={**auth, "Content-Type": "application/json"})
    assert_envelope(response, 413)


BAD_FIELDS = [
    ({"platform": "myspace"}, "platform"),
    ({"platform": None}, "platform"),
    ({"handle": ""}, "handle"),
    ({"handle": "   "}, "handle"),
    ({"handle": "has space"}, "handle"),
    ({"handle": 12}, "handle"),
    ({"followers": -5}, "followers"),
    ({"followers": 10**15}, "followers"),
    ({"followers": "many"}, "followers"),
    ({"followers": 1.5}, "followers"),
    ({"posts": "none"}, "posts"),
    ({"posts": [{"id": "p", "likes": -1}]}, "posts.0.likes"),
    ({"posts": [{"caption": "no id"}]}, "posts.0.id"),
    ({"posts": [{"id": "p", "caption": "x" * 5001}]}, "posts.0.caption"),
    ({"posts": [{"id": str(i)} for i in range(51)]}, "posts"),
    ({"comments": [{"text": "hi"}] * 501}, "comments"),
    ({"comments": [{"text": ""}]}, "comments.0.text"),
    ({"comments": [{"text": " \n\t "}]}, "comments.0.text"),
    ({"comments": [{"text": "x" * 2201}]}, "comments.0.text"),
    ({"comments": [{"text": "ok", "likes": -3}]}, "comments.0.likes"),
    ({"niches": [{"name": ""}]}, "niches.0.NicheBrief.name"),
    ({"niches": "running"}, "niches"),
    ({"captured_at": "yesterday"}, "captured_at"),
]


@pytest.mark.parametrize(("override", "field"), BAD_FIELDS, ids=[f for _, f in BAD_FIELDS])
def test_invalid_fields_name_the_field(client, auth, override, field):
    response = client.post("/v1/score", json=samples.snapshot(**override), headers=auth)
    assert_envelope(response, 422, field)


def test_ten_thousand_comments(client, auth):
    snapshot = samples.snapshot(comments=[{"text": "hi"}] * 10_000)
    response = client.post("/v1/score", json=snapshot, headers=auth)
    assert_envelope(response, 422, "comments")


@pytest.mark.parametrize("body", [{}, {"comments": []}, {"comments": [{"text": ""}]}, {"comments": "x"},
                                  {"comments": [{"author": "a"}]}])
def test_classify_bad_input(client, auth, body):
    assert_envelope(client.post("/v1/comments/classify", json=body, headers=auth), 422)


def test_unknown_route_and_method(client, auth):
    assert_envelope(client.get("/v1/nope", headers=auth), 404)
    assert_envelope(client.get("/v1/score", headers=auth), 405)


def test_score_while_models_load_is_503(client, auth):
    error = assert_envelope(client.post("/v1/score", json=samples.snapshot(), headers=auth), 503)
    assert error["code"] == "unavailable"


def test_server_keeps_serving_after_bad_input(client, auth):
    for body in (b"{", json.dumps(samples.snapshot(followers=-1)).encode()):
        client.post("/v1/score", data=body, headers={**auth, "Content-Type": "application/json"})
    assert client.get("/healthz").status_code == 200
