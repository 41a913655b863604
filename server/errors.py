"""One error hierarchy, one JSON envelope: ``{"error": {"code", "message", "details"}}``.

Domain code raises these; :func:`init_app` turns them, werkzeug's HTTP errors and pydantic's
validation errors into the envelope, so a client never sees a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

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


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 422: "invalid", 429: "rate_limited", 503: "unavailable"}


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return envelope(exc.code, exc.message, exc.details, exc.status, exc.headers)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        err = from_validation(exc)
        return envelope(err.code, err.message, err.details, err.status)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        if status == 413:
            limit = app.config["MAX_BODY_BYTES"]
            return envelope("payload_too_large", f"Body over the limit of {limit} bytes.", {"limit": limit},
                            413)
        return envelope(_HTTP_CODES.get(status, "http_error"), exc.description or exc.name, {}, status)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return envelope("internal", "Something went wrong on the server; it has been logged.", {}, 500)
