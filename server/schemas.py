"""The wire contract (v1): pydantic models that validate requests and generate /openapi.json.

Bounds come from DESIGN.md: 50 posts, 500 comments, 5,000 characters a caption, 2,200 a comment.
Text is NFC-normalised and stripped of control characters (newlines and tabs stay); emoji, RTL and
zero-width characters are kept because they are what real comments are made of.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

MAX_POSTS = 50
MAX_COMMENTS = 500
MAX_CAPTION = 5000
MAX_COMMENT = 2200
MAX_COUNT = 10**11  # more than anyone on earth has followers or views

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


Text = Annotated[str, AfterValidator(clean_text)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Platform = Literal["instagram", "tiktok", "youtube"]
Tier = Literal["nano", "micro", "mid", "macro", "mega"]
CommentLabel = Literal["genuine", "generic", "spam"]


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=20000)


class Post(Wire):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    url: Annotated[str, Field(max_length=2000)] | None = None
    caption: Annotated[Text, Field(max_length=MAX_CAPTION)] = ""
    likes: Count | None = None
    comments_count: Count | None = None
    views: Count | None = None
    posted_at: datetime | None = None
    paid_partnership: bool = False
    caption_visible_chars: Annotated[int, Field(ge=0, le=MAX_CAPTION)] | None = None


class Comment(Wire):
    id: Annotated[str, Field(max_length=200)] | None = None
    post_id: Annotated[str, Field(max_length=200)] | None = None
    author: Annotated[Text, Field(max_length=200)] | None = None
    text: Annotated[Text, Field(min_length=1, max_length=MAX_COMMENT), AfterValidator(_not_blank)]
    likes: Count | None = None
    replies: Count | None = None
    by_creator: bool = False
    posted_at: datetime | None = None


_HANDLE = re.compile(r"^[^\s/?#@]{1,100}$")


class Snapshot(Wire):
    platform: Platform
    handle: Annotated[str, Field(min_length=1, max_length=101)]
    display_name: Annotated[Text, Field(max_length=300)] | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    bio: Annotated[Text, Field(max_length=MAX_CAPTION)] = ""
    external_url: Annotated[str, Field(max_length=2000)] | None = None
    verified: bool = False
    category: Annotated[Text, Field(max_length=200)] | None = None
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
        value = clean_text(value).strip().removeprefix("@")
        if not _HANDLE.match(value):
            raise ValueError("a handle is 1-100 characters with no spaces, '/', '?', '#' or '@'")
        return value


class NicheBrief(Wire):
    """A brand's niche, sent inline or stored."""

    name: Annotated[Text, Field(min_length=1, max_length=120), AfterValidator(_not_blank)]
    description: Annotated[Text, Field(max_length=4000)] = ""
    keywords: Annotated[list[Annotated[Text, Field(min_length=1, max_length=100)]],
                        Field(max_length=100)] = []
    hashtags: Annotated[list[Annotated[Text, Field(min_length=1, max_length=100)]],
                        Field(max_length=100)] = []
    example_posts: Annotated[list[Annotated[Text, Field(min_length=1, max_length=MAX_CAPTION)]],
                             Field(max_length=50)] = []


class ScoreRequest(Snapshot):
    """A snapshot plus the niches to score against (ids of stored niches or inline briefs)."""

    niches: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)] | NicheBrief],
                      Field(max_length=20)] | None = None

    def snapshot(self) -> Snapshot:
        return Snapshot.model_validate(self.model_dump(exclude={"niches"}))


class ClassifyItem(Wire):
    text: Annotated[Text, Field(min_length=1, max_length=MAX_COMMENT), AfterValidator(_not_blank)]
    author: Annotated[Text, Field(max_length=200)] | None = None
    post_caption: Annotated[Text, Field(max_length=MAX_CAPTION)] | None = None
    platform: Annotated[Platform | None, Field(
        description="Where the comment was posted: the model judges it by that platform's labels (YouTube "
                    "counts self-promotion as spam, Instagram does not). tiktok or omitted: the pooled "
                    "model, trained on every platform's data.")] = None


class ClassifyRequest(Wire):
    comments: Annotated[list[ClassifyItem], Field(min_length=1, max_length=MAX_COMMENTS)]


# ---- responses (documented in /openapi.json; the scoring package fills them) ----

class Verdict(BaseModel):
    label: CommentLabel
    spam_probability: float
    generic_probability: float
    reasons: list[str]


class ClassifyResponse(BaseModel):
    comments: list[Verdict]
    model: str


class Evidence(BaseModel):
    post_id: str
    caption: str
    similarity: float


class NicheFit(BaseModel):
    niche: str
    name: str
    score: float
    on_niche_share: float
    organic_score: float | None
    method: Literal["zero-shot", "trained"]
    model_version: str
    posts_analyzed: int
    evidence: dict[str, list[Evidence]]
    reasons: list[str]


class Score(BaseModel):
    creator: dict[str, Any]
    overall: dict[str, Any]
    niche_fit: list[NicheFit]
    authenticity: dict[str, Any]
    engagement: dict[str, Any]
    disclosure: dict[str, Any]
    versions: dict[str, str]


class Health(BaseModel):
    status: Literal["ok", "loading", "error"]
    version: str
    store: str
    models: dict[str, Any]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


# ---- models, training jobs and suggestions (server/api/models.py) ----

class TrainRequest(Wire):
    """Optional body of POST /v1/models/{name}/train (``?force=true`` works too)."""

    force: bool = False


class ModelVersionInfo(BaseModel):
    version: str
    source: Literal["shipped", "trained"]
    active: bool
    created_at: str | None = None
    metrics: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    beats_zero_shot: bool | None = None
    decision: str | None = None


class ModelInfo(BaseModel):
    name: str
    kind: Literal["comments", "fit"]
    niche: str | None
    active: str | None
    activated_at: str | None
    activated_by: str | None
    versions: list[ModelVersionInfo]


class ModelList(BaseModel):
    models: list[ModelInfo]


class ModelVersionDetail(BaseModel):
    name: str
    version: str
    active: bool
    metadata: dict[str, Any]
    card: str


class Activation(BaseModel):
    name: str
    active: str
    activated_at: str
    activated_by: str


class JobAccepted(BaseModel):
    job: str
    model: str
    state: Literal["queued", "running", "done", "failed"]
    url: str


class Job(BaseModel):
    id: str
    model: str
    state: Literal["queued", "running", "done", "failed"]
    progress: float
    message: str
    result: dict[str, Any] | None
    error: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None


class Suggestion(BaseModel):
    platform: Platform
    handle: str
    display_name: str | None
    status: str | None
    score: float
    method: Literal["zero-shot", "trained"]
    model_version: str
    uncertainty: float
    reason: str


class Suggestions(BaseModel):
    niche: str
    method: Literal["zero-shot", "trained"]
    model_version: str
    boundary: float
    candidates: int
    suggestions: list[Suggestion]
