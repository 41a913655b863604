"""A fake www.instagram.com: profile HTML with the user in a data-sjs blob, the timeline from
POST /graphql/query (fetch), other profiles from /api/v1/users/web_profile_info/ (XHR), and a post
page whose comments come from the xdt comments connection."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from tests.browser.site.creators import CREATORS, Creator, Post
from tests.browser.site.html import HTML, JSON, Answer, asset, esc, page, script_json

ORIGIN = "https://www.instagram.com"


def user(c: Creator) -> dict[str, Any]:
    return {"id": c.user_id, "pk": c.user_id, "username": c.handle, "full_name": c.name, "biography": c.bio,
            "external_url": c.external_url, "is_verified": False, "is_private": False,
            "category_name": "Athlete",
            "follower_count": c.followers, "following_count": c.following, "media_count": c.posts_count,
            "edge_followed_by": {"count": c.followers}, "edge_follow": {"count": c.following}}


def media(c: Creator, p: Post) -> dict[str, Any]:
    pk = str(3_300_000_000_000_000_000 + int(c.user_id) * 100 + int(p.id[-2:]))
    return {"code": p.id, "pk": pk, "id": f"{pk}_{c.user_id}", "taken_at": p.taken_at, "media_type": 1,
            "product_type": "feed", "caption": {"text": p.caption, "pk": pk + "1"}, "like_count": p.likes,
            "comment_count": p.comments, "is_paid_partnership": p.paid,
            "user": {"username": c.handle, "id": c.user_id, "pk": c.user_id}}


def timeline(c: Creator) -> dict[str, Any]:
    return {"data": {"xdt_api__v1__feed__user_timeline_graphql_connection": {
        "edges": [{"node": media(c, p), "cursor": p.id} for p in c.posts],
        "page_info": {"has_next_page": False, "end_cursor": None}}}, "extensions": {"is_final": True}}


def comments(c: Creator) -> dict[str, Any]:
    return {"data": {"xdt_api__v1__media__media_id__comments__connection": {
        "edges": [{"node": {"pk": f"1790000000000{i:04d}", "text": k.text,
                            "created_at": c.posts[0].taken_at + 3600 * i,
                            "comment_like_count": k.likes, "child_comment_count": k.replies,
                            "user": {"username": k.author, "id": f"9{i}"}}}
                  for i, k in enumerate(c.comments)],
        "page_info": {"has_next_page": False}}}}


def preloaded(data: dict[str, Any]) -> str:
    """The shape of Instagram's server-side preloaded Relay data."""
    blob = {"require": [["ScheduledServerJS", "handle", None, [{"__bbox": {"require": [[
        "RelayPrefetchedStreamCache", "next", [],
        ["adp_PolarisProfilePageContentQueryRelayPreloader_1",
         {"__bbox": {"complete": True, "result": data}}]]]}}]]]}
    return (f'<script type="application/json" data-content-len="{len(json.dumps(blob))}" data-sjs>'
            f"{script_json(blob)}</script>")





def profile_html(c: Creator, *, kind: str = "profile", code: str | None = None) -> str:
    other = next(o for o in CREATORS["instagram"] if o is not c)
    if kind == "profile":
        head = preloaded({"data": {"user": user(c)}, "extensions": {"is_final": True}})
    else:  # a post page: the media and its owner (no follower count, as on the real site)
        post = next(p for p in c.posts if p.id == code)
        owner = {"username": c.handle, "full_name": c.name, "id": c.user_id, "is_verified": False}
        head = preloaded({"data": {"xdt_api__v1__media__shortcode__web_info": {
            "items": [{**media(c, post), "user": owner, "owner": owner}]}}})
    head += (f'<meta property="og:title" content="{esc(c.name)} (@{esc(c.handle)}) • Instagram">'
             f'<link rel="canonical" href="{ORIGIN}/{esc(c.handle)}/">')
    # A post page opened directly shows the post, not the profile header with its counts.
    profile = "" if kind == "post" else f"""
  <header>
    <div class="avatar" role="img" aria-label="{esc(c.name)}'s profile picture"></div>
    <section>
      <h2>{esc(c.handle)}</h2>
      <ul>
        <li data-fixture="posts">{c.posts_count:,} posts</li>
        <li><a href="/{esc(c.handle)}/followers/"
          ><span title="{c.followers:,}">{c.followers / 1000:.1f}K</span> followers</a></li>
        <li><a href="/{esc(c.handle)}/following/"><span>{c.following}</span> following</a></li>
      </ul>
      <div><span data-fixture="name">{esc(c.name)}</span><h1 data-fixture="bio">{esc(c.bio)}</h1></div>
    </section>
  </header>
  <p>Suggested for you:
    <a data-fixture-nav="profile" href="/{esc(other.handle)}/">{esc(other.name)}</a></p>"""
    body = f"""
<nav class="side" aria-label="Instagram"></nav>
<div id="mount_0_0"><main role="main">{profile}
  <article class="post" hidden>
    <header><a href="/{esc(c.handle)}/">{esc(c.handle)}</a> · Follow</header>
    <ul class="comments"></ul>
  </article>
  <div class="grid"></div>
</main></div>"""
    data = {"kind": kind, "handle": c.handle, "code": code}
    return page(title=f"{c.name} (@{c.handle}) • Instagram photos and videos", head=head, body=body,
                script=f"const PAGE = {script_json(data)};\n" + asset("instagram.js"),
                style=asset("instagram.css"))


def answer(method: str, path: str, query: dict[str, list[str]], body: str | None) -> Answer | None:
    """(status, content type, body) for a request to the fake site, or None for a 404."""
    parts = [p for p in path.split("/") if p]
    by_handle = {c.handle: c for c in CREATORS["instagram"]}
    if method == "GET" and len(parts) == 1 and parts[0] in by_handle:
        return 200, HTML, profile_html(by_handle[parts[0]])
    if method == "GET" and len(parts) == 2 and parts[0] == "p":
        owner = next((c for c in CREATORS["instagram"] if any(p.id == parts[1] for p in c.posts)), None)
        if owner:
            return 200, HTML, profile_html(owner, kind="post", code=parts[1])
    if method == "GET" and path == "/api/v1/users/web_profile_info/":
        c = by_handle.get((query.get("username") or [""])[0])
        if c:
            return 200, JSON, json.dumps({"data": {"user": user(c)}, "status": "ok"})
    if method == "POST" and path == "/graphql/query":
        variables = json.loads(parse_qs(body or "").get("variables", ["{}"])[0])
        if variables.get("username") in by_handle:
            return 200, JSON, json.dumps(timeline(by_handle[variables["username"]]))
        code = variables.get("media_id")
        owner = next((c for c in CREATORS["instagram"] if any(p.id == code for p in c.posts)), None)
        if owner:  # the fixture's comments sit under each creator's newest post
            answer = comments(owner if owner.posts[0].id == code else replace(owner, comments=()))
            return 200, JSON, "for (;;);" + json.dumps(answer)
    return None
