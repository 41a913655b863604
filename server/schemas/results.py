"""Results and the audit on the wire: what POST /v1/results/import answers, a creator's results per
campaign and week, the Results overview, and the audit's latest report. Documentation of the answers
(they are built by server/results and server/jobs/audit.py, not parsed from clients)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel

from server.vocab import Platform


class RowMessage(BaseModel):
    row: int | None
    message: str


class ImportReport(BaseModel):
    kind: Literal["ga4", "shopify"]
    file: str
    rows: int
    imported: int
    duplicates: int
    skipped: int
    unmatched: list[RowMessage]
    errors: list[RowMessage]
    creators: int
    period: list[str | None]
    totals_checked: bool
    notes: list[str]


class Week(BaseModel):
    week: str
    sessions: int | None
    engaged_sessions: int | None
    engagement_rate: float | None
    conversions: float
    revenue: float
    cost: float | None
    cost_per_conversion: float | None
    return_on_spend: float | None
    revenue_to_date: float
    conversions_to_date: float


class CampaignResults(BaseModel):
    campaign: str
    weeks: list[Week]
    sessions: int | None
    engaged_sessions: int | None
    engagement_rate: float | None
    conversions: float
    revenue: float
    cost: float | None
    cost_per_conversion: float | None
    return_on_spend: float | None
    sources: list[str]


class LowEngagement(BaseModel):
    sessions: int
    engaged_sessions: int
    engagement_rate: float
    threshold: float
    reason: str


class ScoresBeside(BaseModel):
    fit: float | None
    fit_niche: str | None
    authenticity: float | None
    overall: float | None


class CreatorResults(BaseModel):
    platform: Platform
    handle: str
    display_name: str | None
    niche: str | None
    status: str | None
    fee: str | None
    discount_code: str | None
    campaigns: list[CampaignResults]
    sessions: int | None
    engaged_sessions: int | None
    engagement_rate: float | None
    conversions: float
    revenue: float
    cost: float | None
    cost_per_conversion: float | None
    return_on_spend: float | None
    low_engagement: LowEngagement | None
    scores: ScoresBeside


class ResultsOverview(BaseModel):
    creators: list[CreatorResults]


ChangeKind = Literal["fit_down", "authenticity_down", "follower_jump", "competitor"]  # server/jobs/audit.py
CHANGE_KINDS: tuple[str, ...] = get_args(ChangeKind)


class AuditChange(BaseModel):
    platform: Platform
    handle: str
    kind: ChangeKind
    message: str
    before: float | None = None
    after: float | None = None
    niche: str | None = None


class StaleCreator(BaseModel):
    platform: Platform
    handle: str
    captured_at: str | None
    days: float | None


class AuditReport(BaseModel):
    job: str | None
    state: str
    started_at: str | None
    finished_at: str | None
    reason: str
    audited: int
    skipped: int
    failed: int
    stale_days: int
    changes: list[AuditChange]
    stale: list[StaleCreator]
    models: dict[str, str]
    seconds: float | None
    workers: int | None = None
    by_worker: dict[str, int] | None = None
