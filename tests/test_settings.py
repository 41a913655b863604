"""Settings are declared once; the README's table is that declaration, word for word."""

from __future__ import annotations

from pathlib import Path

from server import settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_lists_every_setting():
    text = README.read_text()
    assert settings.markdown_table() in text, "README settings table is stale: run python -m server.settings"


def test_environment_overrides_defaults(tmp_path):
    config = settings.load({"MICROSCOUT_PORT": "9999", "MICROSCOUT_DATA_DIR": str(tmp_path),
                            "MICROSCOUT_LOAD_MODELS": "no"})
    assert config["PORT"] == 9999
    assert config["DATA_DIR"] == str(tmp_path.resolve())
    assert config["LOAD_MODELS"] is False
    assert settings.load({})["HOST"] == "127.0.0.1"


def test_readme_lists_every_route(app):
    text = README.read_text()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1") or rule.rule in {"/healthz", "/openapi.json"}:
            path = rule.rule.replace("<", "{").replace(">", "}")
            path = "/".join(p if not p.startswith("{") else "{" + p.split(":")[-1].strip("{}") + "}"
                            for p in path.split("/"))
            assert path in text, f"README API table misses {path}"

