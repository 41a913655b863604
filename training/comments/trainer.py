"""One training run: evaluate on the protocols, fit on every row; the result is saved by the caller."""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from server.scoring.comments import (
    PR_CURVE_FILE,
    CommentModel,
)
from server.scoring.embedder import model_version
from training.comments.arguments import (
    EXTRA_SOURCE,
    REPORT_FILE,
    REPORT_PLOT,
    Progress,
    TrainingArguments,
)
from training.comments.corpus import Corpus, load_corpus
from training.comments.evaluation import evaluate
from training.comments.fitting import fit_corpus
from training.comments.report import plot_pr, render_card, render_report
from training.datasets import (
    DATA_DIR,
    SCAMSPOT_FILE,
    YOUTUBE_FILE,
    file_snapshot,
)
from training.result import TrainingResult

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
          corpus: Corpus | None = None) -> TrainingResult:
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
    say(0.05, "evaluating")
    metrics = evaluate(corpus, args, lambda f, m: say(0.05 + 0.8 * f, m))
    say(0.85, "fitting the final model on every row")
    estimators = fit_corpus(corpus, args)
    seconds = time.perf_counter() - started
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
        "parameters": asdict(args), "metrics": public_metrics(metrics),
        "labels": ["genuine", "generic", "spam"],
    }
    with tempfile.TemporaryDirectory(prefix="microscout-plot-") as tmp:
        plot = plot_pr(metrics, Path(tmp) / PR_CURVE_FILE).read_bytes()
    say(1.0, f"comment model {version} trained")
    return TrainingResult(CommentModel(estimators, version), meta, render_card(metrics, meta), metrics,
                          {PR_CURVE_FILE: plot})


def write_report(result: TrainingResult, report_dir: str | Path) -> Path:
    """The training report, its PR curve and the metrics as JSON, into ``report_dir``."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / REPORT_PLOT).write_bytes(result.files[PR_CURVE_FILE])
    (report_dir / REPORT_FILE).write_text(render_report(result.metrics, result.metadata), encoding="utf-8")
    (report_dir / "comments-metrics.json").write_text(
        json.dumps({"version": result.version, **public_metrics(result.metrics)}, indent=2) + "\n",
        encoding="utf-8")
    return report_dir / REPORT_FILE
