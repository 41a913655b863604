"""Routes every request for the three platforms to the fake sites; nothing reaches the internet."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.browser.site import feeds, instagram, tiktok, youtube

SITES = {"www.instagram.com": instagram, "www.tiktok.com": tiktok, "www.youtube.com": youtube}


class FixtureSite:
    """A Playwright route handler; ``requests`` lists (method, url) of everything it answered."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []

    def handle(self, route) -> None:
        request = route.request
        url = urlsplit(request.url)
        site = SITES.get(url.hostname or "")
        self.requests.append((request.method, request.url))
        found = None
        if site is not None:
            query = parse_qs(url.query)
            found = feeds.answer(url.hostname or "", request.method, url.path, query, request.post_data) \
                or site.answer(request.method, url.path, query, request.post_data)
        if found is None:
            route.fulfill(status=404, content_type="text/plain", body="not in the fixture site")
            return
        status, content_type, body = found
        route.fulfill(status=status, content_type=content_type, body=body)
