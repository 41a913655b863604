"""Module boundaries are import rules: the core (the Scout and everything it stands on: scoring,
storage, registry, jobs, schemas, vocabulary) never imports Flask or the web layer; training never
imports the web layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB = ("flask", "werkzeug", "server.api", "server.dashboard", "server.services", "server.auth",
       "server.errors", "server.openapi", "server.serving", "server.ratelimit")
CORE = ("server/core.py", "server/vocab.py", "server/scoring", "server/storage", "server/registry",
        "server/jobs", "server/schemas")
RULES = [*((folder, WEB) for folder in CORE), ("training", WEB)]


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(("folder", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_layer_does_not_import_the_web(folder, forbidden):
    path = ROOT / folder
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    assert files, f"{folder} has no Python files"
    bad = [f"{f.relative_to(ROOT)} imports {name}" for f in files for name in imports(f)
           if any(name == w or name.startswith(w + ".") for w in forbidden)]
    assert not bad, bad
