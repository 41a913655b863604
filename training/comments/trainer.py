"""One training run: fit on everything, evaluate, and write the version directory."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from server.scoring.comments import (
    CARD_FILE,
    PR_CURVE_FILE,
    CommentModel,
    activate,
    next_version,
)
from server.scoring.embedder import model_version
from training.comments.arguments import (
    EXTRA_SOURCE,
    MODELS_ROOT,
    REPORT_FILE,
    REPORT_PLOT,
    Progress,
    TrainingArguments,
)
from training.comments.corpus import load_corpus
from training.comments.evaluation import evaluate
from training.comments.fitting import fit_corpus
from training.comments.report import plot_pr, render_card, render_report
from training.datasets import (
    DATA_DIR,
    SCAMSPOT_FILE,
    YOUTUBE_FILE,
    file_snapshot,
)

# ---- the whole run --------------------------------------------------------------------------

def _public(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics without the plot data."""
    if isinstance(metrics, dict):
        return {k: _public(v) for k, v in metrics.items() if not k.startswith("_")}
    return metrics


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


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
