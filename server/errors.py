"""One error hierarchy, one JSON envelope: ``{"error": {"code", "message", "details"}}``.

The web layer raises these :class:`ApiError` classes. The domain below it (the Scout, the store, the
registry, the jobs, the trainers) raises its own errors; :data:`DOMAIN_ERRORS` is the one table that
turns each into an ApiError, and :func:`init_app` applies it, with werkzeug's HTTP errors and
pydantic's validation errors, in one place: the API answers the envelope, the dashboard's pages an
HTML error page. A client never sees a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, jsonify, render_template, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Base class: an error a client can act on."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details if details is not None else {}
        self.headers = headers or {}


class BadRequest(ApiError):
    """The body is not JSON, or not a JSON object."""

    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    """No token, or a token the server does not know."""

    status, code = 401, "unauthorized"


class NotFound(ApiError):
    """The thing named in the path does not exist."""

    status, code = 404, "not_found"


class Conflict(ApiError):
    """The request clashes with the current state (a duplicate id, a job already running)."""

    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    """The body is over MICROSCOUT_MAX_BODY_BYTES."""

    status, code = 413, "payload_too_large"


class InvalidField(ApiError):
    """A field failed validation; ``details["fields"]`` names each one."""

    status, code = 422, "invalid"


class RateLimited(ApiError):
    """Too many requests from this token."""

    status, code = 429, "rate_limited"


class Unavailable(ApiError):
    """The server cannot answer yet (models loading) or a backend is away."""

    status, code = 503, "unavailable"


def envelope(code: str, message: str, details: Any = None, status: int = 400, headers: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def from_validation(exc: ValidationError) -> InvalidField:
    """Translate pydantic's errors into a 422 naming every failing field by its dotted path."""
    fields = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        fields.append({"field": ".".join(str(p) for p in err["loc"]) or "(body)", "message": err["msg"],
                       "type": err["type"]})
    first = fields[0] if fields else {"field": "(body)", "message": "invalid"}
    return InvalidField(f"{first['field']}: {first['message']}", {"fields": fields})


def _retry(message: str) -> Unavailable:
    return Unavailable(message, {"retry_after": 2}, headers={"Retry-After": "2"})


def _invalid(field: str, message: str, **details: Any) -> InvalidField:
    return InvalidField(f"{field}: {message}", {"fields": [{"field": field, "message": message}], **details})


def _domain_errors() -> list[tuple[type[Exception], Callable[[Any], ApiError]]]:
    """Domain error -> API error, most specific first (the first isinstance match wins)."""
    from server import core, storage
    from server.jobs import Busy
    from server.registry import RegistryError, UnknownModel, UnknownVersion, UnusableModel
    from server.results import ImportRefused
    from training.fit import LabelError

    return [
        (core.NotReady, lambda e: _retry(str(e))),
        # a reference to a niche that is not stored: not found (the schema cannot know which ids exist)
        (core.UnknownNiche, lambda e: NotFound(f"{e.field}: unknown niche id",
                                               {"fields": [{"field": e.field,
                                                            "message": "unknown niche id"}]})),
        (storage.StoreUnavailable, lambda e: _retry("The store is unavailable; retry shortly.")),
        (storage.NotFound, lambda e: NotFound(e.message, {"fields": [{"field": e.field,
                                                                      "message": e.message}]}
                                              if e.field else {})),
        (storage.Conflict, lambda e: Conflict(e.message, {"field": e.field} if e.field else {})),
        (storage.InvalidValue, lambda e: _invalid(e.field or "(body)", e.message)),
        (storage.StoreError, lambda e: ApiError(e.message)),
        (UnknownModel, lambda e: NotFound(str(e))),
        (UnknownVersion, lambda e: NotFound(str(e))),
        (UnusableModel, lambda e: Conflict(str(e))),
        (RegistryError, lambda e: Conflict(str(e))),
        (Busy, lambda e: Conflict(str(e), {"job": e.job_id})),
        # too few labels to train on: the niche's state, not the request, is what is missing
        (LabelError, lambda e: Conflict(f"labels: {e}", {"fields": [{"field": "labels",
                                                                     "message": str(e)}]})),
        (ImportRefused, _refused),
    ]


def _refused(exc: Any) -> ApiError:
    """An import refused whole: every bad row named, nothing imported."""
    details = {"imported": 0, "errors": [p.to_json() for p in exc.problems]}
    if exc.status == 413:
        return PayloadTooLarge(str(exc), details)
    return InvalidField(str(exc), {**details, "fields": [{"field": "file", "message": str(exc)}]})


def translate(exc: Exception) -> ApiError | None:
    """The ApiError for a domain error (None for anything else: a bug, answered 500 and logged)."""
    if isinstance(exc, ApiError):
        return exc
    for kind, make in _domain_errors():
        if isinstance(exc, kind):
            err = make(exc)
            if err.status >= 500:
                log.warning("%s: %s", type(exc).__name__, exc)
            return err
    return None


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 422: "invalid", 429: "rate_limited", 503: "unavailable"}


def _answer(err: ApiError) -> Any:
    """The envelope for the API; the error page for a person on a dashboard page."""
    if request.blueprint == "dashboard" and not request.path.endswith(".json"):
        title = HTTP_STATUS_CODES.get(err.status, "Error")
        page = render_template("error.html", status=err.status, title=title, message=err.message)
        return page, err.status, err.headers
    return envelope(err.code, err.message, err.details, err.status, err.headers)


def init_app(app: Flask) -> None:
    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        return _answer(from_validation(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.response is not None:  # a ready answer (the rate limit's envelope, abort(response))
            return exc.response
        status = exc.code or 500
        if status == 413:
            limit = app.config["MAX_BODY_BYTES"]
            return _answer(PayloadTooLarge(f"Body over the limit of {limit} bytes.", {"limit": limit}))
        # keep werkzeug's own headers: Allow on a 405 (RFC 9110), WWW-Authenticate on a 401
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        err = ApiError(exc.description or exc.name, headers=headers)
        err.status, err.code = status, _HTTP_CODES.get(status, "http_error")
        if status == 405:
            err.details = {"allow": getattr(exc, "valid_methods", None) or []}
        return _answer(err)

    @app.errorhandler(Exception)
    def _any(exc: Exception):
        err = translate(exc)
        if err is None:
            log.exception("unhandled error")
            err = ApiError("Something went wrong on the server; it has been logged.")
            err.status, err.code = 500, "internal"
        return _answer(err)
