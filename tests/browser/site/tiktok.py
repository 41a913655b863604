"""A fake www.tiktok.com: the profile in __UNIVERSAL_DATA_FOR_REHYDRATION__, videos from
/api/post/item_list/ (fetch), other profiles from /api/user/detail/ (XHR), data-e2e markup."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.site.creators import CREATORS, Creator, Post
from tests.browser.site.html import HTML, JSON, Answer, asset, esc, page, script_json

ORIGIN = "https://www.tiktok.com"


def user_info(c: Creator) -> dict[str, Any]:
    return {
        "user": {"id": c.user_id, "uniqueId": c.handle, "nickname": c.name, "signature": c.bio,
                 "verified": False,
                 "secUid": f"MS4wLjABAAAA{c.user_id}", "privateAccount": False,
                 "bioLink": {"link": c.external_url} if c.external_url else None},
        "stats": {"followerCount": c.followers, "followingCount": c.following, "heart": c.followers * 31,
                  "heartCount": c.followers * 31, "videoCount": c.posts_count, "diggCount": 0},
    }


def item(c: Creator, p: Post) -> dict[str, Any]:
    return {"id": p.id, "desc": p.caption, "createTime": p.taken_at, "isAd": False,
            "author": {"uniqueId": c.handle, "id": c.user_id, "nickname": c.name},
            "stats": {"diggCount": p.likes, "commentCount": p.comments, "playCount": p.views,
                      "shareCount": 9},
            "video": {"duration": 31}}


def rehydration(c: Creator) -> dict[str, Any]:
    return {"__DEFAULT_SCOPE__": {
        "webapp.app-context": {"language": "en", "region": "US"},
        "webapp.user-detail": {"userInfo": user_info(c), "statusCode": 0, "statusMsg": ""}}}





def profile_html(c: Creator) -> str:
    other = next(o for o in CREATORS["tiktok"] if o is not c)
    head = ('<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">'
            f"{script_json(rehydration(c))}</script>"
            f'<meta property="og:title" content="{esc(c.name)} (@{esc(c.handle)}) | TikTok">'
            f'<meta name="description" content="{esc(c.name)} (@{esc(c.handle)}) on TikTok | '
            f'{c.followers * 31:,} Likes. {c.followers:,} Followers. {esc(c.bio)}">')
    body = f"""
<div id="app">
  <nav class="side" aria-label="TikTok"><a href="/foryou">For You</a></nav>
  <main>
  <div data-e2e="user-page">
    <div class="header">
      <div class="info">
        <span data-e2e="user-avatar" class="avatar"></span>
        <div>
          <h1 data-e2e="user-title">{esc(c.handle)}</h1>
          <h2 data-e2e="user-subtitle">{esc(c.name)}</h2>
          <button data-e2e="follow-button" type="button">Follow</button>
        </div>
      </div>
      <h3 class="counts">
        <div><strong data-e2e="following-count">{c.following}</strong>
          <span data-e2e="following">Following</span></div>
        <div><strong data-e2e="followers-count">{c.followers / 1000:.1f}K</strong>
          <span data-e2e="followers">Followers</span></div>
        <div><strong data-e2e="likes-count">{c.followers * 31 / 1e6:.1f}M</strong>
          <span data-e2e="likes">Likes</span></div>
      </h3>
      <h2 data-e2e="user-bio">{esc(c.bio)}</h2>
    </div>
    <p data-e2e="videos-tab">Videos · You may like
      <a data-fixture-nav="profile" href="/@{esc(other.handle)}">@{esc(other.handle)}</a></p>
    <div data-e2e="user-post-item-list" class="videos"></div>
  </div>
  </main>
</div>"""
    return page(title=f"{c.name} (@{c.handle}) | TikTok", head=head, body=body, script=asset("tiktok.js"),
                style=asset("tiktok.css"))


def answer(method: str, path: str, query: dict[str, list[str]], body: str | None) -> Answer | None:
    by_handle = {c.handle: c for c in CREATORS["tiktok"]}
    by_sec = {user_info(c)["user"]["secUid"]: c for c in CREATORS["tiktok"]}
    if method == "GET" and path.startswith("/@") and path[2:] in by_handle:
        return 200, HTML, profile_html(by_handle[path[2:]])
    if method == "GET" and path == "/api/post/item_list/":
        c = by_sec.get((query.get("secUid") or [""])[0])
        if c:
            return 200, JSON, json.dumps(
                {"itemList": [item(c, p) for p in c.posts], "hasMore": False, "cursor": "0", "statusCode": 0})
    if method == "GET" and path == "/api/user/detail/":
        c = by_handle.get((query.get("uniqueId") or [""])[0])
        if c:
            return 200, JSON, json.dumps({"userInfo": user_info(c), "statusCode": 0})
    return None
