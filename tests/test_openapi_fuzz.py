"""Schemathesis against the real server (``microscout serve`` with the models loaded), from /openapi.json.

Every operation, every check (no 5xx, responses that match the schema, schema-valid requests
accepted, schema-invalid ones refused, documented status codes and headers, auth not ignored, ...),
the coverage, fuzzing and stateful phases, for ``FUZZ_SECONDS`` (bounded so the whole test stays
under 3 minutes on 2 busy cores). The seed is fixed so a failure reproduces; set
MICROSCOUT_FUZZ_SEED to fuzz elsewhere. The figures (requests the server logged, operations, test
cases, failures) are printed and written to test-artifacts/schemathesis.json.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.durability.conftest import TOKEN, Server

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
ST = Path(sys.executable).parent / "st"
FUZZ_SECONDS = 110
SEED = int(os.environ.get("MICROSCOUT_FUZZ_SEED", "3"))
_ACCESS = re.compile(r'"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|[A-Z]+) [^"]*" (\d{3}) ')


def test_schemathesis_finds_nothing(tmp_path):
    # the int8 ONNX model is built once per checkout (./var/onnx, as the embedder tests build it): reuse it
    shared = ROOT / "var" / "onnx"
    shared.mkdir(parents=True, exist_ok=True)
    (tmp_path / "onnx").symlink_to(shared, target_is_directory=True)
    server = Server(tmp_path)
    server.env.update({"MICROSCOUT_LOAD_MODELS": "1", "MICROSCOUT_WORK_LIMIT": "0",
                       "MICROSCOUT_SIGN_IN_LIMIT": "1000000"})  # ignored_auth sends wrong tokens on purpose
    # A CSV body's validity (a GA4 or Shopify export, tests/results) is not a JSON Schema: any string
    # is schema-valid, so "schema-valid requests accepted" cannot hold for it; every other check runs,
    # "schema-invalid requests refused" too.
    (tmp_path / "schemathesis.toml").write_text(
        '[[operations]]\ninclude-path = "/v1/results/import"\n'
        'checks.positive_data_acceptance.enabled = false\n')
    server.start(timeout=120)
    try:
        _wait_until_ready(server)
        run = subprocess.run(
            [str(ST), "run", f"http://127.0.0.1:{server.port}/openapi.json",
             # every check (schemathesis.toml above turns off the one it names, on one route)
             "--max-time", str(FUZZ_SECONDS), "--seed", str(SEED), "--no-color", "--output-sanitize", "false",
             "-H", f"Authorization: Bearer {TOKEN}", "--request-timeout", "60"],
            cwd=tmp_path, capture_output=True, text=True, timeout=FUZZ_SECONDS + 60)
    finally:
        server.stop()
    out = run.stdout + run.stderr
    statuses = [int(m.group(2)) for m in _ACCESS.finditer(server.log.read_text(errors="replace"))]
    tested = re.search(r"Tested: (\d+)", out)
    selected = re.search(r"Selected: (\d+)/(\d+)", out)
    cases = re.search(r"(\d+) generated, (\d+) (?:passed|found)", out)
    figures = {"seed": SEED, "seconds": FUZZ_SECONDS, "requests": len(statuses),
               "server_errors": sum(s >= 500 for s in statuses),
               "operations_tested": int(tested.group(1)) if tested else 0,
               "operations": int(selected.group(2)) if selected else 0,
               "test_cases": int(cases.group(1)) if cases else 0, "exit_code": run.returncode,
               "summary": out.strip().splitlines()[-1] if out.strip() else ""}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "schemathesis.json").write_text(json.dumps(figures, indent=1) + "\n")
    (ARTIFACTS / "schemathesis.txt").write_text(out)  # the whole report: every failure and its curl
    print(f"\nschemathesis: {figures}")
    assert run.returncode == 0, out[-6000:]
    assert figures["operations"] >= 30 and figures["operations_tested"] == figures["operations"], out[-3000:]
    assert figures["requests"] > 500 and figures["server_errors"] == 0, figures


def _wait_until_ready(server: Server, timeout: float = 120) -> None:
    """The models load in the background: fuzz the scoring routes only once they answer."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = server.request("GET", "/healthz", timeout=5)
        if status == 200 and body["status"] == "ok":
            return
        time.sleep(0.5)
    raise AssertionError(f"the models did not load in {timeout} s:\n{server.tail()}")
