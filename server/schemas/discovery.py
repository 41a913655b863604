"""Discovery on the wire: POST /v1/glance (chips on scroll pages) and the Discovered inbox.

A glance is many creators with a few post texts each, as a scroll page shows them; the answer is
per creator, in the order asked: tier, best fit per niche over the texts seen, and the watchlist's
status and overall when the creator is saved. Every glance is remembered in the inbox
(``GET /v1/discovered``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator

from server.schemas.base import CLEAN, HANDLE_INPUT, NOT_BLANK, Count, Wire, not_blank
from server.schemas.snapshot import NicheBrief, bare_handle
from server.scoring.score import LanguageMix
from server.vocab import InboxStatus, Platform, SeenOnKind, Status, Tier

MAX_GLANCE_CREATORS = 50
MAX_GLANCE_TEXTS = 10
MAX_GLANCE_TEXT = 400  # a post's opening: what a scroll page shows of its caption
MAX_TERM = 200


class SeenOn(Wire):
    """Where the creator was seen: the kind of scroll page and its term (the hashtag, the search)."""

    kind: SeenOnKind
    term: Annotated[str, Field(max_length=MAX_TERM), CLEAN] | None = None

    @field_validator("term")
    @classmethod
    def _term(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


class GlanceCreator(Wire):
    platform: Platform
    handle: Annotated[str, Field(min_length=1, max_length=101, json_schema_extra=HANDLE_INPUT)]
    texts: Annotated[list[Annotated[str, Field(min_length=1, max_length=MAX_GLANCE_TEXT,
                                                json_schema_extra=NOT_BLANK), CLEAN,
                                    AfterValidator(not_blank)]],
                     Field(min_length=1, max_length=MAX_GLANCE_TEXTS)]
    followers: Count | None = None
    seen_on: SeenOn | None = None

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        return bare_handle(value)


class GlanceRequest(Wire):
    """``niches``: stored ids or inline briefs, as for /v1/score; none means every stored niche."""

    creators: Annotated[list[GlanceCreator], Field(min_length=1, max_length=MAX_GLANCE_CREATORS)]
    niches: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)] | NicheBrief],
                      Field(max_length=20)] | None = None

    def texts(self) -> list[str]:
        """Every text the glance asks about (at most 50 x 10): what it costs to embed."""
        return [text for creator in self.creators for text in creator.texts]


class GlanceFit(BaseModel):
    niche: str
    name: str
    score: float | None = Field(description="0-100, calibrated as the score's zero-shot niche fit "
                                            "(or the niche's trained model)")
    method: Literal["zero-shot", "trained"]
    reason: str | None = Field(default=None, description="why zero-shot serves a niche that has a "
                               "trained model (it learned from another embedder's vectors)")


class GlanceWatch(BaseModel):
    """The creator's watchlist entry: its pipeline status and the stored overall score."""

    status: Status
    overall: float | None


class GlanceAnswer(BaseModel):
    platform: Platform
    handle: str
    followers: int | None = Field(description="as sent now, else as seen before")
    tier: Tier | None
    posts_seen: int = Field(description="texts the fit rests on: this glance's and earlier ones, "
                                        "the newest kept")
    niche_fit: list[GlanceFit]
    languages: LanguageMix = Field(description="languages of the texts seen (the fit's texts), und where "
                                               "unknown")
    watchlist: GlanceWatch | None = None


class GlanceResponse(BaseModel):
    creators: list[GlanceAnswer]


# ---- the inbox ----------------------------------------------------------------------------

class DiscoveredPlace(BaseModel):
    kind: SeenOnKind
    term: str | None
    count: int
    first_seen: str
    last_seen: str


class DiscoveredPost(BaseModel):
    id: str = Field(description="a hash of the text: scroll pages' glances carry no post ids")
    text: str
    first_seen: str
    last_seen: str


class DiscoveredEvidence(BaseModel):
    """A comment that made the creator a voice in another creator's comments."""

    text: str
    creator: str = Field(description="whose post the comment sits under")
    post_id: str | None
    comment_id: str | None
    likes: int
    replies: int
    at: str


class DiscoveredCreator(BaseModel):
    platform: Platform
    handle: str
    status: InboxStatus = Field(description="new, dismissed, or saved (on the watchlist)")
    status_at: str | None = Field(description="when it was last dismissed or brought back")
    first_seen: str
    last_seen: str
    seen_count: int = Field(description="glances that included the creator")
    seen_on: list[DiscoveredPlace]
    followers: int | None
    tier: Tier | None
    fit: dict[str, float | None] = Field(description="niche id -> fit over the posts kept, at the last "
                                                     "glance")
    best_fit: float | None
    best_niche: str | None
    posts_seen: int = Field(description="posts the fit rests on (the newest kept)")
    languages: dict[str, float] = Field(default_factory=dict, description="share of the posts kept by "
                                        "language code (und: unknown); empty for creators last glanced "
                                        "before languages were kept")
    posts: list[DiscoveredPost] = Field(description="the newest posts seen (at most 10)")
    evidence: list[DiscoveredEvidence] = Field(
        default=[], description="for a voice of the comments: the comments that made them one, newest first")
    watchlist: GlanceWatch | None = None


class DiscoveredList(BaseModel):
    creators: list[DiscoveredCreator]
    total: int


class DiscoveredUpdate(Wire):
    status: Literal["new", "dismissed"]


__all__ = ["MAX_GLANCE_CREATORS", "MAX_GLANCE_TEXT", "MAX_GLANCE_TEXTS", "DiscoveredCreator",
           "DiscoveredList", "DiscoveredPlace", "DiscoveredPost", "DiscoveredUpdate", "GlanceAnswer",
           "GlanceCreator", "GlanceFit", "GlanceRequest", "GlanceResponse", "GlanceWatch", "SeenOn"]
