"""JSON blueprints under /v1. A view only translates HTTP to a domain call and back.

``@spec`` declares a view's request and response schemas: it validates the body (400 for bad
JSON, 422 naming the field) and records both for /openapi.json, so documentation and validation
come from the same models.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from pydantic import BaseModel
from werkzeug.exceptions import RequestEntityTooLarge

from server.errors import BadRequest, InvalidField, PayloadTooLarge


def parse_body(model: type[BaseModel]) -> Any:
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge("Body over the limit.") from exc
    if not raw.strip():
        raise BadRequest("The request needs a JSON body.", {"expected": model.__name__})
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise BadRequest("The body is not valid JSON.", {"expected": model.__name__})
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.", {"expected": model.__name__})
    return model.model_validate(data)


def query_number(name: str, kind: type[int] | type[float] = int) -> Any:
    """The query argument ``name`` as a number (None when absent); 422 naming it when it is not one."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        message = f"must be {'an integer' if kind is int else 'a number'}"
        raise InvalidField(f"{name}: {message}", {"fields": [{"field": name, "message": message}]})
    return value


def spec(*, summary: str, body: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
         status: int = 200, query: dict[str, str] | None = None) -> Callable:
    """Declare a view's schemas; with ``body`` the parsed model arrives as the ``payload`` argument."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if body is not None:
                kwargs["payload"] = parse_body(body)
            return view(*args, **kwargs)

        wrapper.openapi = {"summary": summary, "body": body, "response": response,  # type: ignore[attr-defined]
                           "status": status, "query": query or {}}
        return wrapper

    return decorate


def init_app(app: Flask) -> None:
    from server.api import brand, comments, discovered, health, labels, models, niches, score, watchlist

    app.register_blueprint(health.bp)
    app.register_blueprint(score.bp)
    app.register_blueprint(comments.bp)
    app.register_blueprint(niches.bp)
    app.register_blueprint(watchlist.bp)
    app.register_blueprint(labels.bp)
    app.register_blueprint(models.bp)
    app.register_blueprint(discovered.bp)
    app.register_blueprint(brand.bp)
