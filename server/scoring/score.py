"""The score of a creator, typed: one pydantic model per section of DESIGN.md's Score.

The scorer builds a :class:`Score`; POST /v1/score returns it, /openapi.json documents it from these
models, the watchlist's summary (``server.storage.records.summarize``) reads it by attribute, and the
extension's overlay reader is checked against the exported schema. Sections forbid unknown keys, so a
field added by a section's code without being declared here fails the tests instead of reaching the
wire undocumented.

Adding a section (``languages``, ``brands``, ...) is one model here and one field on ``Score``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.vocab import CommentLabel, Platform, Tier

__all__ = [
    "Authenticity", "Brands", "Confidence", "Disclosure", "Engagement", "Headlines", "LanguageMix",
    "LanguageShare", "Languages", "NicheFit", "Overall", "Score", "ScoredCreator", "Section", "Voices",
]

Confidence = Literal["low", "medium", "high"]
Share = Annotated[float, Field(ge=0, le=1)]
Points = Annotated[float, Field(ge=0, le=100, description="0-100")]
Followers = Annotated[int, Field(ge=0, description="the follower count as captured")]
Reasons = Annotated[list[str], Field(description="human-readable reasons, most important first")]


class Section(BaseModel):
    """Base of every part of the score: unknown keys are an error, so the schema is the whole truth."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # JSON has no NaN or Infinity


class Measured(Section):
    """A value with the number of posts it was computed from (None when no post had the counts)."""

    value: float | None
    posts: int


# ---- creator and overall ------------------------------------------------------------------

class ScoredCreator(Section):
    """Who was scored, and the size tier of their following."""

    platform: Platform
    handle: str
    display_name: str | None
    followers: Followers | None
    tier: Tier | None


class Components(Section):
    """Each section's score as it entered the blend (None: not scored, left out)."""

    fit: float | None
    authenticity: float | None
    engagement: float | None
    disclosure: float | None


class Headlines(Section):
    """Each component's strongest reason in plain words: what the panel's first view shows by its bar."""

    fit: str | None
    authenticity: str | None
    engagement: str | None
    disclosure: str | None


class Overall(Section):
    score: Points | None
    confidence: Annotated[Confidence, Field(description="the confidence of the weakest input")]
    weights: Annotated[dict[str, float], Field(description="the blend's weights by section")]
    components: Components
    headlines: Annotated[Headlines | None, Field(
        description="each component's strongest reason in plain words (absent from scores saved "
                    "before)")] = None
    reasons: Reasons


# ---- niche fit ----------------------------------------------------------------------------

class EvidencePost(Section):
    post_id: str
    caption: Annotated[str, Field(description="the caption, cut at 280 characters")]
    similarity: float


class Evidence(Section):
    best: list[EvidencePost]
    worst: list[EvidencePost]


class NicheFit(Section):
    niche: Annotated[str, Field(description="the niche's id (a slug)")]
    name: str
    score: Points | None
    raw: Annotated[float | None, Field(description="share of texts on the niche, before calibration")]
    percentile: Annotated[float | None, Field(description="against the background of ordinary creators")]
    on_niche_share: Annotated[Share | None, Field(description="share of captions on the niche")]
    organic_score: Annotated[float | None, Field(description="the fit of the unsponsored posts alone")]
    method: Literal["zero-shot", "trained"]
    model_version: str
    posts_analyzed: int
    confidence: Confidence
    evidence: Evidence
    reasons: Reasons
    zero_shot_score: Annotated[float | None, Field(
        description="what zero-shot said, when a trained model gave the score")] = None


# ---- authenticity -------------------------------------------------------------------------

class Relevance(Section):
    """How much comments talk about the post they sit under (embeddings)."""

    mean_similarity: float | None
    on_post_share: Share | None
    baseline: float | None
    lift: float | None
    comments_with_caption: int
    baseline_kind: str | None


class CreatorReplies(Section):
    creator_comments: int
    threads_answered: Annotated[int, Field(
        description="audience threads the platform marks as answered by the creator, the answer not loaded "
                    "(YouTube's collapsed replies); they count as replies")] = 0
    posts_with_comments: int
    posts_with_creator_reply: int
    post_share: Share | None
    comments_with_replies_share: Share | None


class Questions(Section):
    """The audience's questions and how many the creator answered."""

    asked: int
    answered: int
    share: Share | None
    note: str | None


class RepeatAuthor(Section):
    author: str
    posts: int
    comments: int


class Within(Section):
    accounts: int
    authors_seen: int
    top: list[RepeatAuthor]


class LinkedAuthor(Section):
    author: str
    creators: Annotated[list[str], Field(description="other tracked creators they also comment on")]
    comments: int


class Across(Section):
    accounts: int
    known: Annotated[bool, Field(description="false when the server could not look at other creators")]
    top: list[LinkedAuthor]


class RepeatCommenters(Section):
    within_creator: Within
    across_creators: Across


class Flagged(Section):
    index: Annotated[int, Field(description="position in the snapshot's comments")]
    id: str | None
    text: str
    label: CommentLabel
    reasons: Reasons


class Authenticity(Section):
    score: Points | None
    score_unshrunk: Annotated[float | None, Field(
        description="before shrinking towards neutral on few comments")] = None
    comments_analyzed: int
    genuine_share: Share | None
    generic_share: Share | None
    spam_share: Share | None
    duplicate_share: Share | None
    creator_reply_rate: Share | None
    creator_comments: int
    posts_with_comments: int
    relevance: Relevance
    creator_replies: CreatorReplies
    questions_answered: Questions
    repeat_commenters: RepeatCommenters
    flagged: list[Flagged]
    confidence: Confidence
    reasons: Reasons


# ---- engagement ---------------------------------------------------------------------------

class Consistency(Section):
    cv: float
    label: Literal["steady", "uneven", "one post dominates"]
    posts: int
    top_post_id: str | None
    top_post_share: float


class ScoreBasis(Section):
    """How the engagement score was made: the peers' percentile, else our heuristic midpoint."""

    method: Literal["peer percentile", "heuristic"] | None
    peers: int | None = None
    midpoint: float | None = None
    note: str | None = None


class Source(Section):
    title: str
    publisher: str
    year: int
    url: str


class Reference(Section):
    """A published benchmark shown beside the rate, with its source and definition."""

    id: str
    source: Source
    platform: Platform | None
    tier: Tier | None
    value: float | None
    definition: str | None
    note: str


class Engagement(Section):
    followers: Followers | None
    tier: Tier | None
    rate: Annotated[float | None, Field(description="median (likes + comments) / followers per post")]
    mean_rate: float | None
    view_rate: Measured
    views_per_follower: Measured
    comments_per_1000_likes: Measured
    consistency: Consistency | None
    percentile: float | None
    percentile_note: str | None
    peers: int
    posts_analyzed: int
    posts_excluded: int
    posts_without_counts: int
    score: Points | None
    score_basis: ScoreBasis
    references: list[Reference]
    confidence: Confidence
    reasons: Reasons


# ---- disclosure ---------------------------------------------------------------------------

class Term(Section):
    text: str
    kind: Literal["clear", "ambiguous"]
    at: Annotated[int, Field(description="character offset in the caption")]


class Rule(Section):
    rule: str
    passed: bool | None
    reason: str


class VisibleChars(Section):
    value: int | None
    source: str


class PostDisclosure(Section):
    post_id: str
    sponsored: bool
    sponsored_signals: list[str]
    disclosed: bool
    status: Literal["organic", "disclosed", "weak", "undisclosed"]
    terms: list[Term]
    rules: list[Rule]
    issues: list[str]
    points: float | None = None
    visible_chars: VisibleChars | None = None


class Disclosure(Section):
    sponsored_count: int
    posts_analyzed: int
    sponsored_share: Share | None
    disclosed_count: int
    disclosed_share: Share | None
    score: Points | None
    confidence: Confidence
    organic_post_ids: list[str]
    posts: list[PostDisclosure]
    reasons: Reasons


# ---- languages ----------------------------------------------------------------------------

class LanguageShare(Section):
    code: Annotated[str, Field(description="ISO 639-1 code, or und where the detector cannot tell")]
    share: Share
    count: Annotated[int, Field(description="texts in this language")]


class LanguageMix(Section):
    """Shares of some texts by language, largest first."""

    texts: Annotated[int, Field(description="how many texts the shares rest on")]
    main: Annotated[str | None, Field(description="the most common known language (None: all und)")]
    shares: list[LanguageShare]


class Languages(Section):
    """Which languages the creator posts in and the audience comments in (server.scoring.languages)."""

    posts: Annotated[LanguageMix, Field(description="the captions with text")]
    bio: Annotated[str | None, Field(description="the bio's language (None: no bio)")]
    comments: Annotated[LanguageMix, Field(description="the audience's comments (not the creator's replies)")]
    detector: str
    reasons: Reasons


# ---- voices in the comments -----------------------------------------------------------------

class Voice(Section):
    """A commenter whose comment drew far more likes or replies than the post's others, on the niche."""

    author: str | None
    comment_id: str | None
    post_id: str | None
    text: Annotated[str, Field(description="the comment, cut at 280 characters: the evidence")]
    likes: int
    replies: int
    post_median_likes: Annotated[float, Field(description="median likes of the post's other comments")]
    niche: Annotated[str | None, Field(description="the niche id the comment is on, if any")]
    niche_name: str | None
    on_post: Annotated[bool, Field(description="close to the caption of its own post")]
    reasons: Reasons


class Voices(Section):
    comments_analyzed: int
    posts_with_baseline: Annotated[int, Field(
        description="posts with enough comments to tell who stands out")]
    standing_out: Annotated[int, Field(description="comments far above their post's others, voices or not")]
    voices: list[Voice]
    reasons: Reasons


# ---- brands and competitors ---------------------------------------------------------------

class WorkedWith(Section):
    """One brand in one post."""

    name: str
    handle: str | None
    post_id: str
    date: datetime | None
    days_ago: int | None
    sponsored: Annotated[bool, Field(description="the post shows a sign of payment; false: a mention")]
    disclosed: bool
    competitor: bool
    own_brand: bool
    via: Annotated[list[str], Field(description="paid partnership, tag, mention, hashtag, name, account")]


class Saturation(Section):
    """How commercial the recent feed is."""

    posts_analyzed: int
    promoting_posts: int
    share: Share | None
    distinct_brands: int
    brands: list[str]
    level: Literal["light", "moderate", "heavy"] | None


class Exclusivity(Section):
    terms: Annotated[str | None, Field(description="the creator's exclusivity terms (outreach), as written")]
    days: int | None


class CompetitorCollaboration(Section):
    name: str
    post_id: str
    date: datetime | None
    days_ago: int | None
    window_days: int | None
    inside_window: Annotated[bool | None, Field(description="None: no terms or no date to tell")]


class Brands(Section):
    profile_set: Annotated[bool, Field(description="false until the brand profile names brands")]
    worked_with: list[WorkedWith]
    distinct_brands: int
    saturation: Saturation
    exclusivity: Exclusivity
    competitor_collaborations: list[CompetitorCollaboration]
    reasons: Reasons


# ---- the whole score ----------------------------------------------------------------------

class Score(BaseModel):
    """Every section of a creator's score; each number says what it rests on."""

    model_config = ConfigDict(allow_inf_nan=False)

    creator: ScoredCreator
    overall: Overall
    niche_fit: list[NicheFit]
    authenticity: Authenticity
    engagement: Engagement
    disclosure: Disclosure
    languages: Annotated[Languages | None, Field(
        description="languages of the posts and comments; absent from scores saved before it existed")] = None
    voices: Annotated[Voices | None, Field(
        description="voices in the comments (absent from scores saved before this section)")] = None
    brands: Annotated[Brands | None, Field(
        description="brands worked with, competitors, saturation (absent from scores saved before)")] = None
    versions: Annotated[dict[str, str], Field(
        description="the model versions behind this answer: embedder, comments, fit-<niche>")]

    def best_fit(self) -> NicheFit | None:
        """The niche the creator fits best (scored niches only)."""
        scored = [f for f in self.niche_fit if f.score is not None]
        return max(scored, key=lambda f: f.score or 0.0, default=None)

    def to_json(self) -> dict[str, Any]:
        """The answer as JSON values; optional keys a section did not set stay out."""
        return self.model_dump(mode="json", exclude_unset=True)
