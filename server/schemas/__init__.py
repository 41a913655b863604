"""The wire contract (v1) in one place: pydantic models that validate requests and generate
/openapi.json.

- ``base``: the base model, cleaned text, counts and the bounds of DESIGN.md;
- ``snapshot``: what the extension sends (snapshot, niche briefs, comments to classify);
- ``records``: the stored records as the API reads and writes them (niches, watchlist, labels);
- ``responses``: verdicts, health, errors, models, jobs and suggestions;
- ``discovery``: the glance of chips on scroll pages and the Discovered inbox.

The score itself is typed next to the code that computes it, in ``server.scoring.score``.
"""

from __future__ import annotations

from server.schemas.base import (
    MAX_CAPTION,
    MAX_COMMENT,
    MAX_COMMENTS,
    MAX_COUNT,
    MAX_POSTS,
    Count,
    Wire,
    clean_text,
    not_blank,
)
from server.schemas.records import (
    CommentLabelCreate,
    CommentLabelList,
    CommentLabelRecord,
    Creator,
    CreatorDetail,
    CreatorList,
    CreatorSummary,
    History,
    HistoryPoint,
    LabelCreate,
    LabelList,
    LabelReceipt,
    LabelRecord,
    Niche,
    NicheCreate,
    NicheList,
    NichePatch,
    NicheReplace,
    WatchlistCreate,
    WatchlistSave,
)
from server.schemas.responses import (
    Activation,
    ClassifyResponse,
    ErrorBody,
    ErrorEnvelope,
    Health,
    Job,
    JobAccepted,
    ModelInfo,
    ModelList,
    ModelVersionDetail,
    ModelVersionInfo,
    Suggestion,
    Suggestions,
    TrainRequest,
    Verdict,
)
from server.schemas.snapshot import (
    ClassifyItem,
    ClassifyRequest,
    Comment,
    NicheBrief,
    Post,
    ScoreRequest,
    Snapshot,
)
from server.scoring.score import Score

__all__ = [
    "MAX_CAPTION", "MAX_COMMENT", "MAX_COMMENTS", "MAX_COUNT", "MAX_POSTS", "Activation", "ClassifyItem",
    "ClassifyRequest", "ClassifyResponse", "Comment", "CommentLabelCreate", "CommentLabelList",
    "CommentLabelRecord", "Count", "Creator", "CreatorDetail", "CreatorList", "CreatorSummary",
    "ErrorBody", "ErrorEnvelope", "Health", "History", "HistoryPoint", "Job", "JobAccepted", "LabelCreate",
    "LabelList", "LabelReceipt", "LabelRecord", "ModelInfo", "ModelList", "ModelVersionDetail",
    "ModelVersionInfo", "Niche", "NicheBrief", "NicheCreate", "NicheList", "NichePatch", "NicheReplace",
    "Post", "Score", "ScoreRequest", "Snapshot", "Suggestion", "Suggestions", "TrainRequest",
    "Verdict", "WatchlistCreate", "WatchlistSave", "Wire", "clean_text", "not_blank",
]

# discovery: POST /v1/glance and the Discovered inbox
from server.schemas.discovery import (  # noqa: E402
    DiscoveredCreator,
    DiscoveredList,
    DiscoveredUpdate,
    GlanceAnswer,
    GlanceCreator,
    GlanceRequest,
    GlanceResponse,
)

__all__ += ["DiscoveredCreator", "DiscoveredList", "DiscoveredUpdate", "GlanceAnswer", "GlanceCreator",
            "GlanceRequest", "GlanceResponse"]

# the brand profile: GET, PUT /v1/brand
from server.schemas.brand import BrandProfile, BrandUpdate  # noqa: E402

__all__ += ["BrandProfile", "BrandUpdate"]
