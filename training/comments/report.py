"""The report, the model card and the PR-curve plot of a training run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
)

from server.scoring.comments import (
    PR_CURVE_FILE,
)
from training.comments.arguments import DESIGN_STUDY, REPORT_PLOT

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
              "Reproduce: `python -m training.comments --output /tmp/comments/v3` (seeded; the numbers "
              "repeat on the same library versions).",
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
