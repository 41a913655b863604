"""Fixtures for the dashboard's browser tests: a real microscout app served over HTTP from a thread
(over a temporary SQLite store), a small watchlist with history, and Debian's Chromium.

Kept apart from tests/browser/conftest.py (the extension's suite): this server needs no extension,
and shares the session's embedder with the other slow tests (for the training run).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from server import create_app
from tests.dashboard.conftest import TOKEN, labelled_creators, score_for, seed
from tests.samples import snapshot

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
CHROMIUM = "/usr/bin/chromium"
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 400, "height": 860}


@dataclass
class Dashboard:
    """The running app: its URL, its store, and every request the browser made elsewhere."""

    app: Any
    url: str
    outside: list[str] = field(default_factory=list)

    @property
    def store(self) -> Any:
        return self.app.extensions["microscout"].store


def seed_history(store: Any) -> None:
    """Three earlier captures of the running creator, a month apart: followers grow, scores move."""
    now = datetime.now(UTC)
    for days_ago, followers, fit in ((90, 17_800, 71.0), (60, 19_900, 76.0), (30, 22_600, 80.0)):
        captured = (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        snap = snapshot(followers=followers, captured_at=captured)
        store.save_creator(
            "instagram",
            "creator",
            {
                "snapshot": snap,
                "score": score_for(
                    snap, {"running": ("Running", fit), "vegan-baking": ("Vegan baking", 10.0)}
                ),
            },
            by="admin",
        )


class _Handler(WSGIRequestHandler):
    """werkzeug's handler, closing the response when the browser dropped the connection.

    Its dev server drains the request's socket before it closes the response, and a reset there
    (Chromium cancelling a static file) skipped the close: the file was left to the garbage collector,
    whose ResourceWarning failed whichever test was running (pytest turns warnings into errors).
    gunicorn, which serves microscout, closes the response in a ``finally``."""

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        response = (environ or {}).get("tests.response")
        if response is not None and hasattr(response, "close"):
            response.close()


def _keeping_the_response(app: Any) -> Any:
    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        environ["tests.response"] = response = app(environ, start_response)
        return response
    return wsgi


def serve(app: Any) -> tuple[Any, str]:
    server = make_server("127.0.0.1", 0, _keeping_the_response(app), threaded=True, request_handler=_Handler)
    threading.Thread(target=server.serve_forever, name="dashboard-test-server", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module", name="dashboard")
def dashboard_fixture(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[Dashboard]:
    """The app with its models loaded on the session's embedder (tests/conftest.py): training and the
    label suggestions use them."""
    data = tmp_path_factory.mktemp("dashboard-data")
    app = create_app({"TESTING": True, "DATA_DIR": str(data), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    services = app.extensions["microscout"]
    services.embedder = embedder
    services.start()
    assert services.wait(180), services.health()
    store = services.store
    seed_history(store)
    seed(store)  # the latest capture of each creator
    labelled_creators(store, "running")  # eight fit / not-a-fit labels: enough to train fit-running
    server, url = serve(app)
    try:
        yield Dashboard(app, url)
    finally:
        server.shutdown()


@pytest.fixture(scope="module", name="chromium")
def chromium_fixture() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps`")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(chromium: Any, dashboard: Dashboard, viewport: dict[str, int] = WIDE) -> Any:
    """A fresh browser context (no cookies); any request off the dashboard's origin is refused and noted,
    so a CDN or remote asset would show up as a failure."""
    context = chromium.new_context(viewport=viewport, accept_downloads=True)
    origin = urlsplit(dashboard.url).netloc

    def route(request_route: Any) -> None:
        if urlsplit(request_route.request.url).netloc == origin:
            request_route.continue_()
        else:
            dashboard.outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a refused sign-in answers 401 on purpose; any other failed load or script error is a bug
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and "status of 401" not in msg.text else None
        ),
    )
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


@pytest.fixture(name="page")
def page_fixture(chromium: Any, dashboard: Dashboard) -> Iterator[Any]:
    page = open_page(chromium, dashboard)
    try:
        yield page
    finally:
        page.context.close()


def sign_in(page: Any, dashboard: Dashboard, token: str = TOKEN) -> None:
    page.goto(dashboard.url + "/")
    page.get_by_label("API token").fill(token)
    with page.expect_navigation():  # the POST and its redirect (sign-in writes a session to the store)
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def screenshot(page: Any, name: str) -> Path:
    width = page.viewport_size["width"]
    path = ARTIFACTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
