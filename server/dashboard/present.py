"""How numbers look on the pages: Jinja filters, and score sections turned into labelled facts.

Score sections are rendered from what the scorer stored; keys this module does not know still show
(humanized), so a new metric appears on the creator page without a template change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from server.dashboard.charts import compact, parse_time

# Keys shown elsewhere on the page (or too bulky for a fact list).
SKIP = {
    "score",
    "reasons",
    "confidence",
    "evidence",
    "posts",
    "flagged",
    "references",
    "organic_post_ids",
    "niche",
    "name",
    "weights",
    "components",
    "tier",
    "followers",
    "raw",
    "percentile_note",
}
FRACTION_HINTS = ("share", "rate", "relevance", "probability", "similarity")


def pct(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "–"
    return f"{value * 100:.{digits}f}%"


def num(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "–"
    return f"{value:,.{digits}f}"


def short(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "–"
    return compact(float(value))


def band(value: Any) -> str:
    """A CSS class for a 0-100 score: colour is a hint next to the number, never the only signal."""
    if not isinstance(value, int | float):
        return "none"
    return "high" if value >= 70 else "mid" if value >= 40 else "low"


def when(value: Any) -> str:
    moment = parse_time(value) if isinstance(value, str) else None
    if moment is None:
        return "–"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def ago(value: Any, now: datetime | None = None) -> str:
    moment = parse_time(value) if isinstance(value, str) else None
    if moment is None:
        return "–"
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    for size, unit in (
        (86400 * 365, "year"),
        (86400 * 30, "month"),
        (86400, "day"),
        (3600, "hour"),
        (60, "minute"),
    ):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


PLATFORM_NAMES = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube"}


def platform_name(value: Any) -> str:
    return PLATFORM_NAMES.get(str(value), str(value))


def language_list(value: Any, most: int = 3) -> str:
    """{code: share} as "es 80% · en 20%", largest first; a dash when nothing was detected."""
    if not isinstance(value, Mapping) or not value:
        return "–"
    shares = sorted(((str(k), v) for k, v in value.items() if isinstance(v, int | float)),
                    key=lambda kv: (-kv[1], kv[0]))
    shown = " · ".join(f"{code} {pct(share)}" for code, share in shares[:most])
    return shown + (f" · +{len(shares) - most}" if len(shares) > most else "")


def humanize(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _value(key: str, value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, float) and any(h in key for h in FRACTION_HINTS) and 0 <= value <= 1:
            return pct(value, 1)
        return num(value, 0 if isinstance(value, int) or abs(value) >= 100 else 1 if abs(value) >= 1 else 3)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if "value" in value:  # {"value": 0.04, "posts": 7}: a number and what it rests on
            shown = _value(key, value["value"])
            if shown is None or value["value"] is None:
                return None
            basis = [f"{v} {k}" for k, v in value.items() if k != "value" and isinstance(v, int | str)]
            return shown + (f" ({', '.join(basis)})" if basis else "")
        if isinstance(value.get("label"), str):  # {"label": "steady", ...details}: the verdict is enough
            return value["label"]
        inner = [
            f"{humanize(k).lower()} {_value(k, v)}"
            for k, v in value.items()
            if _value(k, v) is not None and not isinstance(v, Mapping | list)
        ]
        return "; ".join(inner) or None
    if isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    return None


def facts(
    section: Mapping[str, Any] | None, skip: set[str] | frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """(label, shown value) for every scalar-ish key of a score section, in the scorer's order."""
    out = []
    for key, value in (section or {}).items():
        if key in SKIP or key in skip or value is None:
            continue
        shown = _value(key, value)
        if shown not in (None, ""):
            out.append((humanize(key), shown))
    return out


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        pct=pct,
        num=num,
        short=short,
        band=band,
        when=when,
        ago=ago,
        humanize=humanize,
        platform=platform_name,
        languages=language_list,
    )
    app.jinja_env.globals["facts"] = facts
