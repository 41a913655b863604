"""History charts drawn on the server as inline SVG: no chart library, no JavaScript, printable.

A chart is a time axis and one or more series of (time, value). It scales to its container through
its viewBox; every point carries a <title> (its date and value) for hover and screen readers, and
the <desc> states the first and latest values in words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup, escape

__all__ = ["Series", "line_chart", "parse_time"]

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 12, 30


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[datetime, float]]


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def compact(value: float) -> str:
    """12,300 -> 12.3k: axis labels must stay short."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            text = f"{value / limit:.1f}".rstrip("0").rstrip(".")
            return text + suffix
    return f"{value:g}"


def line_chart(
    chart_id: str,
    title: str,
    series: Sequence[Series],
    *,
    y_range: tuple[float, float] | None = None,
    fmt: Callable[[float], str] = compact,
    empty: str = "No history yet: every save with a score adds a point.",
) -> Markup:
    """An SVG line chart; ``y_range`` fixes the axis (0..100 for scores), otherwise it fits the data."""
    drawn = [s for s in series if s.points]
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    head = (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
    )
    if not drawn:
        return Markup(
            head + f'<desc id="{escape(desc_id)}">No history yet.</desc>'
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" class="chart-empty">'
            f"{escape(empty)}</text></svg>"
        )

    times = [t for s in drawn for t, _ in s.points]
    values = [v for s in drawn for _, v in s.points]
    t0, t1 = min(times), max(times)
    low, high = y_range if y_range else (min(values), max(values))
    if not y_range:
        pad = (high - low) * 0.1 or max(abs(high) * 0.05, 1)
        low, high = low - pad, high + pad
        if min(values) >= 0:
            low = max(low, 0)
    ticks = _nice_ticks(low, high) if not y_range else _nice_ticks(y_range[0], y_range[1])
    low, high = min(ticks[0], low), max(ticks[-1], high)
    span = (t1 - t0).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: datetime) -> float:
        return LEFT + (plot_w / 2 if span == 0 else (t - t0).total_seconds() / span * plot_w)

    def y(v: float) -> float:
        return TOP + plot_h - (v - low) / (high - low) * plot_h

    parts = [head]
    summary = "; ".join(
        f"{s.label}: {fmt(s.points[0][1])} on {s.points[0][0]:%Y-%m-%d}, "
        f"{fmt(s.points[-1][1])} on {s.points[-1][0]:%Y-%m-%d}"
        for s in drawn
    )
    parts.append(f'<desc id="{escape(desc_id)}">{escape(summary)}.</desc>')
    for tick in ticks:
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(tick))}</text>"
        )
    labels = [(t0, "start")] if span == 0 else [(t0, "start"), (t1, "end")]
    stamp = "%b %d, %H:%M" if span < 2 * 86400 else "%b %d, %Y"  # several saves in a day: show the hour
    for t, anchor in labels:
        parts.append(
            f'<text class="axis" x="{x(t):.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="{"middle" if span == 0 else anchor}">{t.strftime(stamp)}</text>'
        )
    for index, s in enumerate(drawn):
        points = sorted(s.points, key=lambda p: p[0])
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(t):.1f},{y(v):.1f}" for i, (t, v) in enumerate(points))
        parts.append(f'<g class="series s{index % 6}"><path d="{path}"/>')
        for t, v in points:
            parts.append(
                f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3.5">'
                f"<title>{escape(s.label)}: {escape(fmt(v))} on {t:%Y-%m-%d %H:%M}</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
