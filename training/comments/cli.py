"""``python -m training.comments``: parse the flags, train, print the tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from server.scoring.weights import MODELS
from training.comments.arguments import REPORTS_DIR
from training.comments.trainer import train, write_report
from training.result import TrainingResult


def main(output: str | Path, reports: str | Path | None = None, model: str | None = None,
         lovo: bool = True) -> TrainingResult:
    """Train with progress on stderr, save the new version in ``output`` (its name is the version) and
    the report in ``reports`` (default: beside the model), print the report, return the result.

    Nothing is served from here: a release copies the directory into models/comments/; a server
    trains through its registry (``microscout train comments``, POST /v1/models/comments/train).
    """
    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:5.0%}] {message}", file=sys.stderr, flush=True)

    output = Path(output)
    if output.exists():
        raise FileExistsError(f"{output} exists; versions are never overwritten")
    from server.scoring.embedder import Embedder

    embedder = Embedder(model=model, store_url="")  # the settings' backend; ``model`` or the setting's
    result = train(output.name, progress=progress, embedder=embedder, lovo=lovo)
    result.save(output)
    report = write_report(result, output if reports is None else reports)
    print(report.read_text(encoding="utf-8"))
    print(f"model written to {output}")
    return result


def _cli(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.comments", description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, required=True,
                        help="the new version's directory; its name is the version (e.g. /tmp/comments/v3)")
    parser.add_argument("--reports", type=Path, default=None,
                        help=f"where the report goes (default: beside the model; shipped: {REPORTS_DIR})")
    parser.add_argument("--embedder", choices=sorted(MODELS), default=None,
                        help="the embedding model whose vectors it reads (default: MICROSCOUT_EMBED_MODEL)")
    parser.add_argument("--no-lovo", action="store_true", help="skip the leave-one-video-out protocol")
    ns = parser.parse_args(argv)
    main(ns.output, ns.reports, ns.embedder, not ns.no_lovo)
    return 0
