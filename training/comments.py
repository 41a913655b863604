"""Train, evaluate and ship the comment spam model; ``python -m training.comments`` runs it all.

The model (served by server/scoring/comments.py) is platform-aware (v2): logistic-regression heads
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

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    f1_score,
    matthews_corrcoef,
    precision_recall_curve,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from server.scoring.comments import (
    ANY,
    CARD_FILE,
    PR_CURVE_FILE,
    SHARED,
    CommentModel,
    _logit,
    activate,
    generic_verdict,
    head_inputs,
    next_version,
    stack_heads,
    stack_inputs,
)
from server.scoring.embedder import model_version
from training.datasets import (
    DATA_DIR,
    SCAMSPOT_FILE,
    YOUTUBE_FILE,
    YOUTUBE_VIDEOS,
    CommentRow,
    file_snapshot,
    load_generic_labels,
    load_scamspot,
    load_youtube,
    normalise_text,
    youtube_protocol_split,
)

REPO = Path(__file__).resolve().parent.parent
MODELS_ROOT = REPO / "models" / "comments"
REPORTS_DIR = Path(__file__).resolve().parent / "reports"
REPORT_FILE = "comments.md"
REPORT_PLOT = "comments-pr.png"

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
# The platform each data source comes from; corrections have none (they apply to every platform).
SOURCE_PLATFORM = {"youtube": "youtube", "scamspot": "instagram", EXTRA_SOURCE: None}

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


@dataclass
class TrainingArguments:
    """Every knob of a training run; recorded in metadata.json."""

    seed: int = 13
    heads: tuple[str, ...] = ("embedding", "words", "chars")
    embedding_C: float = 0.02
    words_C: float = 10.0
    words_ngrams: tuple[int, int] = (1, 2)
    chars_C: float = 3.0
    chars_ngrams: tuple[int, int] = (2, 5)
    chars_max_features: int = 30000
    stack_C: float = 1.0
    platforms: tuple[str, ...] = ("youtube", "instagram")  # each gets its own heads and stacker
    inner_folds: int = 5
    cv_folds: int = 5
    threshold: float = 0.5
    notes: dict[str, str] = field(default_factory=dict)


def build_head(kind: str, args: TrainingArguments) -> Pipeline:
    lr = {"max_iter": 5000, "random_state": args.seed}
    if kind == "embedding":
        return Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(C=args.embedding_C, **lr))])
    if kind == "words":
        vec = TfidfVectorizer(analyzer="word", ngram_range=args.words_ngrams, sublinear_tf=True,
                              token_pattern=r"(?u)\b\w+\b|[^\w\s]", dtype=np.float32)
        return Pipeline([("tfidf", vec), ("lr", LogisticRegression(C=args.words_C, **lr))])
    if kind == "chars":
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=args.chars_ngrams, min_df=2, sublinear_tf=True,
                              max_features=args.chars_max_features, dtype=np.float32)
        return Pipeline([("tfidf", vec), ("lr", LogisticRegression(C=args.chars_C, **lr))])
    raise ValueError(f"unknown head kind {kind!r}")


def _take(x: Any, idx: np.ndarray) -> Any:
    return x[idx] if isinstance(x, np.ndarray) else [x[i] for i in idx]


def fit(texts: Sequence[str], vectors: np.ndarray, labels: np.ndarray, args: TrainingArguments,
        platforms: Sequence[str | None] | None = None) -> dict[str, Any]:
    """Fit the heads and the stackers on these rows; returns the estimators CommentModel serves.

    ``platforms`` gives each row's platform (None: a correction, which counts for every platform).
    The stackers must learn from predictions the heads did not train on, so they read out-of-fold
    predictions from ``inner_folds`` folds (the same folds for every head; a platform's heads train
    only on that platform's rows of each fold); the heads they serve are then refit on all their rows.
    """
    labels = np.asarray(labels, dtype=int)
    where = np.array([None] * len(labels) if platforms is None else list(platforms), dtype=object)
    inputs = head_inputs(texts, vectors)
    folds = max(2, min(args.inner_folds, int(np.bincount(labels, minlength=2).min())))
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=args.seed).split(labels, labels))
    own: dict[str, np.ndarray] = {platform: where == platform for platform in args.platforms}
    members: dict[str, np.ndarray] = {SHARED: np.ones(len(labels), dtype=bool), **own}
    heads: dict[str, Pipeline] = {}
    columns: dict[str, np.ndarray] = {}
    for subset, keep in members.items():
        if subset != SHARED and not _fittable(labels[keep], folds):
            continue  # too few rows of this platform (a small retraining set): the shared heads serve it
        for kind in args.heads:
            name = f"{subset}:{kind}"
            x = inputs[kind]
            out = np.zeros(len(labels))
            for a, b in splits:
                a = a[keep[a]]
                out[b] = build_head(kind, args).fit(_take(x, a), labels[a]).predict_proba(_take(x, b))[:, 1]
            rows = np.flatnonzero(keep)
            heads[name] = build_head(kind, args).fit(_take(x, rows), labels[rows])
            columns[name] = _logit(out)
    stacks: dict[str, Pipeline] = {}
    unplaced = np.array([p is None for p in where])
    for key in (ANY, *args.platforms):
        rows = np.arange(len(labels)) if key == ANY else np.flatnonzero(own[key] | unplaced)
        if key != ANY and (f"{key}:{args.heads[0]}" not in heads or not _fittable(labels[rows], 2)):
            continue
        x = stack_inputs([columns[n] for n in stack_heads(list(heads), key)], inputs["lexical"])
        stacks[key] = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(
            C=args.stack_C, max_iter=5000, random_state=args.seed))]).fit(x[rows], labels[rows])
    return {"heads": heads, "stacks": stacks}


def _fittable(labels: np.ndarray, folds: int) -> bool:
    """Enough rows of both classes for ``folds`` folds."""
    return bool(np.bincount(labels, minlength=2).min() >= folds)


# ---- data -----------------------------------------------------------------------------------

@dataclass
class Corpus:
    """Rows and their embedder vectors, aligned."""

    rows: list[CommentRow]
    vectors: np.ndarray

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.rows]

    @property
    def labels(self) -> np.ndarray:
        return np.array([r.spam for r in self.rows], dtype=int)

    @property
    def platforms(self) -> list[str | None]:
        return [SOURCE_PLATFORM[r.source] for r in self.rows]

    def subset(self, idx: Iterable[int]) -> Corpus:
        idx = list(idx)
        return Corpus([self.rows[i] for i in idx], self.vectors[idx])


def load_corpus(embedder: Any, extra_labels: Iterable[tuple[str, str] | dict[str, Any]] = (),
                data_dir: Path = DATA_DIR) -> Corpus:
    """Both datasets plus users' corrections ((text, label) pairs or {"text", "label"} records),
    embedded by ``embedder``."""
    rows = load_youtube(data_dir / YOUTUBE_FILE) + load_scamspot(data_dir / SCAMSPOT_FILE)
    start = len(rows)
    for i, item in enumerate(extra_labels):
        text, label = (item["text"], item["label"]) if isinstance(item, dict) else item
        if text.strip():
            rows.append(CommentRow(text.strip(), int(label == "spam"), EXTRA_SOURCE, EXTRA_SOURCE, start + i))
    return Corpus(rows, embedder.encode([r.text for r in rows]))


def fit_corpus(corpus: Corpus, args: TrainingArguments) -> dict[str, Any]:
    return fit(corpus.texts, corpus.vectors, corpus.labels, args, corpus.platforms)


def predict(estimators: dict[str, Any], corpus: Corpus, pooled: bool = False) -> np.ndarray:
    """P(spam) of the rows, each judged as a comment of its platform (``pooled``: of unknown platform)."""
    platforms = None if pooled else corpus.platforms
    return CommentModel(estimators, "eval").spam_probability(corpus.texts, corpus.vectors, platforms)


# ---- evaluation -----------------------------------------------------------------------------

def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> dict[str, Any]:
    pred = (p >= threshold).astype(int)
    out = {"n": int(len(y)), "spam": int(y.sum()), "accuracy": round(float(accuracy_score(y, pred)), 4),
           "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
           "mcc": round(float(matthews_corrcoef(y, pred)), 4),
           "confusion": confusion_matrix(y, pred, labels=[0, 1]).tolist()}
    if len(np.unique(y)) == 2:
        out["roc_auc"] = round(float(roc_auc_score(y, p)), 4)
        out["average_precision"] = round(float(average_precision_score(y, p)), 4)
    return out


def evaluate_youtube(corpus: Corpus, args: TrainingArguments) -> dict[str, Any]:
    """The paper's protocol inside the published training rows; one model for every video."""
    train_idx, test_idx = youtube_protocol_split(corpus.rows)
    others = [i for i, r in enumerate(corpus.rows) if r.source != "youtube"]
    estimators = fit_corpus(corpus.subset(sorted(train_idx + others)), args)
    test = corpus.subset(test_idx)
    p, y = predict(estimators, test), test.labels
    pooled = predict(estimators, test, pooled=True)
    videos = np.array([r.group for r in test.rows])
    per_video = {}
    for video in YOUTUBE_VIDEOS:
        mask = videos == video
        if mask.any():
            name, acc, mcc = PAPER_BEST[video]
            per_video[video] = {**binary_metrics(y[mask], p[mask], args.threshold),
                                "paper": {"classifier": name, "accuracy": acc / 100, "mcc": mcc},
                                "pooled_mcc": round(float(matthews_corrcoef(
                                    y[mask], pooled[mask] >= args.threshold)), 4)}
    return {"protocol": "oldest 70% / newest 30% per video and class, inside the published training rows",
            "train_rows": len(train_idx), "extra_train_rows": len(others), "test_rows": len(test_idx),
            "overall": binary_metrics(y, p, args.threshold), "per_video": per_video,
            "pooled_overall": binary_metrics(y, pooled, args.threshold),
            "beats_paper_mcc": {v: m["mcc"] > m["paper"]["mcc"] for v, m in per_video.items()},
            "_curve": (y.tolist(), p.tolist())}


def evaluate_scamspot(corpus: Corpus, args: TrainingArguments,
                      progress: Progress | None = None) -> dict[str, Any]:
    """Stratified k-fold over ScamSpot rows, grouped by normalised text; other rows always train."""
    ss = np.array([i for i, r in enumerate(corpus.rows) if r.source == "scamspot"])
    rest = [i for i, r in enumerate(corpus.rows) if r.source != "scamspot"]
    y = corpus.labels[ss]
    groups = [normalise_text(corpus.rows[i].text) for i in ss]
    folds = StratifiedGroupKFold(args.cv_folds, shuffle=True, random_state=args.seed)
    p, pooled = np.zeros(len(ss)), np.zeros(len(ss))
    fold_mcc = []
    for k, (a, b) in enumerate(folds.split(ss, y, groups)):
        estimators = fit_corpus(corpus.subset(sorted(rest + ss[a].tolist())), args)
        p[b] = predict(estimators, corpus.subset(ss[b]))
        pooled[b] = predict(estimators, corpus.subset(ss[b]), pooled=True)
        fold_mcc.append(round(float(matthews_corrcoef(y[b], p[b] >= args.threshold)), 4))
        if progress:
            progress((k + 1) / args.cv_folds, f"ScamSpot fold {k + 1}/{args.cv_folds}")
    return {"protocol": f"stratified {args.cv_folds}-fold CV grouped by normalised text",
            **binary_metrics(y, p, args.threshold), "fold_mcc": fold_mcc,
            "pooled": binary_metrics(y, pooled, args.threshold),
            "goal_mcc": SCAMSPOT_GOAL_MCC, "_curve": (y.tolist(), p.tolist())}


def evaluate_generic(path: Path | None = None) -> dict[str, Any]:
    """Precision and recall of the generic rules on the hand-labelled comments (spam rows left out)."""
    items = [x for x in load_generic_labels(path) if x.label in ("generic", "genuine")]
    y = np.array([x.label == "generic" for x in items], dtype=int)
    pred = np.array([generic_verdict(x.text)[0] >= 0.5 for x in items], dtype=int)
    tp = int((y & pred).sum())
    return {"n": len(items), "generic": int(y.sum()),
            "precision": round(tp / max(int(pred.sum()), 1), 4),
            "recall": round(tp / max(int(y.sum()), 1), 4),
            "accuracy": round(float((y == pred).mean()), 4),
            "confusion": confusion_matrix(y, pred, labels=[0, 1]).tolist(),
            "by_source": {src: round(float((y[m] == pred[m]).mean()), 4) for src in ("youtube", "scamspot")
                          if (m := np.array([x.source == src for x in items])).any()}}


def evaluate(corpus: Corpus, args: TrainingArguments | None = None,
             progress: Progress | None = None) -> dict[str, Any]:
    """Every evaluation in the report; the ``_curve`` entries hold (labels, probabilities) for plots."""
    args = args or TrainingArguments()
    youtube = evaluate_youtube(corpus, args)
    if progress:
        progress(0.2, "YouTube protocol done")
    scamspot = evaluate_scamspot(corpus, args,
                                 (lambda f, m: progress(0.2 + 0.7 * f, m)) if progress else None)
    return {"youtube": youtube, "scamspot": scamspot, "generic_rules": evaluate_generic()}


# ---- report ---------------------------------------------------------------------------------

def plot_pr(metrics: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    for key, title in (("youtube", "YouTube protocol (newest 30%)"), ("scamspot", "ScamSpot 5-fold CV")):
        y, p = metrics[key]["_curve"]
        precision, recall, _ = precision_recall_curve(y, p)
        ap = average_precision_score(y, p)
        ax.step(recall, precision, where="post", label=f"{title}, AP {ap:.3f}")
    ax.set(xlabel="recall (spam)", ylabel="precision (spam)", xlim=(0, 1.01), ylim=(0.4, 1.01),
           title="Comment spam model: precision-recall")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def goals_line(metrics: dict[str, Any]) -> str:
    """The issue's goals, met or not, in one sentence."""
    beats = metrics["youtube"]["beats_paper_mcc"]
    won = [v.split("-")[1] for v, ok in beats.items() if ok]
    lost = [v.split("-")[1] for v, ok in beats.items() if not ok]
    ss = metrics["scamspot"]
    return (f"Goals: beat the paper's best MCC on every video - met on {len(won)} of {len(beats)}"
            + (f" ({', '.join(won)})" if won else "") + (f", not on {', '.join(lost)}" if lost else "")
            + f"; ScamSpot MCC >= {ss['goal_mcc']} - {'met' if ss['mcc'] >= ss['goal_mcc'] else 'not met'} "
            f"({ss['mcc']:.3f}).")


def render_report(metrics: dict[str, Any], meta: dict[str, Any]) -> str:
    yt, ss, gen = metrics["youtube"], metrics["scamspot"], metrics["generic_rules"]
    lines = [
        f"# Comment spam model {meta['version']}: training report", "",
        f"Trained {meta['trained_at']} in {meta['training_seconds']:.0f} s (evaluation and final fit, "
        f"embedding included) on {meta['machine']}. Vectors: {meta['embedder']} (the server's default "
        "backend, so serving sees the vectors training saw).", "",
        f"The model: {describe_heads(meta['parameters'])}", "",
        "## YouTube Spam Collection: the paper's protocol", "",
        "Honest caveat: the published file is the paper's 70% training portion; the paper's 30% test "
        "rows are held out of this project. So this is the same protocol *inside* the training portion: "
        f"per video and class the oldest 70% of rows train ({yt['train_rows']} rows) and the newest 30% "
        f"test ({yt['test_rows']} rows). One model serves every video (trained on all videos' training "
        f"parts plus {yt['extra_train_rows']} ScamSpot rows); the paper fits one model per video and tests "
        "on other rows, so the columns are comparable in protocol, not in rows.", "",
        "| video | n test | accuracy | F1 (spam) | MCC | paper best | paper accuracy | paper MCC "
        "| beats paper MCC |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for video, m in yt["per_video"].items():
        paper = m["paper"]
        lines.append(f"| {video} | {m['n']} | {_pct(m['accuracy'])} | {m['f1']:.3f} | {m['mcc']:.3f} | "
                     f"{paper['classifier']} | {_pct(paper['accuracy'])} | {paper['mcc']:.3f} | "
                     f"{'yes' if yt['beats_paper_mcc'][video] else 'no'} |")
    o = yt["overall"]
    lines += [f"| all | {o['n']} | {_pct(o['accuracy'])} | {o['f1']:.3f} | {o['mcc']:.3f} | | | | |", "",
              f"Confusion (rows true genuine/spam, columns predicted): {o['confusion']}. "
              f"ROC AUC {o['roc_auc']:.3f}, average precision {o['average_precision']:.3f}.", "",
              goals_line(metrics), "",
              *pooled_lines(metrics),
              "How the design was chosen (same protocols, onnx-int8 vectors; chosen on these same splits, "
              "so the numbers above flatter it a little):", "",
              *[f"- {line}" for line in DESIGN_STUDY], "",
              "## ScamSpot Instagram: 5-fold cross-validation", "",
              f"{ss['protocol']}; YouTube rows train in every fold. n = {ss['n']} ({ss['spam']} scam).", "",
              "| accuracy | F1 (scam) | MCC | ROC AUC | average precision | goal MCC | per-fold MCC |",
              "|---|---|---|---|---|---|---|",
              f"| {_pct(ss['accuracy'])} | {ss['f1']:.3f} | {ss['mcc']:.3f} | {ss['roc_auc']:.3f} | "
              f"{ss['average_precision']:.3f} | >= {ss['goal_mcc']} | "
              f"{', '.join(f'{x:.3f}' for x in ss['fold_mcc'])} |",
              "", f"Confusion: {ss['confusion']}.", "",
              "## Generic (low-effort) rules on hand labels", "",
              f"{gen['n']} comments labelled by hand (training/data/DATA.md says how they were drawn and "
              f"labelled), {gen['generic']} of them generic. Rules: server/scoring/comments.py.", "",
              "| precision | recall | accuracy | accuracy YouTube | accuracy ScamSpot |",
              "|---|---|---|---|---|",
              f"| {gen['precision']:.3f} | {gen['recall']:.3f} | {gen['accuracy']:.3f} | "
              f"{gen['by_source'].get('youtube', 0):.3f} | {gen['by_source'].get('scamspot', 0):.3f} |", "",
              f"Confusion (rows true genuine/generic, columns predicted): {gen['confusion']}.", "",
              f"![precision-recall]({REPORT_PLOT})", "",
              "Reproduce: `python -m training.comments` (seeded; the numbers repeat on the same "
              "library versions).",
              ""]
    return "\n".join(lines)


def pooled_lines(metrics: dict[str, Any]) -> list[str]:
    """The same evaluations judged by the pooled stacker: what a TikTok (or unknown-platform) comment gets."""
    yt, ss = metrics["youtube"], metrics["scamspot"]
    if "pooled" not in ss:
        return []
    videos = "; ".join(f"{v.split('-')[1]} {m['pooled_mcc']:.3f}" for v, m in yt["per_video"].items())
    return [f"Pooled stacker (serves TikTok and comments of unknown platform; the same fits, every test "
            f"comment judged without its platform): YouTube MCC {yt['pooled_overall']['mcc']:.3f} "
            f"({videos}); ScamSpot MCC {ss['pooled']['mcc']:.3f}.", ""]


def render_card(metrics: dict[str, Any], meta: dict[str, Any]) -> str:
    yt, ss, gen = metrics["youtube"], metrics["scamspot"], metrics["generic_rules"]
    final = meta["final_fit"]
    return "\n".join([
        f"# Model card: comment classifier {meta['version']}", "",
        "## Intended use",
        "Label each comment under a creator's posts as genuine, generic (low effort) or spam, to estimate "
        "how authentic a comment section is. An aid for a marketer's judgement about a creator, never a "
        "verdict about a person. Not meant for moderation or for removing anyone's comment.", "",
        "## What it is",
        f"spam: {describe_heads(meta['parameters'])} "
        "generic: documented rules on comments the model does not call spam. "
        f"Trained on {final['rows']} comments ({final['spam']} spam): YouTube Spam Collection (training "
        f"portion) and ScamSpot Instagram comments, plus {final['corrections']} user corrections.", "",
        f"Trained on the vectors of {meta['embedder']}, the server's default embedding backend "
        "(MICROSCOUT_EMBED_BACKEND), so the heads see at serving time the vectors they were trained on. "
        "Served with another backend, the vectors differ slightly and the numbers below are not measured.",
        "",
        "## Platforms",
        "The caller passes the comment's platform (`platform` on each item of POST /v1/comments/classify; "
        "the snapshot's platform in POST /v1/score). YouTube comments are judged by the YouTube stacker, "
        "Instagram comments by the Instagram stacker. TikTok has no labelled data, so TikTok comments and "
        "comments of unknown platform are judged by the pooled stacker, which reads only the heads trained "
        "on every row and was itself trained on every row. On self-promotion it mostly sides with YouTube "
        "(\"Check out my new video!\" is spam to it, as to the YouTube stacker, and not to the Instagram "
        "one), the more cautious reading for a marketer. It is measured below as \"pooled\".", "",
        "## Metrics",
        f"- YouTube, paper protocol inside the training portion (n = {yt['overall']['n']}): accuracy "
        f"{_pct(yt['overall']['accuracy'])}, F1 {yt['overall']['f1']:.3f}, MCC {yt['overall']['mcc']:.3f}; "
        "per video: " + "; ".join(f"{v.split('-')[1]} MCC {m['mcc']:.3f} (paper {m['paper']['mcc']:.3f})"
                                  for v, m in yt["per_video"].items()) + ".",
        f"- ScamSpot 5-fold CV (n = {ss['n']}): accuracy {_pct(ss['accuracy'])}, F1 {ss['f1']:.3f}, "
        f"MCC {ss['mcc']:.3f}, ROC AUC {ss['roc_auc']:.3f}.",
        f"- Generic rules on {gen['n']} hand-labelled comments: precision {gen['precision']:.3f}, "
        f"recall {gen['recall']:.3f}.", "",
        goals_line(metrics), "",
        *pooled_lines(metrics),
        "The design was picked among a dozen variants measured on these same splits (training/reports/"
        "comments.md lists them), so these numbers flatter it a little.", "",
        "## Confusion matrices (rows true not-spam / spam, columns predicted)",
        f"- YouTube protocol test: {yt['overall']['confusion']}",
        f"- ScamSpot out-of-fold: {ss['confusion']}", "",
        "## Limitations",
        "- Training data: 2013-2015 music-video comments (YouTube) and comments under finance and business "
        "posts (Instagram). Beauty, food or gaming comment sections, TikTok and non-English comments are "
        "out of distribution; expect more errors there.",
        "- The sources disagree: ScamSpot labels self-promotion real, YouTube labels it spam; the model "
        "follows each platform's convention, and on TikTok (no labelled data) mostly YouTube's. "
        "Collaboration and brand-ambassador offers (\"DM us to collab\") are mostly missed: neither "
        "dataset labels them spam. Users' corrections (POST /v1/comment-labels) are the way to teach them.",
        "- A comment that only @mentions other accounts sits near the 0.5 threshold; the generic rules "
        "cannot help when the model calls it spam.",
        "- Labels are noisy (some ScamSpot labels came from a phrase rule); the numbers above are "
        "estimates on splits of the training portions, not on the held-out test sets.",
        "- \"generic\" is rule-based and was measured on only "
        f"{gen['n']} comments labelled by one reader.",
        "- Threshold 0.5 on the calibrated probability; a comment near it is uncertain, and the answer "
        "says so through spam_probability.", "",
        "Files: model.skops (skops; load with the trusted types in server/scoring/comments.py), "
        f"metadata.json, {PR_CURVE_FILE}.", ""])


def describe_heads(params: dict[str, Any]) -> str:
    kinds = {"embedding": "the all-MiniLM-L6-v2 vector plus lexical features", "words": "word n-grams",
             "chars": "character n-grams"}
    heads = ", ".join(kinds[k] for k in params["heads"])
    platforms = params.get("platforms", [])
    if not platforms:
        return (f"logistic-regression heads over {heads}, one set for all sources, stacked by a logistic "
                "regression over their out-of-fold logits and the lexical features, which gives a "
                "calibrated probability.")
    return (f"logistic-regression heads over {heads}: one set trained on every row and one set per "
            f"platform with labelled data ({', '.join(platforms)}). Each of those platforms has its own "
            "stacker, a logistic regression over the out-of-fold logits of the shared heads and its own "
            "platform's heads plus the lexical features, which gives a calibrated probability; a pooled "
            "stacker over the shared heads, trained on every row, judges other platforms (TikTok) and "
            "comments of unknown platform.")


# ---- the whole run --------------------------------------------------------------------------

def _public(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics without the plot data."""
    if isinstance(metrics, dict):
        return {k: _public(v) for k, v in metrics.items() if not k.startswith("_")}
    return metrics


def train(output_dir: str | Path = MODELS_ROOT, extra_labels: Iterable[tuple[str, str] | dict[str, Any]] = (),
          progress: Progress | None = None, args: TrainingArguments | None = None, embedder: Any = None,
          version: str | None = None, activate_version: bool = False,
          report_dir: str | Path | None = None) -> dict[str, Any]:
    """Evaluate, fit on every row, and write ``output_dir/<version>/`` (model, metadata, card, PR curve).

    ``output_dir`` is the comment models' root (models/comments). ``extra_labels`` are users'
    (text, "genuine" | "generic" | "spam") corrections. Returns the metrics plus "version" and "path";
    the new version is served only with ``activate_version`` (or a later ``activate``).
    """
    args = args or TrainingArguments()
    started = time.perf_counter()
    say = progress or (lambda fraction, message: None)
    if embedder is None:
        from server.scoring.embedder import Embedder

        embedder = Embedder()
    say(0.0, "embedding the training comments")
    corpus = load_corpus(embedder, list(extra_labels))
    say(0.05, "evaluating")
    metrics = evaluate(corpus, args, lambda f, m: say(0.05 + 0.8 * f, m))
    say(0.85, "fitting the final model on every row")
    estimators = fit_corpus(corpus, args)
    seconds = time.perf_counter() - started

    root = Path(output_dir)
    version = version or next_version(root)
    path = root / version
    if path.exists():
        raise FileExistsError(f"{path} exists; versions are never overwritten")
    y = corpus.labels
    meta = {
        "version": version, "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training_seconds": round(seconds, 1),
        "machine": f"{platform.machine()}, {_cpu_count()} CPU, Python {platform.python_version()}",
        "embedding_model": model_version(),
        "embedder": str(getattr(embedder, "version", "unknown")),  # weights + backend the vectors came from
        "data": {"files": file_snapshot([DATA_DIR / YOUTUBE_FILE, DATA_DIR / SCAMSPOT_FILE]),
                 "rows_after_loading": {s: int(sum(1 for r in corpus.rows if r.source == s))
                                        for s in ("youtube", "scamspot", EXTRA_SOURCE)}},
        "final_fit": {"rows": len(y), "spam": int(y.sum()),
                      "corrections": int(sum(1 for r in corpus.rows if r.source == EXTRA_SOURCE))},
        "parameters": asdict(args), "metrics": _public(metrics),
        "labels": ["genuine", "generic", "spam"],
    }
    model = CommentModel(estimators, version)
    model.save(path, meta)
    plot_pr(metrics, path / PR_CURVE_FILE)
    (path / CARD_FILE).write_text(render_card(metrics, meta), encoding="utf-8")
    if report_dir is not None:
        report_dir = Path(report_dir)
        report_dir.mkdir(parents=True, exist_ok=True)
        plot_pr(metrics, report_dir / REPORT_PLOT)
        (report_dir / REPORT_FILE).write_text(render_report(metrics, meta), encoding="utf-8")
        (report_dir / "comments-metrics.json").write_text(
            json.dumps({"version": version, **_public(metrics)}, indent=2) + "\n", encoding="utf-8")
    if activate_version:
        activate(root, version)
    say(1.0, f"comment model {version} written")
    return {"version": version, "path": str(path), "training_seconds": meta["training_seconds"],
            **_public(metrics)}


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def main(output: str | Path | None = None, reports: str | Path | None = None,
         activate_version: bool | None = None) -> dict[str, Any]:
    """Train with progress on stderr, print the report, return the metrics.

    ``output`` None writes the next version under models/comments/, makes it the served one and
    saves the report in training/reports/. Given, ``output`` is the new version's directory (its
    name is the version); nothing is activated and the report is written beside the model.
    """
    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:5.0%}] {message}", file=sys.stderr, flush=True)

    if output is None:
        root, version = MODELS_ROOT, None
        reports = REPORTS_DIR if reports is None else reports
        activate_version = True if activate_version is None else activate_version
    else:
        root, version = Path(output).parent, Path(output).name
        reports = Path(output) if reports is None else reports
    result = train(root, progress=progress, version=version, activate_version=bool(activate_version),
                   report_dir=reports)
    print(Path(reports, REPORT_FILE).read_text(encoding="utf-8"))
    print(f"model written to {result['path']}")
    return result


def _cli(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.comments", description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=None,
                        help="the new version's directory (default: the next version in models/comments/)")
    parser.add_argument("--reports", type=Path, default=None, help="where the report goes")
    parser.add_argument("--no-activate", action="store_true", help="do not serve the new version")
    ns = parser.parse_args(argv)
    main(ns.output, ns.reports, False if ns.no_activate else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(_cli())
