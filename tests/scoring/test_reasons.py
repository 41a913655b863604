"""Reasons read as a person would write them: every reason the scorer produces on the sample
snapshots is scanned for raw statistics ("mean similarity 12.6%; on post share 0.0%; baseline 0.134;
lift -0.008"). Those numbers belong in the sections' fields, which the overlay and the creator page
show in a small details table, never in the sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests import samples
from tests.scoring.sections import SECTIONS

pytestmark = pytest.mark.slow

# quoted captions and comments are the creator's words, not ours
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’")
RAW_STATISTICS = {
    "a decimal that is not a percent": re.compile(r"(?<![\w.:/])[-+]?\d*\.\d+(?![\d%])"),
    "statistics jargon": re.compile(
        r"\b(?:similarity|similarities|cosine|baseline|lift|coefficient|variance|deviation|median|percentile"
        r"|quantile|threshold|ROC|AUC|logit|z-score|p-value|cv)\b", re.I),
    "a mean with its value": re.compile(r"\b(?:mean|average)\s+(?:\w+\s+)?[-+]?\d", re.I),
    "a field name": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "a named share or rate with its value": re.compile(r"\b(?:share|rate|ratio)\s*[:=]?\s*[-+]?\d", re.I),
}
SENTENCE_KEYS = {"reasons", "issues", "reason"}


def raw_statistics(sentence: str) -> list[str]:
    """The kinds of raw statistic in ``sentence`` (quoted text aside)."""
    plain = QUOTED.sub("''", sentence)
    return [kind for kind, pattern in RAW_STATISTICS.items() if pattern.search(plain)]


def sentences(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, sentence) for every reason, issue, rule reason and headline in a score."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            if key in SENTENCE_KEYS and isinstance(value, str):
                yield where, value
            elif key in SENTENCE_KEYS and isinstance(value, list):
                yield from ((where, v) for v in value if isinstance(v, str))
            elif key == "headlines" and isinstance(value, dict):
                yield from ((f"{where}.{k}", v) for k, v in value.items() if isinstance(v, str))
            else:
                yield from sentences(value, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from sentences(value, f"{path}[{i}]")


@pytest.mark.parametrize(("sentence", "kinds"), [
    ("mean similarity 12.6%; on post share 0.0%; baseline 0.134; lift -0.008",
     ["a decimal that is not a percent", "statistics jargon", "a mean with its value",
      "a named share or rate with its value"]),
    ("engagement varies a lot (coefficient of variation 1.23)", ["a decimal that is not a percent",
                                                                  "statistics jargon"]),
    ("creator_reply_rate is low", ["a field name"]),
    ("More on the niche than 91% of ordinary creators, over 13 texts.", []),
    ("a typical post gets likes and comments from 4.7% of followers (12 posts)", []),
    ("'#ad' shows before 'more' (within 125 characters)", []),
    ("which can mean bought likes", []),
    ("says 'mean 0.5 baseline_x' in the caption", []),
])
def test_the_scanner_tells_raw_statistics_from_plain_words(sentence, kinds):
    assert raw_statistics(sentence) == kinds


def sample_snapshots() -> dict[str, dict[str, Any]]:
    base = samples.snapshot()
    busy = samples.snapshot(comments=[
        {"id": f"c{i}", "post_id": f"p{i % 4}", "author": f"fan{i % 9}", "text": text, "likes": i % 5,
         "replies": i % 2}
        for i, text in enumerate([author_text for _, author_text, _ in samples.COMMENTS] * 4)])
    views = samples.snapshot(platform="tiktok", posts=[
        {**p, "views": 20_000 + 1_000 * i} for i, p in enumerate(base["posts"])])
    uneven = samples.snapshot(posts=[{**p, "likes": 40_000 if i == 5 else 90}
                                     for i, p in enumerate(base["posts"])])
    snapshots = {"sample": base, "busy comments": busy, "views": views, "one viral post": uneven,
                 "no followers": samples.snapshot(followers=None),
                 "nothing": samples.snapshot(posts=[], comments=[], bio="")}
    snapshots.update({f"comments {lang}": section.snapshot() for lang, section in SECTIONS.items()})
    return snapshots


SNAPSHOTS = sample_snapshots()


def test_no_reason_the_scorer_writes_holds_a_raw_statistic(scoring_client, auth):
    assert scoring_client.put("/v1/brand", json={"names": ["Stride Co"], "competitors": [
        {"name": "FastFeet", "handles": ["fastfeet"]}]}, headers=auth).status_code == 200
    found, seen = [], 0
    for name, snapshot in SNAPSHOTS.items():
        body = {"niches": [samples.RUNNING_NICHE], **snapshot}
        response = scoring_client.post("/v1/score", json=body, headers=auth)
        assert response.status_code == 200, (name, response.get_data(as_text=True))
        for where, sentence in sentences(response.get_json()):
            seen += 1
            if kinds := raw_statistics(sentence):
                found.append(f"{name} {where}: {sentence!r} ({', '.join(kinds)})")
    assert seen > 150, seen  # the scan saw the sections' sentences
    assert not found, "\n".join(found)
