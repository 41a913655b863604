"""The team store: one Redis shared by any number of server processes.

Every write is one MULTI/EXEC (optimistic: WATCH the creator's key, read, then write; retried when
another process changed it in between) or one Lua script, so it is all-or-nothing. Durability is
Redis's: run it with ``appendonly yes`` (the store logs a warning when AOF is off) and
``appendfsync always``, under which every write reaches the disk before Redis acknowledges it. With the
default ``everysec`` Redis holds a write back (for up to 2 s) while its background fsync of the
previous second is still running, and acknowledges it all the same, so even a kill -9 of Redis can lose
the last moments it acknowledged (a storage test saw it once, on a Redis started 7 ms before the turn of
a second).

Keys, all under a prefix (default ``ms:``):
  schema                 schema version
  niches                 hash id -> niche JSON
  creators               set of creator keys (platform/handle, case-folded)
  creator:<key>          the creator without snapshot and score (JSON)
  snapshot:<key>, score:<key>   as sent
  history:<key>          list of history points (JSON)
  authors:<key>          set of the audience authors in the latest snapshot
  commenters:<platform>:<author>   set of creator keys whose snapshot has that author (pods)
  rates:<platform>:<tier>          hash creator key -> engagement rate (peers)
  labels, comment_labels hash id -> JSON; labels:seq, comment_labels:seq counters
  tokens                 hash sha256(token) -> {"name", "created_at"}; token_names: name -> hash
  settings               hash key -> JSON
  discovered             set of creator keys glanced at (the Discovered inbox)
  discovered:<key>, discovered_posts:<key>   the inbox entry and its posts (JSON)
  results                hash row id -> imported result row (JSON); results:<key> set of a creator's row ids
  brand                  the brand profile (JSON)
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from server.storage import discovered, records
from server.storage.protocol import Conflict, InvalidValue, NotFound, StoreUnavailable

log = logging.getLogger(__name__)
SCHEMA_VERSION = 1
# Ordered migrations for Redis: MIGRATIONS[i] takes version i + 1 to i + 2 (none yet).
MIGRATIONS: tuple[Callable[[redis.Redis], None], ...] = ()

T = TypeVar("T")

# KEYS[1] niches hash, KEYS[2] sequence, KEYS[3] labels hash; ARGV[1] niche id (or "" for none), ARGV[2] JSON
_ADD_LABEL = """
if ARGV[1] ~= '' and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
local id = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[3], id, ARGV[2])
return id
"""


# The two reads every score makes, answered in one reply each: redis-py's pure-Python parser
# spends milliseconds on a thousand small replies, json.loads microseconds on one string.
# KEYS[1] rates hash; ARGV[1] the creator key to leave out
_PEER_RATES = """
local h = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #h, 2 do if h[i] ~= ARGV[1] then out[#out + 1] = h[i + 1] end end
return table.concat(out, ',')
"""
# KEYS: one commenters set per author; ARGV[1] the creator key to leave out -> {"<index>": [keys]}
_COMMENTER_LINKS = """
local out = {}
for i, key in ipairs(KEYS) do
  local keep = {}
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    if member ~= ARGV[1] then keep[#keep + 1] = member end
  end
  if #keep > 0 then out[tostring(i)] = keep end
end
if next(out) == nil then return '{}' end
return cjson.encode(out)
"""


# All-or-nothing import of result rows: every creator must be on the watchlist, then each new id is kept.
# KEYS[1] creators set, KEYS[2] results hash; ARGV[1] the prefix, then (id, creator key, JSON) triples.
_ADD_RESULTS = """
for i = 2, #ARGV, 3 do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i + 1]) == 0 then return {-1, ARGV[i + 1]} end
end
local added = 0
for i = 2, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 2]) == 1 then
    redis.call('SADD', ARGV[1] .. 'results:' .. ARGV[i + 1], ARGV[i])
    added = added + 1
  end
end
return {added, ''}
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Redis being away (refused, timed out, loading, read-only) becomes StoreUnavailable."""

    @functools.wraps(method)
    def wrapper(self: RedisStore, *args: Any, **kwargs: Any) -> T:
        with self._guard():
            return method(self, *args, **kwargs)

    return wrapper


class RedisStore:
    """Store over one Redis database; any number of processes may share it."""

    kind = "redis"

    def __init__(self, url: str, *, prefix: str = "ms:", timeout: float = 5.0):
        # One quick retry: the pool's idle connections are stale after Redis restarts.
        # Any: redis-py's stubs type replies as sync-or-async unions; with decode_responses they are str.
        self._redis: Any = redis.Redis.from_url(url, decode_responses=True, socket_timeout=timeout,
                                           socket_connect_timeout=min(timeout, 2.0),
                                           retry=Retry(NoBackoff(), 1), health_check_interval=10)
        self.url = url
        self.prefix = prefix
        self._schema_ok = False  # checked on first use, so a server starts while Redis is away
        self._add_script = self._redis.register_script(_ADD_LABEL)
        self._peer_rates = self._redis.register_script(_PEER_RATES)
        self._commenter_links = self._redis.register_script(_COMMENTER_LINKS)
        self._add_results = self._redis.register_script(_ADD_RESULTS)

    # -- plumbing ---------------------------------------------------------------------------
    def _k(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            if not self._schema_ok:
                self._check_schema()
            yield
        except (redis.ConnectionError, redis.TimeoutError, redis.exceptions.ReadOnlyError) as exc:
            raise StoreUnavailable(f"Redis is unavailable: {exc}") from exc
        except redis.ResponseError as exc:
            if str(exc).startswith(("MISCONF", "LOADING", "BUSY", "OOM")):
                raise StoreUnavailable(f"Redis refused the write: {exc}") from exc
            raise

    def _check_schema(self) -> None:
        r = self._redis
        r.set(self._k("schema"), SCHEMA_VERSION, nx=True)
        version = int(r.get(self._k("schema")) or 0)
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(f"Redis holds schema {version}, newer than this microscout's "
                                   f"({SCHEMA_VERSION}); upgrade microscout")
        for step in MIGRATIONS[version - 1:]:
            step(r)
        r.set(self._k("schema"), SCHEMA_VERSION)
        try:
            if r.config_get("appendonly").get("appendonly") != "yes":
                log.warning("Redis at %s runs without appendonly: acknowledged saves can be lost on a crash",
                            self.url)
            elif (fsync := r.config_get("appendfsync").get("appendfsync")) != "always":
                log.warning("Redis at %s runs with appendfsync %s: a crash can lose the last 2 s of "
                            "acknowledged saves (appendfsync always keeps them)", self.url, fsync)
        except redis.ResponseError:  # CONFIG is disabled on some hosted Redis; their persistence is theirs
            pass
        self._schema_ok = True

    def _transact(self, fn: Callable[[Any], T], *watch: str) -> T:
        """Run ``fn(pipe)``: reads after WATCH, writes after ``pipe.multi()``; retried on a conflict."""
        return self._redis.transaction(fn, *watch, value_from_callable=True)

    def close(self) -> None:
        self._redis.close()

    @_guarded
    def ping(self) -> None:
        self._redis.ping()

    def schema_version(self) -> int:
        with self._guard():
            return int(self._redis.get(self._k("schema")) or 0)

    # -- niches -----------------------------------------------------------------------------
    @_guarded
    def list_niches(self) -> list[dict[str, Any]]:
        niches = [json.loads(v) for v in self._redis.hvals(self._k("niches"))]
        return sorted(niches, key=lambda n: n["id"])

    @_guarded
    def get_niche(self, niche_id: str) -> dict[str, Any] | None:
        raw = self._redis.hget(self._k("niches"), niche_id)
        return json.loads(raw) if raw else None

    @_guarded
    def create_niche(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        record = records.build_niche(fields, records.now())
        if not self._redis.hsetnx(self._k("niches"), record["id"], _dumps(record)):
            raise Conflict(f"a niche with id '{record['id']}' exists", "id")
        return record

    @_guarded
    def update_niche(self, niche_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        key = self._k("niches")

        def update(pipe: Any) -> dict[str, Any]:
            raw = pipe.hget(key, niche_id)
            if raw is None:
                raise NotFound(f"no niche with id '{niche_id}'")
            record = records.build_niche(changes, records.now(), json.loads(raw))
            pipe.multi()
            pipe.hset(key, niche_id, _dumps(record))
            return record

        return self._transact(update, key)

    @_guarded
    def delete_niche(self, niche_id: str) -> None:
        if not self._redis.hdel(self._k("niches"), niche_id):
            raise NotFound(f"no niche with id '{niche_id}'")

    # -- creators ---------------------------------------------------------------------------
    def _queue_index(self, pipe: Any, key: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None,
                     old_authors: set[str], new_authors: set[str] | None) -> None:
        """Queue the peers and commenters index changes from ``old`` to ``new`` (None: deleted)."""
        if old is not None and old["summary"]["tier"]:
            pipe.hdel(self._k("rates", old["platform"], old["summary"]["tier"]), key)
        if new is not None and new["summary"]["tier"] and new["summary"]["engagement_rate"] is not None:
            pipe.hset(self._k("rates", new["platform"], new["summary"]["tier"]), key,
                      repr(new["summary"]["engagement_rate"]))
        if new_authors is None:
            return
        platform = (new or old or {}).get("platform", "")
        for author in old_authors - new_authors:
            pipe.srem(self._k("commenters", platform, author), key)
        for author in new_authors - old_authors:
            pipe.sadd(self._k("commenters", platform, author), key)
        pipe.delete(self._k("authors", key))
        if new_authors:
            pipe.sadd(self._k("authors", key), *sorted(new_authors))

    def _queue_put(self, pipe: Any, key: str, entry: Mapping[str, Any]) -> None:
        pipe.sadd(self._k("creators"), key)
        pipe.set(self._k("creator", key), _dumps(records.public(entry)))
        for part in ("snapshot", "score"):
            if entry[part] is None:
                pipe.delete(self._k(part, key))
            else:
                pipe.set(self._k(part, key), _dumps(entry[part]))

    @_guarded
    def save_creator(self, platform: str, handle: str, changes: Mapping[str, Any], *,
                     by: str) -> tuple[dict[str, Any], bool]:
        records.check_creator(platform, handle)
        key = records.creator_key(platform, handle)
        ckey = self._k("creator", key)

        def save(pipe: Any) -> tuple[dict[str, Any], bool]:
            existing = self._read_full(pipe, key)
            niche = changes.get("niche")
            if niche is not None and not pipe.hexists(self._k("niches"), niche):
                raise NotFound(f"no niche with id '{niche}'", "niche")
            entry, point = records.merge_creator(existing, platform, handle, changes, by=by, at=records.now())
            reindex = changes.get("snapshot") is not None
            old_authors = set(pipe.smembers(self._k("authors", key))) if reindex else set()
            new_authors = records.comment_authors(entry["snapshot"], entry["handle"]) if reindex else None
            pipe.multi()
            self._queue_put(pipe, key, entry)
            self._queue_index(pipe, key, existing, entry, old_authors, new_authors)
            if point is not None:
                pipe.rpush(self._k("history", key), _dumps(point))
            return records.public(entry), existing is None

        # Watching the niches hash too: a niche deleted between the check and the write retries.
        return self._transact(save, ckey, self._k("niches"))

    def _read_full(self, conn: Any, key: str) -> dict[str, Any] | None:
        raw, snapshot, score = conn.mget([self._k(part, key) for part in ("creator", "snapshot", "score")])
        if raw is None:
            return None
        entry = json.loads(raw)
        entry["snapshot"] = json.loads(snapshot) if snapshot is not None else None
        entry["score"] = json.loads(score) if score is not None else None
        return entry

    @_guarded
    def get_creator(self, platform: str, handle: str) -> dict[str, Any] | None:
        return self._read_full(self._redis, records.creator_key(platform, handle))

    @_guarded
    def delete_creator(self, platform: str, handle: str) -> None:
        key = records.creator_key(platform, handle)

        def delete(pipe: Any) -> None:
            raw = pipe.get(self._k("creator", key))
            if raw is None:
                raise NotFound(f"{key} is not on the watchlist")
            old = json.loads(raw)
            old_authors = set(pipe.smembers(self._k("authors", key)))
            result_ids = sorted(pipe.smembers(self._k("results", key)))
            pipe.multi()
            self._queue_index(pipe, key, old, None, old_authors, set())
            pipe.srem(self._k("creators"), key)
            pipe.delete(*(self._k(part, key) for part in ("creator", "snapshot", "score", "history",
                                                          "authors", "results")))
            if result_ids:
                pipe.hdel(self._k("results"), *result_ids)

        self._transact(delete, self._k("creator", key), self._k("results", key))

    @_guarded
    def _listing(self) -> records.Listing:
        keys = sorted(self._redis.smembers(self._k("creators")))
        raws = self._redis.mget([self._k("creator", k) for k in keys]) if keys else []
        return records.Listing(json.loads(r) for r in raws if r is not None)

    def prepare(self) -> None:
        """Nothing to ready: every listing reads all creators again (other processes write them)."""

    def list_creators(self, query: records.CreatorQuery | None = None) -> list[dict[str, Any]]:
        return self._listing().select(query)[0]

    def find_creators(self, query: records.CreatorQuery | None = None) -> tuple[list[dict[str, Any]], int]:
        return self._listing().select(query)

    def creator_languages(self) -> dict[str, int]:
        return dict(self._listing().languages)

    def _points(self, conn: Any, key: str) -> list[dict[str, Any]]:
        return [json.loads(p) for p in conn.lrange(self._k("history", key), 0, -1)]

    @_guarded
    def history(self, platform: str, handle: str) -> list[dict[str, Any]]:
        key = records.creator_key(platform, handle)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.exists(self._k("creator", key))
            pipe.lrange(self._k("history", key), 0, -1)
            exists, points = pipe.execute()
        if not exists:
            raise NotFound(f"{key} is not on the watchlist")
        return [json.loads(p) for p in points]

    @_guarded
    def follower_jump(self, platform: str, handle: str,
                      followers: int | None = None) -> dict[str, Any] | None:
        points = self._points(self._redis, records.creator_key(platform, handle))
        return records.find_follower_jump(points, followers)

    @_guarded
    def peer_rates(self, platform: str, tier: str | None,
                   exclude: tuple[str, str] | None = None) -> list[float]:
        if tier is None:
            return []
        skip = records.creator_key(*exclude) if exclude else ""
        joined = self._peer_rates(keys=[self._k("rates", platform, tier)], args=[skip])
        return [float(r) for r in joined.split(",")] if joined else []

    @_guarded
    def commenter_links(self, platform: str, handle: str, authors: Sequence[str]) -> dict[str, list[str]]:
        own = records.creator_key(platform, handle)
        folded = {a: a.strip().removeprefix("@").lower() for a in authors if isinstance(a, str) and a.strip()}
        wanted = sorted(set(folded.values()))
        if not wanted:
            return {}
        reply = self._commenter_links(keys=[self._k("commenters", platform, a) for a in wanted], args=[own])
        found = {wanted[int(i) - 1]: sorted(keys) for i, keys in json.loads(reply).items()}
        return {a: found[f] for a, f in folded.items() if f in found}

    # -- labels -----------------------------------------------------------------------------
    def _add(self, kind: str, niche: str, record: Mapping[str, Any]) -> int:
        keys = [self._k("niches"), self._k(kind, "seq"), self._k(kind)]
        return int(self._add_script(keys=keys, args=[niche, _dumps(record)]))

    @_guarded
    def add_label(self, niche: str, label: str, snapshot: Mapping[str, Any], *, by: str) -> dict[str, Any]:
        records.check_label(label)
        record = {"niche": niche, "label": label, "snapshot": dict(snapshot), "created_at": records.now(),
                  "created_by": by}
        if not niche:
            raise InvalidValue("a label names its niche", "niche")
        label_id = self._add("labels", niche, record)
        if label_id < 0:
            raise NotFound(f"no niche with id '{niche}'", "niche")
        return {"id": label_id, **record}

    def _list(self, kind: str) -> list[dict[str, Any]]:
        rows = self._redis.hgetall(self._k(kind))
        return [{"id": int(i), **json.loads(v)} for i, v in sorted(rows.items(), key=lambda kv: int(kv[0]))]

    @_guarded
    def list_labels(self, niche: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self._list("labels") if niche is None or r["niche"] == niche]

    @_guarded
    def add_comment_label(self, text: str, label: str, post_caption: str | None = None, *,
                          by: str) -> dict[str, Any]:
        records.check_comment_label(text, label)
        record = {"text": text, "label": label, "post_caption": post_caption, "created_at": records.now(),
                  "created_by": by}
        return {"id": self._add("comment_labels", "", record), **record}

    @_guarded
    def list_comment_labels(self) -> list[dict[str, Any]]:
        return self._list("comment_labels")

    # -- tokens -----------------------------------------------------------------------------
    @_guarded
    def create_token(self, name: str) -> str:
        records.check_token_name(name)
        token = records.new_token()
        digest = records.hash_token(token)
        names = self._k("token_names")

        def create(pipe: Any) -> None:
            if pipe.hexists(names, name):
                raise Conflict(f"a token named '{name}' exists; revoke it first", "name")
            pipe.multi()
            pipe.hset(names, name, digest)
            pipe.hset(self._k("tokens"), digest, _dumps({"name": name, "created_at": records.now()}))

        self._transact(create, names)
        return token

    @_guarded
    def list_tokens(self) -> list[dict[str, Any]]:
        return sorted((json.loads(v) for v in self._redis.hvals(self._k("tokens"))), key=lambda t: t["name"])

    @_guarded
    def revoke_token(self, name: str) -> None:
        names = self._k("token_names")

        def revoke(pipe: Any) -> None:
            digest = pipe.hget(names, name)
            if digest is None:
                raise NotFound(f"no token named '{name}'")
            pipe.multi()
            pipe.hdel(names, name)
            pipe.hdel(self._k("tokens"), digest)

        self._transact(revoke, names)

    @_guarded
    def token_name(self, token: str) -> str | None:
        raw = self._redis.hget(self._k("tokens"), records.hash_token(token))
        return json.loads(raw)["name"] if raw else None

    # -- sessions ---------------------------------------------------------------------------
    @_guarded
    def create_session(self, record: Mapping[str, Any], lifetime: float) -> str:
        session_id = records.new_session_id()
        self._redis.set(self._k("session", records.hash_session(session_id)), _dumps(dict(record)),
                        px=max(1, int(lifetime * 1000)))
        return session_id

    @_guarded
    def get_session(self, session_id: str) -> dict[str, Any] | None:
        raw = self._redis.get(self._k("session", records.hash_session(session_id)))
        return json.loads(raw) if raw is not None else None

    @_guarded
    def end_session(self, session_id: str) -> None:
        self._redis.delete(self._k("session", records.hash_session(session_id)))

    # -- settings ---------------------------------------------------------------------------
    @_guarded
    def get_setting(self, key: str, default: Any = None) -> Any:
        raw = self._redis.hget(self._k("settings"), key)
        return json.loads(raw) if raw is not None else default

    @_guarded
    def get_settings(self, keys: Sequence[str]) -> dict[str, Any]:
        if not keys:
            return {}
        raws = self._redis.hmget(self._k("settings"), list(keys))
        return {key: json.loads(raw) for key, raw in zip(keys, raws, strict=True) if raw is not None}

    @_guarded
    def set_setting(self, key: str, value: Any) -> None:
        self._redis.hset(self._k("settings"), key, _dumps(value))

    @_guarded
    def get_brand(self) -> dict[str, Any]:
        raw = self._redis.get(self._k("brand"))
        return json.loads(raw) if raw is not None else dict(records.EMPTY_BRAND)

    @_guarded
    def put_brand(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        profile = records.build_brand(fields, records.now())
        self._redis.set(self._k("brand"), _dumps(profile))
        return profile

    # -- the Discovered inbox ---------------------------------------------------------------
    def _inbox(self, conn: Any, keys: Sequence[str]) -> tuple[dict[str, tuple[Any, Any]], dict[str, Any]]:
        """The inbox (entry, posts) and the watch state of ``keys`` that have them, in one MGET."""
        if not keys:
            return {}, {}
        parts = ("discovered", "discovered_posts", "creator")
        raws = conn.mget([self._k(part, key) for key in keys for part in parts])
        found, watch = {}, {}
        for i, key in enumerate(keys):
            entry, posts, saved = raws[3 * i:3 * i + 3]
            if entry is not None:
                found[key] = (json.loads(entry), json.loads(posts or "[]"))
            if saved is not None:
                watch[key] = discovered.watch_state(json.loads(saved))
        return found, watch

    @_guarded
    def get_discovered(self, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any] | None]:
        wanted = [records.creator_key(p, h) for p, h in keys]
        found, watch = self._inbox(self._redis, wanted)
        return [discovered.view(*found[k], watch.get(k)) if k in found else None for k in wanted]

    def _queue_inbox(self, pipe: Any, key: str, entry: Mapping[str, Any],
                     posts: Sequence[Any] | None) -> None:
        pipe.sadd(self._k("discovered"), key)
        pipe.set(self._k("discovered", key), _dumps(entry))
        if posts is not None:
            pipe.set(self._k("discovered_posts", key), _dumps(posts))

    @_guarded
    def remember_glances(self, glances: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        keys = [records.creator_key(g["platform"], g["handle"]) for g in glances]
        for glance in glances:
            discovered.check_glance(glance)

        def remember(pipe: Any) -> list[dict[str, Any]]:
            found, watch = self._inbox(pipe, keys)
            merged = discovered.merge_glances(found, glances, records.now())
            pipe.multi()
            for key, (entry, posts) in merged.items():
                self._queue_inbox(pipe, key, entry, posts)
            return [discovered.view(*merged[k], watch.get(k)) for k in keys]

        return self._transact(remember, *sorted({self._k("discovered", k) for k in keys}))

    @_guarded
    def list_discovered(self, query: discovered.DiscoveredQuery | None = None,
                        ) -> tuple[list[dict[str, Any]], int]:
        r = self._redis
        with r.pipeline(transaction=True) as pipe:
            pipe.smembers(self._k("discovered"))
            pipe.smembers(self._k("creators"))
            keys, saved = pipe.execute()
        keys = sorted(keys)
        entries = r.mget([self._k("discovered", k) for k in keys]) if keys else []
        both = sorted(set(keys) & saved)
        watch = dict(zip(both, r.mget([self._k("creator", k) for k in both]), strict=True)) if both else {}
        listed = (discovered.view(json.loads(raw), None,
                                  discovered.watch_state(json.loads(watch[k]) if watch.get(k) else None))
                  for k, raw in zip(keys, entries, strict=True) if raw is not None)
        page, total = discovered.select(listed, query)
        page_keys = [records.creator_key(p["platform"], p["handle"]) for p in page]
        posts = r.mget([self._k("discovered_posts", k) for k in page_keys]) if page_keys else []
        return [{**p, "posts": json.loads(raw or "[]")} for p, raw in zip(page, posts, strict=True)], total

    @_guarded
    def set_discovered_status(self, platform: str, handle: str, status: str) -> dict[str, Any]:
        key = records.creator_key(platform, handle)

        def update(pipe: Any) -> dict[str, Any]:
            found, watch = self._inbox(pipe, [key])
            if key not in found:
                raise NotFound(f"{key} was never glanced at")
            entry = discovered.set_status(found[key][0], status, records.now())
            pipe.multi()
            self._queue_inbox(pipe, key, entry, None)
            return discovered.view(entry, found[key][1], watch.get(key))

        return self._transact(update, self._k("discovered", key))

    # -- results ----------------------------------------------------------------------------
    @_guarded
    def add_results(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        args: list[str] = [self.prefix]
        for row in rows:
            args += [row["id"], records.check_result(row), _dumps(row)]
        if not rows:
            return {"imported": 0, "duplicates": 0}
        added, missing = self._add_results(keys=[self._k("creators"), self._k("results")], args=args)
        if int(added) < 0:
            raise InvalidValue(f"{missing} is not on the watchlist", "handle")
        return {"imported": int(added), "duplicates": len(rows) - int(added)}

    @_guarded
    def list_results(self, platform: str | None = None, handle: str | None = None) -> list[dict[str, Any]]:
        if platform is not None and handle is not None:
            ids = sorted(self._redis.smembers(self._k("results", records.creator_key(platform, handle))))
            raws = self._redis.hmget(self._k("results"), ids) if ids else []
        else:
            raws = self._redis.hvals(self._k("results"))
        return records.sort_results(json.loads(r) for r in raws if r is not None)

    # -- moving data ------------------------------------------------------------------------
    @_guarded
    def export_data(self) -> dict[str, Any]:
        r = self._redis
        keys = sorted(r.smembers(self._k("creators")))
        with r.pipeline(transaction=True) as pipe:  # MULTI: one consistent picture
            pipe.hvals(self._k("niches"))
            for key in keys:
                pipe.mget(self._k("creator", key), self._k("snapshot", key), self._k("score", key))
                pipe.lrange(self._k("history", key), 0, -1)
            for name in ("labels", "comment_labels", "tokens", "settings"):
                pipe.hgetall(self._k(name))
            pipe.hvals(self._k("results"))
            results = pipe.execute()
        imported = [json.loads(v) for v in results.pop()]
        niches = [json.loads(v) for v in results[0]]
        creators = []
        for i in range(len(keys)):
            (raw, snapshot, score), points = results[1 + 2 * i], results[2 + 2 * i]
            if raw is None:
                continue  # deleted between listing and reading
            entry = json.loads(raw)
            entry["snapshot"] = json.loads(snapshot) if snapshot is not None else None
            entry["score"] = json.loads(score) if score is not None else None
            entry["history"] = [json.loads(p) for p in points]
            creators.append(entry)
        labels, comment_labels, tokens, settings = results[-4:]
        inbox_keys = sorted(r.smembers(self._k("discovered")))
        found, _ = self._inbox(r, inbox_keys)
        inbox = discovered.export_part({**entry, "posts": posts} for entry, posts in found.values())
        return records.export_document(
            niches, creators,
            [{"id": int(i), **json.loads(v)} for i, v in labels.items()],
            [{"id": int(i), **json.loads(v)} for i, v in comment_labels.items()],
            [{"name": json.loads(v)["name"], "hash": h, "created_at": json.loads(v)["created_at"]}
             for h, v in tokens.items()],
            {k: json.loads(v) for k, v in settings.items()}) | inbox | {
                records.RESULTS_EXPORT_KEY: records.sort_results(imported), "brand": self.get_brand()}

    def _all_keys(self) -> list[str]:
        return [k for k in self._redis.scan_iter(match=self.prefix.replace("*", r"\*") + "*", count=1000)
                if k != self._k("schema")]

    @_guarded
    def import_data(self, data: Mapping[str, Any], *, replace: bool = False) -> dict[str, int]:
        records.check_export(data)
        inbox = discovered.import_part(data)
        brand = records.import_brand(data)
        existing = self._all_keys()
        if existing and not replace:
            raise Conflict("the store is not empty; import with replace to overwrite it")
        with self._redis.pipeline(transaction=True) as pipe:  # one MULTI/EXEC: all or nothing
            if existing:
                pipe.delete(*existing)
            for niche in data["niches"]:
                pipe.hset(self._k("niches"), niche["id"], _dumps(niche))
            for creator in data["creators"]:
                entry = {k: v for k, v in creator.items() if k != "history"}
                key = records.creator_key(entry["platform"], entry["handle"])
                self._queue_put(pipe, key, entry)
                self._queue_index(pipe, key, None, entry, set(),
                                  records.comment_authors(entry["snapshot"], entry["handle"]))
                if creator.get("history"):
                    pipe.rpush(self._k("history", key), *(_dumps(p) for p in creator["history"]))
            for kind in ("labels", "comment_labels"):
                for label in data[kind]:
                    record = {k: v for k, v in label.items() if k != "id"}
                    pipe.hset(self._k(kind), str(label["id"]), _dumps(record))
                pipe.set(self._k(kind, "seq"), max((int(lb["id"]) for lb in data[kind]), default=0))
            for token in data["tokens"]:
                pipe.hset(self._k("token_names"), token["name"], token["hash"])
                pipe.hset(self._k("tokens"), token["hash"],
                          _dumps({"name": token["name"], "created_at": token["created_at"]}))
            for key, value in data["settings"].items():
                pipe.hset(self._k("settings"), key, _dumps(value))
            for key, entry, posts in inbox:
                self._queue_inbox(pipe, key, entry, posts)
            results = list(data.get(records.RESULTS_EXPORT_KEY) or [])
            for row in results:
                creator = records.check_result(row)
                pipe.hset(self._k("results"), row["id"], _dumps(row))
                pipe.sadd(self._k("results", creator), row["id"])
            if brand is not None:
                pipe.set(self._k("brand"), _dumps(brand))
            pipe.execute()
        return {**{key: len(data[key]) for key in records.EXPORT_KEYS}, discovered.EXPORT_KEY: len(inbox),
                records.RESULTS_EXPORT_KEY: len(results)}
