"""Where microscout keeps niches, the watchlist, history, labels, tokens and settings.

``open_store(config)`` picks the backend from ``STORE_URL``: empty means the embedded SQLite file
``DATA_DIR/microscout.db``; ``sqlite:///relative.db`` or ``sqlite:////abs/path.db`` another file;
``redis://host:6379/0`` (or ``rediss://``, ``unix://``) a Redis shared by a team. Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from server.storage.protocol import (
    Conflict,
    InvalidValue,
    NotFound,
    Store,
    StoreError,
    StoreUnavailable,
)
from server.storage.records import CreatorQuery
from server.vocab import is_redis_url, redact_url

__all__ = ["CreatorQuery", "Conflict", "InvalidValue", "NotFound", "Store", "StoreError", "StoreUnavailable",
           "DB_FILE", "open_store"]

DB_FILE = "microscout.db"


def open_store(config: Mapping[str, Any]) -> Store:
    """The store named by ``config["STORE_URL"]`` (see the module docstring)."""
    url = str(config.get("STORE_URL") or "").strip()
    if not url:
        from server.storage.sqlite import SQLiteStore

        return SQLiteStore(Path(config["DATA_DIR"]) / DB_FILE)
    if url.startswith("sqlite:///"):
        from server.storage.sqlite import SQLiteStore

        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy reads them
        return SQLiteStore(Path(url.removeprefix("sqlite:///")).expanduser())
    if is_redis_url(url):
        from server.storage.redis import RedisStore

        return RedisStore(url)
    raise ValueError("MICROSCOUT_STORE_URL must be empty, sqlite:///path or redis://...; "
                     f"got {redact_url(url)!r}")
