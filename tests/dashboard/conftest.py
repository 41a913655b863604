"""Dashboard fixtures: an app over a temporary data directory, a signed-in test client, and a small
watchlist of creators saved through the real store with scores shaped like /v1/score's answer.

Engagement and disclosure in those scores are computed by the real scoring functions (they need no
model); niche fit and authenticity are written out, so these tests stay fast. The slow test in
test_creator.py renders a score made by the real scorer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from server import create_app, vocab
from server.schemas import Snapshot
from server.scoring import disclosure, engagement
from tests import samples
from tests.samples import RUNNING_NICHE, snapshot

TOKEN = "dashboard-token-0123456789"
BAKING_NICHE = {
    "name": "Vegan baking",
    "description": "Plant-based cakes, breads and pastries.",
    "keywords": ["vegan", "baking", "sourdough"],
}
BAKING_CAPTIONS = [
    "Vegan chocolate cake with aquafaba frosting, recipe below.",
    "My sourdough starter turned five today: here is how I feed it.",
    "Flaky vegan croissants: the butter swap that finally worked.",
    "Weekend market haul and a slice of plum cake.",
]


def score_for(
    snap: dict[str, Any],
    fits: dict[str, tuple[str, float]],
    authenticity: float = 78.0,
    overall: float | None = None,
) -> dict[str, Any]:
    """A score as /v1/score answers: real engagement and disclosure, written-out fit and authenticity."""
    model = Snapshot.model_validate(snap)
    posts = [p for p in snap["posts"] if p.get("caption")]
    niche_fit = []
    for niche_id, (name, value) in fits.items():
        best = [
            {"post_id": p["id"], "caption": p["caption"], "similarity": round(0.62 - 0.04 * i, 4)}
            for i, p in enumerate(posts[:3])
        ]
        worst = [{"post_id": p["id"], "caption": p["caption"], "similarity": 0.11} for p in posts[-1:]]
        niche_fit.append({
            "niche": niche_id,
            "name": name,
            "score": value,
            "raw": 0.75,
            "percentile": value,
            "on_niche_share": 0.75,
            "organic_score": value - 2,
            "method": "zero-shot",
            "model_version": "zero-shot-1",
            "posts_analyzed": len(posts),
            "confidence": "high",
            "evidence": {"best": best, "worst": worst},
            "reasons": [f"{round(0.75 * len(posts))} of {len(posts)} posts are on {name}."],
        })
    eng = engagement.assess(model, [])
    disc = disclosure.assess(model)
    best_fit = max((v for _, v in fits.values()), default=None)
    blended = (
        overall
        if overall is not None
        else round(
            (
                0.4 * (best_fit or 0)
                + 0.3 * authenticity
                + 0.2 * (eng["score"] or 0)
                + 0.1 * (disc["score"] or 0)
            ),
            1,
        )
    )
    return {
        "creator": {
            "platform": model.platform,
            "handle": model.handle,
            "display_name": model.display_name,
            "followers": model.followers,
            "tier": vocab.tier(model.followers),
        },
        "overall": {
            "score": blended,
            "confidence": "medium",
            "weights": {"fit": 0.4, "authenticity": 0.3, "engagement": 0.2, "disclosure": 0.1},
            "components": {
                "fit": best_fit,
                "authenticity": authenticity,
                "engagement": eng["score"],
                "disclosure": disc["score"],
            },
            "reasons": ["Confidence medium: the weakest input is authenticity."],
        },
        "niche_fit": niche_fit,
        "authenticity": {
            **samples.score()["authenticity"],
            "score": authenticity,
            "confidence": "medium",
            "comments_analyzed": len(snap["comments"]),
            "genuine_share": 0.6,
            "generic_share": 0.2,
            "spam_share": 0.2,
            "duplicate_share": 0.0,
            "creator_reply_rate": 0.25,
            "flagged": [
                {
                    "index": 5,
                    "id": "c5",
                    "text": "Check out my page for free followers!!! link in bio",
                    "label": "spam",
                    "reasons": ["self-promotion"],
                }
            ],
            "reasons": ["2 of 10 comments look like spam."],
        },
        "engagement": eng,
        "disclosure": disc,
        "versions": {"embedder": "all-MiniLM-L6-v2", "comments": "test"},
    }


def baking_snapshot(handle: str, followers: int) -> dict[str, Any]:
    return snapshot(
        handle=handle,
        display_name=f"{handle.title()} Bakes",
        followers=followers,
        bio="Vegan baker. Recipes every week.",
        posts=[
            {"id": f"b{i}", "caption": c, "likes": 400 + 20 * i, "comments_count": 12}
            for i, c in enumerate(BAKING_CAPTIONS)
        ],
        comments=[{"id": "bc1", "post_id": "b0", "author": "fan", "text": "Which flour do you use?"}],
    )


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})


@pytest.fixture
def store(app):
    return app.extensions["microscout"].store


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_of(client) -> str:
    """The CSRF token the pages put in their forms (read off the sign-in page, as a browser would)."""
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client, token: str = TOKEN):
    return client.post("/", data={"token": token, "csrf_token": csrf_of(client)})


@pytest.fixture
def signed_in(client):
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def csrf(signed_in) -> str:
    page = signed_in.get("/watchlist").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def watchlist(store):
    return seed(store)


def seed(store):
    """Two niches and three creators: a running micro creator, a vegan baker (micro), a nano baker."""
    store.create_niche(RUNNING_NICHE)
    store.create_niche(BAKING_NICHE)
    runner = snapshot()
    store.save_creator(
        "instagram",
        "creator",
        {
            "snapshot": runner,
            "niche": "running",
            "tags": ["marathon"],
            "notes": "Runs a Tuesday club.",
            "score": score_for(
                runner, {"running": ("Running", 84.0), "vegan-baking": ("Vegan baking", 12.0)}
            ),
        },
        by="admin",
    )
    baker = baking_snapshot("oatbaker", 41_000)
    store.save_creator(
        "instagram",
        "oatbaker",
        {
            "snapshot": baker,
            "niche": "vegan-baking",
            "status": "shortlisted",
            "score": score_for(
                baker,
                {"running": ("Running", 9.0), "vegan-baking": ("Vegan baking", 71.0)},
                authenticity=55.0,
            ),
        },
        by="admin",
    )
    small = baking_snapshot("crumbs", 6_200)
    small["platform"] = "tiktok"
    store.save_creator(
        "tiktok",
        "crumbs",
        {
            "snapshot": small,
            "niche": "vegan-baking",
            "score": score_for(small, {"vegan-baking": ("Vegan baking", 48.0)}, authenticity=31.0),
        },
        by="admin",
    )
    return store


@pytest.fixture
def auth_header():
    return {"Authorization": f"Bearer {TOKEN}"}


def labelled_creators(
    store, niche: str = "running", fits: int = 4, not_fits: int = 4, save: bool = False
) -> list[tuple[str, str]]:
    """Label creators for ``niche`` (and save them to the watchlist with ``save``): runners with
    different mixes of running posts are a fit, bakers (some with a stray run) are not.

    Returns (handle, label) pairs."""
    from tests.samples import RUNNING_CAPTIONS

    made = []
    for i in range(fits):
        captions = RUNNING_CAPTIONS[i:] + RUNNING_CAPTIONS[:i]
        snap = snapshot(
            handle=f"runner{i}",
            display_name=f"Runner {i}",
            followers=15_000 + 3_000 * i,
            posts=[
                {"id": f"r{i}-{j}", "caption": c, "likes": 500 + j} for j, c in enumerate(captions[: 6 + i])
            ],
            comments=[],
        )
        made.append((snap, "fit"))
    for i in range(not_fits):
        captions = BAKING_CAPTIONS[i % 4 :] + BAKING_CAPTIONS[: i % 4] + RUNNING_CAPTIONS[i : i + i % 2]
        snap = snapshot(
            handle=f"baker{i}",
            display_name=f"Baker {i}",
            followers=12_000 + 2_000 * i,
            bio="Vegan baker. Recipes every week.",
            posts=[{"id": f"k{i}-{j}", "caption": c, "likes": 300 + j} for j, c in enumerate(captions)],
            comments=[],
        )
        made.append((snap, "not_fit"))
    for snap, label in made:
        if save:
            store.save_creator("instagram", snap["handle"], {"snapshot": snap}, by="admin")
        store.add_label(
            niche,
            label,
            Snapshot.model_validate(snap).model_dump(mode="json", exclude_unset=True),
            by="admin",
        )
    return [(snap["handle"], label) for snap, label in made]
