"""Bearer-token auth for /v1 (the dashboard uses the same tokens through a session).

With MICROSCOUT_API_TOKEN unset, the first start generates a token, writes it to
DATA_DIR/api_token with mode 0600 and prints it once. A configured token shorter than 16
characters is refused at start, and one that looks weak (under 24 characters, or few distinct
characters) is warned about. Team members get their own tokens from ``microscout tokens create``
(kept in the store); every write records which token made it.

Guessing is throttled: an address that sent ``SIGN_IN_LIMIT`` (20) unknown tokens (bearer or
sign-in form) within a minute gets 429 with Retry-After, whatever it sends, until the minute has
moved on. The count lives in the team's Redis when there is one, else in this process.
"""

from __future__ import annotations

import hmac
import logging
import math
import sys
import time
from pathlib import Path

from flask import Flask, g, request
from limits import RateLimitItemPerMinute, storage
from limits.strategies import MovingWindowRateLimiter

from server.errors import RateLimited, Unauthorized
from server.vocab import is_redis_url, read_or_create_secret

log = logging.getLogger(__name__)

TOKEN_FILE = "api_token"
ADMIN = "admin"  # identity of the configured or generated token
MIN_TOKEN = 16  # characters; a configured token shorter than this is refused at start
GOOD_TOKEN = 24  # characters; shorter (or few distinct characters) is warned about
FAILED_TOKENS_A_MINUTE = 20  # unknown tokens an address may send a minute before it is throttled


class WeakToken(ValueError):
    """MICROSCOUT_API_TOKEN is too short to keep anyone out."""


def check_token_strength(token: str) -> None:
    """Refuse a configured token under MIN_TOKEN characters; warn about a weak one."""
    if len(token) < MIN_TOKEN:
        raise WeakToken(f"MICROSCOUT_API_TOKEN has {len(token)} characters; use at least {MIN_TOKEN} "
                        "(better: leave it empty and let the server generate one)")
    if len(token) < GOOD_TOKEN or len(set(token)) < 10:
        log.warning("MICROSCOUT_API_TOKEN looks weak (%d characters, %d distinct): a random one of 32 or "
                    "more "
                    "is better, e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'",
                    len(token), len(set(token)))


class Throttle:
    """Failed tokens per client address, in a moving minute (limits, in memory or the team's Redis)."""

    def __init__(self, url: str, per_minute: int = FAILED_TOKENS_A_MINUTE):
        uri = url if is_redis_url(url) else "memory://"
        options = {"socket_timeout": 1, "socket_connect_timeout": 1} if is_redis_url(url) else {}
        self.limiter = MovingWindowRateLimiter(storage.storage_from_string(uri, **options))
        self.item = RateLimitItemPerMinute(per_minute)
        self.clock = time.time  # tests move it (with the memory storage's)

    def check(self, address: str) -> None:
        """429 when ``address`` has used up its failures for this minute."""
        try:
            if self.limiter.test(self.item, "auth-failures", address):
                return
            reset = self.limiter.get_window_stats(self.item, "auth-failures", address).reset_time
        except Exception as exc:  # Redis away: do not lock everyone out
            log.warning("sign-in throttle not checked: %s", exc)
            return
        seconds = max(1, math.floor(reset - self.clock()) + 1)
        raise RateLimited(f"Too many unknown tokens from this address; retry in {seconds} s.",
                          {"retry_after": seconds, "reason": "failed_tokens"},
                          headers={"Retry-After": str(seconds)})

    def failed(self, address: str) -> None:
        try:
            self.limiter.hit(self.item, "auth-failures", address)
        except Exception as exc:
            log.warning("sign-in throttle not counted: %s", exc)


def resolve_admin_token(config: dict) -> str:
    if config.get("API_TOKEN"):
        check_token_strength(str(config["API_TOKEN"]))
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


def identify_or_throttle(app: Flask, token: str) -> str | None:
    """``identify``, counting a miss against the client's address (429 once it has missed too often)."""
    throttle: Throttle = app.extensions["auth_throttle"]
    address = request.remote_addr or "-"
    throttle.check(address)
    name = identify(app, token)
    if name is None:
        throttle.failed(address)
    return name


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def init_app(app: Flask) -> None:
    app.config["ADMIN_TOKEN"] = resolve_admin_token(app.config)
    app.extensions["auth_throttle"] = Throttle(str(app.config.get("STORE_URL") or "").strip(),
                                               int(app.config.get("SIGN_IN_LIMIT") or FAILED_TOKENS_A_MINUTE))

    @app.before_request
    def _require_token():
        if not request.path.startswith("/v1"):
            return None
        token = bearer()
        if token is None:
            raise Unauthorized("Send 'Authorization: Bearer <token>'.",
                               headers={"WWW-Authenticate": "Bearer"})
        name = identify_or_throttle(app, token)
        if name is None:
            raise Unauthorized("Unknown token.", headers={"WWW-Authenticate": "Bearer"})
        g.identity = name
        return None
