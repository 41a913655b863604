"""Where the comment model and its reports go, the published goals, and every knob of a run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from server.scoring.weights import MODELS
from training.datasets import ORDINARY_SOURCE

REPO = Path(__file__).resolve().parents[2]
MODELS_ROOT = REPO / "models" / "comments"
REPORTS_DIR = REPO / "training" / "reports"
REPORT_FILE = "comments.md"  # MiniLM's model (v2); another embedder's go to comments-<model>.md
REPORT_PLOT = "comments-pr.png"


def model_name(embedder: str | None) -> str:
    """The ``MICROSCOUT_EMBED_MODEL`` name of an embedder version a model records (minilm if none)."""
    weights = (embedder or "").split("@", 1)[0]
    return next((name for name, model in MODELS.items() if model.version().split("@", 1)[0] == weights),
                "minilm")


def report_names(embedder: str | None) -> tuple[str, str]:
    """(report, PR plot) file names for a model trained on ``embedder``'s vectors (its version)."""
    model = model_name(embedder)
    if model == "minilm":
        return REPORT_FILE, REPORT_PLOT
    return f"comments-{model}.md", f"comments-{model}-pr.png"

# The paper's best classifier per video (accuracy %, MCC), from ../shared/data/README.md.
PAPER_BEST = {
    "Youtube01-Psy": ("SVM (RBF)", 96.23, 0.925),
    "Youtube02-KatyPerry": ("random forest", 94.34, 0.893),
    "Youtube03-LMFAO": ("Bernoulli NB / linear SVM", 97.73, 0.955),
    "Youtube04-Eminem": ("decision tree", 97.78, 0.955),
    "Youtube05-Shakira": ("multinomial NB", 96.43, 0.931),
}
SCAMSPOT_GOAL_MCC = 0.88
EXTRA_SOURCE = "corrections"  # users' comment labels (spam -> 1; genuine and generic -> 0)
# The platform each data source comes from; corrections have none (they apply to every platform), and
# ordinary text is a kind of its own: it trains every stacker and no head (``fitting.fit``).
SOURCE_PLATFORM = {"youtube": "youtube", "scamspot": "instagram", EXTRA_SOURCE: None,
                   ORDINARY_SOURCE: ORDINARY_SOURCE}

Progress = Callable[[float, str], None]

# How v2's design was chosen: every variant measured with the protocols below, on the onnx-int8
# vectors (YouTube MCC per video Psy/KatyPerry/LMFAO/Eminem/Shakira; ScamSpot CV MCC). The choice was
# made on these same splits, so the shipped numbers flatter it a little; one comment is ~0.025 MCC on
# a video.
DESIGN_STUDY = [
    "v1's design (one stacker for every source): .922/.892/.956/.861/.897, ScamSpot .853, 1 video beats "
    "the paper (the pooled stacker, above).",
    "a platform indicator as one more stacker input: .922/.813/.978/.856/.949, ScamSpot .852, 2 videos.",
    "one stacker per platform over the shared heads only: .865/.843/1.000/.936/.949, ScamSpot .870, "
    "2 videos.",
    "shipped: per-platform heads too, each stacker reading the shared and its own platform's heads: "
    ".946/.868/.978/.914/.974, ScamSpot .876, 3 videos.",
    "the YouTube stacker over the YouTube heads alone (stacker C 0.3): .946/.818/.978/.958/.974, ScamSpot "
    ".874, 4 videos, but KatyPerry .074 below v1: not taken.",
    "on the stacker designs above, balanced class weights or a threshold per platform tuned on inner "
    "out-of-fold predictions: no clear gain (ScamSpot at most .872, KatyPerry lower). Head C: character "
    "head 10 (ScamSpot .877), embedding head 0.1 (.879), inside a comment or two of noise: not taken.",
]

# How v5 came to train its stackers on ordinary text (training/data/ordinary-text.csv). v4-e5's YouTube
# stacker called ordinary, plain text spam (long = spam on its half-spam data). Each variant measured on
# the YouTube protocol and ScamSpot CV with fold seeds 13/1/2 (mean YouTube MCC over the 5 videos), and
# on a draw of ordinary text from the niche evaluation's other part (share called spam by the YouTube
# stacker). The amount was chosen on these splits, so for this one choice the protocol numbers are
# not a nested estimate.
ORDINARY_STUDY = [
    "none (v4-e5): YouTube .931/.916/.942, ScamSpot .876/.875/.885, ordinary text called spam 19.9%/16.6%/"
    "14.6% by the YouTube stacker (about 2% by the others).",
    "763 rows (100 posts per tweet-topic language, 30 sentences per SIB language) training the YouTube "
    "stacker only: YouTube .911/.907/.901, ScamSpot .870/.879/.884, ordinary text 0.4%/0.5%/0.4%; Psy and "
    "Shakira lose spam that reads like plain text. With balanced class weights: .905/.905/.906.",
    "the same 763 rows as users' \"genuine\" corrections (every head and stacker; seed 13): YouTube .931, "
    "ScamSpot .867, but on the multilingual dev set 8 of 18 spam missed (v4-e5: none): other languages "
    "became a sign of genuine text. Ordinary text must not train the heads.",
    "125 rows (15 posts, 5 sentences per language), YouTube stacker only: YouTube .925/.933/.911, ScamSpot "
    ".872/.882/.886, ordinary text 2.8%/2.1%/3.4%; the Instagram stacker, when the fit chose the "
    "multilingual cues, still called 11-12% spam (Greek posts 56%).",
    "shipped: the 125 rows training every stacker (seeds 13/1): YouTube .925/.933, ScamSpot .869/.873, "
    "ordinary text called spam by the YouTube/Instagram/pooled stackers 2.8/1.9/1.8% and 2.1/1.5/1.8%.",
    "on the check part of ordinary-text.csv (680 rows, never trained on), v4-e5 called 24.9% spam with its "
    "YouTube stacker (English, Portuguese, French and German sentences 40-45%), 3.2% with the Instagram one, "
    "3.4% with the pooled one; v5-e5: the table below. (Measured again after 3 check rows that were posts "
    "of the dev set, with other line breaks, were redrawn: before, 24.9/3.4/3.5% and v5-e5 2.2/2.1/2.5%.)",
]


# How v6 came to read self-promotion in every language. v5-e5's YouTube stacker weighs self-promotion
# mostly through the English cues self_promo and subscribe (stacker weights 1.28 and 0.79), so the same
# words in another language went unseen. Checked on 27 self-promotion and offer comments we wrote in 13
# languages (not data: tests/api/test_comments.py keeps the Latin-script ones) and on the protocols below
# (seed 13). The multilingual reading itself cannot be chosen on English rows; these runs chose how the
# fit may use it.
EVERYWHERE_STUDY = [
    "v5-e5: the written comments called spam by the YouTube stacker 8 of 27, the pooled one 5 of 27.",
    "shipped: self_promo and subscribe also read in every language, in both feature sets the fit chooses "
    "between: the written comments 22 and 21 of 27 (24 and 23 with the offer rule's Dutch, Polish and "
    "Russian words, which fire on no training row); the protocol numbers within a comment of v5-e5's.",
    "only the cues set offered to the fit (the YouTube split's fits had chosen the base set): YouTube "
    ".893/.865/.978/.871/.896 (all .903), each video left out .892: not taken.",
    "the same without non_latin_share (a script, not a spam pattern): YouTube all .908, left out .894, "
    "dev set MCC .855 (.881): the stackers use it to tell ordinary text in other scripts from spam. "
    "Self-promotion in Cyrillic, Japanese and Korean stays genuine on YouTube: its heads read English rows "
    "only and no stacker sees spam in those scripts.",
]


@dataclass
class TrainingArguments:
    """Every knob of a training run; recorded in metadata.json."""

    seed: int = 13
    heads: tuple[str, ...] = ("embedding", "words", "chars")
    # lexical features: "cues" (the multilingual cues, v3 on) or "base" (v1, v2); "-everywhere" (v6 on):
    # self-promotion read in every language
    features: str = "cues-everywhere"
    offer_floor: float = 0.9  # least P(spam) of an offer of followers/promotion/money (0: no such rule)
    # (features, stacker C) designs the fit chooses among by inner cross-validation on its own rows;
    # empty: no choice, ``features`` and ``stack_C`` as given
    designs: tuple[tuple[str, float], ...] = (
        ("base-everywhere", 1.0), ("cues-everywhere", 1.0), ("cues-everywhere", 0.3))
    embedding_C: float = 0.02
    words_C: float = 10.0
    words_ngrams: tuple[int, int] = (1, 2)
    chars_C: float = 3.0
    chars_ngrams: tuple[int, int] = (2, 5)
    chars_max_features: int = 30000
    stack_C: float = 1.0
    platforms: tuple[str, ...] = ("youtube", "instagram")  # each gets its own heads and stacker
    inner_folds: int = 3
    cv_folds: int = 5
    threshold: float = 0.5
    notes: dict[str, str] = field(default_factory=dict)
