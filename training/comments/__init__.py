"""Train, evaluate and ship the comment spam model; ``python -m training.comments`` runs it all.

By job: ``arguments`` (paths, goals, ``TrainingArguments``), ``corpus``, ``fitting`` (heads and
stackers), ``evaluation`` (the protocols), ``report`` (report, card, plot), ``trainer`` (``train``) and
``cli``.

The model (served by server/scoring/comments/) is platform-aware (v2): logistic-regression heads
over the MiniLM vector plus lexical features, over word n-grams and over character n-grams, one set
trained on every row ("all:*") and one set per platform with labelled data ("youtube:*" on YouTube
rows, "instagram:*" on ScamSpot rows). Each of those platforms has its own stacker, a logistic
regression over the out-of-fold logits of the shared heads and its own platform's heads plus the
lexical features, which makes the final P(spam) calibrated; the two datasets disagree on
self-promotion, and one stacker had to pay for it. The pooled stacker ("any": the shared heads, every
row) judges TikTok, which has no labelled data, and comments of unknown platform. Users' corrections
carry no platform: they train the shared heads and every stacker. ``platforms=()`` gives v1's design.

Evaluation:
- YouTube, the paper's protocol reproduced inside the published training portion: per video and
  class the oldest 70% of rows (file order) train, the newest 30% test; one model for all videos
  (trained on every video's training part plus all ScamSpot rows).
- ScamSpot: stratified 5-fold cross-validation grouped by normalised text (YouTube rows always train).
- The "generic" rules on the hand-labelled comments.
"""

from training.comments.arguments import (
    DESIGN_STUDY,
    EVERYWHERE_STUDY,
    EXTRA_SOURCE,
    MODELS_ROOT,
    PAPER_BEST,
    REPO,
    REPORT_FILE,
    REPORT_PLOT,
    REPORTS_DIR,
    SCAMSPOT_GOAL_MCC,
    SOURCE_PLATFORM,
    Progress,
    TrainingArguments,
    report_names,
)
from training.comments.cli import (
    main,
)
from training.comments.corpus import (
    Corpus,
    load_corpus,
)
from training.comments.evaluation import (
    binary_metrics,
    evaluate,
    evaluate_dev,
    evaluate_generic,
    evaluate_lovo,
    evaluate_scamspot,
    evaluate_youtube,
)
from training.comments.fitting import (
    build_head,
    fit,
    fit_corpus,
    predict,
)
from training.comments.report import (
    describe_heads,
    goals_line,
    plot_pr,
    pooled_lines,
    render_card,
    render_report,
)
from training.comments.trainer import (
    assemble,
    public_metrics,
    train,
    write_report,
)

__all__ = [
    "Corpus",
    "DESIGN_STUDY",
    "EVERYWHERE_STUDY",
    "EXTRA_SOURCE",
    "MODELS_ROOT",
    "PAPER_BEST",
    "Progress",
    "REPO",
    "REPORTS_DIR",
    "REPORT_FILE",
    "REPORT_PLOT",
    "report_names",
    "SCAMSPOT_GOAL_MCC",
    "SOURCE_PLATFORM",
    "TrainingArguments",
    "assemble",
    "binary_metrics",
    "build_head",
    "describe_heads",
    "evaluate",
    "evaluate_dev",
    "evaluate_generic",
    "evaluate_lovo",
    "evaluate_scamspot",
    "evaluate_youtube",
    "fit",
    "fit_corpus",
    "goals_line",
    "load_corpus",
    "main",
    "plot_pr",
    "pooled_lines",
    "predict",
    "public_metrics",
    "render_card",
    "render_report",
    "train",
    "write_report",
]
