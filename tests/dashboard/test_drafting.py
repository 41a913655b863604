"""Outreach drafting and UTM links: pure functions, table-driven."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from server.dashboard.drafting import (
    Terms,
    build_utm_link,
    draft_message,
    pick_fit,
    profile_url,
    quote_caption,
    utm_defaults,
)

CREATOR = {"platform": "instagram", "handle": "casey.runs", "display_name": "Casey Morgan"}
FIT = {
    "niche": "running",
    "name": "Running",
    "score": 84.0,
    "on_niche_share": 0.75,
    "posts_analyzed": 12,
    "evidence": {
        "best": [
            {
                "post_id": "p5",
                "caption": "Race day! Finished the city half marathon in 1:29, a new personal best by "
                "two minutes. #running #halfmarathon #pb",
                "similarity": 0.71,
            },
            {
                "post_id": "p2",
                "caption": "My marathon training plan, week 9 of 16.\nMileage up to 62 km.",
                "similarity": 0.66,
            },
            {"post_id": "p0", "caption": "Sunday long run", "similarity": 0.6},
        ],
        "worst": [{"post_id": "p9", "caption": "Gifted these socks", "similarity": 0.1}],
    },
}
SNAPSHOT = {"posts": [{"id": "p5", "url": "https://www.instagram.com/p/RACE/"}, {"id": "p2"}]}
TERMS = Terms(
    brand="Stride Labs",
    sender="Jamie",
    product="our new trail shoe",
    compensation="hybrid",
    fee="$400 + 10% of tracked sales",
    deliverables="1 reel and 3 stories",
    timeline="live by 15 March",
    usage_rights="reposts on our account for 90 days",
    exclusivity="no other running shoe brand for 30 days",
    link="https://stride.example/trail?utm_source=instagram",
)


def test_the_draft_quotes_the_best_matching_posts_and_says_why_it_fits():
    draft = draft_message(CREATOR, FIT, TERMS, snapshot=SNAPSHOT, authenticity={"creator_reply_rate": 0.3})
    body = draft.body
    assert body.startswith("Hi Casey,")
    assert "“Race day! Finished the city half marathon in 1:29, a new personal best by two minutes.”" in body
    assert "“My marathon training plan, week 9 of 16.”" in body  # first line only
    assert "Sunday long run" not in body and "Gifted these socks" not in body  # two best, never the worst
    assert "9 of your last 12 posts are about running" in body  # why it fits, from the fit's own numbers
    assert "answer your audience in the comments" in body
    assert "the idea, format and words would be yours" in body  # room for the creator's voice
    assert "clearly disclosed" in body
    for text in (
        "1 reel and 3 stories",
        "live by 15 March",
        "a hybrid",
        "$400 + 10% of tracked sales",
        "reposts on our account for 90 days",
        "no other running shoe brand for 30 days",
        TERMS.link,
    ):
        assert text in body, text
    assert draft.subject == "Stride Labs x @casey.runs: a partnership idea"
    assert [p["post_id"] for p in draft.posts] == ["p5", "p2"]
    assert draft.posts[0]["url"] == "https://www.instagram.com/p/RACE/"


def test_the_draft_names_what_is_missing_instead_of_inventing_it():
    body = draft_message({"platform": "tiktok", "handle": "crumbs", "display_name": None}, FIT, Terms()).body
    assert body.startswith("Hi @crumbs,")
    assert "[your brand]" in body and "[your name]" in body and "[the product or campaign]" in body
    assert "Compensation" not in body and "answer your audience" not in body  # nothing measured, nothing said


def test_without_evidence_the_draft_falls_back_to_the_niche():
    body = draft_message(CREATOR, {"name": "Vegan baking", "evidence": {"best": []}}, TERMS).body
    assert "Your vegan baking posts stayed with me" in body


def test_the_follow_up_template_is_short_and_easy_to_decline():
    draft = draft_message(CREATOR, FIT, TERMS, template="follow_up")
    assert draft.subject.startswith("Following up")
    assert "a one-line no is completely fine" in draft.body and "Race day!" in draft.body
    with pytest.raises(ValueError):
        draft_message(CREATOR, FIT, TERMS, template="hard_sell")


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Short and sweet", "Short and sweet"),
        ("Line one\nline two", "Line one"),
        ("Love this trail #running #trail @brand", "Love this trail"),
        ("word " * 40, ("word " * 18).strip() + "…"),  # 18 words are 89 characters
        ("  spaced   out  ", "spaced out"),
    ],
)
def test_quote_caption(caption, expected):
    assert quote_caption(caption) == expected


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (
            "https://shop.example/trail",
            {
                "utm_source": "instagram",
                "utm_medium": "influencer",
                "utm_campaign": "spring-26",
                "utm_content": "casey.runs",
            },
            "https://shop.example/trail?utm_source=instagram&utm_medium=influencer&utm_campaign=spring-26"
            "&utm_content=casey.runs",
        ),
        # values are percent-encoded: spaces, &, =, #, non-ASCII
        (
            "https://shop.example/",
            {
                "utm_source": "instagram",
                "utm_medium": "paid social",
                "utm_campaign": "Spring & Summer=26",
                "utm_content": "café#1",
            },
            "https://shop.example/?utm_source=instagram&utm_medium=paid%20social&utm_campaign=Spring%20%26%20Summer%3D26"
            "&utm_content=caf%C3%A9%231",
        ),
        # the page's own parameters and fragment stay as they were; old utm values are replaced
        (
            "https://shop.example/p?id=7&color=red%20blue&utm_source=old&UTM_MEDIUM=old#reviews",
            {"utm_source": "tiktok", "utm_medium": "influencer", "utm_campaign": "c"},
            "https://shop.example/p?id=7&color=red%20blue&utm_source=tiktok&utm_medium=influencer&utm_campaign=c#reviews",
        ),
        # no path: "/" is added so the query is attached to the site's root
        (
            "http://shop.example",
            {"utm_source": "youtube", "utm_medium": "influencer", "utm_campaign": "c"},
            "http://shop.example/?utm_source=youtube&utm_medium=influencer&utm_campaign=c",
        ),
    ],
)
def test_utm_links_are_encoded(url, params, expected):
    link = build_utm_link(url, params)
    assert link == expected
    query = parse_qs(urlsplit(link).query)
    for key, value in params.items():
        assert query[key.lower()] == [value]  # what analytics will read back


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("javascript:alert(1)", {"utm_source": "a", "utm_medium": "b", "utm_campaign": "c"}),
        ("shop.example/trail", {"utm_source": "a", "utm_medium": "b", "utm_campaign": "c"}),
        ("https://shop.example/", {"utm_source": "a", "utm_medium": "", "utm_campaign": "c"}),
        ("https://shop.example/", {"utm_source": "a", "utm_medium": "b"}),
    ],
)
def test_utm_links_refuse_bad_input(url, params):
    with pytest.raises(ValueError):
        build_utm_link(url, params)


def test_utm_defaults_are_consistent_lower_case():
    assert utm_defaults("instagram", "@Casey.Runs", "Spring Launch 2026!") == {
        "utm_source": "instagram",
        "utm_medium": "influencer",
        "utm_campaign": "spring-launch-2026",
        "utm_content": "casey.runs",
    }


@pytest.mark.parametrize(
    ("platform", "handle", "snapshot", "expected"),
    [
        ("instagram", "casey.runs", None, "https://www.instagram.com/casey.runs/"),
        ("tiktok", "crumbs", {}, "https://www.tiktok.com/@crumbs"),
        (
            "youtube",
            "bakeit",
            {"url": "https://www.youtube.com/@bakeit/videos"},
            "https://www.youtube.com/@bakeit/videos",
        ),
        ("youtube", "bakeit", {"url": "javascript:alert(1)"}, "https://www.youtube.com/@bakeit"),
    ],
)
def test_profile_url(platform, handle, snapshot, expected):
    assert profile_url(platform, handle, snapshot) == expected


def test_pick_fit_prefers_the_named_niche_then_the_best():
    fits = [{"niche": "a", "score": 40.0}, {"niche": "b", "score": 70.0}, {"niche": "c", "score": None}]
    assert pick_fit(fits, "a")["niche"] == "a"
    assert pick_fit(fits, "zzz")["niche"] == "b"
    assert pick_fit(fits, None)["niche"] == "b"
    assert pick_fit([], "a") is None


# ---- issue 11, finding 10: only http(s) links from snapshots --------------------------------

def test_finding_10_only_http_links_from_a_snapshot_reach_the_dashboard():
    from server.dashboard.drafting import _best_posts, profile_url, web_url

    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x",
                "https:", "http://exa mple.com", "//evil.example", None, 42):
        assert web_url(bad) is None, bad
    assert web_url(" HTTPS://www.instagram.com/p/1/ ") == "HTTPS://www.instagram.com/p/1/"
    snap = {"url": "javascript:alert(document.cookie)",
            "posts": [{"id": "p1", "url": "javascript:alert(1)"}, {"id": "p2", "url": "https://x.example/p2"}]}
    assert profile_url("instagram", "casey", snap) == "https://www.instagram.com/casey/"
    fit = {"evidence": {"best": [{"post_id": "p1", "caption": "one"}, {"post_id": "p2", "caption": "two"}]}}
    assert [p["url"] for p in _best_posts(fit, snap, 2)] == [None, "https://x.example/p2"]
