"""The server's side of the extension's contract tests: the fixtures the node tests read.

``extension/test/fixtures/contract/`` holds the Score's JSON schema (as /openapi.json publishes it),
a real score, and the vocabulary. The node tests check the overlay's reader and the extension's
constants against them; these tests keep the files in step with the server. After changing the
Score or the vocabulary, refresh them with ``python -m tests.test_extension_contract``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from server import vocab
from server.scoring.score import Score

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "extension" / "test" / "fixtures" / "contract"
SAMPLE = ROOT / "tests" / "fixtures" / "score.json"


def expected() -> dict[str, object]:
    return {
        "score-schema.json": Score.model_json_schema(ref_template="#/$defs/{model}"),
        "score.json": Score.model_validate_json(SAMPLE.read_text(encoding="utf-8")).to_json(),
        "vocab.json": {"PLATFORMS": vocab.PLATFORMS, "TIERS": vocab.TIERS, "STATUSES": vocab.STATUSES,
                       "FIT_LABELS": vocab.FIT_LABELS, "COMMENT_LABELS": vocab.COMMENT_LABELS,
                       "SEEN_ON_KINDS": vocab.SEEN_ON_KINDS},
    }


def render(value: object) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", sorted(expected()))
def test_the_fixture_is_in_step_with_the_server(name):
    path = FIXTURES / name
    assert path.read_text(encoding="utf-8") == render(expected()[name]), (
        f"{path.relative_to(ROOT)} is stale: run python -m tests.test_extension_contract")


def test_the_sample_is_what_the_schema_documents():
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert Score.model_validate(sample).to_json() == sample


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for file, value in expected().items():
        (FIXTURES / file).write_text(render(value), encoding="utf-8")
    sys.exit(0)
