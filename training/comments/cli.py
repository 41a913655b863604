"""``python -m training.comments``: parse the flags, train, print the tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from training.comments.arguments import MODELS_ROOT, REPORT_FILE, REPORTS_DIR
from training.comments.trainer import train


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
