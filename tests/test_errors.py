"""The one table from domain errors to API errors (server/errors.py), and where each is answered:
the API with the JSON envelope, the dashboard's pages with the HTML error page."""

from __future__ import annotations

import pytest

from server import core, errors, storage
from server.jobs import Busy
from server.registry import RegistryError, UnknownModel, UnknownVersion, UnusableModel
from server.results import ImportRefused, RowProblem
from training.fit import LabelError

TABLE = [
    (core.NotReady("Models are loading; retry shortly."), 503, "unavailable", {"retry_after": 2}),
    (core.UnknownNiche("niches.1: no stored niche with id 'x'", "niches.1"), 404, "not_found",
     {"fields": [{"field": "niches.1", "message": "unknown niche id"}]}),
    (storage.StoreUnavailable("redis is away"), 503, "unavailable", {"retry_after": 2}),
    (storage.NotFound("no niche 'x'"), 404, "not_found", {}),
    (storage.Conflict("taken", "id"), 409, "conflict", {"field": "id"}),
    (storage.InvalidValue("bad status", "status"), 422, "invalid",
     {"fields": [{"field": "status", "message": "bad status"}]}),
    (storage.StoreError("odd"), 400, "bad_request", {}),
    (UnknownModel("no model named 'x'"), 404, "not_found", {}),
    (UnknownVersion("no version"), 404, "not_found", {}),
    (UnusableModel("does not load"), 409, "conflict", {}),
    (RegistryError("already has a version"), 409, "conflict", {}),
    (Busy("comments", "abc"), 409, "conflict", {"job": "abc"}),
    (LabelError("one class"), 409, "conflict", {"fields": [{"field": "labels", "message": "one class"}]}),
    (ImportRefused([RowProblem(3, "revenue is negative (-5)")]), 422, "invalid",
     {"imported": 0, "errors": [{"row": 3, "message": "row 3: revenue is negative (-5)"}],
      "fields": [{"field": "file", "message": "row 3: revenue is negative (-5)"}]}),
    (ImportRefused([RowProblem(None, "the file is 52.4 MB")], status=413), 413, "payload_too_large",
     {"imported": 0, "errors": [{"row": None, "message": "the file is 52.4 MB"}]}),
]


@pytest.mark.parametrize(("exc", "status", "code", "details"), TABLE,
                         ids=[type(t[0]).__name__ for t in TABLE])
def test_each_domain_error_has_its_api_error(exc, status, code, details):
    err = errors.translate(exc)
    assert (err.status, err.code, err.details) == (status, code, details)
    if status == 503:
        assert err.headers == {"Retry-After": "2"}


def test_a_bug_is_no_domain_error():
    assert errors.translate(KeyError("x")) is None
    assert errors.translate(ValueError("x")) is None


class AwayStore:
    """A store whose backend is away: every call raises StoreUnavailable."""

    kind = "away"

    def __getattr__(self, name):
        def away(*args, **kwargs):
            raise storage.StoreUnavailable("connection refused")
        return away


@pytest.fixture
def away(app):
    app.extensions["microscout"].store = AwayStore()
    return app


def test_the_api_answers_a_store_outage_with_the_envelope(away, client, auth):
    response = client.get("/v1/niches", headers=auth)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert response.get_json()["error"]["code"] == "unavailable"
