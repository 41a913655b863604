"""What a partnership returned: imported rows summed per creator, campaign and week, against the
cost in the creator's terms. Pure functions; the API, the dashboard and the CSV share them.

Cost is the first amount in the terms' ``fee`` ("€400", "1.200 EUR", "$350 per post" -> 400, 1200,
350), counted in full from the campaign's first week (a fee is paid up front), so each week shows
the cost per conversion and the return on spend *to date*. Revenue and fee are taken to be in the
same currency. A campaign that is not the terms' campaign has no known cost.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from server.results.importer import decimal_comma_evidence, parse_amount

__all__ = [
    "LOW_ENGAGEMENT",
    "MIN_SESSIONS_TO_FLAG",
    "campaign_results",
    "creator_results",
    "fee_amount",
    "overview",
    "to_csv",
]

# GA4's engagement rate (engaged / sessions) runs around 50-65% for social traffic; under 30% over
# at least 50 sessions means the link's visitors leave at once (bots, misleading placement, wrong audience).
LOW_ENGAGEMENT = 0.30
MIN_SESSIONS_TO_FLAG = 50


def fee_amount(fee: Any) -> float | None:
    """The first amount in a fee text; None when it names none."""
    if not isinstance(fee, str):
        return None
    found = re.search(r"\d[\d.,\u00a0 ']*", fee)
    if not found:
        return None
    raw = found.group(0).strip().rstrip(".,")
    evidence = decimal_comma_evidence(raw)
    if evidence == 0:  # "1.200" or "1,200": one separator before three digits groups thousands in a fee
        raw = raw.replace(",", "").replace(".", "")
    value = parse_amount(raw, "," if evidence > 0 else ".")
    return value if value is not None and value > 0 else None


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 4)


def _totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    ga4 = [r for r in rows if r.get("sessions") is not None]
    sessions = sum(int(r["sessions"]) for r in ga4) if ga4 else None
    engaged = sum(int(r.get("engaged_sessions") or 0) for r in ga4) if ga4 else None
    return {
        "sessions": sessions,
        "engaged_sessions": engaged,
        "engagement_rate": _ratio(engaged, sessions) if sessions else None,
        "conversions": round(sum(float(r.get("conversions") or 0) for r in rows), 2),
        "revenue": round(sum(float(r.get("revenue") or 0) for r in rows), 2),
    }


def campaign_results(campaign: str, rows: Sequence[Mapping[str, Any]], cost: float | None) -> dict[str, Any]:
    """One campaign of one creator: week by week (cumulative cost per conversion and return) and totals."""
    by_week: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_week[str(row["week"])].append(row)
    weeks, conversions, revenue = [], 0.0, 0.0
    for week in sorted(by_week):
        totals = _totals(by_week[week])
        conversions += totals["conversions"]
        revenue += totals["revenue"]
        weeks.append(
            {
                "week": week,
                **totals,
                "cost": cost,
                "cost_per_conversion": _ratio(cost, conversions) if cost is not None else None,
                "return_on_spend": _ratio(revenue, cost) if cost else None,
                "revenue_to_date": round(revenue, 2),
                "conversions_to_date": round(conversions, 2),
            }
        )
    total = _totals(rows)
    return {
        "campaign": campaign,
        "weeks": weeks,
        **total,
        "cost": cost,
        "cost_per_conversion": _ratio(cost, total["conversions"]) if cost is not None else None,
        "return_on_spend": _ratio(total["revenue"], cost) if cost else None,
        "sources": sorted({str(r.get("source")) for r in rows}),
    }


def _flag(totals: Mapping[str, Any]) -> dict[str, Any] | None:
    sessions, engaged = totals.get("sessions"), totals.get("engaged_sessions")
    if not sessions or sessions < MIN_SESSIONS_TO_FLAG or engaged is None:
        return None
    rate = engaged / sessions
    if rate >= LOW_ENGAGEMENT:
        return None
    return {
        "sessions": sessions,
        "engaged_sessions": engaged,
        "engagement_rate": round(rate, 4),
        "threshold": LOW_ENGAGEMENT,
        "reason": f"traffic that does not engage: {engaged:,} of {sessions:,} sessions engaged ({rate:.0%}; "
        f"social traffic usually engages 50-65%, flagged under {LOW_ENGAGEMENT:.0%})",
    }


def _scores(creator: Mapping[str, Any]) -> dict[str, Any]:
    summary = creator.get("summary") or {}
    fits = summary.get("fit") or {}
    niche = creator.get("niche")
    fit = fits.get(niche) if niche in fits else max((v for v in fits.values() if v is not None), default=None)
    return {
        "fit": fit,
        "fit_niche": niche if niche in fits else None,
        "authenticity": summary.get("authenticity"),
        "overall": summary.get("overall"),
    }


def creator_results(creator: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A creator's results: per campaign, totals, the cost from the terms, the scores, a flag."""
    terms = creator.get("outreach") or {}
    fee = fee_amount(terms.get("fee"))
    terms_campaign = str(terms.get("campaign") or "").strip().casefold()
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[str(row.get("campaign") or "(not set)")].append(row)
    names = sorted(grouped)
    # the fee belongs to the terms' campaign; with one campaign and no campaign in the terms, to that one
    costed = {n for n in names if n.casefold() == terms_campaign} or (
        set(names) if len(names) == 1 and not terms_campaign else set()
    )
    campaigns = [campaign_results(n, grouped[n], fee if n in costed else None) for n in names]
    total = _totals(rows)
    cost = fee if costed else None
    return {
        "platform": creator["platform"],
        "handle": creator["handle"],
        "display_name": creator.get("display_name"),
        "niche": creator.get("niche"),
        "status": creator.get("status"),
        "fee": terms.get("fee"),
        "discount_code": terms.get("discount_code"),
        "campaigns": campaigns,
        **total,
        "cost": cost,
        "cost_per_conversion": _ratio(cost, total["conversions"]) if cost is not None else None,
        "return_on_spend": _ratio(total["revenue"], cost) if cost else None,
        "low_engagement": _flag(total),
        "scores": _scores(creator),
    }


# the overview's sort keys and the field each sorts by
SORTS = {
    "return": "return_on_spend",
    "revenue": "revenue",
    "conversions": "conversions",
    "sessions": "sessions",
    "cost_per_conversion": "cost_per_conversion",
}


def overview(
    creators: Iterable[Mapping[str, Any]], rows: Iterable[Mapping[str, Any]], sort: str = "return"
) -> list[dict[str, Any]]:
    """Every creator with results, sorted by return on spend (best first; no known cost last)."""
    by_key: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_key[(str(row["platform"]), str(row["handle"]).lower())].append(row)
    out = [
        creator_results(c, by_key[(c["platform"], str(c["handle"]).lower())])
        for c in creators
        if (c["platform"], str(c["handle"]).lower()) in by_key
    ]
    field = SORTS.get(sort, "return_on_spend")
    known = [r for r in out if r.get(field) is not None]
    known.sort(key=lambda r: r[field], reverse=field != "cost_per_conversion")
    return known + sorted((r for r in out if r.get(field) is None), key=lambda r: r["handle"].lower())


CSV_COLUMNS = (
    "platform",
    "handle",
    "campaign",
    "week",
    "sessions",
    "engaged_sessions",
    "engagement_rate",
    "conversions",
    "revenue",
    "cost",
    "cost_per_conversion",
    "return_on_spend",
    "fit",
    "authenticity",
    "low_engagement",
)


def to_csv(results: Sequence[Mapping[str, Any]]) -> str:
    """One row per creator, campaign and week (to-date cost per conversion and return), formulas escaped."""
    from server.storage.records import escape_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for result in results:
        scores = result.get("scores") or {}
        for campaign in result["campaigns"]:
            for week in campaign["weeks"]:
                writer.writerow(
                    [
                        escape_cell(v)
                        for v in (
                            result["platform"],
                            result["handle"],
                            campaign["campaign"],
                            week["week"],
                            week["sessions"],
                            week["engaged_sessions"],
                            week["engagement_rate"],
                            week["conversions"],
                            week["revenue"],
                            week["cost"],
                            week["cost_per_conversion"],
                            week["return_on_spend"],
                            scores.get("fit"),
                            scores.get("authenticity"),
                            bool(result.get("low_engagement")),
                        )
                    ]
                )
    return out.getvalue()
