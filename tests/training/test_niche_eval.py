"""training/niche_eval.py's choice of how the topics are built, and the server's method in step with it."""

from __future__ import annotations

import json
from pathlib import Path

from server.scoring import niche
from training import niche_eval

REPORT = Path(niche_eval.__file__).parent / "reports" / "niche-fit.json"


def test_a_design_replaces_the_servers_only_when_it_wins_by_more_than_the_tie():
    current, wider = "topics in six languages, language-neutral view", "topics in fourteen languages, ..."
    near = {"English topics": 0.943, current: 0.960, wider: 0.962}
    assert niche_eval.choose_design(near, current) == current
    far = {**near, wider: 0.960 + niche_eval.TIE + 0.001}
    assert niche_eval.choose_design(far, current) == wider


def test_the_servers_e5_method_is_the_design_the_report_keeps():
    design = niche_eval.server_design()
    assert niche_eval.DESIGNS[design] == (niche.METHODS["e5"].languages, niche.METHODS["e5"].neutral)
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    e5 = next(r for r in report if r["encoder"] == "e5-onnx")
    assert set(e5["designs"]) == set(niche_eval.DESIGNS)
    assert niche_eval.choose_design(e5["designs"], design) == design

