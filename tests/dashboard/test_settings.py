"""The Settings page (the brand profile) and what the creator page says about brands and voices."""

from __future__ import annotations

import html

from tests import samples
from tests.samples import snapshot


def test_settings_need_sign_in(client):
    response = client.get("/settings")
    assert response.status_code in (302, 401)


def test_the_brand_profile_is_saved_from_the_form(signed_in, csrf, store):
    page = signed_in.get("/settings").get_data(as_text=True)
    assert 'data-form="brand"' in page and "Your brand and competitors" in page
    response = signed_in.post("/settings", data={
        "csrf_token": csrf, "names": "Stride Co", "handles": "@stride.co, stride.run",
        "competitors": "FastFeet: @fastfeet, @fastfeet.es\nBergkraft\n\n"})
    assert response.status_code == 302
    brand = store.get_brand()
    assert brand["names"] == ["Stride Co"] and brand["handles"] == ["stride.co", "stride.run"]
    assert brand["competitors"] == [{"name": "FastFeet", "handles": ["fastfeet", "fastfeet.es"]},
                                    {"name": "Bergkraft", "handles": []}]
    again = html.unescape(signed_in.get("/settings").get_data(as_text=True))
    assert "FastFeet: @fastfeet, @fastfeet.es" in again and "Brand profile saved" in again


def test_a_bad_profile_is_refused_with_the_form_kept(signed_in, csrf, store):
    response = signed_in.post("/settings", data={"csrf_token": csrf, "names": "x" * 101, "competitors": ""})
    assert response.status_code == 422
    assert "Not saved" in response.get_data(as_text=True)
    assert store.get_brand()["names"] == []


def test_a_post_without_the_csrf_token_changes_nothing(signed_in, store):
    response = signed_in.post("/settings", data={"names": "Stride Co"})
    assert response.status_code in (400, 403)
    assert store.get_brand()["names"] == []


def test_the_creator_page_says_worked_with_and_flags_a_competitor_inside_the_window(signed_in, store):
    score = samples.score()
    score["brands"]["competitor_collaborations"] = [
        {"name": "FastFeet", "post_id": "p3", "date": None, "days_ago": 14, "window_days": 60,
         "inside_window": True}]
    store.save_creator("instagram", "creator", {"snapshot": snapshot(), "score": score}, by="test")
    page = html.unescape(signed_in.get("/creators/instagram/creator").get_data(as_text=True))
    assert "Worked with FastFeet, @runwear." in page
    assert "Worked with your competitor FastFeet 14 days ago, inside the 60-day exclusivity" in page
    for said in score["overall"]["headlines"].values():
        assert said in page
    voice = score["voices"]["voices"][0]
    assert "Voices in the comments" in page and voice["text"] in page and f"@{voice['author']}" in page
