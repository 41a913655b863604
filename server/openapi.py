"""/openapi.json: built from the same pydantic models that ``@spec`` validates with."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server import __version__
from server.schemas import ErrorEnvelope
from server.vocab import HANDLE_PATTERN, HANDLE_RULE, PLATFORMS

_ERRORS = {"400": "Malformed JSON", "401": "No or bad token", "404": "Not found", "409": "Conflict",
           "413": "Body over 1 MiB", "422": "A field failed validation",
           "503": "Models loading or backend away"}
# only /v1 is rate limited (server/ratelimit.py); /healthz and /openapi.json never are
_RATE_LIMITED = {"description": "Rate limited: this token sent over MICROSCOUT_RATE_LIMIT requests a minute",
                 "headers": {"Retry-After": {"description": "Seconds to wait before the next request",
                                             "schema": {"type": "integer", "minimum": 1}}}}


# the rules check_path() (server/api) enforces on every {platform} and {handle}
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "platform": {"type": "string", "enum": list(PLATFORMS)},
    "handle": {"type": "string", "pattern": HANDLE_PATTERN, "description": HANDLE_RULE},
}


def build(app: Flask) -> dict[str, Any]:
    views = []
    models: set[type[BaseModel]] = {ErrorEnvelope}
    for rule in app.url_map.iter_rules():
        meta = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if meta is None:
            continue
        views.append((rule, meta))
        models.update(m for m in (meta["body"], meta["response"]) if m is not None)
    _, schema = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                   ref_template="#/components/schemas/{model}")
    components = schema.get("$defs", {})

    paths: dict[str, Any] = {}
    for rule, meta in sorted(views, key=lambda v: v[0].rule):
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        params = [{"name": name, "in": "path", "required": True,
                   "schema": PATH_SCHEMAS.get(name, {"type": "string"})} for name in sorted(rule.arguments)]
        params += [{"name": name, "in": "query", "required": False, **value}
                   for name, value in meta["query"].items()]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {"summary": meta["summary"],
                                  "operationId": f"{rule.endpoint}.{method.lower()}", "responses": {}}
            if params:
                op["parameters"] = params
            if meta["body"] is not None and method in {"POST", "PUT", "PATCH"}:
                op["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{meta['body'].__name__}"}}}}
            elif meta.get("raw_body") and method in {"POST", "PUT", "PATCH"}:
                op["requestBody"] = {"required": True,
                                     "content": {meta["raw_body"]: {"schema": {"type": "string"}}}}
            ok: dict[str, Any] = {"description": "OK"}
            if meta["response"] is not None:
                ok["content"] = {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{meta['response'].__name__}"}}}
            op["responses"][str(meta["status"])] = ok
            if meta.get("created") and method in {"POST", "PUT"}:
                op["responses"]["201"] = {**ok, "description": "Created"}
            api = rule.rule.startswith("/v1")  # the token-protected part; /healthz and this document are open
            for code, text in _ERRORS.items():
                if code == "401" and not api:
                    continue
                op["responses"][code] = {"description": text, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
            if api:
                op["security"] = [{"bearer": []}]
                op["responses"]["429"] = {**_RATE_LIMITED, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "microscout", "version": __version__,
                 "description": "Score micro influencers: niche fit, comment authenticity, engagement, "
                                "disclosure."},
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
