"""What the extension sends: a snapshot of a creator's page, niche briefs, comments to classify."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator

from server.schemas.base import (
    CLEAN,
    CLEAN_VISIBLE,
    HANDLE_INPUT,
    MAX_CAPTION,
    MAX_COMMENT,
    MAX_COMMENTS,
    MAX_POSTS,
    NOT_BLANK,
    VISIBLE,
    Count,
    Wire,
    not_blank,
)
from server.vocab import HANDLE_MAX, Platform, check_handle

MAX_ACCOUNTS = 50
Handle = Annotated[str, Field(min_length=1, max_length=101)]


class Post(Wire):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    url: Annotated[str, Field(max_length=2000)] | None = None
    caption: Annotated[str, Field(max_length=MAX_CAPTION), CLEAN] = ""
    likes: Count | None = None
    comments_count: Count | None = None
    views: Count | None = None
    posted_at: datetime | None = None
    paid_partnership: bool = False
    caption_visible_chars: Annotated[int, Field(ge=0, le=MAX_CAPTION)] | None = None
    sponsors: Annotated[list[Handle], Field(
        max_length=MAX_ACCOUNTS, description="the brands of the platform's paid-partnership label")] = []
    tagged: Annotated[list[Handle], Field(
        max_length=MAX_ACCOUNTS, description="accounts tagged in the post")] = []


class Comment(Wire):
    id: Annotated[str, Field(max_length=200)] | None = None
    post_id: Annotated[str, Field(max_length=200)] | None = None
    author: Annotated[str, Field(max_length=200), CLEAN] | None = None
    text: Annotated[str, Field(min_length=1, max_length=MAX_COMMENT, json_schema_extra=NOT_BLANK), CLEAN,
                    AfterValidator(not_blank)]
    likes: Count | None = None
    replies: Count | None = None
    by_creator: bool = False
    # the platform shows the creator answered this comment, though the answer is not loaded
    # (YouTube's collapsed thread with the creator's avatar on its replies button)
    creator_replied: bool = False
    posted_at: datetime | None = None


def bare_handle(value: str) -> str:
    """A handle as the platforms show it, without "@"; ValueError when it cannot be one (vocab's rule)."""
    return check_handle(value)


class Snapshot(Wire):
    platform: Platform
    handle: Annotated[str, Field(min_length=1, max_length=HANDLE_MAX + 1, json_schema_extra=HANDLE_INPUT)]
    display_name: Annotated[str, Field(max_length=300), CLEAN] | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    bio: Annotated[str, Field(max_length=MAX_CAPTION), CLEAN] = ""
    external_url: Annotated[str, Field(max_length=2000)] | None = None
    verified: bool = False
    category: Annotated[str, Field(max_length=200), CLEAN] | None = None
    followers: Count | None = None
    following: Count | None = None
    posts_count: Count | None = None
    posts: Annotated[list[Post], Field(max_length=MAX_POSTS)] = []
    comments: Annotated[list[Comment], Field(max_length=MAX_COMMENTS)] = []
    captured_at: datetime | None = None
    locale: Annotated[str, Field(max_length=40)] | None = None
    capture: dict[str, Any] = {}

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        return bare_handle(value)


Keywords = Annotated[list[Annotated[str, Field(min_length=1, max_length=100, json_schema_extra=VISIBLE),
                                    CLEAN_VISIBLE]], Field(max_length=100)]
Examples = Annotated[list[Annotated[str, Field(min_length=1, max_length=MAX_CAPTION,
                                               json_schema_extra=VISIBLE),
                                    CLEAN_VISIBLE]], Field(max_length=50)]


class NicheBrief(Wire):
    """A brand's niche, sent inline or stored."""

    name: Annotated[str, Field(min_length=1, max_length=120, json_schema_extra=NOT_BLANK), CLEAN,
                    AfterValidator(not_blank)]
    description: Annotated[str, Field(max_length=4000), CLEAN] = ""
    keywords: Keywords = []
    hashtags: Keywords = []
    example_posts: Examples = []


class ScoreRequest(Snapshot):
    """A snapshot plus the niches to score against (ids of stored niches or inline briefs)."""

    niches: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)] | NicheBrief],
                      Field(max_length=20)] | None = None

    def snapshot(self) -> Snapshot:
        return Snapshot.model_validate(self.model_dump(exclude={"niches"}))


class ClassifyItem(Wire):
    text: Annotated[str, Field(min_length=1, max_length=MAX_COMMENT, json_schema_extra=NOT_BLANK), CLEAN,
                    AfterValidator(not_blank)]
    author: Annotated[str, Field(max_length=200), CLEAN] | None = None
    post_caption: Annotated[str, Field(max_length=MAX_CAPTION), CLEAN] | None = None
    platform: Annotated[Platform | None, Field(
        description="Where the comment was posted: the model judges it by that platform's labels (YouTube "
                    "counts self-promotion as spam, Instagram does not). tiktok or omitted: the pooled "
                    "model, trained on every platform's data.")] = None


class ClassifyRequest(Wire):
    comments: Annotated[list[ClassifyItem], Field(min_length=1, max_length=MAX_COMMENTS)]
