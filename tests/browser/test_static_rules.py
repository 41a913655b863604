"""The extension's safety rules, read from its source (fast; no browser): the manifest asks for the
three platforms and the local server only and exposes no file to pages, only the service worker
talks to the network, nothing is ever inserted as HTML or evaluated, every shadow root is closed,
and the content script is one bundle built from the current modules."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("bundle", ROOT / "extension" / "tools" / "bundle.py")
bundle = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bundle)
SRC = ROOT / "extension" / "src"
MANIFEST = json.loads((SRC / "manifest.json").read_text())
SCRIPTS = sorted(SRC.rglob("*.js"))
PLATFORMS = ["https://www.instagram.com/*", "https://www.tiktok.com/*", "https://www.youtube.com/*"]


def source(path: Path) -> str:
    """The file without comments, so a comment that names a rule does not trip it."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    return re.sub(r"(^|[^:'\"\\])//.*$", r"\1", text, flags=re.M)


def name(path: Path) -> str:
    return str(path.relative_to(SRC))


def test_manifest_asks_for_the_platforms_and_the_local_server_only():
    assert MANIFEST["manifest_version"] == 3
    assert MANIFEST["permissions"] == ["storage"]
    assert sorted(MANIFEST["host_permissions"]) == sorted(PLATFORMS + ["http://127.0.0.1/*", "http://localhost/*"])
    assert MANIFEST["optional_host_permissions"] == ["https://*/*"], "plain http only to this machine"
    for entry in MANIFEST["content_scripts"]:
        assert sorted(entry["matches"]) == sorted(PLATFORMS)
    assert "externally_connectable" not in MANIFEST
    # a page could fetch a web-accessible file at chrome-extension://<id>/... to tell we are installed
    assert "web_accessible_resources" not in MANIFEST


def test_the_page_hook_runs_before_the_content_script():
    # The hook takes its private port from the content script at document_start (hook-bridge.js
    # connectHook): Chromium runs the manifest's scripts in this order, before any page script.
    scripts = [(entry.get("world", "ISOLATED"), entry["run_at"], entry["js"])
               for entry in MANIFEST["content_scripts"]]
    assert scripts == [("MAIN", "document_start", ["content/page-hook.js"]),
                       ("ISOLATED", "document_start", [bundle.BUNDLE])]


def test_no_remote_code():
    csp = MANIFEST["content_security_policy"]["extension_pages"]
    assert "script-src 'self'" in csp and "http" not in csp and "unsafe-eval" not in csp
    referenced = [MANIFEST["background"]["service_worker"]]
    referenced += [js for entry in MANIFEST["content_scripts"] for js in entry["js"]]
    for path in referenced:
        assert (SRC / path).is_file(), path
    for page in SRC.rglob("*.html"):
        for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', page.read_text()):
            assert "://" not in src and (page.parent / src).is_file(), (name(page), src)


NETWORK = re.compile(r"(?<!function )\bfetch\s*\(|\bXMLHttpRequest\s*\(|\bWebSocket\s*\(|\bEventSource\s*\("
                     r"|\bsendBeacon\s*\(|\bimportScripts\s*\(")


@pytest.mark.parametrize("path", [p for p in SCRIPTS if p.parent.name != "background"], ids=name)
def test_only_the_service_worker_uses_the_network(path: Path):
    assert not NETWORK.findall(source(path))


UNSAFE = re.compile(r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|DOMParser|"
                    r"createContextualFragment|\beval\s*\(|\bnew\s+Function\s*\(|setTimeout\s*\(\s*['\"`]")


@pytest.mark.parametrize("path", SCRIPTS, ids=name)
def test_nothing_is_inserted_as_html_or_evaluated(path: Path):
    assert not UNSAFE.findall(source(path))


IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}/[^'"]+)['"]""")


def module_graph(entry: Path) -> set[Path]:
    seen: set[Path] = set()
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        assert path.is_file(), f"missing module {path}"
        seen.add(path)
        todo += [(path.parent / spec).resolve() for spec in IMPORT.findall(path.read_text())]
    return seen


def test_the_content_script_bundle_is_built_from_the_current_modules():
    problem = bundle.stale()
    assert problem is None, f"{bundle.BUNDLE} is stale ({problem}): run `make extension-bundle`"
    _, sources = bundle.recorded()
    modules = module_graph(SRC / bundle.ENTRY)
    assert {name(p) for p in modules} == set(sources)
    assert {name(p).split("/")[0] for p in modules} >= {"content", "overlay", "platforms", "shared"}


SHADOW = re.compile(r"\.attachShadow\s*\(")
CLOSED = re.compile(r"\.attachShadow\s*\(\s*\{\s*mode:\s*['\"]closed['\"]\s*\}\s*\)")


@pytest.mark.parametrize("path", SCRIPTS, ids=name)
def test_every_shadow_root_is_closed(path: Path):
    # An open root lets page script read the overlay and press its buttons (overlay/shadow.js).
    text = source(path)
    assert len(SHADOW.findall(text)) == len(CLOSED.findall(text))


def test_the_service_worker_and_pages_import_only_existing_modules():
    for entry in [SRC / MANIFEST["background"]["service_worker"], SRC / "options" / "options.js",
                  SRC / "popup" / "popup.js"]:
        assert module_graph(entry)
