"""Scroll pages of the fake sites (hashtag, search and feed pages at their real URLs), built from the
extension's own feed fixtures (extension/test/fixtures/*/page-*.json and the answers they name):
the page embeds what the real page embeds (YouTube's ytInitialData), fetches its first answer on
load and the rest only when the user scrolls to the bottom, and renders each post from the JSON
it received, with the markup the real sites use (data-e2e names, YouTube's element names, hrefs).

Every rendered post carries ``data-fixture-post`` (its id) and ``data-fixture-handle`` (the
creator's bare handle, empty when the page names none), so a test can tell which posts should get a
chip. Nothing here loads an image.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.browser.site.html import HTML, JSON, Answer, asset, page, script_json

FIXTURES = Path(__file__).resolve().parents[3] / "extension" / "test" / "fixtures"
POSTED = {"www.youtube.com": ("youtubei/",), "www.instagram.com": ("graphql/", "/sections/")}
# The home feed's GraphQL query names itself like this on the real site.
IG_FEED_QUERY = "PolarisFeedRootPaginationCachedQuery"


@dataclass(frozen=True)
class FeedPage:
    name: str      # e.g. "instagram-hashtag"
    url: str       # the page at its real URL
    manifest: str  # extension/test/fixtures/<platform>/page-*.json
    layout: str    # how the page draws its posts (static/feeds.js)
    title: str
    lang: str = "en"
    also: tuple[str, ...] = ()  # other paths of the same page (the Shorts feed: one per Short)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def paths(self) -> tuple[str, ...]:
        return (urlsplit(self.url).path, *self.also)


IG, TT, YT = "https://www.instagram.com", "https://www.tiktok.com", "https://www.youtube.com"
PAGES = (
    FeedPage("instagram-hashtag", f"{IG}/explore/tags/sourdough/", "instagram/page-hashtag.json", "ig-grid",
             "#sourdough hashtag on Instagram • Photos and videos"),
    FeedPage("instagram-feed", f"{IG}/", "instagram/page-feed.json", "ig-feed", "Instagram"),
    FeedPage("tiktok-foryou", f"{TT}/foryou", "tiktok/page-foryou.json", "tt-foryou", "For You | TikTok",
             also=("/",)),
    FeedPage("tiktok-tag", f"{TT}/tag/mealprep", "tiktok/page-tag.json", "tt-tag", "#mealprep | TikTok"),
    FeedPage("tiktok-search", f"{TT}/search?q=trail%20running", "tiktok/page-search.json", "tt-search",
             "Find 'trail running' on TikTok | TikTok Search"),
    FeedPage("youtube-search", f"{YT}/results?search_query=trail+running", "youtube/page-search.json",
             "yt-list", "trail running - YouTube", "en-GB"),
    FeedPage("youtube-home", f"{YT}/", "youtube/page-home.json", "yt-grid", "YouTube", "en-GB"),
    FeedPage("youtube-hashtag", f"{YT}/hashtag/mealprep", "youtube/page-hashtag.json", "yt-grid",
             "#mealprep - YouTube", "en-GB"),
    FeedPage("youtube-shorts", f"{YT}/shorts/sHortTrl018", "youtube/page-shorts.json", "yt-shorts",
             "YouTube Shorts", "en-GB", also=("/shorts/sHortPst019", "/shorts/sHortTnt020")),
)
BY_NAME = {p.name: p for p in PAGES}


def manifest(feed: FeedPage) -> dict[str, Any]:
    return json.loads((FIXTURES / feed.manifest).read_text())


def fixture(feed: FeedPage, file: str) -> str:
    return (FIXTURES / Path(feed.manifest).parent / file).read_text()


def method_of(host: str, path: str) -> str:
    return "POST" if any(part in path for part in POSTED.get(host, ())) else "GET"


def calls(feed: FeedPage) -> list[dict[str, Any]]:
    """The page's own API calls in the order the real page makes them: the first on load, the
    rest as the user scrolls; every other one through XMLHttpRequest (the hook copies both)."""
    out = []
    for i, r in enumerate(manifest(feed)["responses"]):
        url = urlsplit(r["url"])
        body = None
        if url.path == "/graphql/query":
            body = f"fb_api_req_friendly_name={IG_FEED_QUERY}&variables=%7B%7D"
        elif url.path.startswith("/youtubei/"):
            body = json.dumps(request_body(feed, url.path, r["file"]))
        path = f"{url.path}?{url.query}" if url.query else url.path
        out.append({"method": method_of(feed.host, url.path), "url": path, "body": body,
                    "via": "xhr" if i % 2 else "fetch"})
    return out


def request_body(feed: FeedPage, path: str, file: str) -> dict[str, Any]:
    """What the YouTube app posts: a continuation token, or the Short it wants."""
    if path.endswith(("/player", "/reel_item_watch")):
        answer = json.loads(fixture(feed, file))
        video = (answer.get("videoDetails") or {}).get("videoId") or \
            answer["replacementEndpoint"]["reelWatchEndpoint"]["videoId"]
        return {"context": {"client": {"clientName": "WEB"}}, "videoId": video}
    return {"context": {"client": {"clientName": "WEB"}}, "continuation": "EqEDEgR0"}


def feed_html(feed: FeedPage, path: str) -> str:
    m = manifest(feed)
    embedded = []
    for s in m["scripts"]:
        text = fixture(feed, s["file"])
        embedded.append(f"var {s['id']} = {script_json(json.loads(text))};")
    config = {"layout": feed.layout, "calls": calls(feed), "path": path}
    head = "".join(f"<script>{e}</script>" for e in embedded)
    body = '<main role="main" data-fixture="feed"></main><div data-fixture="more" style="height: 40px"></div>'
    return page(title=feed.title, lang=feed.lang, head=head, body=body,
                script=f"const PAGE = {script_json(config)};\n" + asset("feeds.js"), style=asset("feeds.css"))


def answer(host: str, method: str, path: str, query: dict[str, list[str]], body: str | None) -> Answer | None:
    """(status, content type, body) for a scroll page or one of its API answers; None: not ours."""
    for feed in PAGES:
        if feed.host != host:
            continue
        asks = parse_qs(urlsplit(feed.url).query)
        if method == "GET" and path in feed.paths and all(query.get(k) for k in asks):
            return 200, HTML, feed_html(feed, path)
        for call, r in zip(calls(feed), manifest(feed)["responses"], strict=True):
            same = call["method"] == method and urlsplit(call["url"]).path == path
            if same and same_body(call["body"], body):
                return 200, JSON, fixture(feed, r["file"])
    return None


def same_body(expected: str | None, got: str | None) -> bool:
    """The request is the feed page's own: the same query name, continuation or Short."""
    if expected is None:
        return True
    if got is None:
        return False
    if expected.startswith("fb_api_req_friendly_name="):
        return parse_qs(got).get("fb_api_req_friendly_name") == [IG_FEED_QUERY]
    try:
        want, have = json.loads(expected), json.loads(got)
    except ValueError:
        return False
    return want.get("continuation") == have.get("continuation") and want.get("videoId") == have.get("videoId")
