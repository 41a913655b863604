"""README.md stays true to the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def test_the_readme_layout_names_every_folder():
    """README's Layout shows every folder of the repository (each path part appears under its parent)."""
    root = Path(__file__).resolve().parent.parent
    layout = root.joinpath("README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("```")[1]
    named = set(re.findall(r"([\w.-]+)/", layout))
    files = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout
    folders = {part for line in files.splitlines() for part in Path(line).parent.parts}
    assert sorted(folders - named) == []
