"""Bearer-token auth for /v1 (the dashboard uses the same tokens through a session).

With MICROSCOUT_API_TOKEN unset, the first start generates a token, writes it to
DATA_DIR/api_token with mode 0600 and prints it once. Team members get their own tokens from
``microscout tokens create`` (kept in the store); every write records which token made it.
"""

from __future__ import annotations

import hmac
import sys
from pathlib import Path

from flask import Flask, g, request

from server.errors import Unauthorized
from server.vocab import read_or_create_secret

TOKEN_FILE = "api_token"
ADMIN = "admin"  # identity of the configured or generated token


def resolve_admin_token(config: dict) -> str:
    if config.get("API_TOKEN"):
        return str(config["API_TOKEN"])
    path = Path(config["DATA_DIR"]) / TOKEN_FILE
    token, created = read_or_create_secret(path)
    if created:
        print(f"microscout: created API token (saved in {path}, mode 0600):\n  {token}",
              file=sys.stderr, flush=True)
    return token


def identify(app: Flask, token: str) -> str | None:
    """The name behind ``token``, or None: the admin token, else a team token from the store."""
    if hmac.compare_digest(token.encode(), app.config["ADMIN_TOKEN"].encode()):
        return ADMIN
    lookup = getattr(app.extensions.get("microscout"), "token_name", None)
    return lookup(token) if lookup else None


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def init_app(app: Flask) -> None:
    app.config["ADMIN_TOKEN"] = resolve_admin_token(app.config)

    @app.before_request
    def _require_token():
        if not request.path.startswith("/v1"):
            return None
        token = bearer()
        if token is None:
            raise Unauthorized("Send 'Authorization: Bearer <token>'.",
                               headers={"WWW-Authenticate": "Bearer"})
        name = identify(app, token)
        if name is None:
            raise Unauthorized("Unknown token.", headers={"WWW-Authenticate": "Bearer"})
        g.identity = name
        return None
