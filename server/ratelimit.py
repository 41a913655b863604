"""How much a token may ask of the server: requests a minute, and embedding work a minute.

Both are Flask-Limiter (and its ``limits`` library) with a moving window of one minute per identity
(the name behind a token, never the token): in this process's memory, or in the team's Redis when
``STORE_URL`` names one, so every worker and server of a team shares the count.

- ``RATE_LIMIT`` requests a minute on /v1. A burst of that many passes at once; the next request is
  answered 429 with ``Retry-After`` (seconds until the oldest request of the minute leaves the window).
- ``WORK_LIMIT`` word pieces a minute for the routes that embed (score, glance, classify). The
  work is estimated from the texts *before* any is embedded (texts already in the embedding cache
  cost nothing), so a costly request is refused before it costs: 413 when one request alone asks
  for more than a minute's budget (it could never pass), 429 with ``Retry-After`` when this minute's
  budget is spent. The message says which.

When Redis cannot be reached the request goes through: the limiter protects the server, it must
not become the reason it fails (the store answers 503 on its own when Redis is away).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RequestLimit
from limits import RateLimitItemPerMinute

from server.errors import PayloadTooLarge, RateLimited, envelope
from server.vocab import is_redis_url

__all__ = ["MAX_PIECES_PER_TEXT", "RateLimits", "charge_work", "estimate_pieces", "init_app"]

log = logging.getLogger(__name__)

MAX_PIECES_PER_TEXT = 512  # the embedder reads at most this many word pieces of a text
# A word piece, roughly as WordPiece and SentencePiece cut text: a CJK character, up to 6 letters of a
# word, up to 3 digits, or a punctuation mark. An estimate, within about 20% of the real tokenizers.
_PIECE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W\d_]{1,6}|\d{1,3}|[^\w\s]")


def estimate_pieces(text: str) -> int:
    """The word pieces embedding ``text`` costs (with the two special tokens, capped per text)."""
    return min(MAX_PIECES_PER_TEXT, 2 + sum(1 for _ in _PIECE.finditer(text[:8 * MAX_PIECES_PER_TEXT])))


class RateLimits:
    """The app's two limits; ``app.extensions["ratelimit"]`` (None when both are 0)."""

    def __init__(self, app: Flask, limit: int, work_limit: int, storage_uri: str,
                 clock: Callable[[], float] = time.time):
        self.limit = limit
        self.work_limit = work_limit
        self.clock = clock  # only for Retry-After; the windows live in the storage's own clock
        options: dict[str, Any] = {"socket_timeout": 1, "socket_connect_timeout": 1} if is_redis_url(
            storage_uri) else {}
        self.flask = Limiter(
            key_func=lambda: str(g.get("identity") or ""),
            app=app,
            storage_uri=storage_uri,
            storage_options=options,
            strategy="moving-window",
            application_limits=[f"{limit} per minute"] if limit > 0 else [],
            application_limits_exempt_when=_exempt,
            headers_enabled=False,
            swallow_errors=True,  # Redis away: let requests through
            on_breach=self._refuse_requests,
            key_prefix=str(app.config.get("RATELIMIT_KEY_PREFIX") or "ms:ratelimit"),
        )
        self.work_item = RateLimitItemPerMinute(work_limit) if work_limit > 0 else None

    def _retry_after(self, reset_at: float) -> int:
        return max(1, math.floor(reset_at - self.clock()) + 1)  # the window has moved by then

    def _refuse_requests(self, limit: RequestLimit) -> Any:
        seconds = self._retry_after(limit.window[0])
        return envelope("rate_limited", f"Too many requests for this token (limit {self.limit} a minute); "
                        f"retry in {seconds} s.", {"limit": self.limit, "retry_after": seconds,
                                                   "reason": "requests"},
                        429, {"Retry-After": str(seconds)})

    def charge(self, identity: str, pieces: int) -> None:
        """Take ``pieces`` of ``identity``'s minute of embedding work, or raise 413 / 429 saying why."""
        if self.work_item is None or pieces <= 0:
            return
        if pieces > self.work_limit:
            raise PayloadTooLarge(
                f"This request asks to embed about {pieces:,} word pieces, more than a token may in a minute "
                f"({self.work_limit:,}); send fewer or shorter texts.",
                {"reason": "work", "pieces": pieces, "work_limit": self.work_limit})
        key = ("work", identity)
        try:
            if self.flask.limiter.hit(self.work_item, *key, cost=pieces):
                return
            reset_at = self.flask.limiter.get_window_stats(self.work_item, *key).reset_time
        except Exception as exc:  # the storage is away: let it through, as for requests
            log.warning("work limit not checked (storage unreachable): %s", exc)
            return
        seconds = self._retry_after(reset_at)
        raise RateLimited(
            f"This token has used its {self.work_limit:,} word pieces of embedding for this minute; this "
            f"request needs about {pieces:,}. Retry in {seconds} s.",
            {"reason": "work", "pieces": pieces, "work_limit": self.work_limit, "retry_after": seconds},
            headers={"Retry-After": str(seconds)})


def _exempt() -> bool:
    """Only /v1 requests with a known token count: /healthz, /openapi.json and the dashboard never."""
    return not request.path.startswith("/v1") or g.get("identity") is None


def charge_work(texts: Iterable[str]) -> None:
    """Charge this request's identity for embedding ``texts`` (those not cached yet), before embedding."""
    limits: RateLimits | None = current_app.extensions.get("ratelimit")
    if limits is None or limits.work_item is None:
        return
    texts = [t for t in texts if t and t.strip()]
    embedder = getattr(current_app.extensions.get("microscout"), "embedder", None)
    if texts and embedder is not None and getattr(embedder, "ready", False):
        texts = [t for t, hit in zip(texts, embedder.cached(texts), strict=True) if not hit]
    limits.charge(str(g.get("identity") or ""), sum(estimate_pieces(t) for t in set(texts)))


def init_app(app: Flask) -> None:
    """After auth (it counts per identity). ``app.extensions["ratelimit"]`` is None when both limits are 0."""
    limit, work = int(app.config.get("RATE_LIMIT") or 0), int(app.config.get("WORK_LIMIT") or 0)
    if limit <= 0 and work <= 0:
        app.extensions["ratelimit"] = None
        return
    url = str(app.config.get("STORE_URL") or "").strip()
    app.extensions["ratelimit"] = RateLimits(app, limit, work, url if is_redis_url(url) else "memory://")
