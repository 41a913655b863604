"""/v1/watchlist over HTTP: save or update, read, list with filters and sorts, history, CSV, delete,
who changed what, and the bad inputs of issue 3."""

from __future__ import annotations

import csv
import io

import pytest

from server.schemas import Snapshot
from tests import samples
from tests.api.test_niches import envelope
from tests.samples import RUNNING_NICHE, snapshot


def score(followers=24_300, overall=70.0, authenticity=80.0, rate=0.04, fit=81.5):
    return samples.score(followers=followers, overall=overall, authenticity=authenticity, rate=rate,
                         fit={"running": fit})


@pytest.fixture
def niche(client, auth):
    assert client.post("/v1/niches", json=RUNNING_NICHE, headers=auth).status_code == 201


def put(client, auth, handle="creator", **body):
    return client.put(f"/v1/watchlist/instagram/{handle}", json=body, headers=auth)


def test_save_read_update_delete(client, auth, niche):
    created = put(client, auth, niche="running", snapshot=snapshot(), score=score(), notes="met at the expo",
                  tags=["q3"])
    assert created.status_code == 201
    entry = created.get_json()
    assert (entry["status"], entry["niche"], entry["updated_by"]) == ("discovered", "running", "admin")
    assert entry["summary"]["overall"] == 70.0 and entry["summary"]["fit"] == {"running": 81.5}

    updated = put(client, auth, status="shortlisted")
    assert updated.status_code == 200
    assert updated.get_json()["notes"] == "met at the expo" and updated.get_json()["status"] == "shortlisted"

    detail = client.get("/v1/watchlist/instagram/creator", headers=auth).get_json()
    assert detail["score"] == score()
    assert Snapshot.model_validate(detail["snapshot"]) == Snapshot.model_validate(snapshot())

    assert client.delete("/v1/watchlist/instagram/creator", headers=auth).status_code == 204
    envelope(client.get("/v1/watchlist/instagram/creator", headers=auth), 404)
    envelope(client.delete("/v1/watchlist/instagram/creator", headers=auth), 404)


def test_post_names_the_creator_by_its_snapshot(client, auth):
    body = {"snapshot": snapshot(handle="@Casey"), "status": "contacted"}
    response = client.post("/v1/watchlist", json=body, headers=auth)
    assert response.status_code == 201 and response.get_json()["handle"] == "Casey"
    again = client.post("/v1/watchlist/instagram/casey", json={"notes": "second"}, headers=auth)
    assert again.status_code == 200 and again.get_json()["status"] == "contacted"
    by_fields = client.post("/v1/watchlist", json={"platform": "tiktok", "handle": "baker"}, headers=auth)
    assert by_fields.status_code == 201
    envelope(client.post("/v1/watchlist", json={"notes": "who?"}, headers=auth), 422, "handle")


def test_changes_record_the_token_name(app, client, auth):
    store = app.extensions["microscout"].store
    ana = {"Authorization": f"Bearer {store.create_token('ana')}"}
    assert put(client, ana, notes="from ana").get_json()["updated_by"] == "ana"
    assert put(client, auth, notes="from admin").get_json()["updated_by"] == "admin"
    store.revoke_token("ana")
    envelope(put(client, ana, notes="revoked"), 401)
    assert client.get("/v1/watchlist/instagram/creator", headers=auth).get_json()["notes"] == "from admin"


BAD = [
    ({"status": "hired"}, "status"),
    ({"status": None}, "status"),
    ({"notes": "x" * 10_001}, "notes"),
    ({"notes": "x" * 100_000}, "notes"),
    ({"niche": "Not a slug"}, "niche"),
    ({"tags": "a,b"}, "tags"),
    ({"tags": ["t"] * 31}, "tags"),
    ({"snapshot": {"platform": "instagram", "handle": "creator", "followers": -1}}, "snapshot.followers"),
    ({"score": "high"}, "score"),
    # a negative count has no size tier: once a 500 (schemathesis found it)
    ({"score": samples.score(followers=-40, tier=None)}, "score.creator.followers"),
]


@pytest.mark.parametrize(("body", "status"), [({"niche": "unknown-niche"}, 404),
                                             ({"snapshot": snapshot(handle="someone_else")}, 409)])
def test_a_missing_niche_is_404_and_another_creators_snapshot_409(client, auth, niche, body, status):
    """Schema-valid saves the server cannot make: a niche not stored, a snapshot of another creator."""
    response = client.put("/v1/watchlist/instagram/creator", json=body, headers=auth)
    assert response.status_code == status, response.get_data(as_text=True)
    assert client.get("/v1/watchlist", headers=auth).get_json()["total"] == 0


@pytest.mark.parametrize(("body", "field"), BAD)
def test_bad_saves_are_422_and_write_nothing(client, auth, niche, body, field):
    put(client, auth, notes="before", snapshot=snapshot(), score=score())
    before = (client.get("/v1/watchlist/instagram/creator", headers=auth).get_json(),
              client.get("/v1/watchlist/instagram/creator/history", headers=auth).get_json())
    envelope(put(client, auth, **{"status": "contacted", **body}), 422, field)
    after = (client.get("/v1/watchlist/instagram/creator", headers=auth).get_json(),
             client.get("/v1/watchlist/instagram/creator/history", headers=auth).get_json())
    assert after == before


@pytest.mark.parametrize(("path", "field"), [("/v1/watchlist/myspace/creator", "platform"),
                                             ("/v1/watchlist/instagram/a%20b", "handle")])
def test_bad_path_on_save(client, auth, path, field):
    envelope(client.put(path, json={"notes": "x"}, headers=auth), 422, field)


@pytest.fixture
def listed(client, auth, niche):
    rows = [("alpha", "shortlisted", 12_000, 90.0, 70.0, "great race reports"),
            ("bravo", "discovered", 250_000, 50.0, 90.0, ""),
            ("charlie", "contacted", 8_000, 70.0, 40.0, "asked about rates")]
    for handle, status, followers, overall, fit, notes in rows:
        s = score(followers=followers, overall=overall, fit=fit)
        s["creator"]["tier"] = None  # let the store derive it from followers
        put(client, auth, handle, status=status, notes=notes, niche="running",
            snapshot=snapshot(handle=handle, followers=followers), score=s)


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["charlie", "bravo", "alpha"]),
    ("?sort=overall", ["alpha", "charlie", "bravo"]),
    ("?sort=fit&niche=running", ["bravo", "alpha", "charlie"]),
    ("?sort=followers&order=asc", ["charlie", "alpha", "bravo"]),
    ("?status=shortlisted,contacted&sort=handle", ["alpha", "charlie"]),
    ("?status=shortlisted&status=discovered&sort=handle", ["alpha", "bravo"]),
    ("?tier=micro", ["alpha"]),
    ("?q=RATES", ["charlie"]),
    ("?sort=handle&limit=1&offset=1", ["bravo"]),
])
def test_list_filters_and_sorts(client, auth, listed, query, expected):
    body = client.get(f"/v1/watchlist{query}", headers=auth).get_json()
    assert [c["handle"] for c in body["creators"]] == expected
    assert "snapshot" not in body["creators"][0]
    if "limit" in query:
        assert body["total"] == 3


@pytest.mark.parametrize(("query", "field"), [("?status=hired", "status"), ("?tier=giga", "tier"),
                                              ("?sort=likes", "sort"), ("?order=up", "order"),
                                              ("?limit=ten", "limit"), ("?offset=-1", "offset")])
def test_bad_list_queries(client, auth, query, field):
    envelope(client.get(f"/v1/watchlist{query}", headers=auth), 422, field)


def test_history_shows_growth_and_flags_a_jump(client, auth):
    for day, followers in ((1, 20_000), (9, 20_600), (12, 29_000)):
        put(client, auth, snapshot=snapshot(followers=followers, captured_at=f"2026-03-{day:02d}T10:00:00Z"),
            score=score(followers=followers))
    put(client, auth, status="contacted")  # no new measurement
    history = client.get("/v1/watchlist/instagram/creator/history", headers=auth).get_json()
    assert [p["followers"] for p in history["points"]] == [20_000, 20_600, 29_000]
    assert history["follower_jump"]["from"] == 20_000 and history["follower_jump"]["to"] == 29_000
    envelope(client.get("/v1/watchlist/instagram/ghost/history", headers=auth), 404)


def test_score_context_reads_the_store(app, client, auth):
    """What /v1/score gets from storage: peers, pods across tracked creators, the jump reason."""
    comments = [{"author": "pod_member", "text": "great post!"}, {"author": "fan", "text": "love the route"}]
    put(client, auth, "alpha", snapshot=snapshot(handle="alpha", comments=comments, followers=20_000),
        score=score())
    put(client, auth, "bravo", snapshot=snapshot(handle="bravo", comments=comments[:1]),
        score=score(rate=0.06))
    newcomer = Snapshot.model_validate(snapshot(handle="alpha", followers=40_000,
                                                comments=[{"author": "pod_member", "text": "wow"}]))
    context = app.extensions["microscout"].score_context(newcomer)
    assert context.peer_rates == [0.06]
    assert context.cross_creator == {"pod_member": ["instagram/bravo"]}
    assert len(context.extra_reasons) == 1 and "followers rose 65%" in context.extra_reasons[0]


def test_csv_export_escapes_formulas(client, auth, niche):
    put(client, auth, niche="running", snapshot=snapshot(display_name="@evil"), score=score(),
        notes='=HYPERLINK("http://evil.example","click")', tags=["+1", "-x", "ok"])
    put(client, auth, "second", snapshot=snapshot(handle="second"), notes="plain, with comma\nand a newline")
    response = client.get("/v1/watchlist.csv?sort=handle", headers=auth)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["handle"] for r in rows] == ["creator", "second"]
    first = rows[0]
    assert first["notes"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert first["display_name"] == "'@evil" and first["tags"] == "'+1;' -x; ok"
    assert (first["overall"], first["fit:running"], first["status"]) == ("70.0", "81.5", "discovered")
    assert rows[1]["notes"] == "plain, with comma\nand a newline"
    only_header = client.get("/v1/watchlist.csv?status=contacted", headers=auth).get_data(as_text=True)
    assert only_header.count("\n") == 1
    envelope(client.get("/v1/watchlist.csv"), 401)


def test_watchlist_routes_are_in_openapi(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert set(paths["/v1/watchlist"]) == {"get", "post"}
    assert set(paths["/v1/watchlist/{platform}/{handle}"]) == {"get", "put", "post", "delete"}
    assert "get" in paths["/v1/watchlist/{platform}/{handle}/history"] and "get" in paths["/v1/watchlist.csv"]
    listing = paths["/v1/watchlist"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"niche", "status", "tier", "q", "sort", "order"}


def test_outreach_terms_over_http(client, auth):
    terms = {"compensation": "flat_fee", "deliverables": "1 reel"}
    assert put(client, auth, outreach=terms).get_json()["outreach"] == terms
    assert put(client, auth, status="negotiating").get_json()["outreach"] == terms
    envelope(put(client, auth, outreach={"compensation": "a pizza"}), 422, "outreach")
    envelope(put(client, auth, outreach={"fee": 400}), 422, "outreach.fee")
    assert client.get("/v1/watchlist/instagram/creator", headers=auth).get_json()["outreach"] == terms
