"""One training run: evaluate on the protocols, fit on every row; the result is saved by the caller."""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from server.scoring.comments import (
    PR_CURVE_FILE,
    CommentModel,
)
from server.scoring.embedder import model_version
from server.scoring.weights import weights_of
from training.comments.arguments import (
    EXTRA_SOURCE,
    Progress,
    TrainingArguments,
    report_names,
)
from training.comments.corpus import Corpus, load_corpus, vector_cache
from training.comments.evaluation import evaluate, evaluate_ordinary
from training.comments.fitting import fit_corpus
from training.comments.report import plot_pr, render_card, render_report, render_summary
from training.datasets import (
    DATA_DIR,
    MULTILINGUAL_DEV_FILE,
    ORDINARY_FILE,
    ORDINARY_SOURCE,
    SCAMSPOT_FILE,
    YOUTUBE_FILE,
    file_snapshot,
    load_multilingual_dev,
    load_ordinary,
)
from training.result import TrainingResult
from training.vectors import cached_encode

# ---- the whole run --------------------------------------------------------------------------

def public_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics without the plot data."""
    if isinstance(metrics, dict):
        return {k: public_metrics(v) for k, v in metrics.items() if not k.startswith("_")}
    return metrics


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def train(version: str, extra_labels: Iterable[tuple[str, str] | dict[str, Any]] = (),
          progress: Progress | None = None, args: TrainingArguments | None = None, embedder: Any = None,
          corpus: Corpus | None = None, lovo: bool = False) -> TrainingResult:
    """Evaluate on the shipped protocols, then fit on every row: the new ``version``, not yet saved.

    ``extra_labels`` are users' (text, "genuine" | "generic" | "spam") corrections; ``corpus`` replaces
    the shipped datasets (and the corrections) when given. The metrics keep the PR curves' data under
    "_curve" keys for the report; ``metadata["metrics"]`` has them without.
    """
    args = args or TrainingArguments()
    started = time.perf_counter()
    say = progress or (lambda fraction, message: None)
    if embedder is None:
        from server.scoring.embedder import Embedder

        embedder = Embedder()
    if corpus is None:
        say(0.0, "embedding the training comments")
        corpus = load_corpus(embedder, list(extra_labels))
    dev_rows = load_multilingual_dev()
    dev = (dev_rows, cached_encode(embedder, [row.text for row in dev_rows], vector_cache(embedder)))
    say(0.05, "evaluating")
    metrics = evaluate(corpus, args, lambda f, m: say(0.05 + 0.8 * f, m), dev=dev, lovo=lovo)
    say(0.85, "fitting the final model on every row")
    estimators = fit_corpus(corpus, args)
    ordinary = load_ordinary("check")
    vectors = cached_encode(embedder, [r.text for r in ordinary], vector_cache(embedder))
    metrics["ordinary_text"] = evaluate_ordinary(estimators, ordinary, vectors, args)
    result = assemble(version, corpus, embedder, args, metrics, estimators, time.perf_counter() - started)
    say(1.0, f"comment model {version} trained")
    return result


def assemble(version: str, corpus: Corpus, embedder: Any, args: TrainingArguments, metrics: dict[str, Any],
             estimators: dict[str, Any], seconds: float) -> TrainingResult:
    """The result of a run from its parts: the evaluations' metrics and the final fit's estimators."""
    design = json.loads(estimators.get("design", "{}"))
    y = corpus.labels
    meta = {
        "version": version, "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training_seconds": round(seconds, 1),
        "machine": f"{platform.machine()}, {_cpu_count()} CPU, Python {platform.python_version()}",
        "embedding_model": weights_of(str(getattr(embedder, "version", model_version()))),
        "embedder": str(getattr(embedder, "version", "unknown")),  # weights + backend the vectors came from
        "data": {"files": file_snapshot([DATA_DIR / YOUTUBE_FILE, DATA_DIR / SCAMSPOT_FILE,
                                         DATA_DIR / MULTILINGUAL_DEV_FILE, DATA_DIR / ORDINARY_FILE]),
                 "rows_after_loading": {s: int(sum(1 for r in corpus.rows if r.source == s))
                                        for s in ("youtube", "scamspot", ORDINARY_SOURCE, EXTRA_SOURCE)}},
        "final_fit": {"rows": len(y), "spam": int(y.sum()),
                      "ordinary": int(sum(1 for r in corpus.rows if r.source == ORDINARY_SOURCE)),
                      "corrections": int(sum(1 for r in corpus.rows if r.source == EXTRA_SOURCE))},
        "parameters": asdict(args), "design": design, "offer_rule": offer_rule_counts(corpus),
        "metrics": public_metrics(metrics),
        "labels": ["genuine", "generic", "spam"],
    }
    with tempfile.TemporaryDirectory(prefix="microscout-plot-") as tmp:
        plot = plot_pr(metrics, Path(tmp) / PR_CURVE_FILE).read_bytes()
    return TrainingResult(CommentModel(estimators, version), meta, render_card(metrics, meta), metrics,
                          {PR_CURVE_FILE: plot})


def offer_rule_counts(corpus: Corpus) -> dict[str, int]:
    """Rows of each source and label that ``offer_reason`` fires on (what the offer floor can change)."""
    from server.scoring.comments.rules import offer_reason

    names = {("scamspot", 0): "scamspot_real", ("scamspot", 1): "scamspot_scam",
             ("youtube", 0): "youtube_genuine", ("youtube", 1): "youtube_spam"}
    counts = dict.fromkeys(names.values(), 0)
    for row in corpus.rows:
        if (row.source, row.spam) in names and offer_reason(row.text):
            counts[names[(row.source, row.spam)]] += 1
    return counts


def write_report(result: TrainingResult | Sequence[TrainingResult], report_dir: str | Path) -> Path:
    """The training report, its PR curve and the metrics as JSON, into ``report_dir``; given one result
    per embedder, one report with a section each, after a table comparing them."""
    results = [result] if isinstance(result, TrainingResult) else list(result)
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    report_file, plot_file = report_names(results[0].metadata.get("embedder"))
    (report_dir / plot_file).write_bytes(results[0].files[PR_CURVE_FILE])
    sections = [render_report(r.metrics, r.metadata) for r in results]
    text = sections[0] if len(results) == 1 else "\n".join(
        [render_summary([(r.metadata, r.metrics) for r in results]), *sections])
    (report_dir / report_file).write_text(text, encoding="utf-8")
    metrics = {r.version: public_metrics(r.metrics) for r in results}
    body = {"version": results[0].version, **metrics[results[0].version]} if len(results) == 1 else metrics
    metrics_file = report_file.replace(".md", "-metrics.json")
    (report_dir / metrics_file).write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return report_dir / report_file
