"""The outreach page: terms kept on the creator, the draft from the stored score, the UTM link."""

from __future__ import annotations

import html
import re


def page_of(client, path="/creators/instagram/creator/outreach") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def message_of(page: str) -> str:
    return re.search(r'<textarea id="message" name="message" rows="22">(.*?)</textarea>', page, re.S).group(1)


def test_the_draft_quotes_the_stored_best_matching_posts(signed_in, watchlist, store):
    page = page_of(signed_in)
    message = message_of(page)
    best = store.get_creator("instagram", "creator")["score"]["niche_fit"][0]["evidence"]["best"]
    assert "Sunday long run: 18 km along the river at easy pace." in message  # best[0], cut at a word
    assert best[1]["caption"][:60] in message
    assert "9 of your last 12 posts are about running" in message
    assert 'data-copy="#message"' in page and 'data-copy="#subject"' in page


def test_terms_are_saved_on_the_creator_and_used_in_the_draft_and_link(signed_in, csrf, watchlist, store):
    response = signed_in.post(
        "/creators/instagram/creator/outreach",
        data={
            "csrf_token": csrf,
            "action": "terms",
            "brand": "Stride Labs",
            "sender": "Jamie",
            "compensation": "flat_fee",
            "fee": "$350",
            "deliverables": "2 posts",
            "timeline": "April",
            "usage_rights": "30 days organic",
            "exclusivity": "none",
            "landing_url": "https://stride.example/trail?ref=x",
            "campaign": "Spring 26",
            "utm_medium": "",
            "template": "first_contact",
        },
    )
    assert response.status_code == 302
    outreach = store.get_creator("instagram", "creator")["outreach"]
    assert outreach["compensation"] == "flat_fee" and outreach["deliverables"] == "2 posts"
    assert "utm_medium" not in outreach  # empty fields are not kept
    page = page_of(signed_in)
    link = (
        "https://stride.example/trail?ref=x&utm_source=instagram&utm_medium=influencer&utm_campaign=Spring%2026"
        "&utm_content=creator"
    )
    assert f'id="utm-link" value="{link}"' in page
    message = message_of(page)
    for text in (
        "I'm Jamie from Stride Labs",
        "a flat fee ($350)",
        "2 posts",
        "April",
        "30 days organic",
        link,
    ):
        assert text in message, text
    # the next creator starts from the same brand, sender and landing page
    assert 'id="brand" name="brand" value="Stride Labs"' in page_of(
        signed_in, "/creators/instagram/oatbaker/outreach"
    )


def test_an_edited_message_is_kept_until_reset(signed_in, csrf, watchlist, store):
    signed_in.post(
        "/creators/instagram/creator/outreach",
        data={"csrf_token": csrf, "action": "message", "message": "Hi Casey,\r\nmy own words."},
    )
    assert message_of(page_of(signed_in)) == "Hi Casey,\nmy own words."
    signed_in.post(
        "/creators/instagram/creator/outreach",
        data={"csrf_token": csrf, "action": "terms", "brand": "Stride Labs"},
    )
    assert message_of(page_of(signed_in)) == "Hi Casey,\nmy own words."  # new terms do not overwrite edits
    signed_in.post("/creators/instagram/creator/outreach", data={"csrf_token": csrf, "action": "reset"})
    assert message_of(page_of(signed_in)).startswith("Hi Casey,\n\nI'm [your name] from Stride Labs")


def test_a_bad_landing_page_is_explained(signed_in, csrf, watchlist):
    signed_in.post(
        "/creators/instagram/creator/outreach",
        data={"csrf_token": csrf, "action": "terms", "landing_url": "javascript:alert(1)"},
    )
    page = page_of(signed_in)
    assert "the landing page must be an http:// or https:// address" in page
    assert 'href="javascript:' not in page


def test_an_unknown_compensation_is_refused(signed_in, csrf, watchlist, store):
    signed_in.post(
        "/creators/instagram/creator/outreach",
        data={"csrf_token": csrf, "action": "terms", "compensation": "equity"},
    )
    assert "Not saved: outreach.compensation is one of" in page_of(signed_in)
    assert store.get_creator("instagram", "creator")["outreach"] == {}


def test_the_niche_to_pitch_can_be_chosen(signed_in, csrf, watchlist):
    signed_in.post(
        "/creators/instagram/oatbaker/outreach",
        data={"csrf_token": csrf, "action": "terms", "niche": "running"},
    )
    message = message_of(page_of(signed_in, "/creators/instagram/oatbaker/outreach"))
    assert "about running" in message or "Your running posts" in message or "care about running" in message
