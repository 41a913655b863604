"""What the API answers besides the score (server/scoring/score.py): verdicts, health, errors,
models, training jobs and suggestions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from server.schemas.base import Wire
from server.vocab import CommentLabel, JobState, Platform


class Verdict(BaseModel):
    label: CommentLabel
    spam_probability: float
    generic_probability: float
    reasons: list[str]


class ClassifyResponse(BaseModel):
    comments: list[Verdict]
    model: str


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
    embedder: str | None = None  # comment models: the embedder version whose vectors it was trained on


class ModelInfo(BaseModel):
    name: str
    kind: Literal["comments", "fit"]
    niche: str | None
    embedder: str | None = None  # comments: the server's embedder; only versions trained on it load
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
    state: JobState
    url: str


class Job(BaseModel):
    id: str
    model: str
    state: JobState
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
