"""`make extension`: the Web Store zip has the manifest at its root, ships no docs or tests, is the
same bytes on every build, and Chromium loads what it contains."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from tests.browser.conftest import launch_with_extension, service_worker

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("release", ROOT / "extension" / "tools" / "release.py")
release = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(release)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release.build(tmp_path_factory.mktemp("dist") / "microscout-extension.zip")


def test_the_zip_holds_the_extension_and_nothing_else(built: Path):
    names = zipfile.ZipFile(built).namelist()
    manifest = json.loads(zipfile.ZipFile(built).read("manifest.json"))
    assert manifest["name"] == "microscout"
    assert set(release.referenced(manifest)) <= set(names)
    assert not [n for n in names if n.endswith(".md") or "/test" in n or n.startswith(".")]
    source = {p.relative_to(release.SRC).as_posix() for p in release.packaged()}
    assert set(names) == source


def test_the_zip_exposes_nothing_to_pages_and_ships_no_test_hook(built: Path):
    archive = zipfile.ZipFile(built)
    manifest = json.loads(archive.read("manifest.json"))
    assert "web_accessible_resources" not in manifest
    scripts = {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".js")}
    for name, text in scripts.items():
        assert text.count(".attachShadow(") == text.count('.attachShadow({ mode: "closed" })') + text.count(
            ".attachShadow({ mode: 'closed' })"), f"{name} opens a shadow root"
        # the tests reach the closed overlay from outside (tests/browser/closed_shadow.py), not by a hook
        assert "__microscout_test" not in text, name
    assert scripts["content/bundle.js"] == (release.SRC / "content" / "bundle.js").read_text()


def test_the_build_is_reproducible(built: Path, tmp_path: Path):
    assert release.build(tmp_path / "again.zip").read_bytes() == built.read_bytes()


@pytest.mark.browser
def test_chromium_loads_the_released_extension(built: Path, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(built).extractall(unpacked)
    with sync_playwright() as playwright:
        context = launch_with_extension(playwright, tmp_path / "profile", unpacked)
        try:
            manifest = service_worker(context).evaluate("() => chrome.runtime.getManifest()")
            assert manifest == json.loads((release.SRC / "manifest.json").read_text())
        finally:
            context.close()
