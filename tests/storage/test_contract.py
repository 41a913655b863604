"""The Store contract: every test runs on SQLite and on a real Redis (see conftest.py)."""

from __future__ import annotations

import threading

import pytest

from server.storage import Conflict, CreatorQuery, InvalidValue, NotFound, Store
from server.storage.records import JUMP_SHARE
from tests import samples
from tests.samples import RUNNING_NICHE, snapshot
from tests.storage.conftest import BACKENDS, make_store


def score(followers=24_300, tier="micro", overall=70.0, authenticity=80.0, rate=0.04, fit=None):
    return samples.score(followers=followers, tier=tier, overall=overall, authenticity=authenticity,
                         rate=rate, fit=fit)


def save(store, handle, by="admin", **changes):
    return store.save_creator(changes.pop("platform", "instagram"), handle, changes, by=by)


def test_both_backends_follow_the_protocol(store):
    assert isinstance(store, Store)
    assert store.kind in BACKENDS
    store.ping()


# ---- niches ------------------------------------------------------------------------------

def test_niche_crud(store):
    created = store.create_niche(RUNNING_NICHE)
    assert created["id"] == "running"
    assert created["keywords"] == RUNNING_NICHE["keywords"]
    assert created["created_at"] == created["updated_at"]
    assert "weights" not in created
    assert store.get_niche("running") == created
    assert store.list_niches() == [created]

    updated = store.update_niche("running", {"description": "Only trail running.", "weights": {"fit": 0.5}})
    assert updated["description"] == "Only trail running."
    assert updated["weights"] == {"fit": 0.5}
    assert updated["created_at"] == created["created_at"] and updated["updated_at"] > created["updated_at"]
    assert updated["name"] == "Running"
    assert store.get_niche("running") == updated

    store.delete_niche("running")
    assert store.get_niche("running") is None
    assert store.list_niches() == []


@pytest.mark.parametrize(("fields", "expected_id"), [
    ({"name": "Vegan Baking"}, "vegan-baking"),
    ({"name": "  Café & Crème brûlée!! "}, "cafe-creme-brulee"),
    ({"name": "Running", "id": "road-running"}, "road-running"),
    ({"name": "美妆"}, None),  # no ASCII: a stable hashed id
])
def test_niche_ids_are_slugs(store, fields, expected_id):
    niche = store.create_niche(fields)
    if expected_id is None:
        assert niche["id"].startswith("niche-")
        assert store.create_niche({"name": "other"})["id"] == "other"
    else:
        assert niche["id"] == expected_id
    assert store.get_niche(niche["id"]) == niche


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"description": "no name"}, "name"),
    ({"name": "x", "id": "Not A Slug"}, "id"),
    ({"name": "x", "id": "a" * 61}, "id"),
    ({"name": "x", "keywords": "running"}, "keywords"),
    ({"name": "x", "weights": {"fit": "high"}}, "weights"),
    ({"name": "x", "colour": "red"}, "colour"),
])
def test_bad_niches_are_refused(store, fields, field):
    with pytest.raises(InvalidValue) as err:
        store.create_niche(fields)
    assert err.value.field == field
    assert store.list_niches() == []


def test_duplicate_niche_slug_conflicts(store):
    first = store.create_niche({"name": "Running"})
    with pytest.raises(Conflict):
        store.create_niche({"name": "running!", "description": "another"})
    assert store.list_niches() == [first]


def test_missing_niche(store):
    assert store.get_niche("nope") is None
    with pytest.raises(NotFound):
        store.update_niche("nope", {"name": "x"})
    with pytest.raises(NotFound):
        store.delete_niche("nope")
    store.create_niche({"name": "Running"})
    with pytest.raises(InvalidValue):
        store.update_niche("running", {"id": "other"})


# ---- watchlist ---------------------------------------------------------------------------

def test_save_creates_then_updates_only_what_is_sent(store):
    store.create_niche(RUNNING_NICHE)
    entry, created = save(store, "creator", by="ana", niche="running", snapshot=snapshot(), score=score(),
                          tags=["runner", " shortlist-q3 ", "Runner"], notes="met at the expo")
    assert created
    assert entry["status"] == "discovered"
    assert entry["tags"] == ["runner", "shortlist-q3"]
    assert entry["display_name"] == "Casey Runs"
    assert entry["updated_by"] == "ana"
    assert entry["summary"] == {"followers": 24_300, "tier": "micro", "overall": 70.0, "authenticity": 80.0,
                                "engagement_rate": 0.04, "fit": {"running": 81.5},
                                "languages": {"en": 1.0}}

    updated, created = save(store, "creator", by="ben", status="contacted")
    assert not created
    assert updated["status"] == "contacted"
    assert updated["notes"] == "met at the expo" and updated["niche"] == "running"
    assert updated["created_at"] == entry["created_at"] and updated["updated_at"] > entry["updated_at"]
    assert updated["updated_by"] == "ben"

    full = store.get_creator("instagram", "creator")
    assert full["snapshot"] == snapshot()
    assert full["score"] == score()
    assert {k: v for k, v in full.items() if k not in ("snapshot", "score")} == updated


def test_a_leading_at_is_not_part_of_the_handle(store):
    entry, _ = save(store, "@Casey", notes="x")
    assert entry["handle"] == "Casey"
    assert store.get_creator("instagram", "casey")["notes"] == "x"


def test_handles_are_case_insensitive(store):
    save(store, "Creator", snapshot=snapshot(handle="Creator"))
    _, created = save(store, "CREATOR", notes="same person")
    assert not created
    assert store.get_creator("instagram", "creator")["notes"] == "same person"
    assert len(store.list_creators()) == 1
    assert store.get_creator("tiktok", "creator") is None


@pytest.mark.parametrize(("changes", "field", "error"), [
    ({"status": "hired"}, "status", InvalidValue),
    ({"notes": "x" * 10_001}, "notes", InvalidValue),
    ({"notes": "x" * 100_000}, "notes", InvalidValue),
    ({"niche": "unknown-niche"}, "niche", NotFound),  # a reference to a niche that is not stored
    ({"tags": "a,b"}, "tags", InvalidValue),
    ({"tags": [f"t{i}" for i in range(31)]}, "tags", InvalidValue),
    ({"snapshot": snapshot(handle="someone_else")}, "snapshot", Conflict),  # names another creator
    ({"snapshot": snapshot(platform="tiktok")}, "snapshot", Conflict),
    ({"score": [1, 2]}, "score", InvalidValue),
    ({"followers": 10}, "followers", InvalidValue),
])
def test_bad_saves_write_nothing(store, changes, field, error):
    save(store, "creator", notes="before", snapshot=snapshot(), score=score())
    before = store.get_creator("instagram", "creator"), store.history("instagram", "creator")
    with pytest.raises(error) as err:
        save(store, "creator", **{"status": "shortlisted", "notes": "after", **changes})
    assert err.value.field == field
    assert (store.get_creator("instagram", "creator"), store.history("instagram", "creator")) == before
    with pytest.raises(error):
        save(store, "newcomer", **changes)
    assert store.get_creator("instagram", "newcomer") is None


@pytest.mark.parametrize(("platform", "handle"), [("myspace", "creator"), ("instagram", "two words"),
                                                  ("instagram", "a/b"), ("instagram", ""), ("instagram", "@"),
                                                  ("instagram", "a@b"), ("instagram", "x" * 101)])
def test_bad_creator_names(store, platform, handle):
    with pytest.raises(InvalidValue):
        store.save_creator(platform, handle, {"notes": "x"}, by="admin")


def test_delete_creator(store):
    save(store, "creator", snapshot=snapshot(), score=score())
    store.delete_creator("instagram", "creator")
    assert store.get_creator("instagram", "creator") is None
    assert store.list_creators() == []
    with pytest.raises(NotFound):
        store.history("instagram", "creator")
    with pytest.raises(NotFound):
        store.delete_creator("instagram", "creator")
    # the indexes forget it too
    assert store.peer_rates("instagram", "micro") == []
    assert store.commenter_links("instagram", "other", ["anna.runs"]) == {}
    _, created = save(store, "creator", notes="back again")
    assert created
    assert store.history("instagram", "creator") == []


def test_list_leaves_out_snapshot_and_score(store):
    save(store, "creator", snapshot=snapshot(), score=score())
    [listed] = store.list_creators()
    assert "snapshot" not in listed and "score" not in listed
    assert listed["summary"]["overall"] == 70.0


SPANISH = ["Hoy entrenamos piernas en el gimnasio con una rutina nueva para principiantes.",
           "La mejor comida después de correr es una ensalada de arroz con pollo y verduras.",
           "Mañana salimos a correr temprano por el parque, ¿quién se apunta con nosotros?"]

CREATORS = [  # handle, niche, status, followers, overall, authenticity, fit, notes, tags, display name
    ("alpha", "running", "shortlisted", 12_000, 90.0, 60.0, 70.0, "great race reports", ["q3"], "Alpha Runs"),
    ("bravo", "running", "discovered", 250_000, 50.0, 95.0, 90.0, "", [], "Bravo"),
    ("charlie", "baking", "contacted", 8_000, 70.0, None, 40.0, "asked about rates", ["vegan"], "Chef C"),
    ("delta", None, "declined", 40_000, None, 70.0, None, "fake followers?", [], "Delta Runner"),
]


@pytest.fixture
def filled(store):
    store.create_niche({"name": "Running"})
    store.create_niche({"name": "Baking"})
    for handle, niche, status, followers, overall, auth, fit, notes, tags, name in CREATORS:
        s = score(followers=followers, tier=None, overall=overall, authenticity=auth,
                  fit={niche: fit} if niche and fit is not None else {})
        save(store, handle, niche=niche, status=status, notes=notes, tags=tags,
             snapshot=snapshot(handle=handle, display_name=name, followers=followers), score=s)
    return store


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ["delta", "charlie", "bravo", "alpha"]),  # most recently updated first
    ({"sort": "updated", "order": "asc"}, ["alpha", "bravo", "charlie", "delta"]),
    ({"sort": "overall"}, ["alpha", "charlie", "bravo", "delta"]),  # no score: last
    ({"sort": "overall", "order": "asc"}, ["bravo", "charlie", "alpha", "delta"]),
    ({"sort": "authenticity"}, ["bravo", "delta", "alpha", "charlie"]),
    ({"sort": "followers"}, ["bravo", "delta", "alpha", "charlie"]),
    ({"sort": "fit"}, ["bravo", "alpha", "charlie", "delta"]),
    ({"sort": "fit", "niche": "running"}, ["bravo", "alpha"]),
    ({"sort": "handle"}, ["alpha", "bravo", "charlie", "delta"]),
    ({"niche": "baking"}, ["charlie"]),
    ({"status": ("shortlisted", "contacted"), "sort": "handle"}, ["alpha", "charlie"]),
    ({"tier": "micro", "sort": "handle"}, ["alpha", "delta"]),
    ({"tier": "nano"}, ["charlie"]),
    ({"tier": "mid"}, ["bravo"]),
    ({"text": "RUN", "sort": "handle"}, ["alpha", "delta"]),  # display names and notes
    ({"text": "vegan"}, ["charlie"]),  # tags
    ({"text": "rates"}, ["charlie"]),  # notes
    ({"text": "brav"}, ["bravo"]),  # handle
    ({"text": "nobody"}, []),
    ({"sort": "handle", "limit": 2, "offset": 1}, ["bravo", "charlie"]),
])
def test_filter_and_sort(filled, query, expected):
    assert [c["handle"] for c in filled.list_creators(CreatorQuery(**query))] == expected
    page, total = filled.find_creators(CreatorQuery(**{**query, "limit": 1}))
    assert [c["handle"] for c in page] == expected[:1]
    whole = {k: v for k, v in query.items() if k not in ("limit", "offset")}
    assert total == len(filled.list_creators(CreatorQuery(**whole)))


def test_listings_follow_writes_and_answer_copies(filled):
    """A backend may keep the listing between reads (SQLite does): writes show at once, and keys a
    caller sets on an answer (the page's fit_shown) never reach the next one."""
    first, total = filled.find_creators(CreatorQuery(sort="overall", limit=2))
    assert ([c["handle"] for c in first], total) == (["alpha", "charlie"], 4)
    first[0]["fit_shown"] = 1.0
    first[0]["status"] = "partnered"
    again, _ = filled.find_creators(CreatorQuery(sort="overall", limit=2))
    assert "fit_shown" not in again[0] and again[0]["status"] == "shortlisted"
    save(filled, "charlie", score=score(tier=None, overall=99.0))
    assert [c["handle"] for c in filled.find_creators(CreatorQuery(sort="overall", limit=2))[0]] == [
        "charlie", "alpha"]
    save(filled, "echo", status="partnered", notes="New club")
    assert filled.find_creators(CreatorQuery(text="club"))[1] == 1
    filled.delete_creator("instagram", "alpha")
    assert [c["handle"] for c in filled.find_creators(CreatorQuery(sort="handle"))[0]] == [
        "bravo", "charlie", "delta", "echo"]


def test_creator_languages_count_the_whole_watchlist(filled):
    assert filled.creator_languages() == {"en": 4}
    save(filled, "echo", snapshot=snapshot(handle="echo", posts=[
        {"id": f"p{i}", "caption": text} for i, text in enumerate(SPANISH)]))
    assert filled.creator_languages() == {"en": 4, "es": 1}
    assert filled.find_creators(CreatorQuery(language=("es",)))[1] == 1


@pytest.mark.parametrize("query", [{"status": ("hired",)}, {"tier": "giga"}, {"sort": "likes"},
                                   {"order": "up"}, {"limit": -1}, {"offset": -5}])
def test_bad_queries(query):
    with pytest.raises(InvalidValue):
        CreatorQuery(**query)


# ---- history and follower jumps ------------------------------------------------------------

def test_every_measuring_save_adds_a_history_point(store):
    save(store, "creator", snapshot=snapshot(followers=20_000, captured_at="2026-01-01T10:00:00Z"),
         score=score(followers=20_000))
    save(store, "creator", status="shortlisted")  # measured nothing: no point
    save(store, "creator", snapshot=snapshot(followers=21_000, captured_at="2026-02-01T10:00:00Z"),
         score=score(followers=21_000, overall=72.5))
    points = store.history("instagram", "creator")
    assert [p["followers"] for p in points] == [20_000, 21_000]
    assert [p["overall"] for p in points] == [70.0, 72.5]
    assert points[0]["captured_at"] == "2026-01-01T10:00:00Z"
    assert points[1]["fit"] == {"running": 81.5} and points[1]["engagement_rate"] == 0.04
    assert points[0]["at"] < points[1]["at"]
    assert store.follower_jump("instagram", "creator") is None


def test_a_sudden_follower_jump_is_found(store):
    for day, followers in ((1, 20_000), (10, 20_400), (14, 31_000)):
        captured = f"2026-03-{day:02d}T09:00:00Z"
        save(store, "creator", snapshot=snapshot(followers=followers, captured_at=captured))
    jump = store.follower_jump("instagram", "creator")
    assert jump is not None and jump["change"] > JUMP_SHARE
    assert (jump["from"], jump["to"], jump["days"]) == (20_000, 31_000, 13.0)
    assert "55%" in jump["reason"]
    # the score the lead computes now can ask with the follower count it is about to save
    assert store.follower_jump("tiktok", "nobody", followers=5_000) is None


def test_history_of_unknown_creator(store):
    with pytest.raises(NotFound):
        store.history("instagram", "ghost")
    assert store.follower_jump("instagram", "ghost") is None


def test_concurrent_saves_of_one_creator_lose_no_point(store, tmp_path, redis_server):
    """Two store objects stand for two processes; each thread's saves must all land."""
    other = make_store(store.kind, tmp_path, redis_server, name="a") if store.kind == "sqlite" else store
    if store.kind == "redis":  # same prefix, second connection pool
        from server.storage.redis import RedisStore
        other = RedisStore(redis_server.url, prefix=store.prefix)
    errors = []

    def hammer(s, worker):
        try:
            for i in range(15):
                save(s, "creator", by=f"w{worker}", snapshot=snapshot(followers=1000 * worker + i),
                     notes=f"w{worker}-{i}")
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(store if w % 2 else other, w)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(store.history("instagram", "creator")) == 6 * 15
    assert len(store.list_creators()) == 1
    other.close()


# ---- what scoring reads ----------------------------------------------------------------------

def test_peer_rates(store):
    for handle, tier, rate, platform in (("a", "micro", 0.03, "instagram"), ("b", "micro", 0.05, "instagram"),
                                         ("c", "mid", 0.02, "instagram"), ("d", "micro", 0.09, "tiktok"),
                                         ("e", "micro", None, "instagram")):
        save(store, handle, platform=platform, score=score(tier=tier, rate=rate))
    assert sorted(store.peer_rates("instagram", "micro")) == [0.03, 0.05]
    assert store.peer_rates("instagram", "micro", exclude=("instagram", "A")) == [0.05]
    assert store.peer_rates("instagram", "mid") == [0.02]
    assert store.peer_rates("tiktok", "micro", exclude=("instagram", "d")) == [0.09]
    assert store.peer_rates("instagram", None) == []
    save(store, "b", score=score(tier="mid", rate=0.06))  # moved tier: leaves the micro peers
    assert store.peer_rates("instagram", "micro") == [0.03]
    assert sorted(store.peer_rates("instagram", "mid")) == [0.02, 0.06]


def comments_by(*authors, by_creator=()):
    return [{"id": f"c{i}", "post_id": "p0", "author": a, "text": f"nice one {i}",
             "by_creator": a in by_creator} for i, a in enumerate(authors)]


def test_commenter_links_find_pods(store):
    save(store, "alpha", snapshot=snapshot(handle="alpha", comments=comments_by("pod1", "Pod2", "fan")))
    save(store, "bravo", snapshot=snapshot(handle="bravo", comments=comments_by("pod1", "pod2", "bravo",
                                                                                by_creator=("bravo",))))
    save(store, "charlie", snapshot=snapshot(handle="charlie", comments=comments_by("pod1")))
    save(store, "alpha", platform="tiktok", snapshot=snapshot(platform="tiktok", handle="alpha",
                                                               comments=comments_by("pod1", "fan")))
    links = store.commenter_links("instagram", "newbie", ["pod1", "POD2", "fan", "stranger", "bravo"])
    assert links == {"pod1": ["instagram/alpha", "instagram/bravo", "instagram/charlie"],
                     "POD2": ["instagram/alpha", "instagram/bravo"], "fan": ["instagram/alpha"]}
    # a creator's own snapshot never links it to itself; the creator's replies are not audience
    assert store.commenter_links("instagram", "alpha", ["pod1", "fan"]) == {
        "pod1": ["instagram/bravo", "instagram/charlie"]}
    assert store.commenter_links("instagram", "x", ["@pod1"]) == {
        "@pod1": ["instagram/alpha", "instagram/bravo", "instagram/charlie"]}
    # a new snapshot without pod1 drops the link; a save without snapshot keeps the index
    save(store, "charlie", snapshot=snapshot(handle="charlie", comments=comments_by("someone")))
    save(store, "bravo", status="contacted")
    assert store.commenter_links("instagram", "x", ["pod1"]) == {
        "pod1": ["instagram/alpha", "instagram/bravo"]}
    assert store.commenter_links("instagram", "x", []) == {}


# ---- labels ----------------------------------------------------------------------------------

def test_labels(store):
    store.create_niche(RUNNING_NICHE)
    first = store.add_label("running", "fit", snapshot(), by="ana")
    second = store.add_label("running", "not_fit", snapshot(handle="other"), by="ben")
    assert second["id"] > first["id"]
    assert first["created_by"] == "ana" and first["snapshot"] == snapshot()
    assert store.list_labels("running") == [first, second]
    assert store.list_labels() == [first, second]
    assert store.list_labels("baking") == []
    with pytest.raises(NotFound) as err:  # no niche "baking" is stored
        store.add_label("baking", "fit", snapshot(), by="ana")
    assert err.value.field == "niche"
    with pytest.raises(InvalidValue) as err:
        store.add_label("running", "maybe", snapshot(), by="ana")
    assert err.value.field == "label"
    assert store.list_labels() == [first, second]


def test_comment_labels(store):
    a = store.add_comment_label("Love it", "generic", None, by="ana")
    b = store.add_comment_label("DM us to collab 💰", "spam", "My new trainers", by="ben")
    assert store.list_comment_labels() == [a, b]
    assert b["post_caption"] == "My new trainers" and b["created_by"] == "ben" and b["created_at"]
    for text, label in (("", "spam"), ("ok", "toxic")):
        with pytest.raises(InvalidValue):
            store.add_comment_label(text, label, by="ana")
    assert store.list_comment_labels() == [a, b]


# ---- tokens and settings -----------------------------------------------------------------------

def test_sessions_are_kept_as_hashes_and_end(store):
    first = store.create_session({"who": "admin", "key": "k1"}, 60)
    second = store.create_session({"who": "sam", "key": "k2"}, 60)
    assert len(first) >= 40 and first != second
    assert store.get_session(first) == {"who": "admin", "key": "k1"}
    assert store.get_session(first + "x") is None
    store.end_session(first)
    assert store.get_session(first) is None
    assert store.get_session(second) == {"who": "sam", "key": "k2"}
    store.end_session("never-made")  # ending an unknown session is no error
    short = store.create_session({"who": "ana", "key": "k"}, 0.05)
    import time

    time.sleep(0.15)
    assert store.get_session(short) is None, "an expired session counts for nothing"


def test_tokens(store):
    token = store.create_token("ana")
    assert token.startswith("ms_") and len(token) > 40
    assert store.token_name(token) == "ana"
    assert store.token_name(token + "x") is None
    [listed] = store.list_tokens()
    assert listed["name"] == "ana" and set(listed) == {"name", "created_at"}
    with pytest.raises(Conflict):
        store.create_token("ana")
    other = store.create_token("ben")
    store.revoke_token("ana")
    assert store.token_name(token) is None
    assert store.token_name(other) == "ben"
    with pytest.raises(NotFound):
        store.revoke_token("ana")


@pytest.mark.parametrize("name", ["admin", "Admin", "", "two words", "x" * 65, "a/b"])
def test_bad_token_names(store, name):
    with pytest.raises(InvalidValue):
        store.create_token(name)
    assert store.list_tokens() == []


# ---- the brand profile ----------------------------------------------------------------------

def test_brand_profile_is_empty_then_replaced_whole(store):
    assert store.get_brand() == {"names": [], "handles": [], "competitors": [], "updated_at": None}
    saved = store.put_brand({"names": ["Stride Co", " stride  co ", "Stride"], "handles": ["@stride.co"],
                             "competitors": [
                                 {"name": "FastFeet", "handles": ["@fastfeet", "FASTFEET", "fastfeet.es"]},
                                 {"name": "Bergkraft"}]})
    assert saved["names"] == ["Stride Co", "Stride"]  # spacing folded, duplicates (any case) dropped
    assert saved["handles"] == ["stride.co"]
    assert saved["competitors"] == [{"name": "FastFeet", "handles": ["fastfeet", "fastfeet.es"]},
                                    {"name": "Bergkraft", "handles": []}]
    assert saved["updated_at"]
    assert store.get_brand() == saved
    replaced = store.put_brand({"names": ["Stride Co"]})
    assert replaced["competitors"] == [] and store.get_brand() == replaced


@pytest.mark.parametrize(("profile", "field"), [
    ({"names": "Stride Co"}, "names"),
    ({"names": [""]}, "names"),
    ({"handles": ["x" * 101]}, "handles"),
    ({"competitors": [{"handles": ["a"]}]}, "competitors.0.name"),
    ({"competitors": ["FastFeet"]}, "competitors.0"),
    ({"competitors": [{"name": "A", "handles": "a"}]}, "competitors.0.handles"),
])
def test_bad_brand_profiles_are_refused_and_change_nothing(store, profile, field):
    before = store.put_brand({"names": ["Stride Co"]})
    with pytest.raises(InvalidValue) as caught:
        store.put_brand(profile)
    assert caught.value.field == field
    assert store.get_brand() == before


def test_settings(store):
    assert store.get_setting("models.comments.active") is None
    assert store.get_setting("models.comments.active", "v1") == "v1"
    store.set_setting("models.comments.active", "20260101-abc")
    store.set_setting("limits", {"a": [1, 2.5, None]})
    assert store.get_setting("models.comments.active") == "20260101-abc"
    assert store.get_setting("limits") == {"a": [1, 2.5, None]}
    store.set_setting("models.comments.active", "v2")
    assert store.get_setting("models.comments.active") == "v2"
    assert store.get_settings(["limits", "missing", "models.comments.active"]) == {
        "limits": {"a": [1, 2.5, None]}, "models.comments.active": "v2"}
    assert store.get_settings([]) == {}


# ---- export and import ---------------------------------------------------------------------------

def fill(store):
    store.create_niche(RUNNING_NICHE)
    store.create_niche({"name": "Baking", "weights": {"fit": 0.6, "authenticity": 0.4}})
    save(store, "creator", by="ana", niche="running", snapshot=snapshot(followers=20_000), score=score(),
         tags=["q3"], notes="=HYPERLINK(\"http://x\")")
    save(store, "creator", by="ben", status="contacted", snapshot=snapshot(followers=21_000))
    save(store, "baker", platform="tiktok", niche="baking",
         snapshot=snapshot(platform="tiktok", handle="baker", comments=comments_by("anna.runs")))
    store.add_label("running", "fit", snapshot(), by="ana")
    store.add_label("baking", "not_fit", snapshot(handle="baker"), by="ben")
    store.add_comment_label("nice pic", "generic", "caption", by="ana")
    token = store.create_token("ana")
    store.set_setting("models.comments.active", "v3")
    store.add_results([{"id": "r1", "platform": "instagram", "handle": "creator", "source": "ga4",
                        "campaign": "fall", "week": "2025-09-01", "sessions": 10, "engaged_sessions": 6,
                        "conversions": 1.0, "revenue": 25.5}])
    store.put_brand({"names": ["Stride Co"], "competitors": [{"name": "FastFeet", "handles": ["fastfeet"]}]})
    return token


@pytest.mark.parametrize("target_kind", BACKENDS)
def test_export_import_round_trip_is_exact(store, target_kind, tmp_path, redis_server):
    token = fill(store)
    document = store.export_data()
    assert len(document["creators"]) == 2 and len(document["creators"][0]["history"]) == 2
    target = make_store(target_kind, tmp_path, redis_server, name="target")
    counts = target.import_data(document)
    assert counts == {"niches": 2, "creators": 2, "labels": 2, "comment_labels": 1, "tokens": 1,
                      "settings": 1, "discovered": 0, "results": 1}
    assert target.export_data() == document
    # it works as a store afterwards, not just as a copy
    assert target.token_name(token) == "ana"
    assert target.add_label("running", "fit", snapshot(), by="ana")["id"] > max(lb["id"] for lb in
                                                                                  document["labels"])
    assert target.commenter_links("tiktok", "x", ["anna.runs"]) == {"anna.runs": ["tiktok/baker"]}
    assert target.peer_rates("instagram", "micro") == [0.04]
    assert target.history("instagram", "creator") == store.history("instagram", "creator")
    target.close()


def test_import_refuses_a_non_empty_store_unless_replacing(store, tmp_path, redis_server):
    fill(store)
    document = store.export_data()
    with pytest.raises(Conflict):
        store.import_data(document)
    store.create_niche({"name": "Extra"})
    store.import_data(document, replace=True)
    assert store.export_data() == document
    assert store.get_niche("extra") is None


@pytest.mark.parametrize("document", [
    {}, {"format": "something-else"}, {"format": "microscout.export", "version": 99},
    {"format": "microscout.export", "version": 1, "niches": {}, "creators": [], "labels": [],
     "comment_labels": [], "tokens": [], "settings": {}},
])
def test_import_refuses_what_is_not_an_export(store, document):
    with pytest.raises(InvalidValue):
        store.import_data(document)
    assert store.export_data()["niches"] == []
