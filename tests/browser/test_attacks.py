"""What a hostile platform page can try against the extension with its own script (issue 11), in
Chromium against the real server. Each attack worked on the extension before the fixes: open shadow
roots and untrusted clicks acted on, the hook's answers taken from window.postMessage, files a page
could fetch at chrome-extension://<id>/..., and settings content scripts could read."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.browser.closed_shadow import shadow_mode, shadow_root
from tests.browser.conftest import TOKEN, Browser, Server
from tests.browser.site.creators import CREATORS
from tests.browser.site.instagram import user
from tests.browser.test_extension import (
    CASES,
    SCORE_TIMEOUT_MS,
    expect_server_numbers,
    open_details,
    open_panel,
    wait_for_state,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WRITES = {("PUT", "/v1/watchlist/"), ("POST", "/v1/labels"), ("POST", "/v1/comment-labels")}
ACTIONS = ["save", "fit", "not-fit"]
QUIET_S = 2.0  # an action the worker acted on reaches the server well within this

# The reproduction: page script finds the button through the host's shadow root.
PRESS_THROUGH_SHADOW_ROOTS = """([tag, actions]) => {
  const pressed = [];
  for (const host of document.querySelectorAll(tag)) {
    for (const action of actions) {
      const button = host.shadowRoot?.querySelector(`[data-microscout-action="${action}"]`);
      if (button) {
        button.click();
        pressed.push(action);
      }
    }
  }
  return pressed;
}"""

# Page script that somehow holds the button itself (here: handed over by the debugger).
PRESS_WITH_SCRIPT = """button => {
  button.click();
  button.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, cancelable: true }));
  button.dispatchEvent(new PointerEvent('click', { bubbles: true, composed: true, cancelable: true }));
}"""


def writes_since(browser: Browser, start: int) -> list[tuple[str, str]]:
    """Writes the service worker sent to the server since request number ``start``."""
    return [(r["method"], r["path"]) for r in browser.server_requests[start:]
            if any(r["method"] == method and r["path"].startswith(path) for method, path in WRITES)]


def test_page_script_cannot_press_the_overlays_buttons(browser: Browser, server: Server, tab: Any) -> None:
    case = CASES["instagram"]
    tab.goto(case.url)
    overlay = wait_for_state(tab, ["ok"], case.first)
    root = open_panel(tab, overlay)  # the panel open, as the marketer left it
    start = len(browser.server_requests)

    pressed = tab.evaluate(PRESS_THROUGH_SHADOW_ROOTS, ["microscout-overlay", ACTIONS])
    for action in ACTIONS:
        tab.evaluate(PRESS_WITH_SCRIPT, root.query_selector(f"[data-microscout-action={action}]"))
    time.sleep(QUIET_S)
    assert writes_since(browser, start) == [], "page script made the worker write with the marketer's token"
    assert pressed == []
    assert tab.evaluate("() => document.querySelector('microscout-overlay').shadowRoot") is None
    assert shadow_mode(tab, overlay) == "closed"
    for action in ["save", "label"]:  # nothing even started
        assert root.query_selector(f"[data-microscout-result={action}]").inner_text() == ""

    # The same button under a real click does write: the check above can see a write.
    root.query_selector("[data-microscout-action=save]").click()
    result = root.query_selector("[data-microscout-result=save]")
    tab.wait_for_function("el => el.dataset.ok === 'true'", arg=result, timeout=30_000)
    assert ("PUT", f"/v1/watchlist/instagram/{case.first}") in writes_since(browser, start)


def test_page_script_cannot_unflag_a_comment(browser: Browser, server: Server, tab: Any) -> None:
    case = CASES["instagram"]
    tab.goto(case.url)
    wait_for_state(tab, ["ok"], case.first)
    tab.click('a[href="/p/C7mia00/"]')  # the post with comments, over the profile
    tab.wait_for_function("() => document.querySelectorAll('microscout-flag').length > 0",
                          timeout=SCORE_TIMEOUT_MS)
    start = len(browser.server_requests)

    pressed = tab.evaluate(PRESS_THROUGH_SHADOW_ROOTS, ["microscout-flag", ["unflag"]])
    flags = tab.locator("microscout-flag")
    for index in range(flags.count()):
        unflag = shadow_root(tab, flags.nth(index)).query_selector("[data-microscout-action=unflag]")
        tab.evaluate(PRESS_WITH_SCRIPT, unflag)
    time.sleep(QUIET_S)
    assert writes_since(browser, start) == [], "page script taught the comment model with the token"
    assert pressed == []
    assert tab.evaluate("() => [...document.querySelectorAll('microscout-flag')].map((f) => f.dataset.label)"
                        ".every((label) => label !== 'genuine')")
    assert shadow_mode(tab, flags.first) == "closed"


def forged_profile_answers(handle: str, followers: int) -> str:
    """Page script posting, again and again, what the old hook channel took as an Instagram API answer."""
    creator = next(c for c in CREATORS["instagram"] if c.handle == handle)
    forged_user = {**user(creator), "follower_count": followers, "edge_followed_by": {"count": followers}}
    message = {"source": "microscout-page-hook", "v": 1, "kind": "response", "status": 200,
               "url": f"https://www.instagram.com/api/v1/users/web_profile_info/?username={handle}",
               "pageUrl": f"https://www.instagram.com/{handle}/",
               "body": {"data": {"user": forged_user}, "status": "ok"}}
    return f"""(() => {{
      if (location.hostname !== 'www.instagram.com') return;
      const message = {json.dumps(message)};
      // A synthetic MessageEvent forges origin and source too, and arrives synchronously: sent when
      // the document turns interactive, it comes before the first capture (at DOMContentLoaded).
      document.addEventListener('readystatechange', () => {{
        if (document.readyState !== 'interactive') return;
        const init = {{ data: message, origin: location.origin, source: window }};
        window.dispatchEvent(new MessageEvent('message', init));
      }});
      const timer = setInterval(() => window.postMessage(message, location.origin), 100);
      setTimeout(() => clearInterval(timer), 15000);
    }})();"""


def test_a_forged_hook_message_does_not_move_the_score(browser: Browser, server: Server, tab: Any) -> None:
    case = CASES["instagram"]
    honest = next(c for c in CREATORS["instagram"] if c.handle == case.first)
    browser.forget_scores()
    tab.add_init_script(forged_profile_answers(case.first, followers=5_000_000))
    tab.goto(case.url)
    overlay = wait_for_state(tab, ["ok"], case.first)

    snapshot = browser.scored_snapshot(case.first)
    assert snapshot["followers"] == honest.followers, "a forged answer reached the capture"
    assert overlay.get_attribute("data-tier") == "micro"
    expect_server_numbers(overlay, browser, server, case.first)  # what the server says of the honest capture
    assert len(snapshot["posts"]) == len(honest.posts), "the page's real API answers still came through"

    # Capture health says the page tried, and the overlay shows it.
    assert snapshot["capture"]["hook"] == "connected"
    assert snapshot["capture"].get("hook_impostors", 0) > 0, snapshot["capture"]
    root = open_panel(tab, overlay)
    open_details(root)
    capture = root.query_selector("[data-section=capture]").inner_text()
    assert "posing as microscout's page hook" in capture


def test_the_page_cannot_tell_the_extension_is_installed_by_fetching_its_files(browser: Browser,
                                                                                tab: Any) -> None:
    extension_id = browser.worker.url.split("/")[2]
    tab.goto(CASES["tiktok"].url)
    wait_for_state(tab, ["ok", "scoring"], CASES["tiktok"].first)  # our content script runs on this page
    files = ["manifest.json", "content/bundle.js", "content/page-hook.js", "content/loader.js",
             "content/content-main.js", "overlay/overlay.js", "platforms/index.js", "shared/messages.js",
             "icons/icon-16.png", "options/options.html"]
    fetched = tab.evaluate("""async (urls) => {
      const out = {};
      for (const url of urls) {
        try { out[url] = (await fetch(url)).status; } catch (error) { out[url] = 'refused'; }
      }
      return out;
    }""", [f"chrome-extension://{extension_id}/{name}" for name in files])
    assert set(fetched.values()) == {"refused"}, fetched
    manifest = browser.worker.evaluate("() => chrome.runtime.getManifest()")
    assert "web_accessible_resources" not in manifest


def isolated_world(tab: Any, cdp: Any) -> int:
    """The execution context id of our content script in ``tab`` (DevTools lists it by extension name)."""
    contexts: list[dict[str, Any]] = []
    cdp.on("Runtime.executionContextCreated", lambda event: contexts.append(event["context"]))
    cdp.send("Runtime.enable")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ours = [c for c in contexts
                if c.get("auxData", {}).get("type") == "isolated" and c.get("name") == "microscout"]
        if ours:
            return int(ours[0]["id"])
        tab.wait_for_timeout(100)
    raise AssertionError(f"no microscout content script context among {[c.get('name') for c in contexts]}")


def test_content_scripts_cannot_read_the_token(browser: Browser, tab: Any) -> None:
    tab.goto(CASES["youtube"].url)
    wait_for_state(tab, ["ok", "scoring"], CASES["youtube"].first)
    cdp = tab.context.new_cdp_session(tab)
    try:
        context = isolated_world(tab, cdp)
        read = cdp.send("Runtime.evaluate", {
            "contextId": context, "awaitPromise": True, "returnByValue": True,
            "expression": "chrome.storage.local.get(['apiToken', 'serverUrl'])"
                          ".then((v) => 'read ' + JSON.stringify(v), (e) => 'refused: ' + e.message)"})
    finally:
        cdp.detach()
    answer = read["result"]["value"]
    assert TOKEN not in answer and answer.startswith("refused"), answer
    # the worker still reads it (the overlay above was scored with it)
    assert browser.worker.evaluate("() => chrome.storage.local.get('apiToken')")["apiToken"] == TOKEN
