"""How many requests a token may make: a token bucket per identity, in process or in Redis.

Each identity (the name behind a token, never the token itself) has a bucket that holds up to
``limit`` requests and refills at ``limit`` a minute, so a burst of ``limit`` passes at once and
the steady pace is ``limit`` a minute. A request takes one unit; an empty bucket answers with how
many whole seconds until the next unit is there (the ``Retry-After`` of the 429).

``open_limiter(config)`` picks where buckets live from ``STORE_URL``: Redis buckets are shared by
every worker and server of a team; otherwise they live in this process. Nothing here imports Flask;
``server/__init__.py`` asks :meth:`Limiter.hit` before each /v1 request.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from server.vocab import is_redis_url

__all__ = ["Decision", "Limiter", "MemoryLimiter", "RedisLimiter", "open_limiter", "take"]

log = logging.getLogger(__name__)

Clock = Callable[[], float]


@dataclass(frozen=True)
class Decision:
    """The answer for one request: let it through, or not before ``retry_after`` seconds."""

    allowed: bool
    retry_after: int = 0  # whole seconds, at least 1 when refused


def take(tokens: float, at: float, now: float, limit: int) -> tuple[bool, float]:
    """Refill a bucket last seen at ``at`` holding ``tokens`` up to ``now``, then take one unit.

    Returns (allowed, tokens left). A clock that steps back refills nothing rather than draining.
    """
    tokens = min(float(limit), tokens + max(0.0, now - at) * limit / 60.0)
    if tokens >= 1.0:
        return True, tokens - 1.0
    return False, tokens


def _decide(allowed: bool, tokens: float, limit: int) -> Decision:
    if allowed:
        return Decision(True)
    wait = (1.0 - tokens) * 60.0 / limit
    return Decision(False, max(1, math.ceil(round(wait, 6))))  # round: 0.95 tokens is 1 s, not 1.0000001


class Limiter:
    """A bucket per identity holding ``limit`` requests, refilled at ``limit`` a minute."""

    def __init__(self, limit: int, clock: Clock):
        if limit < 1:
            raise ValueError("a limiter needs a limit of at least 1 request a minute")
        self.limit = limit
        self.clock = clock  # tests swap it for a fake to move time without sleeping

    def hit(self, identity: str) -> Decision:
        """Count one request by ``identity``."""
        raise NotImplementedError


class MemoryLimiter(Limiter):
    """Buckets in this process (the embedded mode: one server, usually one worker)."""

    def __init__(self, limit: int, clock: Clock = time.monotonic):
        super().__init__(limit, clock)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, identity: str) -> Decision:
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(identity, (float(self.limit), now))
            allowed, tokens = take(tokens, at, now, self.limit)
            self._buckets[identity] = (tokens, max(at, now))
        return _decide(allowed, tokens, self.limit)


# take() in Lua, so read-refill-take-write is one atomic step however many servers share the bucket.
_TAKE = """
local limit, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]) or limit, tonumber(state[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - at) * limit / 60)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(at, now)))
redis.call('EXPIRE', KEYS[1], 61)
return {allowed, tostring(tokens)}
"""


class RedisLimiter(Limiter):
    """Buckets in the team's Redis, one hash per identity under ``prefix``, gone after a quiet minute.

    The clock is the servers' wall clock (they share buckets, so a monotonic clock would not do).
    When Redis cannot be reached the request goes through: the limiter protects the server, it
    must not become the reason it fails (the store answers 503 on its own when Redis is away).
    """

    def __init__(self, url: str, limit: int, *, prefix: str = "ms:ratelimit:", clock: Clock = time.time,
                 timeout: float = 1.0):
        import redis

        super().__init__(limit, clock)
        self.prefix = prefix
        self._redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._take = self._redis.register_script(_TAKE)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)

    def hit(self, identity: str) -> Decision:
        try:
            allowed, tokens = self._take(keys=[self.prefix + identity], args=[self.limit, repr(self.clock())])
        except self._errors as exc:
            log.warning("rate limit not checked (Redis unreachable): %s", exc)
            return Decision(True)
        return _decide(bool(allowed), float(tokens), self.limit)

    def close(self) -> None:
        self._redis.close()


def open_limiter(config: Mapping[str, Any]) -> Limiter | None:
    """The limiter for ``config["RATE_LIMIT"]`` requests a minute per token; None when it is 0."""
    limit = int(config.get("RATE_LIMIT") or 0)
    if limit <= 0:
        return None
    url = str(config.get("STORE_URL") or "").strip()
    if is_redis_url(url):
        return RedisLimiter(url, limit)
    return MemoryLimiter(limit)
