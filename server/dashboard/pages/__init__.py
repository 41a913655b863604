"""The dashboard's views, one module a page. Importing a module adds its routes to ``bp``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, request

from server import services


def register() -> None:
    """Import every page once, before the blueprint is first registered on an app."""
    from server.dashboard.pages import (  # noqa: F401
        comments,
        creator,
        discovered,
        models,
        niches,
        outreach,
        results,
        signin,
        watchlist,
    )


def store() -> Any:
    """The app's store; a page cannot work without one."""
    current = services.get().store
    if current is None:
        abort(503, "No store is configured for this server.")
    return current


def safe_next(default: str) -> str:
    """A same-site path to go back to (a crafted ?next= must not send people elsewhere)."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or parts.scheme
        or parts.netloc
    ):
        return default
    return target
