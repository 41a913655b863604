"""The embedded store: one SQLite file in the data directory.

Durability: WAL with ``synchronous=FULL``, so a commit is fsynced to the WAL before the call
returns; that survives a power cut, and a kill -9 a fortiori (the OS keeps what was written).
One writer at a time: every write opens with ``BEGIN IMMEDIATE`` (it takes the write lock up front,
so two processes never deadlock upgrading a read), and waits up to ``busy_timeout`` for another
writer; readers never wait (WAL). Each thread has its own connection.

Records are JSON documents beside the few columns the queries need (the peers index, history
order, the commenters index), so a migration rarely has to rewrite them.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from server.storage import discovered, records
from server.storage.protocol import Conflict, InvalidValue, NotFound, StoreUnavailable

log = logging.getLogger(__name__)

# Ordered migrations: entry i takes the schema from version i to i + 1. Never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE niches (id TEXT PRIMARY KEY, record TEXT NOT NULL);
    CREATE TABLE creators (
        key TEXT PRIMARY KEY,               -- platform/handle, case-folded
        platform TEXT NOT NULL,
        tier TEXT,
        engagement_rate REAL,
        entry TEXT NOT NULL,                -- the record without snapshot and score
        snapshot TEXT,
        score TEXT
    );
    CREATE INDEX creators_peers ON creators (platform, tier);
    CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, point TEXT NOT NULL);
    CREATE INDEX history_key ON history (key, id);
    CREATE TABLE commenters (platform TEXT NOT NULL, author TEXT NOT NULL, key TEXT NOT NULL,
                             PRIMARY KEY (platform, author, key)) WITHOUT ROWID;
    CREATE INDEX commenters_key ON commenters (key);
    CREATE TABLE labels (id INTEGER PRIMARY KEY AUTOINCREMENT, niche TEXT NOT NULL, record TEXT NOT NULL);
    CREATE INDEX labels_niche ON labels (niche, id);
    CREATE TABLE comment_labels (id INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL);
    CREATE TABLE tokens (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: the Discovered inbox (creators glanced at on scroll pages); entry and posts apart, so a list
    # reads only entries
    """
    CREATE TABLE discovered (key TEXT PRIMARY KEY, platform TEXT NOT NULL, entry TEXT NOT NULL,
                             posts TEXT NOT NULL);
    """,
    # 3: dashboard sessions (the hash of the cookie's id), ended at sign-out
    """
    CREATE TABLE sessions (id TEXT PRIMARY KEY, record TEXT NOT NULL, expires REAL NOT NULL);
    CREATE INDEX sessions_expires ON sessions (expires);
    """,
    # 4: partnership results imported from GA4 and Shopify exports, one row a file's row
    """
    CREATE TABLE results (id TEXT PRIMARY KEY, key TEXT NOT NULL, record TEXT NOT NULL);
    CREATE INDEX results_key ON results (key);
    CREATE TABLE creators_generation (n INTEGER NOT NULL);
    INSERT INTO creators_generation (n) VALUES (0);
    """,
    # 5: the brand profile (one row)
    """
    CREATE TABLE IF NOT EXISTS brand (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
    """,
    # 6: the generation (creators_generation.n) of each creator's last write, and of each removed
    # creator's removal, so a process's kept listing reads only what changed since its generation
    """
    ALTER TABLE creators ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX creators_by_generation ON creators (generation);
    CREATE TABLE creators_gone (key TEXT PRIMARY KEY, generation INTEGER NOT NULL);
    CREATE INDEX creators_gone_by_generation ON creators_gone (generation);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
_TABLES = ("niches", "creators", "history", "commenters", "labels", "comment_labels", "tokens", "settings",
           "discovered", "results", "brand")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _private_file(path: Path) -> None:
    """The database readable by its owner alone (0600); SQLite gives its -wal and -shm files the same mode."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError as exc:  # not ours to change (a shared file): say so, keep serving
        log.warning("could not make %s private (mode 0600): %s", path, exc)


class SQLiteStore:
    """Store over one SQLite file; safe to share between threads and between processes."""

    kind = "sqlite"

    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0):
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _private_file(self.path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        # the parsed watchlist entries as of a creators_generation (every write to creators moves it in
        # the same transaction, whichever process makes it, and stamps the row or its tombstone with
        # it): a 10,000-creator list then costs a filter and a sort, not 10,000 json.loads; after a
        # write, reading the rows of later generations brings the listing up to date
        self._listed: tuple[int, records.Listing] | None = None
        self._listing_lock = threading.Lock()  # one thread reads for it; the others wait, then use it
        self._migrate()

    # -- plumbing ---------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                       check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from exc
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _tx(self, mode: str) -> Iterator[sqlite3.Connection]:
        """A transaction; ``IMMEDIATE`` for writes. SQLite's own errors become StoreUnavailable."""
        conn = self._connection()
        try:
            conn.execute(f"BEGIN {mode}")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the database is busy: {exc}") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if isinstance(exc, sqlite3.OperationalError):
                raise StoreUnavailable(f"the database could not complete the write: {exc}") from exc
            raise

    def _write(self) -> Any:
        return self._tx("IMMEDIATE")

    def _read(self) -> Any:
        return self._tx("DEFERRED")

    @contextmanager
    def _sighting(self) -> Iterator[sqlite3.Connection]:
        """A write of what was seen (the inbox's glances), committed without waiting for the disk:
        a kill -9 of the server loses none (the OS has the WAL), a power cut may lose the last
        second of them, never a save. A repeated glance then costs no fsync."""
        conn = self._connection()
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            with self._write() as db:
                yield db
        finally:
            conn.execute("PRAGMA synchronous=FULL")

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StoreUnavailable(f"{self.path} has schema {version}, newer than this microscout "
                                       f"({SCHEMA_VERSION}); upgrade microscout")
            for script in MIGRATIONS[version:]:
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            else:
                db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def schema_version(self) -> int:
        with self._read() as db:
            return int(db.execute("SELECT version FROM schema_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def ping(self) -> None:
        with self._read() as db:
            db.execute("SELECT 1").fetchone()

    # -- niches -----------------------------------------------------------------------------
    def list_niches(self) -> list[dict[str, Any]]:
        with self._read() as db:
            return [json.loads(r[0]) for r in db.execute("SELECT record FROM niches ORDER BY id")]

    def get_niche(self, niche_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute("SELECT record FROM niches WHERE id = ?", (niche_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def create_niche(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        record = records.build_niche(fields, records.now())
        with self._write() as db:
            try:
                db.execute("INSERT INTO niches (id, record) VALUES (?, ?)", (record["id"], _dumps(record)))
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"a niche with id '{record['id']}' exists", "id") from exc
        return record

    def update_niche(self, niche_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._write() as db:
            row = db.execute("SELECT record FROM niches WHERE id = ?", (niche_id,)).fetchone()
            if row is None:
                raise NotFound(f"no niche with id '{niche_id}'")
            record = records.build_niche(changes, records.now(), json.loads(row[0]))
            db.execute("UPDATE niches SET record = ? WHERE id = ?", (_dumps(record), niche_id))
        return record

    def delete_niche(self, niche_id: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM niches WHERE id = ?", (niche_id,)).rowcount == 0:
                raise NotFound(f"no niche with id '{niche_id}'")

    # -- creators ---------------------------------------------------------------------------
    @staticmethod
    def _full(row: Sequence[Any]) -> dict[str, Any]:
        entry = json.loads(row[0])
        entry["snapshot"] = json.loads(row[1]) if row[1] is not None else None
        entry["score"] = json.loads(row[2]) if row[2] is not None else None
        return entry

    @staticmethod
    def _bump(db: sqlite3.Connection) -> int:
        """Move creators_generation (in the write's transaction): the new generation."""
        return int(db.execute("UPDATE creators_generation SET n = n + 1 RETURNING n").fetchone()[0])

    def _put_creator(self, db: sqlite3.Connection, key: str, entry: Mapping[str, Any],
                     reindex_authors: bool) -> None:
        summary = entry["summary"]
        db.execute(
            "INSERT INTO creators (key, platform, tier, engagement_rate, entry, snapshot, score, generation) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET tier = excluded.tier, "
            "engagement_rate = excluded.engagement_rate, entry = excluded.entry, "
            "snapshot = excluded.snapshot, score = excluded.score, generation = excluded.generation",
            (key, entry["platform"], summary["tier"], summary["engagement_rate"],
             _dumps(records.public(entry)), None if entry["snapshot"] is None else _dumps(entry["snapshot"]),
             None if entry["score"] is None else _dumps(entry["score"]), self._bump(db)))
        if reindex_authors:
            db.execute("DELETE FROM commenters WHERE key = ?", (key,))
            db.executemany("INSERT INTO commenters (platform, author, key) VALUES (?, ?, ?)",
                           [(entry["platform"], a, key)
                            for a in sorted(records.comment_authors(entry["snapshot"], entry["handle"]))])

    def save_creator(self, platform: str, handle: str, changes: Mapping[str, Any], *,
                     by: str) -> tuple[dict[str, Any], bool]:
        records.check_creator(platform, handle)
        key = records.creator_key(platform, handle)
        with self._write() as db:
            row = db.execute("SELECT entry, snapshot, score FROM creators WHERE key = ?", (key,)).fetchone()
            niche = changes.get("niche")
            if niche is not None and not db.execute("SELECT 1 FROM niches WHERE id = ?", (niche,)).fetchone():
                raise NotFound(f"no niche with id '{niche}'", "niche")
            entry, point = records.merge_creator(self._full(row) if row else None, platform, handle, changes,
                                                 by=by, at=records.now())
            self._put_creator(db, key, entry, reindex_authors=changes.get("snapshot") is not None)
            if point is not None:
                db.execute("INSERT INTO history (key, point) VALUES (?, ?)", (key, _dumps(point)))
        return records.public(entry), row is None

    def get_creator(self, platform: str, handle: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute("SELECT entry, snapshot, score FROM creators WHERE key = ?",
                             (records.creator_key(platform, handle),)).fetchone()
        return self._full(row) if row else None

    def delete_creator(self, platform: str, handle: str) -> None:
        key = records.creator_key(platform, handle)
        with self._write() as db:
            if db.execute("DELETE FROM creators WHERE key = ?", (key,)).rowcount == 0:
                raise NotFound(f"{key} is not on the watchlist")
            db.execute("INSERT INTO creators_gone (key, generation) VALUES (?, ?) ON CONFLICT (key) "
                       "DO UPDATE SET generation = excluded.generation", (key, self._bump(db)))
            db.execute("DELETE FROM history WHERE key = ?", (key,))
            db.execute("DELETE FROM commenters WHERE key = ?", (key,))
            db.execute("DELETE FROM results WHERE key = ?", (key,))

    def _listing(self) -> records.Listing:
        """Every creator's listed entry: read whole once, then only the creators written (or removed)
        since the kept listing's generation, by any process."""
        with self._listing_lock, self._read() as db:
            generation = db.execute("SELECT n FROM creators_generation").fetchone()[0]
            listed = self._listed
            if listed is None:
                entries = (json.loads(r[0]) for r in db.execute("SELECT entry FROM creators ORDER BY key"))
                listed = (generation, records.Listing(entries))
            elif listed[0] != generation:
                since = listed[0]
                changes: dict[str, dict[str, Any] | None] = dict.fromkeys(
                    r[0] for r in db.execute("SELECT key FROM creators_gone WHERE generation > ?", (since,)))
                changes.update((r[0], json.loads(r[1])) for r in db.execute(
                    "SELECT key, entry FROM creators WHERE generation > ?", (since,)))
                listed = (generation, listed[1].changed(changes))
            self._listed = listed
        return listed[1]

    def prepare(self) -> None:
        """Read every entry into the kept listing and compute the default sort, so the first page is fast."""
        self._listing().select(records.CreatorQuery(limit=1))

    def list_creators(self, query: records.CreatorQuery | None = None) -> list[dict[str, Any]]:
        return self._listing().select(query)[0]

    def find_creators(self, query: records.CreatorQuery | None = None) -> tuple[list[dict[str, Any]], int]:
        return self._listing().select(query)

    def creator_languages(self) -> dict[str, int]:
        return dict(self._listing().languages)

    def _points(self, db: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
        rows = db.execute("SELECT point FROM history WHERE key = ? ORDER BY id", (key,))
        return [json.loads(r[0]) for r in rows]

    def history(self, platform: str, handle: str) -> list[dict[str, Any]]:
        key = records.creator_key(platform, handle)
        with self._read() as db:
            if db.execute("SELECT 1 FROM creators WHERE key = ?", (key,)).fetchone() is None:
                raise NotFound(f"{key} is not on the watchlist")
            return self._points(db, key)

    def follower_jump(self, platform: str, handle: str,
                      followers: int | None = None) -> dict[str, Any] | None:
        with self._read() as db:
            points = self._points(db, records.creator_key(platform, handle))
        return records.find_follower_jump(points, followers)

    def peer_rates(self, platform: str, tier: str | None,
                   exclude: tuple[str, str] | None = None) -> list[float]:
        if tier is None:
            return []
        skip = records.creator_key(*exclude) if exclude else ""
        with self._read() as db:
            rows = db.execute("SELECT engagement_rate FROM creators WHERE platform = ? AND tier = ? "
                              "AND key != ? AND engagement_rate IS NOT NULL ORDER BY key",
                              (platform, tier, skip)).fetchall()
        return [float(r[0]) for r in rows]

    def commenter_links(self, platform: str, handle: str, authors: Sequence[str]) -> dict[str, list[str]]:
        own = records.creator_key(platform, handle)
        folded = {a: a.strip().removeprefix("@").lower() for a in authors if isinstance(a, str) and a.strip()}
        found: dict[str, list[str]] = {}
        wanted = sorted(set(folded.values()))
        with self._read() as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                sql = (f"SELECT author, key FROM commenters WHERE platform = ? AND key != ? "
                       f"AND author IN ({marks}) ORDER BY key")
                for author, key in db.execute(sql, (platform, own, *chunk)):
                    found.setdefault(author, []).append(key)
        return {a: found[f] for a, f in folded.items() if f in found}

    # -- labels -----------------------------------------------------------------------------
    def add_label(self, niche: str, label: str, snapshot: Mapping[str, Any], *, by: str) -> dict[str, Any]:
        records.check_label(label)
        record = {"niche": niche, "label": label, "snapshot": dict(snapshot), "created_at": records.now(),
                  "created_by": by}
        with self._write() as db:
            if db.execute("SELECT 1 FROM niches WHERE id = ?", (niche,)).fetchone() is None:
                raise NotFound(f"no niche with id '{niche}'", "niche")
            cur = db.execute("INSERT INTO labels (niche, record) VALUES (?, ?)", (niche, _dumps(record)))
        return {"id": cur.lastrowid, **record}

    def list_labels(self, niche: str | None = None) -> list[dict[str, Any]]:
        with self._read() as db:
            if niche is None:
                rows = db.execute("SELECT id, record FROM labels ORDER BY id").fetchall()
            else:
                rows = db.execute("SELECT id, record FROM labels WHERE niche = ? ORDER BY id",
                                  (niche,)).fetchall()
        return [{"id": r[0], **json.loads(r[1])} for r in rows]

    def add_comment_label(self, text: str, label: str, post_caption: str | None = None, *,
                          by: str) -> dict[str, Any]:
        records.check_comment_label(text, label)
        record = {"text": text, "label": label, "post_caption": post_caption, "created_at": records.now(),
                  "created_by": by}
        with self._write() as db:
            cur = db.execute("INSERT INTO comment_labels (record) VALUES (?)", (_dumps(record),))
        return {"id": cur.lastrowid, **record}

    def list_comment_labels(self) -> list[dict[str, Any]]:
        with self._read() as db:
            rows = db.execute("SELECT id, record FROM comment_labels ORDER BY id").fetchall()
        return [{"id": r[0], **json.loads(r[1])} for r in rows]

    # -- tokens -----------------------------------------------------------------------------
    def create_token(self, name: str) -> str:
        records.check_token_name(name)
        token = records.new_token()
        with self._write() as db:
            try:
                db.execute("INSERT INTO tokens (name, hash, created_at) VALUES (?, ?, ?)",
                           (name, records.hash_token(token), records.now()))
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"a token named '{name}' exists; revoke it first", "name") from exc
        return token

    def list_tokens(self) -> list[dict[str, Any]]:
        with self._read() as db:
            rows = db.execute("SELECT name, created_at FROM tokens ORDER BY name").fetchall()
        return [{"name": r[0], "created_at": r[1]} for r in rows]

    def revoke_token(self, name: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM tokens WHERE name = ?", (name,)).rowcount == 0:
                raise NotFound(f"no token named '{name}'")

    def token_name(self, token: str) -> str | None:
        with self._read() as db:
            row = db.execute("SELECT name FROM tokens WHERE hash = ?",
                             (records.hash_token(token),)).fetchone()
        return row[0] if row else None

    # -- sessions ---------------------------------------------------------------------------
    def create_session(self, record: Mapping[str, Any], lifetime: float) -> str:
        session_id = records.new_session_id()
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
            db.execute("INSERT INTO sessions (id, record, expires) VALUES (?, ?, ?)",
                       (records.hash_session(session_id), _dumps(dict(record)), now + lifetime))
        return session_id

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute("SELECT record FROM sessions WHERE id = ? AND expires > ?",
                             (records.hash_session(session_id), time.time())).fetchone()
        return json.loads(row[0]) if row else None

    def end_session(self, session_id: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (records.hash_session(session_id),))

    # -- settings ---------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        with self._read() as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def get_settings(self, keys: Sequence[str]) -> dict[str, Any]:
        if not keys:
            return {}
        marks = ", ".join("?" * len(keys))
        with self._read() as db:
            query = f"SELECT key, value FROM settings WHERE key IN ({marks})"
            rows = db.execute(query, list(keys)).fetchall()
        return {key: json.loads(value) for key, value in rows}

    def get_brand(self) -> dict[str, Any]:
        with self._read() as db:
            row = db.execute("SELECT record FROM brand WHERE id = 1").fetchone()
        return json.loads(row[0]) if row else dict(records.EMPTY_BRAND)

    def put_brand(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        profile = records.build_brand(fields, records.now())
        with self._write() as db:
            db.execute("INSERT INTO brand (id, record) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET "
                       "record = excluded.record", (_dumps(profile),))
        return profile

    def set_setting(self, key: str, value: Any) -> None:
        with self._write() as db:
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                       "value = excluded.value", (key, _dumps(value)))

    # -- the Discovered inbox ---------------------------------------------------------------
    @staticmethod
    def _rows_in(db: sqlite3.Connection, sql: str, keys: Sequence[str]) -> list[Any]:
        """``sql`` has one ``{marks}`` for an IN list: run over ``keys`` in chunks SQLite accepts."""
        rows: list[Any] = []
        for start in range(0, len(keys), 500):
            chunk = list(keys[start:start + 500])
            rows += db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk).fetchall()
        return rows

    def _watch(self, db: sqlite3.Connection, keys: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        rows = self._rows_in(db, "SELECT key, entry FROM creators WHERE key IN ({marks})", keys)
        return {key: discovered.watch_state(json.loads(entry)) for key, entry in rows}

    def _discovered(self, db: sqlite3.Connection, keys: Sequence[str]) -> dict[str, tuple[Any, Any]]:
        rows = self._rows_in(db, "SELECT key, entry, posts FROM discovered WHERE key IN ({marks})", keys)
        return {key: (json.loads(entry), json.loads(posts)) for key, entry, posts in rows}

    def get_discovered(self, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any] | None]:
        wanted = [records.creator_key(p, h) for p, h in keys]
        with self._read() as db:
            found, watch = self._discovered(db, wanted), self._watch(db, wanted)
        return [discovered.view(*found[k], watch.get(k)) if k in found else None for k in wanted]

    def remember_glances(self, glances: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        keys = [records.creator_key(g["platform"], g["handle"]) for g in glances]
        for glance in glances:
            discovered.check_glance(glance)
        with self._sighting() as db:
            merged = discovered.merge_glances(self._discovered(db, keys), glances, records.now())
            db.executemany(
                "INSERT INTO discovered (key, platform, entry, posts) VALUES (?, ?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET entry = excluded.entry, posts = excluded.posts",
                [(key, entry["platform"], _dumps(entry), _dumps(posts))
                 for key, (entry, posts) in merged.items()])
            watch = self._watch(db, keys)
        return [discovered.view(*merged[k], watch.get(k)) for k in keys]

    def list_discovered(self, query: discovered.DiscoveredQuery | None = None,
                        ) -> tuple[list[dict[str, Any]], int]:
        with self._read() as db:
            rows = db.execute("SELECT d.entry, c.entry FROM discovered d LEFT JOIN creators c "
                              "ON c.key = d.key").fetchall()
            listed = (discovered.view(json.loads(entry), None,
                                      discovered.watch_state(json.loads(saved) if saved else None))
                      for entry, saved in rows)
            page, total = discovered.select(listed, query)
            keys = [records.creator_key(r["platform"], r["handle"]) for r in page]
            posts = dict(self._rows_in(db, "SELECT key, posts FROM discovered WHERE key IN ({marks})", keys))
        return [{**r, "posts": json.loads(posts[k])} for r, k in zip(page, keys, strict=True)], total

    def set_discovered_status(self, platform: str, handle: str, status: str) -> dict[str, Any]:
        key = records.creator_key(platform, handle)
        with self._write() as db:
            found = self._discovered(db, [key])
            if key not in found:
                raise NotFound(f"{key} was never glanced at")
            entry = discovered.set_status(found[key][0], status, records.now())
            db.execute("UPDATE discovered SET entry = ? WHERE key = ?", (_dumps(entry), key))
            watch = self._watch(db, [key])
        return discovered.view(entry, found[key][1], watch.get(key))

    # -- results ----------------------------------------------------------------------------
    def add_results(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        keyed = [(records.check_result(row), row) for row in rows]
        imported = 0
        with self._write() as db:
            known = {r[0] for r in self._rows_in(db, "SELECT key FROM creators WHERE key IN ({marks})",
                                                 sorted({k for k, _ in keyed}))}
            for key, row in keyed:
                if key not in known:
                    raise InvalidValue(f"{key} is not on the watchlist", "handle")
                cur = db.execute("INSERT INTO results (id, key, record) VALUES (?, ?, ?) "
                                 "ON CONFLICT (id) DO NOTHING", (row["id"], key, _dumps(row)))
                imported += cur.rowcount
        return {"imported": imported, "duplicates": len(keyed) - imported}

    def list_results(self, platform: str | None = None, handle: str | None = None) -> list[dict[str, Any]]:
        with self._read() as db:
            if platform is not None and handle is not None:
                rows = db.execute("SELECT record FROM results WHERE key = ?",
                                  (records.creator_key(platform, handle),)).fetchall()
            else:
                rows = db.execute("SELECT record FROM results").fetchall()
        return records.sort_results(json.loads(r[0]) for r in rows)

    # -- moving data ------------------------------------------------------------------------
    def export_data(self) -> dict[str, Any]:
        with self._read() as db:  # one read transaction: a consistent picture while others write
            niches = [json.loads(r[0]) for r in db.execute("SELECT record FROM niches")]
            creators = []
            for row in db.execute("SELECT entry, snapshot, score, key FROM creators").fetchall():
                entry = self._full(row)
                entry["history"] = self._points(db, row[3])
                creators.append(entry)
            labels = [{"id": r[0], **json.loads(r[1])} for r in db.execute("SELECT id, record FROM labels")]
            comment_labels = [{"id": r[0], **json.loads(r[1])}
                              for r in db.execute("SELECT id, record FROM comment_labels")]
            tokens = [{"name": r[0], "hash": r[1], "created_at": r[2]}
                      for r in db.execute("SELECT name, hash, created_at FROM tokens")]
            settings = {r[0]: json.loads(r[1]) for r in db.execute("SELECT key, value FROM settings")}
            inbox = [{**json.loads(r[0]), "posts": json.loads(r[1])}
                     for r in db.execute("SELECT entry, posts FROM discovered")]
            brand = db.execute("SELECT record FROM brand WHERE id = 1").fetchone()
            results = [json.loads(r[0]) for r in db.execute("SELECT record FROM results")]
        document = records.export_document(niches, creators, labels, comment_labels, tokens, settings)
        return {**document, **discovered.export_part(inbox),
                records.RESULTS_EXPORT_KEY: records.sort_results(results),
                "brand": json.loads(brand[0]) if brand else dict(records.EMPTY_BRAND)}

    def import_data(self, data: Mapping[str, Any], *, replace: bool = False) -> dict[str, int]:
        records.check_export(data)
        inbox = discovered.import_part(data)
        brand = records.import_brand(data)
        with self._write() as db:
            if not replace and any(db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in _TABLES):
                raise Conflict("the store is not empty; import with replace to overwrite it")
            db.execute("INSERT INTO creators_gone (key, generation) SELECT key, ? FROM creators WHERE 1 "
                       "ON CONFLICT (key) DO UPDATE SET generation = excluded.generation", (self._bump(db),))
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")
            db.execute("DELETE FROM sqlite_sequence")
            for niche in data["niches"]:
                db.execute("INSERT INTO niches (id, record) VALUES (?, ?)", (niche["id"], _dumps(niche)))
            for creator in data["creators"]:
                entry = {k: v for k, v in creator.items() if k != "history"}
                key = records.creator_key(entry["platform"], entry["handle"])
                self._put_creator(db, key, entry, reindex_authors=True)
                db.executemany("INSERT INTO history (key, point) VALUES (?, ?)",
                               [(key, _dumps(p)) for p in creator.get("history", [])])
            for label in data["labels"]:
                record = {k: v for k, v in label.items() if k != "id"}
                db.execute("INSERT INTO labels (id, niche, record) VALUES (?, ?, ?)",
                           (label["id"], label["niche"], _dumps(record)))
            for label in data["comment_labels"]:
                record = {k: v for k, v in label.items() if k != "id"}
                db.execute("INSERT INTO comment_labels (id, record) VALUES (?, ?)",
                           (label["id"], _dumps(record)))
            db.executemany("INSERT INTO tokens (name, hash, created_at) VALUES (?, ?, ?)",
                           [(t["name"], t["hash"], t["created_at"]) for t in data["tokens"]])
            db.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                           [(k, _dumps(v)) for k, v in data["settings"].items()])
            db.executemany("INSERT INTO discovered (key, platform, entry, posts) VALUES (?, ?, ?, ?)",
                           [(key, entry["platform"], _dumps(entry), _dumps(posts))
                            for key, entry, posts in inbox])
            if brand is not None:
                db.execute("INSERT INTO brand (id, record) VALUES (1, ?)", (_dumps(brand),))
            results = list(data.get(records.RESULTS_EXPORT_KEY) or [])
            db.executemany("INSERT INTO results (id, key, record) VALUES (?, ?, ?)",
                           [(row["id"], records.check_result(row), _dumps(row)) for row in results])
        return {**{key: len(data[key]) for key in records.EXPORT_KEYS}, discovered.EXPORT_KEY: len(inbox),
                records.RESULTS_EXPORT_KEY: len(results)}
