"""The creator page: every score section with reasons and evidence, SVG history, pipeline fields, labels."""

from __future__ import annotations

import copy
import html
import xml.etree.ElementTree as ET

from tests.dashboard.conftest import score_for
from tests.samples import snapshot


def page_of(client, path="/creators/instagram/creator") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return html.unescape(response.get_data(as_text=True))


def test_every_score_section_with_its_reasons_and_evidence(signed_in, watchlist, store):
    page = page_of(signed_in)
    score = store.get_creator("instagram", "creator")["score"]
    for section in (
        "Overall",
        "Niche fit: Running",
        "Niche fit: Vegan baking",
        "Comment authenticity",
        "Engagement",
        "Disclosure",
        "History",
    ):
        assert section in page, section
    for reason in [
        *score["overall"]["reasons"],
        *score["authenticity"]["reasons"],
        *score["engagement"]["reasons"],
        *score["disclosure"]["reasons"],
        *(r for f in score["niche_fit"] for r in f["reasons"]),
    ]:
        assert reason in page, reason
    for post in score["niche_fit"][0]["evidence"]["best"] + score["niche_fit"][0]["evidence"]["worst"]:
        assert post["caption"] in page
    assert "Check out my page for free followers" in page  # a flagged comment, with why
    assert "self-promotion" in page
    assert "Influencer Marketing Benchmark Report 2024" in page  # engagement reference, with its source
    assert "Confidence: <strong>medium</strong>" in page


def test_profile_link_bio_and_status(signed_in, watchlist):
    page = page_of(signed_in)
    assert 'href="https://www.instagram.com/creator/"' in page
    assert "Marathon runner and coach" in page
    assert 'rel="noopener noreferrer"' in page


def test_history_charts_are_inline_svg_drawn_from_every_save(signed_in, watchlist, store):
    for followers in (25_000, 26_100):
        snap = snapshot(followers=followers)
        store.save_creator(
            "instagram",
            "creator",
            {"snapshot": snap, "score": score_for(snap, {"running": ("Running", 80.0)})},
            by="admin",
        )
    page = signed_in.get("/creators/instagram/creator").get_data(as_text=True)
    assert "3 saved measurements" in page
    assert "<script" not in page.split("<main")[1]  # no chart library, no inline script
    chart = page[page.index('<svg class="chart" id="chart-followers"') :]
    chart = chart[: chart.index("</svg>") + 6]
    root = ET.fromstring(chart)  # well-formed SVG
    ns = "{http://www.w3.org/2000/svg}"
    points = root.findall(f".//{ns}circle") or root.findall(".//circle")
    assert len(points) == 3
    assert "24.3k on" in chart and "26.1k on" in chart  # first and latest values in the description
    scores = page[page.index('id="chart-scores"') :]
    assert "Fit: Running" in scores and "Overall" in scores


def test_status_niche_tags_and_notes_are_saved(signed_in, csrf, watchlist, store):
    response = signed_in.post(
        "/creators/instagram/creator",
        data={
            "csrf_token": csrf,
            "status": "negotiating",
            "niche": "vegan-baking",
            "tags": "shoes, marathon,  , Shoes",
            "notes": "Call on Friday.\r\nAsked about usage rights.",
        },
    )
    assert response.status_code == 302
    entry = store.get_creator("instagram", "creator")
    assert entry["status"] == "negotiating" and entry["niche"] == "vegan-baking"
    assert entry["tags"] == ["shoes", "marathon"]
    assert entry["notes"] == "Call on Friday.\nAsked about usage rights."
    assert entry["updated_by"] == "admin"
    page = page_of(signed_in)
    assert "Saved." in page and "Call on Friday." in page


def test_a_refused_value_is_explained_and_nothing_changes(signed_in, csrf, watchlist, store):
    before = store.get_creator("instagram", "creator")
    signed_in.post(
        "/creators/instagram/creator", data={"csrf_token": csrf, "status": "hired", "notes": "lost?"}
    )
    assert "Not saved: status must be one of" in page_of(signed_in)
    assert store.get_creator("instagram", "creator")["notes"] == before["notes"]


def test_fit_and_not_fit_labels_are_stored_from_the_snapshot_and_listed(signed_in, csrf, watchlist, store):
    signed_in.post(
        "/creators/instagram/creator/labels", data={"csrf_token": csrf, "niche": "running", "label": "fit"}
    )
    signed_in.post(
        "/creators/instagram/creator/labels",
        data={"csrf_token": csrf, "niche": "vegan-baking", "label": "not_fit"},
    )
    labels = store.list_labels()
    assert [(x["niche"], x["label"], x["created_by"]) for x in labels] == [
        ("running", "fit", "admin"),
        ("vegan-baking", "not_fit", "admin"),
    ]
    assert labels[0]["snapshot"]["handle"] == "creator" and len(labels[0]["snapshot"]["posts"]) == 12
    page = page_of(signed_in)
    assert "marked a fit for Running" in page
    labels_section = page[page.index('id="labels"') :]
    assert (
        "not a fit</span> for Vegan baking" in labels_section and "fit</span> for Running" in labels_section
    )


def test_labels_need_a_snapshot_and_a_real_niche(signed_in, csrf, watchlist, store):
    store.save_creator("youtube", "nosnap", {"notes": "added by hand"}, by="admin")
    signed_in.post(
        "/creators/youtube/nosnap/labels", data={"csrf_token": csrf, "niche": "running", "label": "fit"}
    )
    assert "Nothing captured for this creator yet" in page_of(signed_in, "/creators/youtube/nosnap")
    signed_in.post(
        "/creators/instagram/creator/labels", data={"csrf_token": csrf, "niche": "nope", "label": "fit"}
    )
    assert "No niche with id" in page_of(signed_in)
    assert store.list_labels() == []


def test_a_flagged_comment_can_be_corrected(signed_in, csrf, watchlist, store):
    page = page_of(signed_in)
    assert 'aria-label="This comment is genuine"' in page and 'aria-label="This comment is spam"' not in page
    response = signed_in.post(
        "/creators/instagram/creator/comment-labels",
        data={"csrf_token": csrf, "comment": "c5", "label": "genuine"},
    )
    assert response.headers["Location"] == "/creators/instagram/creator#h-auth"
    [correction] = store.list_comment_labels()
    assert correction["text"] == "Check out my page for free followers!!! link in bio"
    assert correction["label"] == "genuine" and correction["created_by"] == "admin"
    assert correction["post_caption"].startswith("My marathon training plan")  # the post it sits under (p2)
    assert "Correction saved" in page_of(signed_in)
    for data in ({"comment": "c999", "label": "spam"}, {"comment": "c5", "label": "rude"}):
        signed_in.post("/creators/instagram/creator/comment-labels", data={"csrf_token": csrf, **data})
    assert len(store.list_comment_labels()) == 1


def test_a_creator_without_a_score_still_has_a_page(signed_in, watchlist, store):
    store.save_creator("youtube", "nosnap", {"notes": "added by hand"}, by="admin")
    page = page_of(signed_in, "/creators/youtube/nosnap")
    assert "No score stored yet" in page and "No history yet" in page
    assert 'href="https://www.youtube.com/@nosnap"' in page


def test_an_unknown_creator_is_a_404_page(signed_in):
    response = signed_in.get("/creators/instagram/ghost")
    assert response.status_code == 404
    assert "not on the watchlist" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_odd_score_shapes_do_not_break_the_page(signed_in, watchlist, store):
    """A score kept by an older scorer (a save checks the score today, an import does not): missing
    sections, extra keys, nulls."""
    odd = copy.deepcopy(store.get_creator("instagram", "creator")["score"])
    del odd["disclosure"]
    odd["authenticity"] = {"score": None, "new_metric": {"value": 0.5, "comments": 3}, "reasons": []}
    odd["niche_fit"][0]["evidence"] = {}
    odd["overall"] = {"score": None}
    workspace = store.export_data()
    next(c for c in workspace["creators"] if c["handle"] == "creator")["score"] = odd
    store.import_data(workspace, replace=True)
    page = page_of(signed_in)
    assert "New metric" in page and "0.500 (3 comments)" in page
