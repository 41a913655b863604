"""Reach into a closed shadow root from a test, the way DevTools does.

The extension's shadow roots are closed (overlay/shadow.js): `host.shadowRoot` is null to page
script, and Playwright's locators, which run as page script, find nothing inside. The DevTools
protocol still sees them: DOM.describeNode(pierce) names the root and DOM.resolveNode hands it over
as a handle. Clicks on elements under it are then Playwright's real mouse input, trusted like a
user's. Nothing in the extension helps the tests, so there is no test hook to ship.
"""

from __future__ import annotations

import secrets
from typing import Any

from playwright.sync_api import ElementHandle, Locator, Page


def shadow_root(page: Page, host: Locator | ElementHandle) -> ElementHandle:
    """The (closed) shadow root of ``host`` as a handle: query_selector, wait_for_selector, ..."""
    element = host.element_handle() if isinstance(host, Locator) else host
    key = f"__microscout_test_{secrets.token_hex(8)}"  # a window slot for a moment, then deleted
    cdp = page.context.new_cdp_session(page)
    try:
        element.evaluate("(el, key) => { window[key] = el; }", key)
        found: dict[str, Any] = cdp.send("Runtime.evaluate", {"expression": f"window[{key!r}]"})
        node = cdp.send("DOM.describeNode",
                        {"objectId": found["result"]["objectId"], "depth": 1, "pierce": True})
        roots = node["node"].get("shadowRoots") or []
        assert roots, "the host has no shadow root"
        root = cdp.send("DOM.resolveNode", {"backendNodeId": roots[0]["backendNodeId"]})
        cdp.send("Runtime.callFunctionOn", {"objectId": root["object"]["objectId"],
                                            "functionDeclaration": "function (key) { window[key] = this; }",
                                            "arguments": [{"value": key}]})
        handle = page.evaluate_handle(
            "key => { const root = window[key]; delete window[key]; return root; }", key)
    finally:
        cdp.detach()
    shadow = handle.as_element()
    assert shadow is not None
    return shadow


def shadow_mode(page: Page, host: Locator | ElementHandle) -> str:
    """"open" or "closed", as DevTools reports the host's shadow root."""
    return str(shadow_root(page, host).evaluate("root => root.mode"))
