"""A fake www.youtube.com (dark theme): the channel in `var ytInitialData = ...` (pageHeaderViewModel,
channelMetadataRenderer, a rich grid of videoRenderers), more videos from POST /youtubei/v1/browse
(fetch), another channel from the same endpoint followed by pushState and yt-navigate-finish."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.site.creators import CREATORS, Creator, Post
from tests.browser.site.html import HTML, JSON, Answer, asset, esc, page, script_json

ORIGIN = "https://www.youtube.com"
FIRST_PAGE = 4  # videos in ytInitialData; the rest come from the page's own browse call


def text(content: str) -> dict[str, Any]:
    return {"content": content}


def compact(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1_000_000 else f"{n / 1e3:.1f}K" if n >= 1000 else str(n)


def video(p: Post) -> dict[str, Any]:
    return {"richItemRenderer": {"content": {"videoRenderer": {
        "videoId": p.id, "title": {"runs": [{"text": p.caption}]},
        "publishedTimeText": {"simpleText": f"{p.days_ago} days ago"},
        "viewCountText": {"simpleText": f"{p.views:,} views"},
        "shortViewCountText": {"simpleText": f"{compact(p.views or 0)} views"},
        "lengthText": {"simpleText": "14:03"}}}}}


def header(c: Creator) -> dict[str, Any]:
    return {"pageHeaderRenderer": {"pageTitle": c.name, "content": {"pageHeaderViewModel": {
        "title": {"dynamicTextViewModel": {"text": text(c.name)}},
        "metadata": {"contentMetadataViewModel": {"metadataRows": [
            {"metadataParts": [{"text": text(f"@{c.handle}")}]},
            {"metadataParts": [{"text": text(f"{compact(c.followers)} subscribers")},
                               {"text": text(f"{c.posts_count} videos")}]}]}},
        "description": {"descriptionPreviewViewModel": {"description": text(c.bio)}},
        **({"attribution": {"attributionViewModel": {"text": text(c.external_url.removeprefix("https://"))}}}
           if c.external_url else {})}}}}


def browse(c: Creator) -> dict[str, Any]:
    """A channel's Videos tab, as ytInitialData or a /youtubei/v1/browse answer."""
    grid = [video(p) for p in c.posts[:FIRST_PAGE]]
    more = {"continuationEndpoint": {"continuationCommand": {"token": c.user_id}}}
    grid.append({"continuationItemRenderer": more})
    return {
        "responseContext": {"serviceTrackingParams": []},
        "header": header(c),
        "metadata": {"channelMetadataRenderer": {
            "title": c.name, "description": c.bio, "externalId": c.user_id,
            "vanityChannelUrl": f"http://www.youtube.com/@{c.handle}",
            "channelUrl": f"https://www.youtube.com/channel/{c.user_id}"}},
        "contents": {"twoColumnBrowseResultsRenderer": {"tabs": [
            {"tabRenderer": {"title": "Home", "selected": False}},
            {"tabRenderer": {"title": "Videos", "selected": True,
                             "content": {"richGridRenderer": {"contents": grid}}}}]}},
        "currentVideoEndpoint": None,
    }


def continuation(c: Creator) -> dict[str, Any]:
    return {"onResponseReceivedActions": [{"appendContinuationItemsAction": {
        "continuationItems": [video(p) for p in c.posts[FIRST_PAGE:]], "targetId": "browse-feed"}}]}





def channel_html(c: Creator) -> str:
    other = next(o for o in CREATORS["youtube"] if o is not c)
    head = (f'<meta property="og:title" content="{esc(c.name)}">'
            f'<meta property="og:description" content="{esc(c.bio)}">'
            f'<link rel="canonical" href="{ORIGIN}/channel/{c.user_id}">'
            f'<script nonce="fixture">var ytInitialData = {script_json(browse(c))};</script>')
    body = f"""
<ytd-app>
  <div id="masthead" role="banner"></div>
  <div id="content">
    <ytd-browse page-subtype="channels">
      <div id="page-header">
        <yt-page-header-renderer>
          <div class="avatar"></div>
          <div>
            <h1>{esc(c.name)}</h1>
            <div data-fixture="meta"
              >@{esc(c.handle)} • {compact(c.followers)} subscribers • {c.posts_count} videos</div>
            <p data-fixture="description">{esc(c.bio)}</p>
            <button type="button">Subscribe</button>
          </div>
        </yt-page-header-renderer>
      </div>
      <div id="tabs" role="tablist">Home · <b>Videos</b> · Also watch:
        <a data-fixture-nav="channel" data-browse-id="{esc(other.user_id)}"
           href="/@{esc(other.handle)}/videos">{esc(other.name)}</a></div>
      <ytd-rich-grid-renderer></ytd-rich-grid-renderer>
    </ytd-browse>
  </div>
</ytd-app>"""
    return page(title=f"{c.name} - YouTube", head=head, body=body, script=asset("youtube.js"),
                style=asset("youtube.css"), html_attrs="dark")


def answer(method: str, path: str, query: dict[str, list[str]], body: str | None) -> Answer | None:
    parts = [p for p in path.split("/") if p]
    by_handle = {"@" + c.handle: c for c in CREATORS["youtube"]}
    by_id = {c.user_id: c for c in CREATORS["youtube"]}
    if method == "GET" and parts and parts[0] in by_handle and len(parts) <= 2:
        return 200, HTML, channel_html(by_handle[parts[0]])
    if method == "POST" and path == "/youtubei/v1/browse":
        request = json.loads(body or "{}")
        if request.get("browseId") in by_id:
            return 200, JSON, json.dumps(browse(by_id[request["browseId"]]))
        if request.get("continuation") in by_id:
            return 200, JSON, json.dumps(continuation(by_id[request["continuation"]]))
    return None
