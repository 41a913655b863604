"""The protocols: the YouTube paper split, ScamSpot grouped cross-validation, the generic rules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    f1_score,
    matthews_corrcoef,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedGroupKFold

from server.scoring.comments import (
    CommentModel,
    generic_verdict,
)
from training.comments.arguments import PAPER_BEST, SCAMSPOT_GOAL_MCC, Progress, TrainingArguments
from training.comments.corpus import Corpus
from training.comments.fitting import fit_corpus, predict
from training.datasets import (
    YOUTUBE_VIDEOS,
    CommentRow,
    DevRow,
    load_generic_labels,
    normalise_text,
    youtube_protocol_split,
)

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


def evaluate_lovo(corpus: Corpus, args: TrainingArguments,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Each YouTube video left out whole: trained on the other four and ScamSpot, judged on all its rows
    (comments of a video the model never saw: the closest this data has to "other videos")."""
    per_video = {}
    for k, video in enumerate(YOUTUBE_VIDEOS):
        train = [i for i, r in enumerate(corpus.rows) if r.group != video]
        test = corpus.subset([i for i, r in enumerate(corpus.rows) if r.group == video])
        per_video[video] = binary_metrics(test.labels, predict(fit_corpus(corpus.subset(train), args), test),
                                          args.threshold)
        if progress:
            progress((k + 1) / len(YOUTUBE_VIDEOS), f"{video} left out")
    return {"protocol": "leave one video out (all its rows); trained on the other videos and ScamSpot",
            "per_video": per_video,
            "mean_mcc": round(float(np.mean([m["mcc"] for m in per_video.values()])), 4)}


def evaluate_dev(corpus: Corpus, dev: Sequence[DevRow], dev_vectors: np.ndarray,
                 args: TrainingArguments) -> dict[str, Any]:
    """The multilingual dev set, judged as comments of unknown platform by a model trained on every row
    except the dev set's own dataset rows; spam metrics overall and per language."""
    inside = {row.dataset_row for row in dev if row.dataset_row}
    train = [i for i, r in enumerate(corpus.rows) if (r.source, r.order) not in inside]
    estimators = fit_corpus(corpus.subset(train), args)
    texts = [row.text for row in dev]
    p = CommentModel(estimators, "dev").spam_probability(texts, dev_vectors)
    y = np.array([row.spam for row in dev])
    languages: dict[str, list[int]] = {}
    for i, row in enumerate(dev):
        languages.setdefault(row.language, []).append(i)
    per_language = {lang: {"n": len(idx), "spam": int(y[idx].sum()),
                           "correct": int(((p[idx] >= args.threshold) == y[idx]).sum())}
                    for lang, idx in sorted(languages.items())}
    generic = [row for row in dev if row.label != "spam"]
    g_true = np.array([row.label == "generic" for row in generic])
    g_pred = np.array([generic_verdict(row.text)[0] >= 0.5 for row in generic])
    return {"protocol": "trained without the dev set's rows; every row judged as of unknown platform",
            "rows_left_out_of_training": len(corpus.rows) - len(train),
            **binary_metrics(y, p, args.threshold), "per_language": per_language,
            "generic_rules": {"n": len(generic), "generic": int(g_true.sum()),
                              "correct": int((g_true == g_pred).sum())},
            "misses": [{"text": texts[i][:100], "label": dev[i].label, "p_spam": round(float(p[i]), 3)}
                       for i in range(len(texts)) if (p[i] >= args.threshold) != y[i]]}


def evaluate_ordinary(estimators: dict[str, Any], rows: Sequence[CommentRow], vectors: np.ndarray,
                      args: TrainingArguments) -> dict[str, Any]:
    """How often ordinary text that is not spam (the check part of training/data/ordinary-text.csv,
    never trained on) is called spam, by each stacker and overall, per dataset."""
    model = CommentModel(estimators, "ordinary")
    texts = [r.text for r in rows]
    datasets = np.array([r.group for r in rows])
    out: dict[str, Any] = {"protocol": "the check part of ordinary-text.csv; each text judged by every "
                           "stacker (as a comment of each platform)", "n": len(rows), "per_stacker": {}}
    for key in ("youtube", "instagram", None):
        called = model.spam_probability(texts, vectors, [key] * len(texts)) >= args.threshold
        out["per_stacker"][key or "any"] = {
            "spam_share": round(float(called.mean()), 4),
            "per_dataset": {str(d): round(float(called[datasets == d].mean()), 4)
                            for d in dict.fromkeys(datasets)}}
    return out


def evaluate(corpus: Corpus, args: TrainingArguments | None = None, progress: Progress | None = None,
             dev: tuple[Sequence[DevRow], np.ndarray] | None = None, lovo: bool = True) -> dict[str, Any]:
    """Every evaluation in the report; the ``_curve`` entries hold (labels, probabilities) for plots.

    Each protocol fits on its training part only, and the fit chooses its design there (``fit``), so
    every number is a nested estimate."""
    args = args or TrainingArguments()
    say = progress or (lambda fraction, message: None)
    youtube = evaluate_youtube(corpus, args)
    say(0.1, "YouTube protocol done")
    scamspot = evaluate_scamspot(corpus, args, lambda f, m: say(0.1 + 0.45 * f, m))
    out = {"youtube": youtube, "scamspot": scamspot, "generic_rules": evaluate_generic()}
    if lovo:
        out["lovo"] = evaluate_lovo(corpus, args, lambda f, m: say(0.55 + 0.37 * f, m))
    if dev is not None:
        out["multilingual_dev"] = evaluate_dev(corpus, dev[0], dev[1], args)
        say(1.0, "multilingual dev set done")
    return out
