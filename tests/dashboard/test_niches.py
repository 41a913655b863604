"""Niches: create and edit briefs with the API's validation, delete, labels per niche, one-click labels."""

from __future__ import annotations

import html

import pytest

BRIEF = {
    "name": "Trail running",
    "description": "Mountain and ultra trail running.",
    "keywords": "trail, ultra,  mountains ,",
    "hashtags": "#trailrunning, #ultra",
    "example_posts": "25 km and 1,200 m of climbing today.\n\nVertical kilometre race report.",
}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_create_a_niche(signed_in, csrf, store):
    response = signed_in.post("/niches", data={"csrf_token": csrf, **BRIEF})
    assert response.status_code == 302 and response.headers["Location"] == "/niches/trail-running"
    record = store.get_niche("trail-running")
    assert record["keywords"] == ["trail", "ultra", "mountains"]
    assert record["hashtags"] == ["#trailrunning", "#ultra"]
    assert record["example_posts"] == [
        "25 km and 1,200 m of climbing today.",
        "Vertical kilometre race report.",
    ]
    page = text_of(signed_in.get("/niches/trail-running"))
    assert "Niche “Trail running” created" in page and "Mountain and ultra trail running." in page
    listing = text_of(signed_in.get("/niches"))
    assert 'href="/niches/trail-running"' in listing and "trail, ultra, mountains" in listing


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"name": "  "}, 422, "must not be empty"),
        ({"name": "x" * 121}, 422, "at most 120"),
        ({"name": "Running"}, 409, "exists"),
    ],
)
def test_a_bad_brief_is_shown_again_with_the_reason(
    signed_in, csrf, watchlist, store, fields, status, message
):
    response = signed_in.post("/niches", data={"csrf_token": csrf, **{**BRIEF, **fields}})
    assert response.status_code == status
    page = text_of(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "Mountain and ultra trail running." in page  # what was typed is kept
    assert len(store.list_niches()) == 2


def test_edit_a_brief(signed_in, csrf, watchlist, store):
    response = signed_in.post(
        "/niches/running",
        data={
            "csrf_token": csrf,
            "name": "Road running",
            "description": "",
            "keywords": "marathon",
            "hashtags": "",
            "example_posts": "",
        },
    )
    assert response.status_code == 302
    record = store.get_niche("running")
    assert (
        record["name"] == "Road running"
        and record["keywords"] == ["marathon"]
        and record["description"] == ""
    )
    bad = signed_in.post("/niches/running", data={"csrf_token": csrf, "name": ""})
    assert bad.status_code == 422 and store.get_niche("running")["name"] == "Road running"


def test_delete_a_niche_keeps_its_labels(signed_in, csrf, watchlist, store):
    signed_in.post(
        "/creators/instagram/creator/labels", data={"csrf_token": csrf, "niche": "running", "label": "fit"}
    )
    response = signed_in.post("/niches/running/delete", data={"csrf_token": csrf})
    assert response.headers["Location"] == "/niches"
    assert store.get_niche("running") is None and len(store.list_labels("running")) == 1
    assert signed_in.get("/niches/running").status_code == 404


def test_a_niche_page_lists_its_labels(signed_in, csrf, watchlist):
    signed_in.post(
        "/creators/instagram/creator/labels", data={"csrf_token": csrf, "niche": "running", "label": "fit"}
    )
    signed_in.post(
        "/creators/instagram/oatbaker/labels",
        data={"csrf_token": csrf, "niche": "running", "label": "not_fit"},
    )
    page = text_of(signed_in.get("/niches/running"))
    labels = page[page.index('id="h-labels"') :]
    assert 'href="/creators/instagram/creator"' in labels and 'href="/creators/instagram/oatbaker"' in labels
    assert "2 labels (1 fit)" in page
    listing = text_of(signed_in.get("/niches"))
    row = listing[listing.index('href="/niches/running"') :].split("</tr>")[0]
    assert '<td data-label="Fit labels" class="num">1</td>' in row
    assert '<td data-label="Not-a-fit labels" class="num">1</td>' in row


def test_one_click_label_from_the_niche_page(signed_in, csrf, watchlist, store):
    response = signed_in.post(
        "/niches/vegan-baking/labels",
        data={"csrf_token": csrf, "platform": "tiktok", "handle": "crumbs", "label": "not_fit"},
    )
    assert response.headers["Location"] == "/niches/vegan-baking#suggestions"
    assert [(x["niche"], x["label"]) for x in store.list_labels()] == [("vegan-baking", "not_fit")]
    signed_in.post(
        "/niches/vegan-baking/labels",
        data={"csrf_token": csrf, "platform": "tiktok", "handle": "ghost", "label": "fit"},
    )
    assert "not on the watchlist" in text_of(signed_in.get("/niches/vegan-baking"))
    assert len(store.list_labels()) == 1
