"""The words microscout shares between its parts, declared once: platforms, tiers, statuses, labels.

Schemas, storage, scoring and the extension (through a test over ``extension/src/shared/vocab.js``)
read them from here. Also the two small helpers several layers need: ``slugify`` for niche ids,
``is_redis_url`` for the store URL, and ``read_or_create_secret`` for the 0600 files of the data dir.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Literal, get_args

__all__ = [
    "COMMENT_LABELS", "FIT_LABELS", "JOB_STATES", "PLATFORMS", "STATUSES", "TIERS", "TIER_FLOORS",
    "CommentLabel", "FitLabel", "JobState", "Platform", "Status", "Tier", "is_redis_url",
    "HANDLE_PATTERN", "check_handle", "is_path_handle", "private_dir", "redact_url", "read_or_create_secret",
    "slugify", "tier",
    # discovery
    "INBOX_STATUSES", "SEEN_ON_KINDS", "InboxStatus", "SeenOnKind",
]

Platform = Literal["instagram", "tiktok", "youtube"]
Tier = Literal["nano", "micro", "mid", "macro", "mega"]
# A watchlisted creator's place in the outreach pipeline; new entries start at the first.
Status = Literal["discovered", "shortlisted", "contacted", "negotiating", "partnered", "declined"]
FitLabel = Literal["fit", "not_fit"]
CommentLabel = Literal["genuine", "generic", "spam"]
JobState = Literal["queued", "running", "done", "failed"]

PLATFORMS: tuple[str, ...] = get_args(Platform)
TIERS: tuple[str, ...] = get_args(Tier)
STATUSES: tuple[str, ...] = get_args(Status)
FIT_LABELS: tuple[str, ...] = get_args(FitLabel)
COMMENT_LABELS: tuple[str, ...] = get_args(CommentLabel)
JOB_STATES: tuple[str, ...] = get_args(JobState)

# DESIGN.md's tiers: nano (<10k), micro (10k-100k), mid (100k-500k), macro (500k-1M), mega (1M+).
TIER_FLOORS: dict[str, int] = {"nano": 0, "micro": 10_000, "mid": 100_000, "macro": 500_000,
                               "mega": 1_000_000}

# ---- discovery: chips on scroll pages and the Discovered inbox ----
# Where a chip's creator was seen: the kind of scroll page (with its term: the hashtag, the search).
SeenOnKind = Literal["hashtag", "search", "feed", "comments"]
# A glanced creator's place in the inbox; "saved" is read from the watchlist, never stored.
InboxStatus = Literal["new", "dismissed", "saved"]
SEEN_ON_KINDS: tuple[str, ...] = get_args(SeenOnKind)
INBOX_STATUSES: tuple[str, ...] = get_args(InboxStatus)

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

# A creator's handle, the one rule for Snapshot.handle, stored creators and {handle} in URL paths:
# 1-100 characters, none of them whitespace, '/', '?', '#', '@', '\\', a control character or an
# invisible one (zero-width, direction marks, BOM), and not "." or ".." alone. Published as the
# pattern of every {handle} in /openapi.json (Python and ECMA regex alike).
HANDLE_MAX = 100
HANDLE_PATTERN = (r"^(?!\.{1,2}$)[^\s/?#@\\\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
                  r"\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]{1,100}$")
_HANDLE = re.compile(HANDLE_PATTERN)
# the same as sent in a body: spaces around it and a leading "@" are dropped before the rule applies
HANDLE_INPUT_PATTERN = (r"^\s*@?(?!\.{1,2}\s*$)[^\s/?#@\\\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
                        r"\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]{1,100}\s*$")
HANDLE_RULE = ("a handle is 1-100 characters with no spaces, '/', '?', '#', '@', '\\', control or "
               "invisible characters, and not '.' or '..'")
SLUG_MAX = 60


def tier(followers: int | None) -> str | None:
    """The size tier of a follower count, or None when the count was not captured."""
    if followers is None:
        return None
    return next(name for name in reversed(TIERS) if followers >= TIER_FLOORS[name])


def slugify(name: str) -> str:
    """A niche id from its name: ASCII letters and digits joined by '-' ("Café culture" -> "cafe-culture").

    A name with no Latin letters ("跑步") gets ``niche-`` and a hash of the name, so two such niches
    never share an id; stored ids were made by this same rule.
    """
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "niche-" + hashlib.sha1(name.encode()).hexdigest()[:8]


def check_handle(value: str) -> str:
    """``value`` as a bare handle (NFC, a leading "@" dropped); ValueError naming the rule otherwise."""
    if not isinstance(value, str):
        raise ValueError(HANDLE_RULE)
    handle = unicodedata.normalize("NFC", value).strip().removeprefix("@")
    if not _HANDLE.match(handle):
        raise ValueError(HANDLE_RULE)
    return handle


def is_path_handle(value: str) -> bool:
    """Whether ``value``, as it stands in a URL path, follows HANDLE_PATTERN (nothing is stripped)."""
    return bool(_HANDLE.match(value))


def is_redis_url(url: str | None) -> bool:
    """True for a store URL that names a Redis (a team's store); empty or sqlite:// is the embedded one."""
    return bool(url) and str(url).startswith(REDIS_SCHEMES)


def redact_url(url: str | None) -> str:
    """``url`` without its password (``redis://:secret@host`` -> ``redis://:***@host``), for logs."""
    if not url:
        return ""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(str(url))
    if parts.password is None:
        return str(url)
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def private_dir(path: str | Path) -> Path:
    """``path`` as a directory only its owner can enter (0700): created so, tightened when looser."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:  # a directory someone else owns: leave it, the files in it are 0600 anyway
        pass
    return path


def read_or_create_secret(path: str | Path, make: Callable[[], str] = lambda: secrets.token_urlsafe(32),
                          ) -> tuple[str, bool]:
    """The secret kept in ``path``, creating it (mode 0600) with ``make()`` when missing.

    Returns (secret, created). Creation is exclusive (O_EXCL): when several workers start at once,
    one writes and the others read what it wrote, so they all share one secret.
    """
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(100):  # the creator may not have written it yet: give it up to a second
            if value := path.read_text().strip():
                return value, False
            time.sleep(0.01)
        raise RuntimeError(f"{path} exists but is empty") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(make() + "\n")
    return path.read_text().strip(), True
