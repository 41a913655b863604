"""Wire models of the stored records (niches, watchlist, history, labels),
validated by ``@spec`` and published in /openapi.json. Limits: notes 10,000 characters, 30 tags of
50, ids are slugs."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from server.schemas.base import (
    CLEAN,
    CLEAN_VISIBLE,
    HANDLE_INPUT,
    MAX_CAPTION,
    MAX_COMMENT,
    NOT_BLANK,
    NOT_NULL,
    VISIBLE,
    Wire,
    not_blank,
)
from server.schemas.snapshot import Examples, Keywords, NicheBrief, Snapshot, bare_handle
from server.scoring.score import Score
from server.storage.records import (
    COMPENSATION_TYPES,
    MAX_NOTES,
    MAX_OUTREACH_FIELDS,
    MAX_OUTREACH_TEXT,
    MAX_TAG,
    MAX_TAGS,
)
from server.vocab import CommentLabel, FitLabel, Platform, Status, Tier

Slug = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                            description="lower-case letters and digits joined by '-'")]
Weights = Annotated[dict[Annotated[str, Field(min_length=1, max_length=40)],
                         Annotated[float, Field(ge=0, le=100)]],
                    Field(max_length=10, description="overall blend weights for this niche, by section")]
Tag = Annotated[str, Field(min_length=1, max_length=MAX_TAG, json_schema_extra=VISIBLE), CLEAN_VISIBLE]
Stamp = Annotated[str, Field(description="UTC, ISO 8601")]


# ---- niches --------------------------------------------------------------------------------

class NicheCreate(NicheBrief):
    """A new niche; without ``id`` the id is a slug of the name."""

    id: Slug | None = None
    weights: Weights | None = None


class NicheReplace(NicheBrief):
    """Every field of a niche (PUT); the id stays."""

    weights: Weights | None = None


class NichePatch(Wire):
    """Only the fields sent change (PATCH)."""

    name: Annotated[Annotated[str, Field(min_length=1, max_length=120, json_schema_extra=NOT_BLANK), CLEAN,
                    AfterValidator(not_blank)] | None, NOT_NULL] = None
    description: Annotated[Annotated[str, Field(max_length=4000), CLEAN] | None, NOT_NULL] = None
    keywords: Annotated[Keywords | None, NOT_NULL] = None
    hashtags: Annotated[Keywords | None, NOT_NULL] = None
    example_posts: Annotated[Examples | None, NOT_NULL] = None
    weights: Weights | None = None


class Niche(BaseModel):
    id: str
    name: str
    description: str
    keywords: list[str]
    hashtags: list[str]
    example_posts: list[str]
    weights: dict[str, float] | None = None
    created_at: Stamp
    updated_at: Stamp


class NicheList(BaseModel):
    niches: list[Niche]


# ---- watchlist -----------------------------------------------------------------------------

class WatchlistSave(Wire):
    """Save or update a creator: only the fields sent change; a snapshot or score adds a history point.

    ``platform`` and ``handle`` are needed only on POST /v1/watchlist without a snapshot (the path
    names the creator otherwise). ``niche: null`` clears the niche.
    """

    platform: Platform | None = None
    handle: Annotated[str, Field(min_length=1, max_length=101, json_schema_extra=HANDLE_INPUT),
                      AfterValidator(bare_handle)] | None = None  # vocab's one handle rule, as Snapshot's
    niche: Slug | None = None
    status: Annotated[Status | None, NOT_NULL] = None
    notes: Annotated[Annotated[str, Field(max_length=MAX_NOTES), CLEAN] | None, NOT_NULL] = None
    tags: Annotated[Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None, NOT_NULL] = None
    outreach: Annotated[dict[str, str] | None, Field(
        description="outreach terms by name (compensation, deliverables, timeline, usage_rights, "
                    "exclusivity, ...); replaced whole",
        json_schema_extra={"maxProperties": MAX_OUTREACH_FIELDS,
                           "propertyNames": {"pattern": "^[a-z][a-z0-9_]{0,39}$"},
                           "additionalProperties": {"type": "string", "maxLength": MAX_OUTREACH_TEXT},
                           "properties": {"compensation": {"type": "string",
                                                           "enum": ["", *COMPENSATION_TYPES]}}})] = None
    snapshot: Snapshot | None = None
    score: Annotated[Score | None, Field(description="POST /v1/score's answer"), NOT_NULL] = None


class WatchlistCreate(WatchlistSave):
    """POST /v1/watchlist: the creator is named by the snapshot, or by ``platform`` and ``handle``."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["snapshot"], "properties": {"snapshot": {"type": "object"}}},
        {"required": ["platform", "handle"],
         "properties": {"platform": {"type": "string"}, "handle": {"type": "string"}}},
    ]})


class CreatorSummary(BaseModel):
    followers: int | None
    tier: Tier | None
    overall: float | None
    authenticity: float | None
    engagement_rate: float | None
    fit: dict[str, float | None]
    languages: dict[str, float] = Field(default_factory=dict, description="share of the captions by "
                                        "language code (und: unknown); empty for creators saved before "
                                        "languages were kept, until their next save")


class Creator(BaseModel):
    platform: Platform
    handle: str
    display_name: str | None
    niche: str | None
    status: Status
    notes: str
    tags: list[str]
    outreach: dict[str, str] = {}
    summary: CreatorSummary
    created_at: Stamp
    updated_at: Stamp
    updated_by: Annotated[str, Field(description="name of the token that made the last change")]


class CreatorDetail(Creator):
    snapshot: dict[str, Any] | None
    score: Score | None


class CreatorList(BaseModel):
    creators: list[Creator]
    total: Annotated[int, Field(description="matches before limit and offset")]


class HistoryPoint(BaseModel):
    at: Stamp
    captured_at: str | None
    followers: int | None
    overall: float | None
    authenticity: float | None
    engagement_rate: float | None
    fit: dict[str, float | None]


class History(BaseModel):
    platform: Platform
    handle: str
    points: list[HistoryPoint]
    follower_jump: Annotated[dict[str, Any] | None, Field(
        description="the latest rise of more than 30% within 30 days: from, to, change, days, since, "
                    "until, reason; null when there is none")]


# ---- labels --------------------------------------------------------------------------------

class LabelCreate(Wire):
    """A training example: this creator fits (or does not fit) this stored niche."""

    niche: Annotated[str, Field(min_length=1, max_length=60)]
    label: FitLabel
    snapshot: Snapshot


class LabelReceipt(BaseModel):
    id: int
    niche: str
    label: FitLabel
    created_at: Stamp
    created_by: str


class LabelRecord(LabelReceipt):
    snapshot: dict[str, Any]


class LabelList(BaseModel):
    labels: list[LabelRecord]


class CommentLabelCreate(Wire):
    """A correction of the comment classifier."""

    text: Annotated[str, Field(min_length=1, max_length=MAX_COMMENT, json_schema_extra=NOT_BLANK), CLEAN,
                    AfterValidator(not_blank)]
    label: CommentLabel
    post_caption: Annotated[str, Field(max_length=MAX_CAPTION), CLEAN] | None = None


class CommentLabelRecord(BaseModel):
    id: int
    text: str
    label: CommentLabel
    post_caption: str | None
    created_at: Stamp
    created_by: str


class CommentLabelList(BaseModel):
    comment_labels: list[CommentLabelRecord]
