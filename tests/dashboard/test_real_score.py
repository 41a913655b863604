"""The creator, outreach and niche pages over a score made by the real scorer (the session's model)."""

from __future__ import annotations

import html

import pytest

from server.dashboard.drafting import quote_caption
from tests.conftest import TOKEN as API_TOKEN
from tests.dashboard.conftest import sign_in
from tests.samples import RUNNING_NICHE, snapshot


def page_of(client, path="/creators/instagram/creator") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.slow
def test_a_score_from_the_real_scorer_renders_whole(scoring_app):
    """The page is written against the scorer's real answer, not only the shapes in conftest."""
    client = scoring_app.test_client()
    api = {"Authorization": f"Bearer {API_TOKEN}"}
    assert client.post("/v1/niches", json=RUNNING_NICHE, headers=api).status_code == 201
    snap = snapshot()
    answer = client.post("/v1/score", json=snap, headers=api)
    assert answer.status_code == 200, answer.json
    score = answer.json
    saved = client.post(
        "/v1/watchlist", json={"snapshot": snap, "score": score, "niche": "running"}, headers=api
    )
    assert saved.status_code == 201, saved.json
    sign_in(client, API_TOKEN)
    page = page_of(client)
    reasons = [
        *score["overall"]["reasons"],
        *score["authenticity"]["reasons"],
        *score["engagement"]["reasons"],
        *score["disclosure"]["reasons"],
        *(r for f in score["niche_fit"] for r in f["reasons"]),
    ]
    assert reasons
    for reason in reasons:
        assert reason in page, reason
    best = score["niche_fit"][0]["evidence"]["best"]
    assert best and all(post["caption"] in page for post in best)
    for flagged in score["authenticity"].get("flagged", [])[:20]:
        assert flagged["text"] in page
    outreach = page_of(client, "/creators/instagram/creator/outreach")
    assert quote_caption(best[0]["caption"]) in outreach
    suggestions = html.unescape(client.get("/niches/running").get_data(as_text=True))
    assert (
        'href="/creators/instagram/creator"'
        in suggestions.split('id="suggestions"')[1].split("</section>")[0]
    )
