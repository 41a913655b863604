"""The Store seam: what every backend (SQLite, Redis) promises, and the errors it raises.

Records are plain JSON-able dicts so both backends, the API and ``microscout export`` share one
shape:

niche      {"id", "name", "description", "keywords", "hashtags", "example_posts", "created_at",
            "updated_at"} plus "weights" when set
creator    {"platform", "handle", "display_name", "niche", "status", "notes", "tags", "summary",
            "created_at", "updated_at", "updated_by"}; ``get_creator`` adds "snapshot" and "score"
            (stored as sent). ``summary`` holds the numbers lifted from the score for sorting:
            followers, tier, overall, authenticity, engagement_rate, fit {niche id: score}.
discovered a creator glanced at on a scroll page: see storage/discovered.py
point      one history entry: {"at", "captured_at", "followers", "overall", "authenticity",
            "engagement_rate", "fit"}; appended by every save that carries a snapshot or a score.
brand      {"names", "handles", "competitors": [{"name", "handles"}], "updated_at"}: one a workspace
label      {"id", "niche", "label", "snapshot", "created_at", "created_by"}
comment label {"id", "text", "label", "post_caption", "created_at", "created_by"}
result     one imported row of a GA4 or Shopify export: {"id" (of the file's data and row), "platform",
            "handle", "source", "campaign", "week", "sessions", "engaged_sessions", "conversions",
            "revenue", ...}: see results/importer.py ``row_record``. Deleting a creator deletes its rows.

Creators are identified by platform and the case-folded handle (handles on all three platforms
are case-insensitive); the handle as last sent is kept for display.

Every write is all-or-nothing (an SQLite transaction, a Redis MULTI/EXEC) and is durable when the
call returns: a save that answered 2xx survives a kill -9 of the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

SORT_KEYS = ("overall", "fit", "authenticity", "followers", "updated", "created", "handle")
EXPORT_FORMAT = "microscout.export"
EXPORT_VERSION = 1


class StoreError(Exception):
    """Base class: something the store refused or could not do."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(StoreError):
    """The niche, creator or token named does not exist."""


class Conflict(StoreError):
    """The write clashes with what is stored (a duplicate niche id or token name, a non-empty import)."""


class InvalidValue(StoreError):
    """A value the store cannot keep (a bad status, a reference to a niche that does not exist)."""


class StoreUnavailable(StoreError):
    """The backend cannot be reached or is locked; nothing was written, retry later."""


@runtime_checkable
class Store(Protocol):
    """What the service needs from storage. ``tests/storage`` runs one contract suite over every backend."""

    kind: str  # "sqlite" | "redis", shown by /healthz

    def close(self) -> None: ...
    def ping(self) -> None:
        """Raise StoreUnavailable when the backend cannot answer."""

    # niches
    def list_niches(self) -> list[dict[str, Any]]: ...
    def get_niche(self, niche_id: str) -> dict[str, Any] | None: ...
    def create_niche(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Id from ``fields["id"]`` or a slug of the name; Conflict if taken."""
    def update_niche(self, niche_id: str, changes: Mapping[str, Any]) -> dict[str, Any]: ...
    def delete_niche(self, niche_id: str) -> None: ...

    # watchlist and history
    def save_creator(self, platform: str, handle: str, changes: Mapping[str, Any], *,
                     by: str) -> tuple[dict[str, Any], bool]:
        """Create or update (only the keys in ``changes``); returns (creator without snapshot and score,
        created)."""
    def get_creator(self, platform: str, handle: str) -> dict[str, Any] | None: ...
    def delete_creator(self, platform: str, handle: str) -> None: ...
    def list_creators(self, query: Any = None) -> list[dict[str, Any]]:
        """Creators without snapshot and score, filtered and sorted by a records.CreatorQuery."""
    def find_creators(self, query: Any = None) -> tuple[list[dict[str, Any]], int]:
        """(list_creators' answer, how many creators match before the query's limit and offset)."""
    def creator_languages(self) -> dict[str, int]:
        """{language code: creators on the whole watchlist with at least FILTER_SHARE of captions in it}."""
    def prepare(self) -> None:
        """Ready what the first watchlist page would otherwise wait for; the server calls it on a thread
        at start."""
    def history(self, platform: str, handle: str) -> list[dict[str, Any]]: ...
    def follower_jump(self, platform: str, handle: str,
                      followers: int | None = None) -> dict[str, Any] | None:
        """The latest sudden follower rise in the creator's history (plus ``followers`` now, if given)."""

    # what scoring reads
    def peer_rates(self, platform: str, tier: str | None,
                   exclude: tuple[str, str] | None = None) -> list[float]: ...
    def commenter_links(self, platform: str, handle: str, authors: Sequence[str]) -> dict[str, list[str]]: ...

    # labels (training examples)
    def add_label(self, niche: str, label: str, snapshot: Mapping[str, Any], *,
                  by: str) -> dict[str, Any]: ...
    def list_labels(self, niche: str | None = None) -> list[dict[str, Any]]: ...
    def add_comment_label(self, text: str, label: str, post_caption: str | None = None, *,
                          by: str) -> dict[str, Any]: ...
    def list_comment_labels(self) -> list[dict[str, Any]]: ...

    # team tokens: only a hash is stored
    def create_token(self, name: str) -> str: ...
    def list_tokens(self) -> list[dict[str, Any]]: ...
    def revoke_token(self, name: str) -> None: ...
    def token_name(self, token: str) -> str | None: ...

    # dashboard sessions: the cookie carries a random id, the store its hash and what it stands for
    def create_session(self, record: Mapping[str, Any], lifetime: float) -> str:
        """A new session id for ``record`` (who signed in), valid ``lifetime`` seconds."""
        ...
    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """The record of a live session; None when unknown, ended or expired."""
        ...
    def end_session(self, session_id: str) -> None: ...

    # small settings, e.g. the active model version
    def get_setting(self, key: str, default: Any = None) -> Any: ...
    def get_settings(self, keys: Sequence[str]) -> dict[str, Any]:
        """The settings of ``keys`` that exist, in one read (the registry's active versions)."""
        ...
    def set_setting(self, key: str, value: Any) -> None: ...

    # the brand profile: the marketer's brand and competitors (records.build_brand)
    def get_brand(self) -> dict[str, Any]:
        """The stored profile, or records.EMPTY_BRAND before the first save."""
    def put_brand(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the profile whole; InvalidValue for a bad one; the profile as stored."""

    # the Discovered inbox: creators glanced at on scroll pages (rules in storage/discovered.py)
    def get_discovered(self, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any] | None]:
        """The records of (platform, handle) pairs in order, with posts; None for one never glanced."""
    def remember_glances(self, glances: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Merge every glance into its creator's record in one write; the records after it, in order."""
    def list_discovered(self, query: Any = None) -> tuple[list[dict[str, Any]], int]:
        """(the page of records with posts, how many match) for a discovered.DiscoveredQuery."""
    def set_discovered_status(self, platform: str, handle: str, status: str) -> dict[str, Any]:
        """"new" or "dismissed"; NotFound for a creator never glanced at."""

    # partnership results imported from GA4 and Shopify exports (server/results)
    def add_results(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """Keep every row whose ``id`` is new, in one write: ``{"imported", "duplicates"}``. Each row
        names a watchlisted creator (platform, handle); InvalidValue (nothing written) when one does not."""
    def list_results(self, platform: str | None = None, handle: str | None = None) -> list[dict[str, Any]]:
        """Imported rows, of one creator or all, ordered by creator, campaign, week and id."""

    # moving a workspace between backends
    def export_data(self) -> dict[str, Any]: ...
    def import_data(self, data: Mapping[str, Any], *, replace: bool = False) -> dict[str, int]: ...
