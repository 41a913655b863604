"""py3langid against lingua-language-detector on short real texts: accuracy, speed and memory.

Texts (../shared/data and ../shared/pages, nothing invented): SIB-200's 13 languages (train+dev),
TweetTopicXL's English, Spanish, Greek and Japanese posts, and the comments of the de-DE YouTube
page in ../shared/pages (English comments under a German locale). Each detector runs in its own
process, so the RSS it reports is its own. Prints a markdown table; the numbers are in
training/reports/languages.md.

    .venv/bin/python bench/language_bench.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training.niche_eval import SHARED, load_datasets  # noqa: E402

PAGE = SHARED.parent / "pages" / "youtube_next_comments_de_DE_newpipe_mock.json"


def page_comments() -> list[str]:
    body = json.loads(json.loads(PAGE.read_text())["response"]["responseBody"])
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "commentEntityPayload" in node:
                found.append(node["commentEntityPayload"]["properties"]["content"]["content"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(body)
    return found


def samples() -> dict[str, list[tuple[str, str]]]:
    """Source -> (text, expected ISO 639-1 code)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for ds in load_datasets():
        out[ds.name] = [(p.text, ds.language) for p in ds.posts]
    out["youtube-comments-de-page"] = [(text, "en") for text in page_comments()]
    return out


def measure(detector: str) -> dict[str, object]:
    """Run in a child: load the detector, time it over every text, report accuracy per source."""
    from server.scoring import languages

    started = time.perf_counter()
    detect = languages.detector(detector)
    load_s = time.perf_counter() - started
    result: dict[str, object] = {"detector": detector, "load_s": load_s, "accuracy": {}}
    total, seconds = 0, 0.0
    for source, rows in samples().items():
        t0 = time.perf_counter()
        guesses = [detect(text) for text, _ in rows]
        seconds += time.perf_counter() - t0
        total += len(rows)
        right = sum(g == want for g, (_, want) in zip(guesses, rows, strict=True))
        result["accuracy"][source] = right / len(rows)
    result["ms_per_text"] = 1000 * seconds / total
    result["texts"] = total
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2])))
        return 0
    results = []
    for name in ("py3langid", "lingua"):
        done = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True,
                              check=True, cwd=ROOT)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    sources = list(results[0]["accuracy"])
    print("| source | " + " | ".join(r["detector"] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for source in sources:
        print(f"| {source} | " + " | ".join(f"{r['accuracy'][source]:.3f}" for r in results) + " |")
    for label, key, fmt in (("mean accuracy", None, "{:.3f}"), ("ms a text", "ms_per_text", "{:.3f}"),
                            ("load s", "load_s", "{:.2f}"), ("peak RSS MB", "rss_mb", "{:.0f}")):
        cells = [fmt.format(sum(r["accuracy"].values()) / len(r["accuracy"]) if key is None else r[key])
                 for r in results]
        print(f"| **{label}** | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
