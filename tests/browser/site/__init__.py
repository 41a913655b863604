"""A small fake of each platform for the browser tests: pages that look like Instagram, TikTok and
YouTube (their embedded JSON in the right script tags, stable data-e2e / landmark markup) and
the JSON answers their own scripts fetch, served at the real URLs through Playwright's routing.

Each page's script behaves like the real single-page app: it fetches more data from the site's
API (so the extension's page hook sees fetch and XHR answers) and moves to another creator with
history.pushState instead of loading a new document.
"""

from tests.browser.site.server import FixtureSite

__all__ = ["FixtureSite"]
