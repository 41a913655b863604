"""Everything the dashboard needs ships in the package, and nothing is fetched from elsewhere."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "server" / "dashboard"
ASSETS = sorted(
    path for folder in ("templates", "static") for path in (DASHBOARD / folder).rglob("*") if path.is_file()
)
REMOTE = re.compile(
    r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//"""  # <script src>, <link href>, <form action>
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//"""  # CSS
    r"""|fetch\(\s*["'](?:https?:)?//""",  # JS
    re.I,
)


def test_package_data_covers_every_template_and_static_file():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = setuptools["package-data"]["server"]
    shipped = {path for pattern in globs for path in (ROOT / "server").glob(pattern)}  # as setuptools globs
    assert ASSETS
    missing = [str(asset.relative_to(ROOT)) for asset in ASSETS if asset not in shipped]
    assert not missing, f"not in package-data: {missing}"


@pytest.mark.parametrize(
    "text",
    [
        '<script src="https://cdn.example/x.js">',
        "<link href='//fonts.example/css'>",
        "background: url(https://img.example/a.png)",
        '@import "http://x/y.css";',
        'fetch("https://api.example/")',
    ],
)
def test_the_remote_pattern_catches_what_it_must(text: str):
    assert REMOTE.search(text)


@pytest.mark.parametrize("asset", ASSETS, ids=lambda p: p.name)
def test_no_remote_asset(asset: Path):
    text = asset.read_text()
    assert not REMOTE.findall(text), f"{asset.name} loads something from another site"
