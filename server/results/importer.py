"""Reading partnership results from the files marketers already have: a Google Analytics 4 report
exported as CSV, and a Shopify discount-code report. Pure functions over bytes; no Flask, no store.

:func:`parse` reads a file into typed rows or raises :class:`ImportRefused` with one message per
bad row (row numbers are the file's own line numbers, 1-based, so a spreadsheet shows the same row).
:func:`match` then ties each row to a watchlisted creator: GA4 rows by ``utm_content`` (the
dashboard's UTM builder sets it to the handle, or to the terms' ``utm_content``), Shopify rows by
the discount code in the creator's terms. Nothing here writes: the store takes all matched rows
in one transaction or none.

What a GA4 export looks like (Reports > Acquisition > Traffic acquisition, dimensions Session
source, medium, campaign and manual ad content, optionally Date or Week): ``#`` comment lines with
the property and the date range, one header row, data rows, and a ``Grand total`` row. Numbers come
in the exporting user's locale: ``1,234.56`` or ``1.234,56`` (German-style Excel saves the whole file
with ``;`` between cells). Both are read; the file's decimal mark is decided from its own cells.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_REVENUE",
    "ImportRefused",
    "ParsedFile",
    "ResultRow",
    "RowProblem",
    "decimal_comma_evidence",
    "match",
    "parse",
    "parse_amount",
    "week_of",
]

MAX_FILE_BYTES = 1024 * 1024  # a year of weekly rows for 1,000 creators is about 4 MB; split bigger ones
# A week's revenue from one creator's link above this is a unit or export error, not a sale.
MAX_REVENUE = 10_000_000.0
MAX_SESSIONS = 100_000_000
NOT_SET = {"", "(not set)", "(none)", "(direct)", "(not provided)", "-"}
DEFAULT_MEDIA = {"influencer"}  # the UTM builder's utm_medium

GA4, SHOPIFY = "ga4", "shopify"

# Header names (case-folded) -> our field. GA4 writes the dimension's display name; older exports
# and the API write the API names.
_GA4_COLUMNS = {
    "source": ("session source", "first user source", "source", "sessionsource"),
    "medium": ("session medium", "first user medium", "medium", "sessionmedium"),
    "campaign": (
        "session campaign",
        "first user campaign",
        "campaign",
        "session campaign name",
        "sessioncampaignname",
    ),
    "content": (
        "session manual ad content",
        "first user manual ad content",
        "manual ad content",
        "session manual ad content name",
        "sessionmanualadcontent",
    ),
    "sessions": ("sessions",),
    "engaged_sessions": ("engaged sessions", "engagedsessions"),
    "conversions": ("key events", "conversions", "keyevents"),
    "revenue": ("total revenue", "purchase revenue", "revenue", "totalrevenue", "purchaserevenue"),
    "date": ("date",),
    "week": ("iso year and iso week", "year and week", "isoyearisoweek", "yearweek", "week"),
}
_GA4_REQUIRED = ("content", "sessions", "engaged_sessions", "conversions", "revenue")
_SHOPIFY_COLUMNS = {
    "code": ("discount code", "discount name", "code"),
    "orders": ("orders", "total orders"),
    "sales": ("total sales", "net sales", "sales", "gross sales"),
    "date": ("day", "date", "week", "order date", "month"),
}


class ImportRefused(Exception):
    """The file cannot be imported as a whole; ``problems`` name the rows (nothing was written)."""

    def __init__(self, problems: Sequence[RowProblem], status: int = 422):
        self.problems = list(problems)
        self.status = status
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}")


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # the file's line number; None for the file as a whole
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row is not None else self.message

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "message": str(self)}


@dataclass
class ResultRow:
    """One row of results, before it is tied to a creator."""

    row: int
    source: str  # GA4 or SHOPIFY
    week: str  # the Monday of the ISO week, YYYY-MM-DD
    utm_source: str | None = None
    utm_medium: str | None = None
    campaign: str | None = None
    content: str | None = None  # utm_content (GA4) or the discount code (Shopify)
    sessions: int | None = None
    engaged_sessions: int | None = None
    conversions: float = 0.0
    revenue: float = 0.0


@dataclass
class ParsedFile:
    kind: str
    digest: (
        str  # of the data part (header and rows), so a re-download with a new export date is the same file
    )
    rows: list[ResultRow]
    decimal: str  # "." or ","
    delimiter: str
    period: tuple[str | None, str | None] = (None, None)
    totals_checked: bool = False
    notes: list[str] = field(default_factory=list)


# ---- numbers --------------------------------------------------------------------------------

_CURRENCY = re.compile(r"[^\d.,\-+]")


def _clean(text: str) -> str:
    text = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    return _CURRENCY.sub("", text)


def decimal_comma_evidence(text: str) -> int:
    """+1 when ``text`` can only be a decimal-comma number, -1 when only decimal-point, 0 unknown."""
    t = _clean(text)
    if "," in t and "." in t:
        return 1 if t.rfind(",") > t.rfind(".") else -1
    for mark, sign in ((",", 1), (".", -1)):
        if t.count(mark) > 1:
            return -sign  # repeated: a thousands separator
        if t.count(mark) == 1 and len(t.split(mark)[1]) != 3:
            return sign  # "12,5" / "12.50": a decimal mark
    return 0


def parse_amount(text: str, decimal: str = ".") -> float | None:
    """``1.234,56`` or ``1,234.56`` (by ``decimal``), currency signs and spaces dropped; None if none."""
    t = _clean(text)
    if not t or not re.search(r"\d", t):
        return None
    thousands = "," if decimal == "." else "."
    t = t.replace(thousands, "").replace(decimal, ".")
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def week_of(day: date) -> str:
    """The Monday of ``day``'s ISO week: weeks are named by the day they start."""
    return (day - timedelta(days=day.weekday())).isoformat()


def _parse_day(text: str) -> date | None:
    t = text.strip()
    for pattern in ("%Y%m%d", "%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y", "%b %d, %Y", "%Y-%m"):
        try:
            return datetime.strptime(t, pattern).date()
        except ValueError:
            continue
    return None


def _parse_week(text: str) -> date | None:
    """GA4's ``202403`` (ISO year and week) or ``2024-W03``: the Monday of that week."""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 6:
        year, week = int(digits[:4]), int(digits[4:])
        if 1 <= week <= 53 and 2000 <= year <= 2100:
            try:
                return date.fromisocalendar(year, week, 1)
            except ValueError:
                return None
    return None


# ---- reading the file -----------------------------------------------------------------------


def _text(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            [
                RowProblem(
                    None,
                    f"the file is {len(data) / 1e6:.1f} MB; an import takes at most "
                    f"{MAX_FILE_BYTES / 1e6:.1f} MB: export a shorter date range",
                )
            ],
            status=413,
        )
    if not data.strip():
        raise ImportRefused([RowProblem(None, "the file is empty")])
    head = data[:8]
    for magic, what in (
        (b"PK\x03\x04", "a zip archive or an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
        (b"%PDF", "a PDF"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"\x1f\x8b", "a gzip archive"),
    ):
        if head.startswith(magic):
            raise ImportRefused(
                [
                    RowProblem(
                        1,
                        f"this is not a CSV file: it is {what}; export the report "
                        "as CSV (GA4: Share this report > Download file > CSV)",
                    )
                ]
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise ImportRefused([RowProblem(1, "this is not a CSV file: it holds binary data")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            return data.decode("cp1252")  # Excel on Windows saves "ANSI"
        except UnicodeDecodeError:
            raise ImportRefused(
                [
                    RowProblem(
                        line, "this is not a text (CSV) file: the bytes are not UTF-8 or Windows-1252 text"
                    )
                ]
            ) from exc


def _columns(header: Sequence[str], names: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    folded = [h.strip().strip('"').casefold() for h in header]
    found: dict[str, int] = {}
    for key, options in names.items():
        for option in options:
            if option in folded:
                found[key] = folded.index(option)
                break
    return found


def _split(lines: list[tuple[int, str]], delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of the data part; quoted cells may span lines."""
    text = "\n".join(line for _, line in lines)
    numbers = [n for n, _ in lines]
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    out = []
    try:
        for cells in reader:
            out.append((numbers[min(reader.line_num - 1, len(numbers) - 1)], cells))
    except csv.Error as exc:
        raise ImportRefused(
            [RowProblem(numbers[min(reader.line_num, len(numbers)) - 1], f"not readable as CSV: {exc}")]
        ) from exc
    return out


def _is_total(cells: Sequence[str], dims: Sequence[int]) -> bool:
    values = [cells[i].strip().casefold() for i in dims if i < len(cells)]
    named = any(
        v in ("grand total", "total", "totals", "gesamtsumme", "summe", "total général") for v in values
    )
    return named or (bool(values) and all(not v for v in values))


def parse(data: bytes, *, today: date | None = None) -> ParsedFile:
    """Read a GA4 or Shopify export; ImportRefused naming every bad row (see the module docstring)."""
    text = _text(data)
    comments: list[str] = []
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#") or (not lines and not line.strip()):
            comments.append(line.lstrip("#").strip())
            continue
        lines.append((number, line))
    if not lines:
        raise ImportRefused([RowProblem(None, "the file has comment lines but no header row and no data")])
    header_line = lines[0][1]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    if header_line.count(delimiter) == 0:
        raise ImportRefused(
            [
                RowProblem(
                    lines[0][0],
                    "this is not a CSV report: the first row has no columns separated by ',', ';' or tabs",
                )
            ]
        )
    table = _split(lines, delimiter)
    header_row, header = table[0]
    body = [(n, cells) for n, cells in table[1:] if any(c.strip() for c in cells)]
    ga4 = _columns(header, _GA4_COLUMNS)
    shopify = _columns(header, _SHOPIFY_COLUMNS)
    if {"code", "orders", "sales"} <= set(shopify) and "sessions" not in ga4:
        kind, columns = SHOPIFY, shopify
    elif all(k in ga4 for k in _GA4_REQUIRED):
        kind, columns = GA4, ga4
    else:
        missing = [k for k in _GA4_REQUIRED if k not in ga4]
        shown = ", ".join(h.strip() for h in header[:8]) + (", ..." if len(header) > 8 else "")
        readable = {
            "content": "Session manual ad content",
            "sessions": "Sessions",
            "engaged_sessions": "Engaged sessions",
            "conversions": "Key events (or Conversions)",
            "revenue": "Total revenue",
        }
        raise ImportRefused(
            [
                RowProblem(
                    header_row,
                    (
                        f"this is not a report microscout can import: its columns are {shown}. "
                        f"A GA4 export needs {', '.join(readable[m] for m in missing)} (Traffic "
                        "acquisition with the dimensions Session source / medium, Session campaign and "
                        "Session manual ad content); a Shopify discount report needs Discount code, "
                        "Orders and Total sales"
                    ),
                )
            ]
        )
    decimal = _decide_decimal(body, columns, kind)
    period = _period(comments)
    fallback_week = _fallback_week(period, today)
    rows, problems, totals = [], [], []
    dims = [columns[k] for k in ("source", "medium", "campaign", "content", "code") if k in columns]
    for number, cells in body:
        extra = len(cells) > len(header) and any(c.strip() for c in cells[len(header) :])
        if len(cells) < len(header) or extra:
            hint = (
                " (a decimal comma in a ','-separated file? quote the amount or save with ';')"
                if extra and delimiter == ","
                else f" (the file uses '{delimiter}' between cells)"
            )
            problems.append(
                RowProblem(number, f"{len(cells)} cells where the header has {len(header)}{hint}")
            )
            continue
        if _is_total(cells, dims):
            totals.append((number, cells))
            continue
        reader = _read_ga4_row if kind == GA4 else _read_shopify_row
        row, problem = reader(number, cells, columns, decimal, fallback_week)
        if problem:
            problems.append(problem)
        elif row is not None:
            rows.append(row)
    if problems:
        raise ImportRefused(problems)
    if not rows:
        raise ImportRefused([RowProblem(None, "the file has a header but no data rows")])
    parsed = ParsedFile(
        kind=kind,
        digest=_digest(kind, header, body),
        rows=rows,
        decimal=decimal,
        delimiter=delimiter,
        period=period,
    )
    if kind == GA4 and totals:
        _check_totals(parsed, totals[-1], columns, decimal)
    if delimiter != ",":
        parsed.notes.append(f"read as '{delimiter}'-separated with decimal mark '{decimal}'")
    if fallback_week and "date" not in columns and "week" not in columns:
        parsed.notes.append(
            f"no date column: every row counts in the week of {fallback_week}"
            + (" (the report's start date)" if period[0] else " (today)")
        )
    return parsed


def _digest(kind: str, header: Sequence[str], body: Iterable[tuple[int, Sequence[str]]]) -> str:
    h = hashlib.sha256(kind.encode())
    for cells in (header, *(c for _, c in body)):
        h.update("\x1f".join(c.strip() for c in cells).encode() + b"\x1e")
    return h.hexdigest()


def _decide_decimal(body: Sequence[tuple[int, Sequence[str]]], columns: Mapping[str, int], kind: str) -> str:
    numeric = (
        ("sessions", "engaged_sessions", "conversions", "revenue") if kind == GA4 else ("orders", "sales")
    )
    votes = sum(
        decimal_comma_evidence(cells[columns[k]])
        for _, cells in body
        for k in numeric
        if k in columns and columns[k] < len(cells)
    )
    return "," if votes > 0 else "."


def _period(comments: Sequence[str]) -> tuple[str | None, str | None]:
    found: dict[str, str | None] = {"start": None, "end": None}
    for line in comments:
        m = re.match(r"(start|end)\s*date\s*:\s*(\S+)", line, re.IGNORECASE)
        if m and (day := _parse_day(m.group(2))):
            found[m.group(1).lower()] = day.isoformat()
    return found["start"], found["end"]


def _fallback_week(period: tuple[str | None, str | None], today: date | None) -> str:
    if period[0]:
        return week_of(date.fromisoformat(period[0]))
    return week_of(today or date.today())


def _cell(cells: Sequence[str], columns: Mapping[str, int], key: str) -> str:
    return cells[columns[key]].strip() if key in columns else ""


def _row_week(
    number: int, cells: Sequence[str], columns: Mapping[str, int], fallback: str
) -> tuple[str | None, RowProblem | None]:
    if "date" in columns:
        raw = _cell(cells, columns, "date")
        day = _parse_day(raw)
        if day is None:
            return None, RowProblem(number, f"the date {raw!r} is not a date (YYYYMMDD or YYYY-MM-DD)")
        return week_of(day), None
    if "week" in columns:
        raw = _cell(cells, columns, "week")
        day = _parse_week(raw)
        if day is None:
            return None, RowProblem(number, f"the week {raw!r} is not an ISO year and week like 202403")
        return week_of(day), None
    return fallback, None


def _count(
    number: int, raw: str, name: str, decimal: str, *, whole: bool
) -> tuple[float | None, RowProblem | None]:
    value = parse_amount(raw, decimal) if raw else 0.0
    if value is None:
        return None, RowProblem(number, f"{name} {raw!r} is not a number")
    if value < 0:
        return None, RowProblem(number, f"{name} is negative ({raw})")
    if whole and value != int(value):
        return None, RowProblem(
            number,
            f"{name} {raw!r} is not a whole number (is the decimal mark "
            f"{'comma' if decimal == ',' else 'point'} right?)",
        )
    if value > MAX_SESSIONS:
        return None, RowProblem(number, f"{name} {raw!r} is absurdly large")
    return value, None


def _money(number: int, raw: str, name: str, decimal: str) -> tuple[float | None, RowProblem | None]:
    value = parse_amount(raw, decimal) if raw else 0.0
    if value is None:
        return None, RowProblem(number, f"{name} {raw!r} is not an amount")
    if value < 0:
        return None, RowProblem(
            number,
            f"{name} is negative ({raw}): refunds belong in the store's report, not in a week's results",
        )
    if value > MAX_REVENUE:
        return None, RowProblem(
            number,
            f"{name} {raw!r} reads as {value:,.2f}: more than {MAX_REVENUE:,.0f} "
            "in one week from one link is an export or unit error",
        )
    return round(value, 2), None


def _read_ga4_row(
    number: int, cells: Sequence[str], columns: Mapping[str, int], decimal: str, fallback: str
) -> tuple[ResultRow | None, RowProblem | None]:
    week, problem = _row_week(number, cells, columns, fallback)
    if problem:
        return None, problem
    values: dict[str, float] = {}
    for key, name in (
        ("sessions", "sessions"),
        ("engaged_sessions", "engaged sessions"),
        ("conversions", "key events"),
    ):
        value, problem = _count(number, _cell(cells, columns, key), name, decimal, whole=key != "conversions")
        if problem:
            return None, problem
        values[key] = value or 0.0
    revenue, problem = _money(number, _cell(cells, columns, "revenue"), "revenue", decimal)
    if problem:
        return None, problem
    if values["engaged_sessions"] > values["sessions"]:
        return None, RowProblem(
            number,
            f"more engaged sessions ({values['engaged_sessions']:.0f}) than "
            f"sessions ({values['sessions']:.0f})",
        )

    def dim(key: str) -> str | None:
        value = _cell(cells, columns, key)
        return None if value.casefold() in NOT_SET else value

    return ResultRow(
        row=number,
        source=GA4,
        week=week or fallback,
        utm_source=dim("source"),
        utm_medium=dim("medium"),
        campaign=dim("campaign"),
        content=dim("content"),
        sessions=int(values["sessions"]),
        engaged_sessions=int(values["engaged_sessions"]),
        conversions=values["conversions"],
        revenue=revenue or 0.0,
    ), None


def _read_shopify_row(
    number: int, cells: Sequence[str], columns: Mapping[str, int], decimal: str, fallback: str
) -> tuple[ResultRow | None, RowProblem | None]:
    week, problem = _row_week(number, cells, columns, fallback)
    if problem:
        return None, problem
    orders, problem = _count(number, _cell(cells, columns, "orders"), "orders", decimal, whole=True)
    if problem:
        return None, problem
    sales, problem = _money(number, _cell(cells, columns, "sales"), "sales", decimal)
    if problem:
        return None, problem
    code = _cell(cells, columns, "code")
    return ResultRow(
        row=number,
        source=SHOPIFY,
        week=week or fallback,
        content=None if code.casefold() in NOT_SET else code,
        conversions=orders or 0.0,
        revenue=sales or 0.0,
    ), None


def _check_totals(
    parsed: ParsedFile, total: tuple[int, Sequence[str]], columns: Mapping[str, int], decimal: str
) -> None:
    """GA4's Grand total must equal the rows' sum: a mismatch means rows went missing on the way."""
    number, cells = total
    sessions = parse_amount(_cell(cells, columns, "sessions"), decimal)
    if sessions is None:
        return
    summed = sum(r.sessions or 0 for r in parsed.rows)
    if abs(summed - sessions) > 0.5:
        raise ImportRefused(
            [
                RowProblem(
                    number,
                    f"the Grand total says {sessions:,.0f} sessions but the rows "
                    f"add up to {summed:,}: rows are missing or were edited",
                )
            ]
        )
    parsed.totals_checked = True


# ---- tying rows to creators -----------------------------------------------------------------


@dataclass
class Matched:
    rows: list[tuple[ResultRow, Mapping[str, Any]]]  # (row, creator entry)
    unmatched: list[RowProblem]
    skipped: int  # rows of other traffic (not an influencer medium, or no utm_content)


def creator_links(
    creators: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]], set[str]]:
    """(utm_content -> creator, discount code -> creator, the influencer media in use), case-folded."""
    by_content: dict[str, Mapping[str, Any]] = {}
    by_code: dict[str, Mapping[str, Any]] = {}
    media = set(DEFAULT_MEDIA)
    for creator in creators:
        terms = creator.get("outreach") or {}
        handle = str(creator["handle"]).lower()
        by_content.setdefault(handle, creator)
        content = str(terms.get("utm_content") or "").strip().casefold()
        if content:
            by_content[content] = creator
        code = str(terms.get("discount_code") or "").strip().casefold()
        if code:
            by_code[code] = creator
        if terms.get("utm_medium"):
            media.add(str(terms["utm_medium"]).strip().casefold())
    return by_content, by_code, media


def match(parsed: ParsedFile, creators: Iterable[Mapping[str, Any]]) -> Matched:
    """Tie each row to a creator. A GA4 row with an influencer medium (the builder's ``influencer`` or
    one set in some creator's terms) or a known utm_content is a creator's; one whose utm_content
    matches nobody is unmatched. Other traffic (organic search, ads) is skipped. Every row of a
    Shopify report with a code is a creator's or unmatched."""
    by_content, by_code, media = creator_links(creators)
    found, unmatched, skipped = [], [], 0
    for row in parsed.rows:
        key = (row.content or "").casefold()
        if parsed.kind == SHOPIFY:
            if not key:
                skipped += 1
            elif key in by_code:
                found.append((row, by_code[key]))
            else:
                unmatched.append(
                    RowProblem(
                        row.row,
                        f"the discount code {row.content!r} is in no creator's "
                        "terms (outreach page: Discount code)",
                    )
                )
            continue
        if key and key in by_content:
            found.append((row, by_content[key]))
        elif key and (row.utm_medium or "").casefold() in media:
            unmatched.append(
                RowProblem(
                    row.row,
                    f"utm_content {row.content!r} (campaign {row.campaign or '-'}) "
                    "matches no creator on the watchlist",
                )
            )
        else:
            skipped += 1
    return Matched(found, unmatched, skipped)


def row_record(
    parsed: ParsedFile, row: ResultRow, creator: Mapping[str, Any], *, at: str, by: str, file_name: str | None
) -> dict[str, Any]:
    """What the store keeps for one imported row; ``id`` makes re-importing the same file a no-op."""
    terms = creator.get("outreach") or {}
    campaign = (
        row.campaign
        or str(terms.get("campaign") or "")
        or (f"code {row.content}" if parsed.kind == SHOPIFY else "(not set)")
    )
    return {
        "id": hashlib.sha256(f"{parsed.digest}:{row.row}".encode()).hexdigest()[:32],
        "platform": creator["platform"],
        "handle": creator["handle"],
        "source": row.source,
        "campaign": campaign,
        "week": row.week,
        "content": row.content,
        "utm_source": row.utm_source,
        "utm_medium": row.utm_medium,
        "sessions": row.sessions,
        "engaged_sessions": row.engaged_sessions,
        "conversions": row.conversions,
        "revenue": row.revenue,
        "file": parsed.digest,
        "row": row.row,
        "file_name": file_name,
        "imported_at": at,
        "imported_by": by,
    }
