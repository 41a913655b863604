"""The extension's safety rules, read from its source (fast; no browser): the manifest asks for the
three platforms and the local server only, only the service worker talks to the network, nothing
is ever inserted as HTML or evaluated, and every module the content scripts load is packaged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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
    assert set(MANIFEST["optional_host_permissions"]) <= {"https://*/*", "http://*/*"}
    for entry in MANIFEST["content_scripts"]:
        assert sorted(entry["matches"]) == sorted(PLATFORMS)
    for entry in MANIFEST["web_accessible_resources"]:
        assert sorted(entry["matches"]) == sorted(PLATFORMS)
    assert "externally_connectable" not in MANIFEST


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


def test_every_module_the_content_script_loads_exists_and_is_web_accessible():
    # the loader imports content-main.js through chrome.runtime.getURL
    modules = module_graph(SRC / "content" / "content-main.js")
    assert {name(p).split("/")[0] for p in modules} >= {"content", "overlay", "platforms", "shared"}
    patterns = [re.compile(re.escape(r).replace(r"\*", "[^/]*") + "$")
                for entry in MANIFEST["web_accessible_resources"] for r in entry["resources"]]
    hidden = [name(p) for p in modules if not any(pattern.match(name(p)) for pattern in patterns)]
    assert not hidden, f"not in web_accessible_resources: {hidden}"


def test_the_service_worker_and_pages_import_only_existing_modules():
    for entry in [SRC / MANIFEST["background"]["service_worker"], SRC / "options" / "options.js",
                  SRC / "popup" / "popup.js"]:
        assert module_graph(entry)
