"""JSON blueprints under /v1. A view only translates HTTP to a domain call and back.

``@spec`` declares a view's request and response schemas: it validates the body (400 for bad
JSON, 422 naming the field) and records both for /openapi.json, so documentation and validation
come from the same models.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from pydantic import BaseModel
from werkzeug.exceptions import RequestEntityTooLarge

from server.errors import BadRequest, InvalidField, PayloadTooLarge
from server.vocab import HANDLE_RULE, PLATFORMS, is_path_handle

MAX_DEPTH = 32  # nesting of objects and arrays in a body; real snapshots use about 6


def _refuse_constant(name: str) -> Any:
    raise InvalidField(f"(body): {name} is not a JSON number",
                       {"fields": [{"field": "(body)", "message": f"{name} is not a JSON number"}]})


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999: JSON has no infinity either
        _refuse_constant(text)
    return value


def depth_over(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests objects and arrays more than ``limit`` levels (stops looking past it)."""
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        level.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def read_body() -> bytes:
    """The body, whole, never more than MAX_BODY_BYTES: 413 for a chunked body as for a declared one.

    werkzeug cuts a body without Content-Length at the limit silently (and reads none when the
    server does not say the stream ends); so this reads the stream itself, one byte past the limit.
    """
    limit = int(current_app.config["MAX_BODY_BYTES"])
    cached = getattr(request, "_microscout_body", None)
    if cached is not None:
        return cached
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"Body over the limit of {limit} bytes.", {"limit": limit})
    stream = request.environ.get("wsgi.input")
    if request.content_length is None and stream is not None and (
            request.environ.get("wsgi.input_terminated") or request.headers.get("Transfer-Encoding")):
        chunks, size = [], 0
        while size <= limit:
            chunk = stream.read(min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = b"".join(chunks)
    else:
        try:
            raw = request.get_data(cache=True)
        except RequestEntityTooLarge as exc:
            raise PayloadTooLarge(f"Body over the limit of {limit} bytes.", {"limit": limit}) from exc
    if len(raw) > limit:
        raise PayloadTooLarge(f"Body over the limit of {limit} bytes.", {"limit": limit})
    request._microscout_body = raw  # type: ignore[attr-defined]
    return raw


def read_json(expected: str) -> Any:
    """The body as JSON: 400 when it is not JSON or nests deeper than MAX_DEPTH, 422 for NaN/Infinity."""
    raw = read_body()
    if not raw.strip():
        raise BadRequest("The request needs a JSON body.", {"expected": expected})
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError:
        data = _TOO_DEEP
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON.", {"expected": expected}) from None
    if data is _TOO_DEEP or depth_over(data):
        raise BadRequest(f"The body nests objects and arrays deeper than {MAX_DEPTH} levels.",
                         {"expected": expected, "max_depth": MAX_DEPTH})
    return data


_TOO_DEEP = object()


def parse_body(model: type[BaseModel]) -> Any:
    """The body as ``model``, validated strictly: a JSON value of the type the schema says, or 422.

    Strict as pydantic reads JSON: dates and times are ISO strings (not numbers), integers are not
    booleans or numeric strings, booleans are not 0/1 or "yes"; an integer is still a number, and a
    number without a fraction (``474292.0``, ``1e3``) an integer, as JSON Schema counts. pydantic reads
    the JSON that read_json checked (NaN, depth), integral numbers written as integers."""
    data = read_json(model.__name__)
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.", {"expected": model.__name__})
    return model.model_validate_json(json.dumps(_integral(data)), strict=True)


def _integral(value: Any) -> Any:
    """``value`` with every float that has no fraction made an int (read_json bounded the depth)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value


_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def param(description: str, **schema: Any) -> dict[str, Any]:
    """A query argument for ``@spec(query=...)``: its help and the JSON Schema ``check_query`` enforces."""
    return {"description": description, "schema": schema or {"type": "string"}}


def list_pattern(one: str) -> str:
    """The pattern of a comma-separated list of items matching ``one`` (empty parts and spaces ignored)."""
    return rf"^[\s,]*(?:{one}\s*(?:,[\s,]*{one}\s*)*)?[\s,]*$"


def choices_pattern(choices: Any) -> str:
    """The pattern of a comma-separated list of ``choices``."""
    return list_pattern("(?:" + "|".join(re.escape(c) for c in choices) + ")")


# ISO 639-1 codes or und, any case, comma-separated (server.scoring.languages.codes checks them)
LANGUAGE_PARAM = {"type": "string", "pattern": list_pattern("(?:[A-Za-z]{2}|[Uu][Nn][Dd])")}
BOOLEAN_PARAM = {"type": "boolean"}  # true or false, as JSON spells them (the only values accepted)


def _query_problem(raw: str, declared: dict[str, Any]) -> str | None:
    """Why ``raw`` breaks the declared schema (the subset of JSON Schema query arguments use), or None."""
    schema = declared["schema"]
    kind = schema.get("type", "string")
    if kind == "boolean":
        return None if raw in ("true", "false") else "must be true or false"
    if kind in ("integer", "number"):
        value: Any = None
        if (_INTEGER if kind == "integer" else _NUMBER).fullmatch(raw):
            value = int(raw) if kind == "integer" else float(raw)
        if value is None or math.isinf(value):
            return f"must be {'an integer' if kind == 'integer' else 'a number'}"
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            return f"must be from {'-inf' if low is None else low} to {'inf' if high is None else high}"
        return None
    if "enum" in schema and raw not in schema["enum"]:
        return f"must be one of {', '.join(schema['enum'])}"
    if "pattern" in schema and not re.search(schema["pattern"], raw):
        return f"expected {declared['description']}"
    return None


def check_query(declared: dict[str, dict[str, Any]]) -> None:
    """Each declared query argument sent (every time it is sent) matches its schema, or 422 naming it.

    An empty value is checked like any other: ``?sort=`` is not a sort key, ``?limit=`` not a number.
    Arguments not declared are ignored, as JSON bodies ignore unknown fields."""
    problems = [{"field": name, "message": problem} for name, meta in declared.items()
                for raw in request.args.getlist(name)
                if (problem := _query_problem(raw, meta)) is not None]
    if problems:
        raise InvalidField("; ".join(f"{p['field']}: {p['message']}" for p in problems), {"fields": problems})


def query_number(name: str, kind: type[int] | type[float] = int) -> Any:
    """The query argument ``name`` as a number, or None when absent (``check_query`` has checked it)."""
    raw = request.args.get(name)
    return None if raw is None else kind(raw)


def query_flag(name: str) -> bool:
    """A boolean query argument (``check_query`` has checked it): true only when sent as true."""
    return request.args.get(name) == "true"


def language_query() -> tuple[str, ...]:
    """The ``language`` filter's codes (``language=es,pt`` or repeated); the listing checks them (422)."""
    return tuple(dict.fromkeys(code.strip().lower() for raw in request.args.getlist("language")
                               for code in raw.split(",") if code.strip()))


def spec(*, summary: str, body: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
         status: int = 200, query: dict[str, Any] | None = None, created: bool = False,
         raw_body: str | None = None) -> Callable:
    """Declare a view's schemas; with ``body`` the parsed model arrives as the ``payload`` argument.

    ``created``: the view answers 201 (same body) when the request made something new.
    ``raw_body`` names the media type of a body the view reads itself (a CSV file)."""

    declared = {name: value if isinstance(value, dict) else param(value)
                for name, value in (query or {}).items()}

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check_query(declared)
            if body is not None:
                kwargs["payload"] = parse_body(body)
            return view(*args, **kwargs)

        wrapper.openapi = {"summary": summary, "body": body, "response": response,  # type: ignore[attr-defined]
                           "status": status, "query": declared, "created": created,
                           "raw_body": raw_body}
        return wrapper

    return decorate


def check_path() -> None:
    """{platform} and {handle} in any path (API or dashboard) follow the vocabulary's one rule: 422."""
    args = request.view_args or {}
    if "platform" in args and args["platform"] not in PLATFORMS:
        message = f"must be one of {', '.join(PLATFORMS)}"
        raise InvalidField(f"platform: {message}", {"fields": [{"field": "platform", "message": message}]})
    if "handle" in args and not is_path_handle(args["handle"]):
        raise InvalidField(f"handle: {HANDLE_RULE}", {"fields": [{"field": "handle",
                                                                  "message": HANDLE_RULE}]})


def init_app(app: Flask) -> None:
    app.before_request(check_path)  # after auth and the rate limit: no token, no answer about paths

    from server.api import (
        audit,
        brand,
        comments,
        discovered,
        health,
        labels,
        models,
        niches,
        results,
        score,
        watchlist,
    )

    app.register_blueprint(health.bp)
    app.register_blueprint(score.bp)
    app.register_blueprint(comments.bp)
    app.register_blueprint(niches.bp)
    app.register_blueprint(watchlist.bp)
    app.register_blueprint(labels.bp)
    app.register_blueprint(models.bp)
    app.register_blueprint(discovered.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(brand.bp)
