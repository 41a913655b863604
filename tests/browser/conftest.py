"""Browser tests: a real microscout server (a subprocess with a temporary store and the real model)
and Debian's Chromium with the unpacked extension, browsing fake Instagram, TikTok and YouTube pages
served at the real URLs. Every other outside request is aborted; the server is reached only by the
extension's service worker.

One server per session (the model loads once) and one browser per module: the extension's worker
keeps its state in chrome.storage as it would for a user.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.site import FixtureSite
from tests.browser.site.server import SITES

ROOT = Path(__file__).resolve().parents[2]
# The unpacked extension under test; point MICROSCOUT_TEST_EXTENSION at another build (an older
# commit's extension/src, an unzipped release) to run the same tests against it.
EXTENSION = Path(os.environ.get("MICROSCOUT_TEST_EXTENSION") or ROOT / "extension" / "src")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
TOKEN = "browser-test-token-5f1c0a"
SERVER_HOSTS = {"127.0.0.1", "localhost"}

# Niches the marketer stored: every creator is scored against these.
NICHES = [
    {"name": "Running", "description": "Road and trail running, marathon training, races and running gear.",
     "keywords": ["marathon", "running", "race", "training plan", "trail run"]},
    {"name": "Home cooking", "description": "Quick recipes, baking, meal prep and kitchen tips.",
     "keywords": ["recipe", "dinner", "baking", "meal prep", "sourdough"]},
    {"name": "Outdoors", "description": "Hiking, cycling, camping and outdoor adventures with gear advice.",
     "keywords": ["hiking", "trail", "camping", "cycling", "backpacking"]},
]

TIMINGS: dict[str, dict[str, float]] = {}   # platform -> page load to badge, filled by the tests
SOURCES: dict[str, dict[str, str]] = {}     # platform -> capture.sources of the first creator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The running microscout server and a tiny authenticated JSON client for it."""

    def __init__(self, url: str, token: str, process: subprocess.Popen, log: Path):
        self.url, self.token, self.process, self.log = url, token, process, log

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token or self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read() or b"null")

    def tail(self, lines: int = 40) -> str:
        """The end of the server's log, without the access lines of our own polling."""
        lines_ = self.log.read_text(errors="replace").splitlines()
        kept = [line for line in lines_ if "GET /healthz" not in line]
        return "\n".join(kept[-lines:])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("microscout-data")
    port = free_port()
    env = {**os.environ, "MICROSCOUT_HOST": "127.0.0.1", "MICROSCOUT_PORT": str(port),
           "MICROSCOUT_DATA_DIR": str(data), "MICROSCOUT_API_TOKEN": TOKEN, "MICROSCOUT_STORE_URL": "",
           "MICROSCOUT_WORKERS": "1", "MICROSCOUT_THREADS": "4", "HF_HUB_OFFLINE": "1"}
    log = data / "server.log"
    with log.open("wb") as sink:
        command = [str(Path(sys.executable).parent / "microscout"), "serve"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    handle = Server(f"http://127.0.0.1:{port}", TOKEN, process, log)
    try:
        wait_until_ready(handle)
        for niche in NICHES:
            status, answer = handle.call("POST", "/v1/niches", niche)
            assert status == 201, answer
        yield handle
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_ready(server: Server, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"microscout server exited with {server.process.returncode}:\n{server.tail()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
                status = json.loads(response.read())["status"]
            if status == "ok":
                return
            if status == "error":
                pytest.fail(f"microscout server failed to load its models:\n{server.tail()}")
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    pytest.fail(f"microscout server not ready after {timeout:.0f} s (last status {status}):\n{server.tail()}")


def launch_with_extension(playwright: Any, profile: Path, extension: Path) -> Any:
    """Debian's Chromium, headless, with ``extension`` unpacked and nothing phoning home."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps`")
    return playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, viewport={"width": 1280, "height": 900},
        ignore_default_args=["--disable-extensions"],
        args=[f"--disable-extensions-except={extension}", f"--load-extension={extension}", "--no-sandbox",
              "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run"])


def service_worker(context: Any) -> Any:
    if context.service_workers:
        return context.service_workers[0]
    return context.wait_for_event("serviceworker", timeout=20_000)


class Browser:
    """Chromium with the extension; records what the service worker sent to any server."""

    def __init__(self, context: Any, worker: Any, site: FixtureSite):
        self.context, self.worker, self.site = context, worker, site
        self.server_requests: list[dict[str, Any]] = []
        self.blocked: list[str] = []  # URLs of outside requests that were aborted (image CDNs, anything else)

    def configure(self, server_url: str, token: str) -> None:
        """Provision settings as an admin would: straight into chrome.storage.local."""
        self.worker.evaluate(
            "([serverUrl, apiToken]) => Promise.all([chrome.storage.local.set({serverUrl, apiToken}),"
            " chrome.storage.session.clear()])", [server_url, token])

    def forget_scores(self) -> None:
        self.worker.evaluate("() => chrome.storage.session.clear()")

    def scored_snapshot(self, handle: str) -> dict[str, Any]:
        """The last snapshot the extension sent to POST /v1/score for ``handle``."""
        for request in reversed(self.server_requests):
            if request["path"] == "/v1/score" and request["body"]["handle"].lower() == handle.lower():
                return request["body"]
        raise AssertionError(f"the extension never sent a snapshot of {handle} to /v1/score")

    def _outside(self, route: Any) -> None:
        request = route.request
        url = urlsplit(request.url)
        if url.scheme == "chrome-extension":  # the content script loading its own modules
            route.continue_()
        elif url.hostname in SERVER_HOSTS:
            body = request.post_data
            record = {"method": request.method, "port": url.port, "path": url.path, "body": None}
            if body:  # the extension's JSON; a dashboard form stays text
                try:
                    record["body"] = json.loads(body)
                except ValueError:
                    record["body"] = body
            self.server_requests.append(record)
            if url.path == "/v1/glance":
                self._pass_and_keep_the_answer(route, record)
            else:
                route.continue_()
        else:
            self.blocked.append(request.url)
            route.abort()  # nothing but the fake platforms and the user's own server


    @staticmethod
    def _pass_and_keep_the_answer(route: Any, record: dict[str, Any]) -> None:
        """Send the request on and keep the server's JSON answer in ``record["answer"]`` (what the
        chips must draw); a server that cannot be reached stays unreachable."""
        from playwright.sync_api import Error

        try:
            response = route.fetch()
        except Error:
            route.abort("connectionrefused")
            return
        record["status"] = response.status
        record["answer"] = response.json() if response.ok else None
        route.fulfill(response=response)


# Module scope: Playwright's sync API allows one instance at a time, and other modules here (the
# dashboard's, the release check) start their own.
@pytest.fixture(scope="module")
def browser(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = launch_with_extension(playwright, tmp_path_factory.mktemp("chromium-profile"), EXTENSION)
        try:
            site = FixtureSite()
            handle = Browser(context, service_worker(context), site)
            context.route("**/*", handle._outside)
            for host in SITES:
                context.route(f"https://{host}/**", site.handle)
            handle.configure(server.url, server.token)
            yield handle
        finally:
            context.close()


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Any]:
    """A fresh tab with the extension set up for the test server; fails the test if the page throws."""
    browser.configure(server.url, server.token)
    tab = browser.context.new_page()
    messages: list[str] = []
    tab.on("pageerror", lambda error: messages.append(str(error)))
    yield tab
    tab.close()
    assert not messages, f"the page threw: {messages}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TIMINGS and not SOURCES:
        return
    terminalreporter.section("microscout extension in Chromium")
    for name, sources in sorted(SOURCES.items()):
        fields = ", ".join(f"{field}={source}" for field, source in sorted(sources.items()))
        terminalreporter.write_line(f"{name:>14} sources: {fields}")
    for name, numbers in sorted(TIMINGS.items()):
        terminalreporter.write_line(
            f"{name:>14}: {numbers['ready_to_badge_ms']:6.0f} ms from page ready (DOMContentLoaded, or the "
            f"SPA navigation) to badge, by the extension; {numbers['goto_to_badge_ms']:6.0f} ms from "
            f"goto/click, by the test")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "timings.json").write_text(json.dumps({"timings": TIMINGS, "sources": SOURCES}, indent=2))
